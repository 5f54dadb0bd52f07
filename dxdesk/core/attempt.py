"""One procedure attempt of a visit: the steps it entered, the blockers marked on it, what a
branch answer led to, and how each attempt event changes it. :mod:`dxdesk.core.session` keeps
the visit's own state and hands every attempt event to its attempt here; the clock the events
are stamped with lives here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from dxdesk.core.events import (
    Answered,
    AttemptEvent,
    BlockerCleared,
    BlockerMarked,
    HandoffRecorded,
    OutcomeSet,
    StepEntered,
    WalkEnded,
    WentBack,
)
from dxdesk.core.guide import ProcedureGuide, Step, Taxonomy
from dxdesk.core.i18n import tr

Clock = Callable[[], dt.datetime]


class SessionError(ValueError):
    """A session action that is not allowed now; the message says what to do instead."""


def local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@dataclass(frozen=True)
class StepVisit:
    step_id: str
    at: dt.datetime


@dataclass
class BlockerMark:
    blocker_id: str
    at: dt.datetime
    step_id: str | None = None
    note: str | None = None
    by_answer: bool = False  # marked by a branch answer: it goes when that answer is undone


@dataclass
class AnswerResult:
    """What a branch answer led to; the widget shows the suggestion, the clerk decides."""

    step: Step | None
    proposed_outcome: str | None
    suggested_guide: str | None
    blocker: str | None


@dataclass
class ProcedureAttempt:
    attempt_no: int
    guide: ProcedureGuide
    started_at: dt.datetime
    path: list[str] = field(default_factory=list)  # the walk as a stack; back() pops
    visits: list[StepVisit] = field(default_factory=list)  # every step entered, in order
    blockers: dict[str, BlockerMark] = field(default_factory=dict)
    walk_ended: bool = False
    proposed_outcome: str | None = None
    suggested_guide: str | None = None
    outcome: str | None = None
    outcome_at: dt.datetime | None = None
    handoff_code: str | None = None

    @property
    def procedure_id(self) -> str:
        return self.guide.id

    @property
    def guide_version(self) -> int:
        return self.guide.version

    @property
    def current_step_id(self) -> str | None:
        return self.path[-1] if self.path else None

    @property
    def steps_reached(self) -> int:
        return len({v.step_id for v in self.visits})

    def blocker_ids(self) -> list[str]:
        return sorted(self.blockers)

    def apply(self, event: AttemptEvent, taxonomy: Taxonomy | None) -> AnswerResult | None:
        """Change this attempt as ``event`` says; an answer returns what it led to. A step the
        guide no longer has means the guide changed since the event was recorded."""
        at = event.at
        match event:
            case StepEntered(step_id=step_id):
                self._check_step(step_id)
                self.path.append(step_id)
                self.visits.append(StepVisit(step_id, at))
                self.walk_ended = False
                self.proposed_outcome = None
            case WalkEnded(proposed_outcome=proposed):
                self.walk_ended = True
                self.proposed_outcome = proposed
            case Answered():
                return self._apply_answer(event, taxonomy)
            case WentBack():
                if self.walk_ended:
                    self.walk_ended = False
                else:
                    self.path.pop()
                # The answer given at the step we return to is undone, and so is what it marked.
                undone = self.current_step_id
                for blocker_id, mark in list(self.blockers.items()):
                    if mark.by_answer and mark.step_id == undone:
                        del self.blockers[blocker_id]
                self.proposed_outcome = None
                self.suggested_guide = None
            case BlockerMarked(blocker_id=blocker_id, step_id=step_id, note=note):
                self.blockers[blocker_id] = BlockerMark(blocker_id, at, step_id, note)
            case BlockerCleared(blocker_id=blocker_id):
                self.blockers.pop(blocker_id, None)
            case OutcomeSet(outcome=outcome):
                self.outcome = outcome
                self.outcome_at = at
            case HandoffRecorded(code=code):
                self.handoff_code = code
            case _:
                raise SessionError(tr("session.error.unknown_event", kind=event.kind))
        return None

    def _apply_answer(self, event: Answered, taxonomy: Taxonomy | None) -> AnswerResult:
        step = self.guide.step(event.step_id)
        index = event.answer
        if step.branch is None or not 0 <= index < len(step.branch.answers):
            raise SessionError(tr("session.error.guide_changed", guide_id=self.guide.id))
        answer = step.branch.answers[index]
        if answer.blocker and has_blocker(taxonomy, answer.blocker):
            self.blockers.setdefault(
                answer.blocker, BlockerMark(answer.blocker, event.at, step.id, by_answer=True)
            )
        self.suggested_guide = answer.guide
        next_step = None
        if answer.goto:
            self._check_step(answer.goto)
            self.path.append(answer.goto)
            self.visits.append(StepVisit(answer.goto, event.at))
            self.proposed_outcome = None
            next_step = self.guide.step(answer.goto)
        elif answer.outcome:
            self.walk_ended = True
            self.proposed_outcome = answer.outcome
        return AnswerResult(step=next_step, proposed_outcome=answer.outcome,
                            suggested_guide=answer.guide, blocker=answer.blocker)  # fmt: skip

    def _check_step(self, step_id: str) -> None:
        try:
            self.guide.step(step_id)
        except KeyError as exc:
            raise SessionError(tr("session.error.guide_changed", guide_id=self.guide.id)) from exc


def has_blocker(taxonomy: Taxonomy | None, blocker_id: str) -> bool:
    """Whether the taxonomy knows ``blocker_id`` (a blocker removed since is not applied)."""
    return taxonomy is not None and any(b.id == blocker_id for b in taxonomy.blockers)


def as_aware(moment: dt.datetime) -> dt.datetime:
    """Naive clock readings are local time; store them with their UTC offset."""
    return moment if moment.tzinfo else moment.astimezone()


def whole_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes between two moments, rounded to the nearest minute (never negative)."""
    seconds = max(0.0, (end - start).total_seconds())
    return int((seconds + 30) // 60)
