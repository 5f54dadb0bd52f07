"""The guided support session: one resident's visit to the counter, as a Qt-free state machine.

A visit holds one or more procedure attempts; each attempt walks one guide's steps. Every change
is an event: the session applies it, hands it to a recorder (the Store) that commits it before
the call returns, and rebuilds itself from the same events after a crash. The wizard's flow
(core/session_flow.py) reads ``current_step``/``branch``/``available_blockers``/``elapsed()``
and calls the actions; each attempt applies its own events (core/attempt.py).

Nothing personal is kept: ids from the catalog and taxonomy, coarse bands, random codes, and
short notes that passed the privacy guard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from dxdesk.core.attempt import (
    AnswerResult,
    BlockerMark,
    Clock,
    ProcedureAttempt,
    SessionError,
    StepVisit,
    as_aware,
    has_blocker,
    local_now,
)
from dxdesk.core.attempt import whole_minutes as whole_minutes  # the store's import
from dxdesk.core.catalog import BlockerKind, Branch, Catalog, ProcedureGuide, Step
from dxdesk.core.contract import (
    ABANDONED,
    AGE_BANDS,
    DEVICES,
    HELP_LANGUAGES,
    OUTCOMES,
    SHARED_TERMINAL,
)
from dxdesk.core.events import (
    Abandoned,
    Answered,
    AttemptEvent,
    BlockerCleared,
    BlockerMarked,
    ContextSet,
    Finished,
    HandoffRecorded,
    HygieneConfirmed,
    NoteSet,
    OutcomeSet,
    ProcedureAdded,
    ProcedureSelected,
    SessionEvent,
    Started,
    StepEntered,
    WalkEnded,
    WentBack,
)
from dxdesk.core.handoff import HandoffCodeError, normalise_handoff_code
from dxdesk.core.i18n import tr

# The shared-terminal hygiene checklist (DOMAIN.md: 748 mis-registrations after no log-out).
HYGIENE_ITEMS: tuple[str, ...] = ("logged_out", "browser_closed", "card_returned")
NOTE_MAX_CHARS = 200
OTHER_BLOCKER = "other"
CHANNEL = "counter"


class SessionRecorder(Protocol):
    def record(self, session: SupportSession, event: SessionEvent) -> None:
        """Persist ``event`` (already applied to ``session``) durably before returning."""


class SupportSession:
    """One visit. Build with :meth:`start` (new) or :meth:`replay` (resume from stored events)."""

    def __init__(
        self,
        catalog: Catalog,
        session_id: str,
        site_id: str,
        *,
        recorder: SessionRecorder | None = None,
        clock: Clock = local_now,
    ) -> None:
        self.catalog = catalog
        self.session_id = session_id
        self.site_id = site_id
        self.recorder = recorder
        self.clock = clock
        self.events: list[SessionEvent] = []
        self._reset()

    def _reset(self) -> None:
        self.started_at: dt.datetime | None = None
        self.ended_at: dt.datetime | None = None
        self.ended: str | None = None  # 'finished' | 'abandoned'
        self.attempts: list[ProcedureAttempt] = []
        self.current_attempt_no: int | None = None
        self.age_band = "unknown"
        self.device = "unknown"
        self.help_language = "unknown"
        self.return_of_code: str | None = None
        self.note: str | None = None
        self.hygiene_confirmed = False
        self.last_answer: AnswerResult | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def start(
        cls,
        catalog: Catalog,
        site_id: str,
        *,
        recorder: SessionRecorder | None = None,
        clock: Clock = local_now,
        session_id: str | None = None,
    ) -> SupportSession:
        """Open a new visit (committed at once when a recorder is given)."""
        if not site_id:
            raise SessionError(tr("session.error.no_site_id"))
        import uuid  # here, not at the top: it is off the app's start-up path

        session = cls(
            catalog, session_id or uuid.uuid4().hex, site_id, recorder=recorder, clock=clock
        )
        session._commit(Started, site_id=site_id)
        return session

    @classmethod
    def replay(
        cls,
        catalog: Catalog,
        session_id: str,
        site_id: str,
        events: Sequence[SessionEvent],
        *,
        recorder: SessionRecorder | None = None,
        clock: Clock = local_now,
    ) -> SupportSession:
        """Rebuild a session from its stored events; a guide that changed since is an error."""
        session = cls(catalog, session_id, site_id, recorder=recorder, clock=clock)
        for event in events:
            session._apply(event)
            session.events.append(event)
        return session

    # ------------------------------------------------------------------ what the widget shows

    @property
    def is_open(self) -> bool:
        return self.ended is None

    @property
    def current(self) -> ProcedureAttempt | None:
        if self.current_attempt_no is None:
            return None
        return self.attempts[self.current_attempt_no - 1]

    @property
    def current_guide(self) -> ProcedureGuide | None:
        attempt = self.current
        return attempt.guide if attempt else None

    @property
    def current_step(self) -> Step | None:
        attempt = self.current
        if attempt is None or attempt.current_step_id is None:
            return None
        return attempt.guide.step(attempt.current_step_id)

    @property
    def branch(self) -> Branch | None:
        """The question to answer before the walk can go on, if the step has one."""
        attempt, step = self.current, self.current_step
        if step is None or attempt is None or attempt.walk_ended:
            return None
        return step.branch

    @property
    def can_go_back(self) -> bool:
        attempt = self.current
        return bool(attempt and (attempt.walk_ended or len(attempt.path) > 1))

    def available_blockers(self) -> list[BlockerKind]:
        """The current guide's blockers (always with 'other'), else the whole taxonomy."""
        taxonomy = self.catalog.taxonomy
        if taxonomy is None:
            return []
        guide = self.current_guide
        if guide is None or not guide.blockers:
            return list(taxonomy.blockers)
        ids = list(guide.blockers)
        if OTHER_BLOCKER not in ids:
            ids.append(OTHER_BLOCKER)
        return [taxonomy.blocker(b) for b in ids if has_blocker(taxonomy, b)]

    def resolving_guide(self) -> tuple[BlockerKind, ProcedureGuide] | None:
        """The guide that resolves the latest blocker marked on the current procedure
        (taxonomy ``resolved_by``), when it is in the catalog and not tried in this session."""
        attempt, taxonomy = self.current, self.catalog.taxonomy
        if attempt is None or taxonomy is None:
            return None
        tried = {a.procedure_id for a in self.attempts}
        for mark in sorted(attempt.blockers.values(), key=lambda m: m.at, reverse=True):
            if not has_blocker(taxonomy, mark.blocker_id):
                continue
            blocker = taxonomy.blocker(mark.blocker_id)
            target = blocker.resolved_by
            if target and target in self.catalog.guides and target not in tried:
                return blocker, self.catalog.guides[target]
        return None

    def elapsed(self, now: dt.datetime | None = None) -> dt.timedelta:
        if self.started_at is None:
            return dt.timedelta(0)
        end = self.ended_at or now or self.clock()
        return as_aware(end) - self.started_at

    @property
    def needs_hygiene_check(self) -> bool:
        return self.device == SHARED_TERMINAL and not self.hygiene_confirmed

    def missing_outcomes(self) -> list[ProcedureAttempt]:
        return [a for a in self.attempts if a.outcome is None]

    # ------------------------------------------------------------------ clerk actions

    def add_procedure(self, guide_id: str) -> ProcedureAttempt:
        """Add a procedure to the visit, make it current and enter its first step."""
        self._require_open()
        try:
            self.catalog.guide(guide_id)
        except KeyError as exc:
            raise SessionError(tr("session.error.unknown_guide", guide_id=guide_id)) from exc
        guide = self.catalog.guide(guide_id)
        self._commit(ProcedureAdded, attempt=len(self.attempts) + 1, guide_id=guide_id,
                     guide_version=guide.version)  # fmt: skip
        return self.current  # type: ignore[return-value]

    def select_procedure(self, attempt_no: int) -> ProcedureAttempt:
        """Switch the wizard to another procedure of this visit."""
        self._require_open()
        self._attempt(attempt_no)
        self._commit(ProcedureSelected, attempt=attempt_no)
        return self.current  # type: ignore[return-value]

    def advance(self) -> Step | None:
        """Go to the next step; returns it, or None when the walk ended (see proposed_outcome)."""
        attempt, step = self._require_step()
        if attempt.walk_ended:
            raise SessionError(tr("session.error.walk_ended"))
        if step.branch is not None:
            raise SessionError(tr("session.error.answer_first", step_id=step.id))
        next_id = None if step.outcome else attempt.guide.next_step_id(step.id)
        if next_id is None:
            self._commit(WalkEnded, attempt=attempt.attempt_no, step_id=step.id,
                         proposed_outcome=step.outcome)  # fmt: skip
            return None
        self._commit(StepEntered, attempt=attempt.attempt_no, step_id=next_id)
        return self.current_step

    def answer(self, index: int) -> AnswerResult:
        """Answer the current step's branch question with answer number ``index`` (0-based)."""
        attempt, step = self._require_step()
        if attempt.walk_ended or step.branch is None:
            raise SessionError(tr("session.error.no_question", step_id=step.id))
        if not 0 <= index < len(step.branch.answers):
            raise SessionError(
                tr("session.error.bad_answer", index=index, count=len(step.branch.answers))
            )
        self._commit(Answered, attempt=attempt.attempt_no, step_id=step.id, answer=index)
        assert self.last_answer is not None
        return self.last_answer

    def back(self) -> Step | None:
        """Undo the last move of the walk (a reached step, or the end of the walk)."""
        attempt, step = self._require_step()
        if not self.can_go_back:
            raise SessionError(tr("session.error.cannot_go_back"))
        target = step.id if attempt.walk_ended else attempt.path[-2]
        self._commit(WentBack, attempt=attempt.attempt_no, step_id=target)
        return self.current_step

    def mark_blocker(self, blocker_id: str, note: str | None = None) -> BlockerMark:
        """Mark a blocker (a taxonomy id) on the current procedure; 'other' needs a short note."""
        attempt = self._require_attempt()
        taxonomy = self.catalog.taxonomy
        if taxonomy is None or not has_blocker(taxonomy, blocker_id):
            raise SessionError(tr("session.error.unknown_blocker", blocker_id=blocker_id))
        note = _clean_note(note)
        if blocker_id == OTHER_BLOCKER and not note:
            raise SessionError(tr("session.error.other_needs_note"))
        if note is not None:
            note = self._guard_note(note, "blocker_note")
        self._commit(BlockerMarked, attempt=attempt.attempt_no, step_id=attempt.current_step_id,
                     blocker_id=blocker_id, note=note)  # fmt: skip
        return attempt.blockers[blocker_id]

    def unmark_blocker(self, blocker_id: str) -> None:
        attempt = self._require_attempt()
        if blocker_id not in attempt.blockers:
            raise SessionError(tr("session.error.blocker_not_marked", blocker_id=blocker_id))
        self._commit(BlockerCleared, attempt=attempt.attempt_no, blocker_id=blocker_id)

    def set_outcome(self, outcome: str, attempt_no: int | None = None) -> None:
        """Record how a procedure ended (catalog.OUTCOMES); the clerk may change it later."""
        self._require_open()
        attempt = self._attempt(attempt_no) if attempt_no else self._require_attempt()
        if outcome not in OUTCOMES:
            raise SessionError(
                tr("session.error.bad_outcome", outcome=outcome, known=", ".join(OUTCOMES))
            )
        self._commit(OutcomeSet, attempt=attempt.attempt_no, outcome=outcome)

    def set_note(self, note: str | None) -> None:
        """An optional short session note; refused when it holds anything personal."""
        self._require_open()
        note = _clean_note(note)
        if note is not None:
            note = self._guard_note(note, "session_note")
        self._commit(NoteSet, note=note)

    def set_context(
        self,
        *,
        age_band: str | None = None,
        device: str | None = None,
        help_language: str | None = None,
        return_of_code: str | None = None,
    ) -> None:
        """Coarse, anonymous context; each given value is checked, then committed."""
        self._require_open()
        changes: list[tuple[str, str]] = []
        for name, value, allowed in (
            ("age_band", age_band, AGE_BANDS),
            ("device", device, DEVICES),
            ("help_language", help_language, HELP_LANGUAGES),
        ):
            if value is None:
                continue
            if value not in allowed:
                raise SessionError(
                    tr(
                        "session.error.bad_context",
                        field=name,
                        value=value,
                        known=", ".join(allowed),
                    )  # fmt: skip
                )
            changes.append((name, value))
        if return_of_code is not None:
            typed = return_of_code.strip()
            code = ""
            if typed:
                try:
                    code = normalise_handoff_code(typed)
                except HandoffCodeError as exc:
                    raise SessionError(tr("session.error.bad_return_code", error=str(exc))) from exc
            changes.append(("return_of_code", code))
        for name, value in changes:
            self._commit(ContextSet, field=name, value=value)

    def record_handoff_code(self, code: str, attempt_no: int | None = None) -> None:
        """Remember the code printed on a hand-off slip for this procedure."""
        self._require_open()
        attempt = self._attempt(attempt_no) if attempt_no else self._require_attempt()
        try:
            canonical = normalise_handoff_code(code)
        except HandoffCodeError as exc:
            raise SessionError(tr("session.error.bad_handoff_code", error=str(exc))) from exc
        self._commit(HandoffRecorded, attempt=attempt.attempt_no, code=canonical)

    def confirm_hygiene(
        self, *, logged_out: bool, browser_closed: bool, card_returned: bool
    ) -> None:
        """The shared-terminal checklist: every item must be ticked, none skipped silently."""
        self._require_open()
        ticked = {"logged_out": logged_out, "browser_closed": browser_closed,
                  "card_returned": card_returned}  # fmt: skip
        missing = [item for item in HYGIENE_ITEMS if not ticked[item]]
        if missing:
            names = tr("common.list_separator").join(
                tr(f"session.hygiene.{item}") for item in missing
            )
            raise SessionError(tr("session.error.hygiene_incomplete", items=names))
        self._commit(HygieneConfirmed, items=",".join(HYGIENE_ITEMS))

    def finish(self) -> None:
        """End the visit; every procedure needs an outcome, a shared terminal the checklist."""
        self._require_open()
        if not self.attempts:
            raise SessionError(tr("session.error.no_procedure"))
        missing = self.missing_outcomes()
        if missing:
            titles = ", ".join(a.procedure_id for a in missing)
            raise SessionError(tr("session.error.outcome_missing", procedures=titles))
        if self.needs_hygiene_check:
            raise SessionError(tr("session.error.hygiene_required"))
        self._commit(Finished)

    def abandon(self) -> None:
        """End the visit early; procedures without an outcome are logged as 'abandoned'."""
        self._require_open()
        self._commit(Abandoned)

    # ------------------------------------------------------------------ events

    def _commit(self, kind: type[SessionEvent], **fields: object) -> None:
        event = kind(seq=len(self.events) + 1, at=as_aware(self.clock()), **fields)
        self._apply(event)
        self.events.append(event)
        if self.recorder is None:
            return
        try:
            self.recorder.record(self, event)
        except BaseException:
            # Nothing half done: the session forgets what the store did not keep.
            self.events.pop()
            self._rebuild()
            raise

    def _rebuild(self) -> None:
        self._reset()
        for event in self.events:
            self._apply(event)

    def attempts_changed_by(self, event: SessionEvent) -> list[ProcedureAttempt]:
        """The attempts whose stored rows ``event`` (already applied) changed."""
        if event.SCOPE == "all":
            return list(self.attempts)
        if event.SCOPE == "attempt" and event.attempt_no:
            return [self.attempts[event.attempt_no - 1]]
        return []

    def _apply(self, event: SessionEvent) -> None:
        at = event.at
        match event:
            case Started():
                self.started_at = at
            case ProcedureAdded():
                guide = self._replayable_guide(event)
                new = ProcedureAttempt(
                    attempt_no=len(self.attempts) + 1, guide=guide, started_at=at
                )
                first = guide.steps[0].id
                new.path.append(first)
                new.visits.append(StepVisit(first, at))
                self.attempts.append(new)
                self.current_attempt_no = new.attempt_no
            case ProcedureSelected():
                self.current_attempt_no = event.attempt
            case AttemptEvent():  # a step, an answer, a blocker, an outcome: the attempt's own
                result = self.attempts[event.attempt - 1].apply(event, self.catalog.taxonomy)
                if isinstance(event, Answered):
                    self.last_answer = result
            case ContextSet(field="return_of_code", value=value):
                self.return_of_code = value or None
            case ContextSet(field="age_band" | "device" | "help_language" as name, value=value):
                if name == "device" and value != self.device:
                    self.hygiene_confirmed = False  # a checklist ticked for another device
                setattr(self, name, value)
            case ContextSet():
                pass  # a context field this version does not show; kept in the log
            case NoteSet(note=note):
                self.note = note
            case HygieneConfirmed():
                self.hygiene_confirmed = True
            case Finished():
                self.ended, self.ended_at = "finished", at
            case Abandoned():
                self.ended, self.ended_at = ABANDONED, at
                for a in self.attempts:
                    if a.outcome is None:
                        a.outcome, a.outcome_at = ABANDONED, at
            case _:
                raise SessionError(tr("session.error.unknown_event", kind=event.kind))

    def _replayable_guide(self, event: ProcedureAdded) -> ProcedureGuide:
        guide_id = event.guide_id
        try:
            guide = self.catalog.guide(guide_id)
        except KeyError as exc:
            raise SessionError(tr("session.error.unknown_guide", guide_id=guide_id)) from exc
        if event.guide_version != guide.version:
            raise SessionError(tr("session.error.guide_changed", guide_id=guide_id))
        return guide

    # ------------------------------------------------------------------ checks

    def _require_open(self) -> None:
        if self.ended is not None:
            raise SessionError(tr("session.error.session_ended"))

    def _require_attempt(self) -> ProcedureAttempt:
        self._require_open()
        attempt = self.current
        if attempt is None:
            raise SessionError(tr("session.error.no_procedure"))
        return attempt

    def _require_step(self) -> tuple[ProcedureAttempt, Step]:
        attempt = self._require_attempt()
        step = self.current_step
        assert step is not None  # every attempt enters its first step when added
        return attempt, step

    def _attempt(self, attempt_no: int) -> ProcedureAttempt:
        if not 1 <= attempt_no <= len(self.attempts):
            raise SessionError(tr("session.error.no_such_attempt", attempt_no=attempt_no))
        return self.attempts[attempt_no - 1]

    def _guard_note(self, note: str, field_name: str) -> str:
        if len(note) > NOTE_MAX_CHARS:
            raise SessionError(
                tr("session.error.note_too_long", max=NOTE_MAX_CHARS, length=len(note))
            )
        visit_year = self.started_at.year if self.started_at else None
        from dxdesk.core.privacy import ensure_no_personal_data  # its patterns load on first use

        return ensure_no_personal_data(note, field=field_name, visit_year=visit_year)


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    return note or None
