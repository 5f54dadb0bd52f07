"""Reliability: SIGKILL a recording counter at random moments; nothing it reported is lost.

The child (crash_recorder.py) prints each event only after its commit returned. After each kill
the parent reopens the real store file and checks that every reported event is there, that the
per-attempt rows agree with the event log (no half-written visit), and that the visit left open
can be resumed at its last step and then closed.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.session import SupportSession
from dxdesk.core.store import Store

RECORDER = Path(__file__).with_name("crash_recorder.py")
ITERATIONS = 30
TIME_BUDGET_S = 20.0
MIN_ITERATIONS = 8

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]


def _run_and_kill(data_dir: Path, seed: int, rng: random.Random) -> list[tuple[str, int, str, str]]:
    child = subprocess.Popen(
        [sys.executable, str(RECORDER), str(data_dir), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = child.stdout.readline().strip()
        assert ready == "READY", f"recorder did not start: {ready!r} {child.stderr.read()}"
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, f"recorder stopped by itself: {err}"
    assert "ERROR" not in out, out
    events = []
    for line in out.splitlines():
        parts = line.split()
        # The kill may cut the last line short; a partial line promises nothing.
        if len(parts) == 5 and parts[0] == "E":
            events.append((parts[1], int(parts[2]), parts[3], parts[4]))
    return events


def _replay(store: Store, catalog, session_id: str, site_id: str) -> SupportSession:
    return SupportSession.replay(
        catalog, session_id, site_id, store.sessions.session_events(session_id)
    )


def test_killed_recorder_loses_no_reported_step(data_dir: Path):
    catalog = load_catalog(forms_dir())
    rng = random.Random(20261123)
    started = time.monotonic()
    iterations = reported_total = 0
    resumed = 0
    while iterations < ITERATIONS and (
        iterations < MIN_ITERATIONS or time.monotonic() - started < TIME_BUDGET_S
    ):
        iterations += 1
        reported = _run_and_kill(data_dir, seed=iterations, rng=rng)
        reported_total += len(reported)
        with Store.open(data_dir) as store:
            assert store.maintenance.check().ok
            # 1. Every event the child reported is stored, as reported.
            for session_id, seq, kind, _step in reported:
                stored = store.sessions.session_events(session_id)
                assert len(stored) >= seq, f"event {seq} of {session_id} lost after the kill"
                assert stored[seq - 1].kind == kind
            # 2. No visit is half-written: the rows agree with a replay of the event log.
            sessions = store.database.connection.execute(
                "SELECT session_id, site_id, ended FROM sessions WHERE origin = 'local'"
            ).fetchall()
            for session_id, site_id, ended in sessions:
                replayed = _replay(store, catalog, session_id, site_id)
                assert replayed.ended == ended
                rows = store.database.connection.execute(
                    "SELECT attempt_no, outcome, steps_reached, last_step_id FROM"
                    " procedure_attempts WHERE session_id = ? ORDER BY attempt_no",
                    (session_id,),
                ).fetchall()
                assert rows == [
                    (a.attempt_no, a.outcome, a.steps_reached, a.current_step_id or "")
                    for a in replayed.attempts
                ]
                if ended:
                    assert all(a.outcome for a in replayed.attempts)
            # 3. At most the one visit in progress is open, and it resumes where it stopped.
            open_sessions = store.sessions.interrupted_sessions()
            assert len(open_sessions) <= 1
            for open_session in open_sessions:
                session = store.sessions.load_session(open_session.session_id, catalog)
                last_reported = [e for e in reported if e[0] == open_session.session_id]
                if last_reported and session.current is not None:
                    stored_last = store.sessions.session_events(open_session.session_id)[-1]
                    if stored_last.seq == last_reported[-1][1]:
                        assert session.current.current_step_id == last_reported[-1][3]
                # Close it the two ways the GUI offers: carry on, or give up.
                if iterations % 2 and session.current is not None:
                    for attempt in session.missing_outcomes():
                        session.set_outcome("not_completed", attempt_no=attempt.attempt_no)
                    if session.needs_hygiene_check:
                        session.confirm_hygiene(
                            logged_out=True, browser_closed=True, card_returned=True
                        )
                    session.finish()
                else:
                    store.sessions.abandon_interrupted(open_session.session_id)
                resumed += 1
            assert store.sessions.interrupted_sessions() == []
    assert iterations >= MIN_ITERATIONS
    assert reported_total > iterations, "the recorder was killed before it recorded anything"
    print(f"{iterations} kills, {reported_total} reported events, {resumed} visits resumed")
