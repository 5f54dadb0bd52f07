"""Session events, one class per kind: what a visit records, step by step.

A :class:`~dxdesk.core.session.SupportSession` commits one event per clerk action and rebuilds
itself from them on resume. Each class names its own fields; the store keeps every event in one
table (``session_events``) through :meth:`SessionEvent.to_row` / :func:`event_from_row`, whose
columns are the stored format and never change meaning per kind in code elsewhere.

A new kind is added here (a class with ``KIND`` and its fields) and handled in
``SupportSession._apply``; the store needs no change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import ClassVar, Literal

# What an event changes besides the visit's own row: nothing, its attempt, or every attempt.
Scope = Literal["visit", "attempt", "all"]


@dataclass(frozen=True)
class EventRow:
    """The stored columns of ``session_events`` (besides session_id, seq and at)."""

    kind: str
    attempt_no: int | None = None
    step_id: str | None = None
    value: str | None = None
    detail: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class SessionEvent:
    """One committed change of a visit."""

    seq: int
    at: dt.datetime

    KIND: ClassVar[str] = ""
    SCOPE: ClassVar[Scope] = "visit"
    BLOCKERS: ClassVar[bool] = False  # the attempt's blocker rows change too

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def attempt_no(self) -> int | None:
        return None

    def to_row(self) -> EventRow:
        return EventRow(self.KIND, **self._columns())

    def _columns(self) -> dict[str, object]:
        return {}


@dataclass(frozen=True, kw_only=True)
class AttemptEvent(SessionEvent):
    """An event about one procedure attempt of the visit."""

    attempt: int
    SCOPE: ClassVar[Scope] = "attempt"

    @property
    def attempt_no(self) -> int | None:
        return self.attempt

    def to_row(self) -> EventRow:
        return EventRow(self.KIND, attempt_no=self.attempt, **self._columns())


@dataclass(frozen=True, kw_only=True)
class Started(SessionEvent):
    site_id: str
    KIND: ClassVar[str] = "start"

    def _columns(self) -> dict[str, object]:
        return {"value": self.site_id}


@dataclass(frozen=True, kw_only=True)
class ProcedureAdded(AttemptEvent):
    guide_id: str
    guide_version: int
    KIND: ClassVar[str] = "add_procedure"

    def _columns(self) -> dict[str, object]:
        return {"value": self.guide_id, "detail": str(self.guide_version)}


@dataclass(frozen=True, kw_only=True)
class ProcedureSelected(AttemptEvent):
    KIND: ClassVar[str] = "select"
    SCOPE: ClassVar[Scope] = "visit"  # only which procedure the wizard shows


@dataclass(frozen=True, kw_only=True)
class StepEntered(AttemptEvent):
    step_id: str
    KIND: ClassVar[str] = "step"

    def _columns(self) -> dict[str, object]:
        return {"step_id": self.step_id}


@dataclass(frozen=True, kw_only=True)
class WalkEnded(AttemptEvent):
    step_id: str
    proposed_outcome: str | None
    KIND: ClassVar[str] = "walk_end"

    def _columns(self) -> dict[str, object]:
        return {"step_id": self.step_id, "value": self.proposed_outcome or ""}


@dataclass(frozen=True, kw_only=True)
class Answered(AttemptEvent):
    step_id: str
    answer: int  # 0-based index into the step's branch answers
    KIND: ClassVar[str] = "answer"
    BLOCKERS: ClassVar[bool] = True  # an answer may mark a blocker

    def _columns(self) -> dict[str, object]:
        return {"step_id": self.step_id, "value": str(self.answer)}


@dataclass(frozen=True, kw_only=True)
class WentBack(AttemptEvent):
    step_id: str  # the step the walk returns to
    KIND: ClassVar[str] = "back"
    BLOCKERS: ClassVar[bool] = True  # a blocker set by the undone answer goes with it

    def _columns(self) -> dict[str, object]:
        return {"step_id": self.step_id}


@dataclass(frozen=True, kw_only=True)
class BlockerMarked(AttemptEvent):
    blocker_id: str
    step_id: str | None = None
    note: str | None = None  # passed the privacy guard before the event was made
    KIND: ClassVar[str] = "blocker"
    BLOCKERS: ClassVar[bool] = True

    def _columns(self) -> dict[str, object]:
        return {"step_id": self.step_id, "value": self.blocker_id, "note": self.note}


@dataclass(frozen=True, kw_only=True)
class BlockerCleared(AttemptEvent):
    blocker_id: str
    KIND: ClassVar[str] = "unblock"
    BLOCKERS: ClassVar[bool] = True

    def _columns(self) -> dict[str, object]:
        return {"value": self.blocker_id}


@dataclass(frozen=True, kw_only=True)
class OutcomeSet(AttemptEvent):
    outcome: str
    KIND: ClassVar[str] = "outcome"

    def _columns(self) -> dict[str, object]:
        return {"value": self.outcome}


@dataclass(frozen=True, kw_only=True)
class HandoffRecorded(AttemptEvent):
    code: str
    KIND: ClassVar[str] = "handoff"

    def _columns(self) -> dict[str, object]:
        return {"value": self.code}


@dataclass(frozen=True, kw_only=True)
class ContextSet(SessionEvent):
    field: str  # age_band | device | help_language | return_of_code
    value: str
    KIND: ClassVar[str] = "context"

    def _columns(self) -> dict[str, object]:
        return {"detail": self.field, "value": self.value}


@dataclass(frozen=True, kw_only=True)
class NoteSet(SessionEvent):
    note: str | None  # passed the privacy guard before the event was made
    KIND: ClassVar[str] = "note"

    def _columns(self) -> dict[str, object]:
        return {"note": self.note}


@dataclass(frozen=True, kw_only=True)
class HygieneConfirmed(SessionEvent):
    items: str  # the checklist items ticked, joined by ','
    KIND: ClassVar[str] = "hygiene"

    def _columns(self) -> dict[str, object]:
        return {"value": self.items}


@dataclass(frozen=True, kw_only=True)
class Finished(SessionEvent):
    KIND: ClassVar[str] = "finish"
    SCOPE: ClassVar[Scope] = "all"


@dataclass(frozen=True, kw_only=True)
class Abandoned(SessionEvent):
    KIND: ClassVar[str] = "abandon"
    SCOPE: ClassVar[Scope] = "all"


EVENT_KINDS: dict[str, type[SessionEvent]] = {
    cls.KIND: cls
    for cls in (
        Started, ProcedureAdded, ProcedureSelected, StepEntered, WalkEnded, Answered, WentBack,
        BlockerMarked, BlockerCleared, OutcomeSet, HandoffRecorded, ContextSet, NoteSet,
        HygieneConfirmed, Finished, Abandoned,
    )
}  # fmt: skip


class UnknownEventError(ValueError):
    """A stored event of a kind this version does not know, or with a field it cannot read."""


def event_from_row(seq: int, at: dt.datetime, row: EventRow) -> SessionEvent:
    """The typed event of one stored row (the inverse of :meth:`SessionEvent.to_row`)."""
    cls = EVENT_KINDS.get(row.kind)
    if cls is None:
        raise UnknownEventError(row.kind)
    stored = {"step_id": row.step_id, "value": row.value, "detail": row.detail, "note": row.note}
    args: dict[str, object] = {"seq": seq, "at": at}
    if issubclass(cls, AttemptEvent):
        if row.attempt_no is None:
            raise UnknownEventError(f"{row.kind} without attempt_no")
        args["attempt"] = row.attempt_no
    readers = _READERS.get(cls, {})
    try:
        for f in fields(cls):
            if f.name in ("seq", "at", "attempt"):
                continue
            read = readers.get(f.name)
            args[f.name] = read(stored) if read else stored.get(f.name)  # type: ignore[operator]
        return cls(**args)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise UnknownEventError(f"{row.kind}: {exc}") from exc


# How a field is read back from the stored columns, where its column is not its own name.
_READERS: dict[type[SessionEvent], dict[str, object]] = {
    Started: {"site_id": lambda r: r["value"] or ""},
    ProcedureAdded: {
        "guide_id": lambda r: r["value"] or "",
        "guide_version": lambda r: int(r["detail"] or "0"),
    },
    WalkEnded: {"proposed_outcome": lambda r: r["value"] or None},
    Answered: {"answer": lambda r: int(r["value"] or "0")},
    BlockerMarked: {"blocker_id": lambda r: r["value"] or ""},
    BlockerCleared: {"blocker_id": lambda r: r["value"] or ""},
    OutcomeSet: {"outcome": lambda r: r["value"] or ""},
    HandoffRecorded: {"code": lambda r: r["value"] or ""},
    ContextSet: {"field": lambda r: r["detail"] or "", "value": lambda r: r["value"] or ""},
    HygieneConfirmed: {"items": lambda r: r["value"] or ""},
}
