"""The flow of one visit at the counter, Qt-free: the presenter the session wizard is a view of.

After Mu's ``Editor(view)``: :class:`SessionFlow` owns every decision of the wizard (which page
comes next, what a refused action says, when a guide is offered, whether a visit may finish)
and asks its view through the small :class:`SessionView` protocol (show a page, a message, an
error; confirm; choose; ask for a note). The widget in ``gui/session_screen.py`` implements
that protocol and forwards clicks; the tests in ``tests/core/test_session_flow.py`` drive the
same flow with a plain-Python view and a real store, with no modal dialog.

Every change still goes through :class:`~dxdesk.core.session.SupportSession`, which commits it
to its recorder (the Store) before the call returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from dxdesk.core.catalog import BlockerKind, Branch, Catalog, ProcedureGuide, Step
from dxdesk.core.contract import SHARED_TERMINAL
from dxdesk.core.i18n import pick, tr, ui_language
from dxdesk.core.privacy import Finding, PersonalDataError
from dxdesk.core.privacy.note_check import note_problem
from dxdesk.core.session import (
    HYGIENE_ITEMS,
    NOTE_MAX_CHARS,
    OTHER_BLOCKER,
    SessionError,
    SupportSession,
)
from dxdesk.core.store.errors import StoreError

PAGE_START, PAGE_STEP, PAGE_OUTCOME = "start", "step", "outcome"
PRINT_SLIP, PRINT_PAPER = "slip", "paper"


def text_of(texts: Mapping[str, str] | None) -> str:
    """A catalog text in the interface language, else in Japanese."""
    return pick(texts, ui_language(), "ja") or ""


def note_draft_problem(text: str, findings: list[Finding]) -> str:
    """Why a note being written cannot be saved yet ('' when it can)."""
    if findings:
        return note_problem(findings)
    if len(text) > NOTE_MAX_CHARS:
        return tr("wizard.note_too_long", max=NOTE_MAX_CHARS)
    return ""


@dataclass(frozen=True)
class VisitContext:
    """What the start page holds: coarse, anonymous context (values from core.contract)."""

    age_band: str
    device: str
    help_language: str
    return_code: str


@dataclass(frozen=True)
class NoteDraft:
    """The session note as typed, with what the live privacy check found in it."""

    text: str
    findings: list[Finding]


@dataclass(frozen=True)
class Question:
    """A yes/no question; ``name`` lets the view name its dialog and buttons (``abandon`` →
    ``abandonDialog``, ``abandonYes``, ``abandonNo``). The safe answer is the default."""

    name: str
    title: str
    text: str
    yes: str
    no: str


@dataclass(frozen=True)
class StepState:
    """Everything the step page shows, decided here; the view only paints it."""

    guide: ProcedureGuide
    step: Step
    number: int  # 1-based
    count: int
    branch: Branch | None
    suggested: ProcedureGuide | None  # the guide a branch answer suggests and may be added
    resolving: tuple[BlockerKind, ProcedureGuide] | None  # offered for a marked blocker
    can_go_back: bool
    next_enabled: bool
    next_leads_to_outcome: bool
    walk_ended_message: str | None


@dataclass(frozen=True)
class OutcomeRow:
    """One procedure on the outcome page."""

    attempt_no: int
    title: str
    outcome: str | None  # never preset: the clerk chooses every outcome
    suggested_hint: str | None
    prints: tuple[str, ...]  # PRINT_SLIP, and PRINT_PAPER when the guide has a paper form


class SessionView(Protocol):
    """The questions the flow asks its view (the wizard widget, or a test's plain object)."""

    def current_page(self) -> str: ...

    def show_page(self, page: str) -> None:
        """Show ``page`` drawn from the session's current state."""

    def refresh(self) -> None:
        """Draw the current page again from the session's state."""

    def show_message(self, text: str) -> None:
        """A refusal or hint in the wizard's message line."""

    def hide_message(self) -> None: ...

    def show_error(self, title: str, text: str) -> None:
        """An error the clerk must acknowledge (the store did not keep something)."""

    def confirm(self, question: Question) -> bool: ...

    def choose(self, title: str, label: str, options: list[str]) -> str | None:
        """One of ``options``, or None when the clerk cancels."""

    def ask_other_note(self) -> str | None:
        """The 'other' blocker's short note, or None when the clerk cancels."""

    def start_choices(self) -> tuple[str | None, VisitContext]:
        """The guide chosen on the start page (its id, or None) and the visit's context."""

    def note_draft(self) -> NoteDraft: ...

    def hygiene_ticks(self) -> Mapping[str, bool]: ...

    def show_saved_outcome(self, attempt_no: int) -> None:
        """Show the outcome the store holds for ``attempt_no`` (after a refused choice)."""

    def focus_missing_outcome(self) -> bool:
        """Focus the first procedure without an outcome; False when none is missing."""

    def open_print(self, kind: str, attempt_no: int) -> None: ...

    def visit_ended(self, how: str) -> None:
        """The visit ended: ``finished`` or ``abandoned``."""


class SessionFlow:
    """The wizard's logic over one :class:`SupportSession`, asking ``view`` what it needs."""

    def __init__(self, session: SupportSession, catalog: Catalog, view: SessionView) -> None:
        self.session = session
        self.catalog = catalog
        self.view = view

    @property
    def first_page(self) -> str:
        """A resumed visit opens where it stopped; a new one on the start page."""
        return PAGE_STEP if self.session.attempts else PAGE_START

    # ------------------------------------------------------------------ running an action

    def run(self, action: Callable[[], object]) -> bool:
        """Run a session action; a refusal (or a note the privacy guard refuses) is said and
        nothing moves. A store failure (the session rolled back) names the step whose last
        action is not on disk."""
        try:
            action()
        except (SessionError, PersonalDataError) as exc:
            self.view.show_message(str(exc))
            return False
        except StoreError as exc:
            step = self.session.current_step
            where = f"{text_of(step.title)} ({step.id})" if step else "-"
            self.view.show_error(
                tr("wizard.store_error_title"), tr("wizard.store_error", step=where, error=str(exc))
            )
            return False
        self.view.hide_message()
        return True

    # ------------------------------------------------------------------ start and procedures

    def begin(self) -> None:
        """Start page: the context, then the first procedure; on to its first step."""
        guide_id, context = self.view.start_choices()
        if guide_id is None:
            self.view.show_message(tr("wizard.pick_a_procedure"))
            return

        def start() -> None:
            self.session.set_context(
                age_band=context.age_band,
                device=context.device,
                help_language=context.help_language,
                return_of_code=context.return_code,
            )
            self.session.add_procedure(guide_id)

        if self.run(start):
            self.view.show_page(PAGE_STEP)

    def addable_guides(self) -> list[ProcedureGuide]:
        """As the catalog lists them (category, then reading), without those in the visit."""
        taxonomy = self.catalog.taxonomy
        order = [c.id for c in taxonomy.categories] if taxonomy else []
        in_visit = {a.procedure_id for a in self.session.attempts}
        return sorted(
            (g for g in self.catalog.guides.values() if g.id not in in_visit),
            key=lambda g: (order.index(g.category) if g.category in order else 99, g.kana),
        )

    def offer_procedures(self) -> None:
        """'Add a procedure': the clerk chooses one of the guides not yet in the visit."""
        titles = {text_of(g.title): g.id for g in self.addable_guides()}
        if not titles:
            return
        title = self.view.choose(
            tr("wizard.add_procedure"), tr("wizard.choose_procedure"), list(titles)
        )
        if title:
            self.add_procedure(titles[title])

    def add_procedure(self, guide_id: str) -> None:
        if self.run(lambda: self.session.add_procedure(guide_id)):
            self.view.show_page(PAGE_STEP)

    def add_suggested(self) -> None:
        result = self.session.last_answer
        if result and result.suggested_guide:
            self.add_procedure(result.suggested_guide)

    def open_resolving_guide(self) -> None:
        found = self.session.resolving_guide()
        if found is not None:
            self.add_procedure(found[1].id)

    # ------------------------------------------------------------------ the walk

    def next(self) -> None:
        session = self.session
        if session.branch is not None:
            self.view.show_message(tr("wizard.answer_first"))
            return
        if session.current and session.current.walk_ended:
            self.view.show_page(PAGE_OUTCOME)
            return
        if self.run(session.advance):
            if session.current and session.current.walk_ended:
                self.view.show_page(PAGE_OUTCOME)
            else:
                self.view.refresh()

    def to_outcome(self) -> None:
        self.view.show_page(PAGE_OUTCOME)

    def back(self) -> None:
        if self.view.current_page() == PAGE_OUTCOME:
            self.view.show_page(PAGE_STEP)
            return
        if self.session.can_go_back and self.run(self.session.back):
            self.view.refresh()

    def answer(self, index: int) -> None:
        session = self.session
        if session.branch is None or index >= len(session.branch.answers):
            return
        if not self.run(lambda: session.answer(index)):
            return
        attempt, result = session.current, session.last_answer
        # A suggested guide stays on screen so the clerk can add it; otherwise to the outcome.
        if attempt and attempt.walk_ended and not (result and result.suggested_guide):
            self.view.show_page(PAGE_OUTCOME)
        else:
            self.view.refresh()

    def toggle_blocker(self, blocker_id: str, checked: bool) -> None:
        attempt = self.session.current
        if attempt is None:
            return
        if checked and blocker_id not in attempt.blockers:
            note = None
            if blocker_id == OTHER_BLOCKER:
                note = self.view.ask_other_note()
                if note is None:  # cancelled: the button shows it is not marked
                    self.view.refresh()
                    return
            self.run(lambda: self.session.mark_blocker(blocker_id, note))
        elif not checked and blocker_id in attempt.blockers:
            self.run(lambda: self.session.unmark_blocker(blocker_id))
        self.view.refresh()

    def step_state(self) -> StepState | None:
        """What the step page shows now; None before the first procedure."""
        session = self.session
        attempt, step = session.current, session.current_step
        if attempt is None or step is None:
            return None
        suggested = None
        result = session.last_answer
        already = {a.procedure_id for a in session.attempts}
        if attempt.walk_ended and result and result.suggested_guide:
            guide_id = result.suggested_guide
            if guide_id in self.catalog.guides and guide_id not in already:
                suggested = self.catalog.guide(guide_id)
        resolving = session.resolving_guide()
        if resolving is not None and suggested is not None and resolving[1].id == suggested.id:
            resolving = None  # the branch answer already offers the same guide
        ended_message = None
        if attempt.walk_ended and attempt.proposed_outcome:
            outcome = tr("wizard.outcome." + attempt.proposed_outcome)
            ended_message = tr("wizard.walk_ended", outcome=outcome)
        return StepState(
            guide=attempt.guide,
            step=step,
            number=attempt.guide.steps.index(step) + 1,
            count=len(attempt.guide.steps),
            branch=session.branch,
            suggested=suggested,
            resolving=resolving,
            can_go_back=session.can_go_back,
            next_enabled=session.branch is None,
            next_leads_to_outcome=attempt.walk_ended,
            walk_ended_message=ended_message,
        )

    def procedures_line(self) -> str:
        """The header: each procedure of the visit, the current one marked, with its outcome."""
        names = []
        for attempt in self.session.attempts:
            mark = "▶ " if attempt is self.session.current else ""
            done = ""
            if attempt.outcome:
                outcome = tr("wizard.outcome." + attempt.outcome)
                done = tr("wizard.procedure_with_outcome", outcome=outcome)
            names.append(f"{mark}{attempt.attempt_no}. {text_of(attempt.guide.title)}{done}")
        return tr("wizard.procedure_separator").join(names) or tr("wizard.no_procedure_yet")

    # ------------------------------------------------------------------ outcome and the end

    def outcome_rows(self) -> list[OutcomeRow]:
        rows = []
        for attempt in self.session.attempts:
            hint = None
            if attempt.outcome is None and attempt.proposed_outcome:
                outcome = tr("wizard.outcome." + attempt.proposed_outcome)
                hint = tr("wizard.outcome_suggested", outcome=outcome)
            prints = (PRINT_SLIP, PRINT_PAPER) if attempt.guide.paper else (PRINT_SLIP,)
            rows.append(OutcomeRow(attempt.attempt_no, text_of(attempt.guide.title),
                                   attempt.outcome, hint, prints))  # fmt: skip
        return rows

    @property
    def shows_hygiene_check(self) -> bool:
        return self.session.device == SHARED_TERMINAL

    def can_finish(self, note: NoteDraft) -> bool:
        return not self.session.missing_outcomes() and not note_draft_problem(
            note.text, note.findings
        )

    def set_outcome(self, attempt_no: int, outcome: str) -> bool:
        """Record an outcome; a store failure names the outcome and the procedure not saved,
        and the view shows again what the store holds."""
        try:
            self.session.set_outcome(outcome, attempt_no)
        except SessionError as exc:
            self.view.show_message(str(exc))
            saved = False
        except StoreError as exc:
            attempt = self.session.attempts[attempt_no - 1]
            self.view.show_error(
                tr("wizard.store_error_title"),
                tr("wizard.outcome_not_saved", outcome=tr("wizard.outcome." + outcome),
                   procedure=text_of(attempt.guide.title), error=str(exc)),
            )  # fmt: skip
            saved = False
        else:
            saved = True
        if not saved:
            self.view.show_saved_outcome(attempt_no)
        self.view.refresh()
        return saved

    def request_print(self, kind: str, attempt_no: int) -> None:
        if kind in self.outcome_rows()[attempt_no - 1].prints:
            self.view.open_print(kind, attempt_no)

    def enter_on_outcome(self) -> None:
        """Enter never finishes a visit whose outcomes are not all chosen."""
        if self.view.focus_missing_outcome():
            self.view.show_message(tr("wizard.choose_outcome_first"))
        else:
            self.finish()

    def finish(self) -> None:
        """Save the note (through the privacy guard), the checklist, then end the visit."""
        draft = self.view.note_draft()
        problem = note_draft_problem(draft.text, draft.findings)
        if problem:
            self.view.show_message(problem)
            return
        note = draft.text.strip() or None
        ticks = self.view.hygiene_ticks()

        def close() -> None:
            if note != self.session.note:
                self.session.set_note(note)
            if self.session.needs_hygiene_check:
                self.session.confirm_hygiene(
                    **{item: bool(ticks.get(item)) for item in HYGIENE_ITEMS}
                )
            self.session.finish()

        if self.run(close):
            self.view.visit_ended("finished")

    def abandon(self) -> None:
        """Ask first (keeping the visit is the default), then log it as abandoned."""
        question = Question("abandon", tr("wizard.abandon"), tr("wizard.abandon_confirm"),
                            tr("wizard.abandon_yes"), tr("wizard.abandon_no"))  # fmt: skip
        if self.view.confirm(question) and self.run(self.session.abandon):
            self.view.visit_ended("abandoned")
