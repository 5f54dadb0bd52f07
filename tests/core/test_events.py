"""Typed session events: every kind survives the store's row format, and the session handles it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dxdesk.core import events
from dxdesk.core.events import EVENT_KINDS, EventRow, UnknownEventError, event_from_row

AT = dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))

SAMPLES = [
    events.Started(seq=1, at=AT, site_id="kita-1"),
    events.ProcedureAdded(seq=2, at=AT, attempt=1, guide_id="pin-reset", guide_version=3),
    events.ProcedureSelected(seq=3, at=AT, attempt=1),
    events.StepEntered(seq=4, at=AT, attempt=1, step_id="who-came"),
    events.WalkEnded(seq=5, at=AT, attempt=1, step_id="who-came", proposed_outcome="referred"),
    events.WalkEnded(seq=5, at=AT, attempt=1, step_id="who-came", proposed_outcome=None),
    events.Answered(seq=6, at=AT, attempt=1, step_id="which-pin", answer=1),
    events.WentBack(seq=7, at=AT, attempt=1, step_id="which-pin"),
    events.BlockerMarked(seq=8, at=AT, attempt=1, blocker_id="other", step_id="x", note="NFC"),
    events.BlockerCleared(seq=9, at=AT, attempt=1, blocker_id="other"),
    events.OutcomeSet(seq=10, at=AT, attempt=1, outcome="handed_off"),
    events.HandoffRecorded(seq=11, at=AT, attempt=1, code="ABCD-EFGH"),
    events.ContextSet(seq=12, at=AT, field="device", value="own_iphone"),
    events.NoteSet(seq=13, at=AT, note="初めての来所"),
    events.NoteSet(seq=13, at=AT, note=None),
    events.HygieneConfirmed(seq=14, at=AT, items="logged_out,browser_closed,card_returned"),
    events.Finished(seq=15, at=AT),
    events.Abandoned(seq=16, at=AT),
]


def test_every_kind_has_a_sample() -> None:
    assert {type(e) for e in SAMPLES} == set(EVENT_KINDS.values())


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: f"{e.KIND}-{e.seq}")
def test_an_event_survives_its_stored_row(event) -> None:
    row = event.to_row()
    assert row.kind == event.KIND
    assert event_from_row(event.seq, event.at, row) == event


def test_attempt_events_carry_their_attempt_and_visit_events_do_not() -> None:
    for event in SAMPLES:
        assert (event.to_row().attempt_no is not None) == isinstance(event, events.AttemptEvent)


def test_an_unknown_or_broken_row_is_refused() -> None:
    with pytest.raises(UnknownEventError):
        event_from_row(1, AT, EventRow("teleport"))
    with pytest.raises(UnknownEventError):
        event_from_row(1, AT, EventRow("step", attempt_no=None, step_id="a"))
    with pytest.raises(UnknownEventError):
        event_from_row(1, AT, EventRow("answer", attempt_no=1, step_id="a", value="two"))


def test_events_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SAMPLES[0].seq = 9  # type: ignore[misc]
