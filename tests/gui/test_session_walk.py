"""A whole counter session through the real wizard widgets, then the stored record read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTabWidget,
)

from dxdesk.core.i18n import set_ui_language, tr
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.store import Store
from dxdesk.gui.app import build_main_window
from dxdesk.gui.note_dialog import OtherNoteDialog


@pytest.fixture
def window(qtbot, data_dir: Path):
    set_ui_language("ja")
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    win, warnings = build_main_window(data_dir)
    assert warnings == []
    qtbot.addWidget(win)
    win.show()
    yield win
    if win.context.store is not None:
        win.context.store.close()


def button(screen, name: str) -> QPushButton:
    found = screen.findChild(QPushButton, name)
    assert found is not None, f"no button {name}"
    return found


def choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_two_procedures_branch_blocker_and_hygiene(window, qtbot, data_dir: Path) -> None:
    window.findChild(type(window.start_action), "startSessionAction").trigger()
    screen = window.session_screen
    assert window.findChild(QTabWidget, "mainTabs").currentWidget() is screen

    choose(screen.findChild(QComboBox, "ageBandCombo"), "75-79")
    choose(screen.findChild(QComboBox, "deviceCombo"), "counter_terminal")
    choose(screen.findChild(QComboBox, "helpLanguageCombo"), "en")
    screen.start_browser.select("convenience-store-certificates")
    button(screen, "beginButton").click()
    assert screen.findChild(QLabel, "stepTitle").text().startswith("手順 1/3")

    # Enter is refused while a question is open; digit 1 answers it.
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert screen.session.current_step.id == "check-eligibility"
    qtbot.keyClick(screen, Qt.Key.Key_1)
    assert screen.session.current_step.id == "check-pin"

    button(screen, "blockerButton_outside-hours").click()
    # "Forgotten or locked": marks the blocker, ends the walk, suggests the PIN-reset guide.
    button(screen, "answerButton1").click()
    assert screen.findChild(QPushButton, "addSuggestedButton").isVisible()
    # the walk has ended: "next" leads to the outcome, so no second button says the same
    assert button(screen, "nextButton").text() == tr("wizard.to_outcome")
    assert button(screen, "toOutcomeButton").isHidden()
    button(screen, "addSuggestedButton").click()
    assert not button(screen, "toOutcomeButton").isHidden()
    assert screen.session.current_guide.id == "pin-reset"
    button(screen, "answerButton0").click()  # which PIN: the 4-digit ones
    button(screen, "answerButton0").click()  # who came: the resident
    assert screen.session.current_step.id == "counter-reset"
    qtbot.keyClick(screen, Qt.Key.Key_Backspace)  # Backspace goes back one step
    assert screen.session.current_step.id == "who-came"
    button(screen, "answerButton0").click()
    qtbot.keyClick(screen, Qt.Key.Key_Return)  # the last step ends the walk
    assert screen.pages.currentIndex() == 2

    # Nothing is preset: the suggestion is shown, Enter refuses to finish and focuses the choice.
    assert screen.findChild(QLabel, "outcomeSuggested2") is not None
    assert not any(r.isChecked() for r in screen.findChildren(QRadioButton))
    assert not button(screen, "finishButton").isEnabled()
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert screen.session.is_open and screen.pages.currentIndex() == 2
    assert QApplication.focusWidget() is screen.findChild(
        QRadioButton, "outcome_1_completed_online"
    )
    screen.findChild(QRadioButton, "outcome_1_handed_off").click()
    screen.findChild(QRadioButton, "outcome_2_referred").click()
    hygiene = screen.findChild(QCheckBox, "hygiene_logged_out").parentWidget()
    assert hygiene.isVisible()

    button(screen, "finishButton").click()  # refused: the checklist is not ticked
    assert screen.session.is_open
    assert "ログアウト" in screen.findChild(QLabel, "sessionMessage").text()
    for item in ("logged_out", "browser_closed", "card_returned"):
        screen.findChild(QCheckBox, f"hygiene_{item}").setChecked(True)
    button(screen, "finishButton").click()
    assert window.session_screen is None
    assert "完了 1 件" in window.today_text.text()

    store = Store.open(data_dir)
    try:
        today = dt.date.today()
        rows = list(store.queries.procedure_attempt_rows(today, today))
    finally:
        store.close()
    assert [(r["procedure_id"], r["outcome"]) for r in rows] == [
        ("convenience-store-certificates", "handed_off"),
        ("pin-reset", "referred"),
    ]
    assert rows[0]["blockers"] == "outside-hours;pin-forgotten"
    assert {r["age_band"] for r in rows} == {"75-79"}
    assert {r["device"] for r in rows} == {"counter_terminal"}
    assert {r["help_language"] for r in rows} == {"en"}
    assert {r["hygiene_confirmed"] for r in rows} == {"1"}
    assert {r["ended"] for r in rows} == {"finished"}
    assert rows[1]["steps_reached"] >= 3


def test_escape_asks_then_abandons(window, qtbot) -> None:
    window.start_session()
    screen = window.session_screen
    screen.start_browser.select("pin-reset")
    button(screen, "beginButton").click()

    def answer_yes() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        box.findChild(QPushButton, "abandonYes").click()

    QTimer.singleShot(50, answer_yes)
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert window.session_screen is None
    assert "中断 1 件" in window.today_text.text()


def test_other_note_with_personal_data_cannot_be_saved(qtbot) -> None:
    dialog = OtherNoteDialog()
    qtbot.addWidget(dialog)
    dialog.edit.setPlainText("山田さん 090-1234-5678 に連絡")
    assert not dialog.save_button.isEnabled()
    assert "電話番号" in dialog.problem.text() or "phone" in dialog.problem.text()
    assert dialog.edit.extraSelections()  # the offending spans are marked
    dialog.edit.setPlainText("アプリの更新が必要で中断")
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert dialog.note == "アプリの更新が必要で中断"


def test_interrupted_session_is_offered_and_resumes(qtbot, data_dir: Path) -> None:
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    store = Store.open(data_dir)
    first, _ = build_main_window(data_dir)
    first.context.store.close()
    catalog = first.context.catalog
    session = store.sessions.start_session(catalog, "kita-1")
    session.add_procedure("convenience-store-certificates")
    session.answer(0)  # reached check-pin, then the power went
    store.close()

    win, _ = build_main_window(data_dir)
    qtbot.addWidget(win)

    def resume() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and box.objectName() == "resumeDialog"
        next(b for b in box.buttons() if b.text() == "続きから再開").click()

    QTimer.singleShot(50, resume)
    win.offer_interrupted_sessions()
    assert win.session_screen is not None
    assert win.session_screen.session.current_step.id == "check-pin"
    win.context.store.close()


def test_second_interrupted_visit_is_kept_until_the_resumed_one_ends(qtbot, data_dir: Path) -> None:
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    first, _ = build_main_window(data_dir)
    catalog = first.context.catalog
    store = first.context.store
    ids = []
    for guide in ("convenience-store-certificates", "pin-reset"):
        session = store.sessions.start_session(catalog, "kita-1")
        session.add_procedure(guide)
        ids.append(session.session_id)
    store.close()  # the power went with two visits open

    win, _ = build_main_window(data_dir)
    qtbot.addWidget(win)
    answers = ["続きから再開"]
    polling = [True]

    def click() -> None:  # answers each dialog as the clerk would; unexpected ones are closed
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "resumeDialog":
            label = answers.pop(0) if answers else "中断として閉じる"
            next(b for b in box.buttons() if b.text() == label).click()
        elif isinstance(box, QMessageBox):  # the abandon question
            box.findChild(QPushButton, "abandonYes").click()
        if polling[0]:
            QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)
    win.offer_interrupted_sessions()
    screen = win.session_screen
    assert screen is not None and screen.session.session_id == ids[0]
    assert screen.pages.currentIndex() == 1  # the resumed visit opens on its step
    assert [
        s.session_id for s in win.context.store.sessions.interrupted_sessions()
    ] == ids  # none lost

    answers.append("中断として閉じる")
    screen.ask_abandon()  # the resumed visit ends; the waiting one is offered now
    polling[0] = False
    assert answers == []  # the waiting visit really was offered
    assert win.context.store.sessions.interrupted_sessions() == []
    win.context.store.close()


def test_a_marked_blocker_offers_the_guide_that_resolves_it(window, qtbot) -> None:
    window.findChild(type(window.start_action), "startSessionAction").trigger()
    screen = window.session_screen
    screen.start_browser.select("etax-smartphone")
    button(screen, "beginButton").click()
    offer = button(screen, "openResolvingGuideButton")
    assert offer.isHidden()
    button(screen, "blockerButton_cert-expired").click()
    assert offer.isVisible() and offer.text() == "このガイドを開く"
    hint = screen.findChild(QLabel, "resolveHint").text()
    assert "電子証明書の有効期限切れ" in hint
    assert screen.catalog.guide("certificate-renewal").title["ja"] in hint
    offer.click()
    assert screen.session.current.procedure_id == "certificate-renewal"
    assert offer.isHidden()  # the guide is open now: nothing left to offer


def test_resident_display_docks_on_one_screen_and_never_takes_the_keyboard(window, qtbot):
    from PySide6.QtWidgets import QDockWidget

    window.start_session()
    screen = window.session_screen
    screen.start_browser.select("pin-reset")
    button(screen, "beginButton").click()
    screen.setFocus()
    assert len(QApplication.screens()) == 1
    window.display_action.trigger()  # F2
    dock = window.findChild(QDockWidget, "residentDock")
    assert dock is not None and dock.isVisible()
    display = window.resident_display
    assert display.window() is window  # beside the clerk's panel, not over it
    assert not dock.geometry().intersects(window.centralWidget().geometry())
    assert display.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert QApplication.focusWidget() is screen  # 1 and Enter still reach the wizard
    before = display.sentence.text()
    button(screen, "answerButton0").click()
    assert display.sentence.text() != before  # it follows the wizard
    window.display_action.trigger()  # F2 again hides it
    assert not dock.isVisible()


def test_a_separate_resident_window_refuses_focus(qtbot, data_dir) -> None:
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.paths import forms_dir
    from dxdesk.core.session import SupportSession
    from dxdesk.gui.resident_display import ResidentDisplay

    session = SupportSession.start(load_catalog(forms_dir()), "kita-1")
    display = ResidentDisplay(session)
    qtbot.addWidget(display)
    assert display.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert display.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)


def test_enter_on_a_guide_in_the_list_begins_without_a_false_warning(window, qtbot) -> None:
    """Enter in the guide list begins the visit once; the same key press must not also reach
    the step page and warn "answer the question first" before the clerk has read the step."""
    window.findChild(type(window.start_action), "startSessionAction").trigger()
    screen = window.session_screen
    screen.start_browser.select("convenience-store-certificates")
    tree = screen.start_browser.tree
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert screen.findChild(QLabel, "stepTitle").text().startswith("手順 1/3")
    assert screen.session.current_step.id == "check-eligibility"
    message = screen.findChild(QLabel, "sessionMessage")
    assert tr("wizard.answer_first") not in message.text() or message.isHidden()
