"""The support-session state machine, walked over the shipped convenience-store guide."""

from __future__ import annotations

import datetime as dt

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.handoff import new_handoff_code
from dxdesk.core.i18n import tr
from dxdesk.core.paths import forms_dir
from dxdesk.core.privacy import PersonalDataError
from dxdesk.core.session import NOTE_MAX_CHARS, SessionError, SupportSession
from dxdesk.core.store import Store

GUIDE = "convenience-store-certificates"
JST = dt.timezone(dt.timedelta(hours=9))


class FakeClock:
    """Time moves only when the test says so."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 23, 9, 58, tzinfo=JST)

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, minutes: float = 1) -> None:
        self.now += dt.timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def catalog():
    cat = load_catalog(forms_dir())
    assert GUIDE in cat.guides, cat.problems
    return cat


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(catalog, clock) -> SupportSession:
    s = SupportSession.start(catalog, "kita-ward-1", clock=clock)
    s.add_procedure(GUIDE)
    return s


def test_a_new_procedure_starts_at_its_first_step_with_its_question(session):
    assert session.current_step.id == "check-eligibility"
    # Eligible / under 15 / after a moving-out notice (each logs its own blocker).
    assert session.branch is not None and len(session.branch.answers) == 3
    assert session.current.guide_version == session.catalog.guide(GUIDE).version
    assert "other" in [b.id for b in session.available_blockers()]
    assert "under-15" in [b.id for b in session.available_blockers()]


def test_the_happy_walk_reaches_the_end_step_and_proposes_its_outcome(session, clock):
    clock.tick()
    result = session.answer(0)
    assert result.step.id == "check-pin" and result.proposed_outcome is None
    clock.tick(2)
    session.answer(0)
    assert session.current_step.id == "explain-kiosk"
    with pytest.raises(SessionError):
        session.answer(0)  # the end step has no question
    assert session.advance() is None
    attempt = session.current
    assert attempt.walk_ended and attempt.proposed_outcome == "handed_off"
    assert attempt.outcome is None  # a proposal is not a decision
    assert [v.step_id for v in attempt.visits] == [
        "check-eligibility",
        "check-pin",
        "explain-kiosk",
    ]
    assert [v.at.minute for v in attempt.visits] == [58, 59, 1]
    with pytest.raises(SessionError):
        session.advance()


def test_an_answer_can_end_the_walk_mark_a_blocker_and_suggest_a_guide(session):
    session.answer(0)
    result = session.answer(1)
    assert result.proposed_outcome == "referred"
    assert result.blocker == "pin-forgotten" and result.suggested_guide == "pin-reset"
    assert session.current.blocker_ids() == ["pin-forgotten"]
    assert session.branch is None and session.current.walk_ended
    # Adding the suggested guide is the clerk's choice: nothing was added.
    assert len(session.attempts) == 1


def test_under_15_is_referred_at_the_first_question(session):
    session.answer(1)
    assert session.current.proposed_outcome == "referred"
    assert session.current.blocker_ids() == ["under-15"]


def test_a_step_with_a_question_cannot_be_skipped(session):
    with pytest.raises(SessionError, match="check-eligibility"):
        session.advance()
    with pytest.raises(SessionError):
        session.answer(3)


def test_back_undoes_a_step_and_reopens_an_ended_walk(session):
    assert not session.can_go_back
    with pytest.raises(SessionError):
        session.back()
    session.answer(0)
    session.answer(0)
    session.advance()
    assert session.back().id == "explain-kiosk"  # the walk is open again, same step
    assert not session.current.walk_ended and session.current.proposed_outcome is None
    assert session.back().id == "check-pin"
    assert session.back().id == "check-eligibility"
    # Every step reached stays in the record, in order.
    assert session.current.steps_reached == 3


def test_blockers_need_a_taxonomy_id_and_other_needs_a_clean_short_note(session):
    with pytest.raises(SessionError, match="no-such-blocker"):
        session.mark_blocker("no-such-blocker")
    with pytest.raises(SessionError):
        session.mark_blocker("other")
    with pytest.raises(SessionError):
        session.mark_blocker("other", "   ")
    with pytest.raises(SessionError):
        session.mark_blocker("other", "あ" * (NOTE_MAX_CHARS + 1))
    with pytest.raises(PersonalDataError) as err:
        session.mark_blocker("other", "娘さんの携帯 090-1234-5678 に連絡")
    assert err.value.field == "blocker_note"
    assert session.current.blockers == {}
    mark = session.mark_blocker("other", "老眼鏡を忘れて画面が読めない")
    assert mark.note == "老眼鏡を忘れて画面が読めない" and mark.step_id == "check-eligibility"
    session.mark_blocker("outside-hours")
    assert session.current.blocker_ids() == ["other", "outside-hours"]
    session.unmark_blocker("outside-hours")
    assert session.current.blocker_ids() == ["other"]


def test_the_session_note_goes_through_the_privacy_guard(session):
    with pytest.raises(PersonalDataError):
        session.set_note("連絡先 taro@example.com")
    assert session.note is None
    session.set_note("家族と一緒に来た")
    assert session.note == "家族と一緒に来た"


def test_finish_needs_an_outcome_for_every_procedure(session):
    session.add_procedure(GUIDE)
    session.set_outcome("handed_off", attempt_no=1)
    with pytest.raises(SessionError, match=GUIDE):
        session.finish()
    with pytest.raises(SessionError):
        session.set_outcome("abandoned")  # only abandon() sets that
    session.set_outcome("completed_online")
    session.finish()
    assert session.ended == "finished" and not session.is_open
    with pytest.raises(SessionError):
        session.mark_blocker("outside-hours")


def test_finish_without_any_procedure_is_refused(catalog, clock):
    s = SupportSession.start(catalog, "kita-ward-1", clock=clock)
    with pytest.raises(SessionError):
        s.finish()
    with pytest.raises(SessionError):
        s.add_procedure("no-such-guide")


def test_a_shared_terminal_cannot_be_left_without_the_hygiene_checklist(session):
    session.set_context(device="counter_terminal")
    session.set_outcome("completed_online")
    assert session.needs_hygiene_check
    with pytest.raises(SessionError):
        session.finish()
    with pytest.raises(SessionError) as err:
        session.confirm_hygiene(logged_out=True, browser_closed=False, card_returned=True)
    assert tr("session.hygiene.browser_closed") in str(err.value)
    assert tr("session.hygiene.logged_out") not in str(err.value)
    session.confirm_hygiene(logged_out=True, browser_closed=True, card_returned=True)
    session.set_context(device="own_android")
    session.set_context(device="counter_terminal")  # a new device: tick the list again
    assert session.needs_hygiene_check
    session.confirm_hygiene(logged_out=True, browser_closed=True, card_returned=True)
    session.finish()
    assert session.hygiene_confirmed


def test_own_phone_needs_no_checklist(session):
    session.set_context(device="own_android", age_band="80plus", help_language="vi")
    session.set_outcome("handed_off")
    session.finish()
    assert (session.device, session.age_band, session.help_language) == (
        "own_android", "80plus", "vi",
    )  # fmt: skip


def test_context_values_are_checked(session):
    with pytest.raises(SessionError, match="age_band"):
        session.set_context(age_band="73")
    with pytest.raises(SessionError):
        session.set_context(device="laptop")
    with pytest.raises(SessionError):
        session.set_context(help_language="fr")
    assert session.age_band == "unknown"


def test_return_and_handoff_codes_are_normalised_and_checked(session):
    code = new_handoff_code()
    typed = code.replace("-", " ").lower()
    session.set_context(return_of_code=typed)
    assert session.return_of_code == code
    with pytest.raises(SessionError):
        session.set_context(return_of_code="ABCD-EFGH-J")
    session.record_handoff_code(code)
    assert session.current.handoff_code == code
    with pytest.raises(SessionError):
        session.record_handoff_code("0000")


def test_abandon_marks_open_procedures_abandoned(session):
    session.add_procedure(GUIDE)
    session.set_outcome("referred", attempt_no=1)
    session.abandon()
    assert [a.outcome for a in session.attempts] == ["referred", "abandoned"]
    assert session.ended == "abandoned"


def test_two_procedures_in_one_visit_walk_separately(session):
    session.answer(0)
    second = session.add_procedure(GUIDE)
    assert second.attempt_no == 2 and session.current_step.id == "check-eligibility"
    session.select_procedure(1)
    assert session.current_step.id == "check-pin"
    with pytest.raises(SessionError):
        session.select_procedure(3)


def test_elapsed_time_follows_the_clock(session, clock):
    clock.tick(12.5)
    assert session.elapsed() == dt.timedelta(minutes=12, seconds=30)


class _FailingRecorder:
    def record(self, session, event):
        if event.kind == "blocker":
            raise OSError("disk full")


def test_a_failed_commit_leaves_the_session_as_it_was(catalog, clock):
    s = SupportSession.start(catalog, "kita-ward-1", clock=clock, recorder=_FailingRecorder())
    s.add_procedure(GUIDE)
    s.answer(0)
    with pytest.raises(OSError):
        s.mark_blocker("outside-hours")
    assert s.current.blockers == {} and s.current_step.id == "check-pin"
    assert [e.kind for e in s.events] == ["start", "add_procedure", "answer"]


def test_resume_rebuilds_the_session_at_its_last_committed_step(catalog, clock, data_dir):
    with Store.open(data_dir) as store:
        s = SupportSession.start(catalog, "kita-ward-1", clock=clock, recorder=store)
        s.add_procedure(GUIDE)
        s.set_context(device="counter_terminal", age_band="70-74")
        s.answer(0)
        s.mark_blocker("other", "画面の文字が小さい")
        clock.tick(3)
        s.answer(0)
        session_id = s.session_id
    # The app stopped here; a new process reopens the store.
    with Store.open(data_dir) as store:
        (open_session,) = store.sessions.interrupted_sessions()
        assert open_session.session_id == session_id
        assert open_session.last_step_id == "explain-kiosk"
        resumed = store.sessions.load_session(session_id, catalog, clock=clock)
        assert resumed.current_step.id == "explain-kiosk"
        assert resumed.device == "counter_terminal" and resumed.age_band == "70-74"
        assert resumed.current.blockers["other"].note == "画面の文字が小さい"
        assert resumed.started_at == s.started_at
        assert resumed.advance() is None
        resumed.set_outcome(resumed.current.proposed_outcome)
        resumed.confirm_hygiene(logged_out=True, browser_closed=True, card_returned=True)
        resumed.finish()
        assert store.sessions.interrupted_sessions() == []
        (row,) = store.queries.procedure_attempt_rows(dt.date(2026, 11, 23), dt.date(2026, 11, 23))
        assert row["outcome"] == "handed_off" and row["hygiene_confirmed"] == "1"
        assert row["duration_min"] == 3 and row["steps_reached"] == 3


def test_a_blocker_set_by_an_answer_follows_the_answer(catalog, clock, data_dir):
    """Back and a different answer: the blocker the first answer marked is gone, in memory,
    on disk and after a resume; a blocker the clerk marked by hand stays."""
    with Store.open(data_dir) as store:
        s = SupportSession.start(catalog, "kita-ward-1", clock=clock, recorder=store)
        s.add_procedure(GUIDE)
        s.answer(0)  # old enough: on to check-pin
        s.mark_blocker("outside-hours")  # by hand
        s.answer(1)  # forgot the PIN: marks pin-forgotten and ends the walk
        assert s.current.blocker_ids() == ["outside-hours", "pin-forgotten"]
        s.back()  # the walk is open again at check-pin: that answer is undone
        assert s.current.blocker_ids() == ["outside-hours"]
        s.answer(0)  # remembers it after all
        assert s.current_step.id == "explain-kiosk"
        assert s.current.blocker_ids() == ["outside-hours"]
        s.back()  # back over a step reached by an answer: its answer is undone too
        assert s.current_step.id == "check-pin"
        s.back()
        s.answer(1)  # under 15 after all: under-15 marked ...
        assert s.current.blocker_ids() == ["outside-hours", "under-15"]
        s.back()  # ... and unmarked with its answer
        assert s.current.blocker_ids() == ["outside-hours"]
        s.answer(0)
        s.answer(1)
        session_id = s.session_id
    with Store.open(data_dir) as store:
        resumed = store.sessions.load_session(session_id, catalog, clock=clock)
        assert resumed.current.blocker_ids() == ["outside-hours", "pin-forgotten"]
        resumed.back()
        assert resumed.current.blocker_ids() == ["outside-hours"]
        resumed.answer(0)
        resumed.advance()
        resumed.set_outcome("handed_off")
        resumed.finish()
        (row,) = store.queries.procedure_attempt_rows(dt.date(2026, 11, 23), dt.date(2026, 11, 23))
        assert row["blockers"] == "outside-hours"
