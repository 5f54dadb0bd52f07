"""Latency of moving the wizard to the next step (durable commit + repaint of the real widgets).

Target (issue 3): under 50 ms at p99. Run: uv run pytest tests/perf/test_wizard_latency.py -s
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.store import Store
from dxdesk.gui.session_screen import SessionScreen

ROUNDS = 150


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(action) -> float:
    start = time.perf_counter()
    action()
    QApplication.processEvents()
    return (time.perf_counter() - start) * 1000


def test_next_step_latency(qtbot, tmp_path: Path, perf_record) -> None:
    catalog = load_catalog(forms_dir())
    store = Store.open(tmp_path)
    guide = max(catalog.guides.values(), key=lambda g: len(g.steps))  # the most moves per walk
    forward: list[float] = []
    back: list[float] = []
    try:
        session = store.sessions.start_session(catalog, "bench-1")
        screen = SessionScreen(session, catalog)
        qtbot.addWidget(screen)
        screen.resize(1280, 860)
        screen.show()
        session.add_procedure(guide.id)
        screen.show_step_page()
        QApplication.processEvents()
        while len(forward) < ROUNDS:
            attempt = session.current
            if attempt.walk_ended:  # walk back to the first step, timing each move back
                screen.show_step_page()
                while session.can_go_back:
                    back.append(timed(lambda: screen.go_back()))
                continue
            if session.branch is not None:
                forward.append(timed(lambda: screen.answer(0)))
            else:
                forward.append(timed(screen.go_next))
    finally:
        store.close()
    moves = forward + back
    print(
        f"\nwizard move (commit + repaint), {len(moves)} moves on '{guide.id}': "
        f"p50 {statistics.median(moves):.1f} ms, p99 {percentile(moves, 0.99):.1f} ms "
        f"(target p99 < 50 ms); next p50 {statistics.median(forward):.1f} ms"
    )
    # An absolute budget (issue 3), not a same-run baseline: the table shows the share used.
    perf_record("wizard move p50 (commit + repaint)", statistics.median(moves), 50.0, "ms",
                "issue 3 budget: 50 ms", target=1.0)  # fmt: skip
    perf_record("wizard move p99 (commit + repaint)", percentile(moves, 0.99), 50.0, "ms",
                "issue 3 budget: 50 ms", target=1.0)  # fmt: skip
    assert len(moves) >= 20  # the walk really moved
