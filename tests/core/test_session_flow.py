"""The wizard's flow without a widget: SessionFlow driven through a plain-Python view (the
view double answers the questions a clerk would), over the real catalog and a real store on a
temporary SQLite file. No modal dialog, no Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.i18n import tr
from dxdesk.core.paths import forms_dir
from dxdesk.core.privacy.note_check import NoteGuard
from dxdesk.core.session_flow import (
    PAGE_OUTCOME,
    PAGE_START,
    PAGE_STEP,
    NoteDraft,
    Question,
    SessionFlow,
    VisitContext,
)
from dxdesk.core.store import Store


class CounterView:
    """The clerk's side of the wizard as plain data: what is on screen, what was asked, and
    the answers the clerk will give to the next questions."""

    def __init__(self) -> None:
        self.page = PAGE_START
        self.message: str | None = None
        self.errors: list[tuple[str, str]] = []
        self.questions: list[Question] = []
        self.offered: list[list[str]] = []
        self.prints: list[tuple[str, int]] = []
        self.saved_outcomes_shown: list[int] = []
        self.ended: list[str] = []
        self.refreshes = 0
        # What the clerk has entered or will answer.
        self.guide: str | None = None
        self.context = VisitContext("unknown", "unknown", "unknown", "")
        self.note = ""
        self.ticks: dict[str, bool] = {}
        self.confirm_answer = False
        self.choice: str | None = None
        self.other_note: str | None = None
        self.missing_focused = False
        self.session = None  # the visit shown, to know which outcome is missing

    def current_page(self) -> str:
        return self.page

    def show_page(self, page: str) -> None:
        self.page = page
        self.refresh()

    def refresh(self) -> None:
        self.refreshes += 1

    def show_message(self, text: str) -> None:
        self.message = text

    def hide_message(self) -> None:
        self.message = None

    def show_error(self, title: str, text: str) -> None:
        self.errors.append((title, text))

    def confirm(self, question: Question) -> bool:
        self.questions.append(question)
        return self.confirm_answer

    def choose(self, title: str, label: str, options: list[str]) -> str | None:
        self.offered.append(options)
        return self.choice

    def ask_other_note(self) -> str | None:
        return self.other_note

    def start_choices(self) -> tuple[str | None, VisitContext]:
        return self.guide, self.context

    def note_draft(self) -> NoteDraft:
        return NoteDraft(self.note, NoteGuard().check(self.note))  # the same live check

    def hygiene_ticks(self) -> Mapping[str, bool]:
        return self.ticks

    def show_saved_outcome(self, attempt_no: int) -> None:
        self.saved_outcomes_shown.append(attempt_no)

    def focus_missing_outcome(self) -> bool:
        self.missing_focused = bool(self.session.missing_outcomes())
        return self.missing_focused

    def open_print(self, kind: str, attempt_no: int) -> None:
        self.prints.append((kind, attempt_no))

    def visit_ended(self, how: str) -> None:
        self.ended.append(how)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


@pytest.fixture
def store(tmp_path: Path):
    store = Store.open(tmp_path)
    yield store
    store.close()


@pytest.fixture
def visit(store, catalog):
    """A new visit in the real store, its flow and the view double."""
    view = CounterView()
    flow = SessionFlow(store.sessions.start_session(catalog, "kita-1"), catalog, view)
    view.session = flow.session
    return flow, view


def stored_rows(store):
    today = dt.date.today()
    return list(store.queries.procedure_attempt_rows(today, today))


def test_a_whole_visit_branches_suggests_a_guide_and_finishes(visit, store) -> None:
    flow, view = visit
    assert flow.first_page == PAGE_START
    flow.begin()  # nothing chosen yet
    assert view.message == tr("wizard.pick_a_procedure") and view.page == PAGE_START

    view.guide = "convenience-store-certificates"
    view.context = VisitContext("75-79", "counter_terminal", "en", "")
    flow.begin()
    assert view.page == PAGE_STEP and view.message is None
    state = flow.step_state()
    assert (state.step.id, state.number, state.count) == ("check-eligibility", 1, 3)
    assert not state.next_enabled and not state.can_go_back

    flow.next()  # a question is open: Enter is refused
    assert view.message == tr("wizard.answer_first")
    assert flow.session.current_step.id == "check-eligibility"
    flow.answer(0)
    assert flow.session.current_step.id == "check-pin" and view.message is None
    flow.answer(7)  # no eighth answer: nothing happens
    assert flow.session.current_step.id == "check-pin"

    flow.toggle_blocker("outside-hours", True)
    flow.answer(1)  # forgotten PIN: the walk ends and the PIN-reset guide is suggested
    state = flow.step_state()
    assert view.page == PAGE_STEP  # the suggestion stays on screen
    assert state.suggested.id == "pin-reset" and state.next_leads_to_outcome
    assert state.resolving is None  # the blocker's own guide is the one already suggested
    assert state.walk_ended_message == tr(
        "wizard.walk_ended", outcome=tr("wizard.outcome.referred")
    )
    flow.add_suggested()
    assert flow.session.current_guide.id == "pin-reset" and view.page == PAGE_STEP
    assert "▶ 2." in flow.procedures_line()
    flow.answer(0)
    flow.answer(0)
    assert flow.session.current_step.id == "counter-reset"
    flow.back()
    assert flow.session.current_step.id == "who-came"
    flow.answer(0)
    flow.next()  # the last step ends the walk: on to the outcome page
    assert view.page == PAGE_OUTCOME

    rows = flow.outcome_rows()
    assert [r.outcome for r in rows] == [None, None]  # nothing preset
    assert rows[1].suggested_hint == tr(
        "wizard.outcome_suggested", outcome=tr("wizard.outcome.referred")
    )
    assert not flow.can_finish(view.note_draft())
    flow.enter_on_outcome()  # Enter never finishes with an outcome missing
    assert view.missing_focused and view.message == tr("wizard.choose_outcome_first")
    assert flow.session.is_open
    assert flow.set_outcome(1, "handed_off") and flow.set_outcome(2, "referred")
    assert flow.can_finish(view.note_draft()) and flow.shows_hygiene_check

    view.note = "山田さん 090-1234-5678 に連絡"
    flow.finish()  # the privacy guard refuses the note: nothing is saved
    assert "電話番号" in view.message and flow.session.is_open
    assert flow.session.note is None
    view.note = "アプリの更新が必要"
    flow.finish()  # the shared-terminal checklist is not ticked
    assert "ログアウト" in view.message and flow.session.is_open
    assert flow.session.note == "アプリの更新が必要"  # the clean note was kept
    view.ticks = {"logged_out": True, "browser_closed": True, "card_returned": True}
    flow.finish()
    assert view.ended == ["finished"] and not flow.session.is_open
    assert not view.errors

    rows = stored_rows(store)
    assert [(r["procedure_id"], r["outcome"]) for r in rows] == [
        ("convenience-store-certificates", "handed_off"),
        ("pin-reset", "referred"),
    ]
    assert rows[0]["blockers"] == "outside-hours;pin-forgotten"
    assert {(r["age_band"], r["device"], r["help_language"], r["hygiene_confirmed"])
            for r in rows} == {("75-79", "counter_terminal", "en", "1")}  # fmt: skip


def test_abandon_asks_first_and_keeping_is_the_default(visit, store) -> None:
    flow, view = visit
    view.guide = "pin-reset"
    flow.begin()
    flow.abandon()  # the clerk keeps the visit
    question = view.questions[0]
    assert question.name == "abandon" and question.no == tr("wizard.abandon_no")
    assert flow.session.is_open and view.ended == []
    view.confirm_answer = True
    flow.abandon()
    assert view.ended == ["abandoned"]
    assert [(r["outcome"], r["ended"]) for r in stored_rows(store)] == [("abandoned", "abandoned")]


def test_the_other_blocker_needs_a_clean_note(visit, store) -> None:
    flow, view = visit
    view.guide = "pin-reset"
    flow.begin()
    flow.toggle_blocker("other", True)  # the clerk cancels the note: nothing is marked
    assert "other" not in flow.session.current.blockers
    view.other_note = "佐藤花子さんの件"
    flow.toggle_blocker("other", True)  # a name: the session's privacy guard refuses it
    assert "other" not in flow.session.current.blockers and view.message
    view.other_note = "アプリが起動しない"
    flow.toggle_blocker("other", True)
    assert flow.session.current.blockers["other"].note == "アプリが起動しない"
    flow.toggle_blocker("other", False)
    assert "other" not in flow.session.current.blockers
    kinds = [e.kind for e in store.sessions.session_events(flow.session.session_id)]
    assert kinds.count("blocker") == 1  # the refused marks never reached the store


def test_a_marked_blocker_offers_the_guide_that_resolves_it(visit) -> None:
    flow, view = visit
    view.guide = "etax-smartphone"
    flow.begin()
    assert flow.step_state().resolving is None
    flow.toggle_blocker("cert-expired", True)
    blocker, guide = flow.step_state().resolving
    assert (blocker.id, guide.id) == ("cert-expired", "certificate-renewal")
    flow.open_resolving_guide()
    assert flow.session.current.procedure_id == "certificate-renewal"
    assert flow.step_state().resolving is None  # tried now: nothing left to offer


def test_the_add_list_follows_the_catalog_and_leaves_out_the_visit(visit, catalog) -> None:
    flow, view = visit
    view.guide = "pin-reset"
    flow.begin()
    flow.offer_procedures()  # the clerk cancels
    offered = view.offered[0]
    assert catalog.guide("pin-reset").title["ja"] not in offered
    assert len(offered) == len(catalog.guides) - 1
    categories = [c.id for c in catalog.taxonomy.categories]
    order = [categories.index(g.category) for g in flow.addable_guides()]
    assert order == sorted(order)
    assert len(flow.session.attempts) == 1
    view.choice = catalog.guide("etax-smartphone").title["ja"]
    flow.offer_procedures()
    assert [a.procedure_id for a in flow.session.attempts] == ["pin-reset", "etax-smartphone"]


def test_print_offers_follow_the_guide(visit) -> None:
    flow, view = visit
    view.guide = "pin-reset"  # has a paper form
    flow.begin()
    flow.add_procedure("etax-smartphone")  # has none
    flow.to_outcome()
    assert [r.prints for r in flow.outcome_rows()] == [("slip", "paper"), ("slip",)]
    flow.request_print("paper", 2)  # not offered for this guide
    flow.request_print("slip", 2)
    flow.request_print("paper", 1)
    assert view.prints == [("slip", 2), ("paper", 1)]
    flow.back()  # from the outcome page back to the step
    assert view.page == PAGE_STEP


def _refuse_events(store, message: str, when: str = "1") -> None:
    """The store refuses the events matching ``when`` with ``message`` (as a full disk would)."""
    store.database.connection.execute(
        f"CREATE TEMP TRIGGER refuse BEFORE INSERT ON session_events WHEN {when}"
        f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def test_a_refused_outcome_is_named_and_the_stored_one_shown(visit, store) -> None:
    flow, view = visit
    view.guide = "convenience-store-certificates"
    flow.begin()
    _refuse_events(store, "refused by the drill", when="NEW.kind = 'outcome'")
    assert not flow.set_outcome(1, "handed_off")
    title, text = view.errors[0]
    assert title == tr("wizard.store_error_title")
    assert tr("wizard.outcome.handed_off") in text and "コンビニ" in text
    assert "refused by the drill" in text
    assert view.saved_outcomes_shown == [1] and flow.session.attempts[0].outcome is None
    events = store.sessions.session_events(flow.session.session_id)
    assert not any(e.kind == "outcome" for e in events)


def test_a_step_the_store_refuses_names_the_step_and_stays(visit, store) -> None:
    flow, view = visit
    view.guide = "convenience-store-certificates"
    flow.begin()
    _refuse_events(store, "disk full in the drill")
    flow.answer(0)
    assert flow.session.current_step.id == "check-eligibility"  # the session rolled back
    assert "(check-eligibility)" in view.errors[0][1]
    store.database.connection.execute("DROP TRIGGER refuse")
    flow.answer(0)
    assert flow.session.current_step.id == "check-pin"


def test_a_resumed_visit_opens_on_its_step(store, catalog) -> None:
    session = store.sessions.start_session(catalog, "kita-1")
    session.add_procedure("convenience-store-certificates")
    session.answer(0)
    resumed = store.sessions.load_session(session.session_id, catalog)
    view = CounterView()
    flow = SessionFlow(resumed, catalog, view)
    assert flow.first_page == PAGE_STEP
    assert flow.step_state().step.id == "check-pin"
