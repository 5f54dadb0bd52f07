"""Latency of one durable step commit (target: p99 < 5 ms), against a bare SQLite baseline.

Run on demand: ``uv run pytest -s tests/perf/test_step_commit.py``. The baseline is a single-row
INSERT committed with the same WAL + synchronous=FULL settings on the same disk, measured in the
same run, so the ratio shows what the store adds on top of the fsync it cannot avoid.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.session import SupportSession
from dxdesk.core.store import Store

GUIDE = "convenience-store-certificates"
SAMPLES = 600
TARGET_P99_MS = 5.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _baseline(path: Path) -> list[float]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (session_id TEXT, seq INTEGER, step_id TEXT)")
    times = []
    for i in range(SAMPLES):
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t VALUES ('x', ?, 'check-pin')", (i,))
        db.execute("COMMIT")
        times.append((time.perf_counter() - t0) * 1000)
    db.close()
    return times


def _step_commits(data_dir: Path) -> list[float]:
    catalog = load_catalog(forms_dir())
    times = []
    with Store.open(data_dir) as store:
        while len(times) < SAMPLES:
            session = SupportSession.start(catalog, "perf-site", recorder=store)
            session.add_procedure(GUIDE)
            for _ in range(20):  # walk forward and back: each click is one durable commit
                t0 = time.perf_counter()
                if session.branch is not None:
                    session.answer(0)
                elif not session.current.walk_ended and session.current_step.outcome is None:
                    session.advance()
                else:
                    session.back()
                times.append((time.perf_counter() - t0) * 1000)
            session.set_outcome("handed_off")
            session.finish()
    return times[:SAMPLES]


def test_step_commit_latency(tmp_path: Path, perf_record):
    baseline = _baseline(tmp_path / "baseline.sqlite3")
    (tmp_path / "data").mkdir()
    steps = _step_commits(tmp_path / "data")
    p50, p99 = statistics.median(steps), _percentile(steps, 0.99)
    b50, b99 = statistics.median(baseline), _percentile(baseline, 0.99)
    print(
        f"\nstep commit: p50 {p50:.3f} ms, p99 {p99:.3f} ms (n={len(steps)})"
        f"\nbare SQLite commit: p50 {b50:.3f} ms, p99 {b99:.3f} ms"
        f"\nratio: p50 x{p50 / b50:.2f}, p99 x{p99 / b99:.2f}"
    )
    perf_record("step commit p50", p50, b50, "ms", "bare SQLite INSERT+COMMIT p50")
    perf_record("step commit p99", p99, b99, "ms", "bare SQLite INSERT+COMMIT p99")
    assert p99 < TARGET_P99_MS, f"p99 {p99:.2f} ms is over the {TARGET_P99_MS} ms target"
