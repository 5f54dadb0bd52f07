"""A counter that never stops: records visits until it is killed (tests/core/test_store_crash.py).

Usage: python crash_recorder.py DATA_DIR SEED

After each committed event it prints ``E <session_id> <seq> <kind> <current step or ->``, flushed,
so every line the parent read is a promise that the event is on disk.
"""

from __future__ import annotations

import random
import sys

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.session import OUTCOMES, SessionError, SupportSession
from dxdesk.core.store import Store

GUIDE = "convenience-store-certificates"


class ReportingStore(Store):
    """The real store; the line is printed only after the commit has returned."""

    def record(self, session, event):
        super().record(session, event)
        # The step the walk stands on now (an answer's step_id is the question, not the goto).
        step = session.current.current_step_id if session.current else None
        print(f"E {session.session_id} {event.seq} {event.kind} {step or '-'}", flush=True)


def one_visit(store: Store, catalog, rng: random.Random) -> None:
    session = SupportSession.start(catalog, "crash-site", recorder=store)
    for _ in range(rng.randint(1, 2)):
        session.add_procedure(GUIDE)
        if rng.random() < 0.5:
            session.set_context(device=rng.choice(["own_android", "counter_terminal"]))
        for _ in range(6):
            attempt = session.current
            if attempt.walk_ended:
                break
            roll = rng.random()
            if roll < 0.15 and session.can_go_back:
                session.back()
            elif roll < 0.3:
                session.mark_blocker(rng.choice(["outside-hours", "card-not-with-resident"]))
            elif session.branch is not None:
                session.answer(0 if rng.random() < 0.8 else 1)
            else:
                session.advance()
        session.set_outcome(session.current.proposed_outcome or rng.choice(OUTCOMES))
    if rng.random() < 0.1:
        session.abandon()
        return
    if session.needs_hygiene_check:
        session.confirm_hygiene(logged_out=True, browser_closed=True, card_returned=True)
    session.finish()


def main() -> int:
    data_dir, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    catalog = load_catalog(forms_dir())
    store = ReportingStore.open(data_dir)
    print("READY", flush=True)
    while True:
        try:
            one_visit(store, catalog, rng)
        except SessionError as exc:  # a bug in the walk above, not a crash: say so loudly
            print(f"ERROR {exc}", flush=True)
            return 1


if __name__ == "__main__":
    sys.exit(main())
