"""Errors never vanish (issue 13, item 6): a failed background task and a refused store call
from a widget both reach the clerk, naming what was not done or not saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QRadioButton

from dxdesk.core.i18n import set_ui_language, tr
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.store import STORE_FILE, StoreError
from dxdesk.gui import tasks
from dxdesk.gui.app import build_main_window
from dxdesk.gui.dashboard import DashboardWidget


def task_error_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "taskErrorBox" and w.isVisible()]  # fmt: skip


def close_boxes() -> None:
    for box in task_error_boxes():
        box.close()


def test_a_background_failure_without_a_handler_is_shown(qtbot) -> None:
    set_ui_language("en")
    try:

        def fails() -> None:
            raise StoreError("The store X is locked by another program.")

        tasks.run_task(fails, lambda _: None, what="Counting today's visits")  # the thread pool
        qtbot.waitUntil(lambda: bool(task_error_boxes()), timeout=10000)
        text = task_error_boxes()[0].text()
        assert text == "Counting today's visits failed: The store X is locked by another program."
    finally:
        close_boxes()
        set_ui_language("ja")


def test_the_dashboard_on_an_unusable_store_says_so(qtbot, data_dir: Path) -> None:
    (data_dir / STORE_FILE).write_bytes(b"this is not a database at all" * 200)
    tasks.use_immediate_runner()
    try:
        widget = DashboardWidget(data_dir, "2026-10")
        qtbot.addWidget(widget)
        widget.refresh()
        texts = [box.text() for box in task_error_boxes()]
        assert texts and texts[0].startswith("ダッシュボードの読み込みができませんでした。")
        assert str(data_dir / STORE_FILE) in texts[0] and "SQLite" in texts[0]
    finally:
        close_boxes()
        tasks.use_immediate_runner(False)


def test_an_outcome_the_store_refuses_is_named_and_not_shown_as_chosen(
    qtbot, data_dir: Path
) -> None:
    set_ui_language("en")
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    window, _ = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    window.show()
    store = window.context.store
    # A real refusal by SQLite, of outcome events only (as a constraint or a full disk would).
    store.database.connection.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON session_events WHEN NEW.kind = 'outcome'"
        " BEGIN SELECT RAISE(ABORT, 'refused by the drill'); END"
    )
    window.start_session()
    screen = window.session_screen
    screen.start_browser.select("convenience-store-certificates")
    screen.findChild(QPushButton, "beginButton").click()
    screen.findChild(QPushButton, "answerButton0").click()
    screen.findChild(QPushButton, "answerButton1").click()  # forgotten PIN: the walk ends
    assert screen.session.current.proposed_outcome is not None
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    screen.findChild(QPushButton, "nextButton").click()  # to the outcome page: nothing preset
    assert not seen
    proposed = screen.session.current.proposed_outcome
    QTimer.singleShot(20, answer)
    screen.findChild(QRadioButton, f"outcome_1_{proposed}").click()  # the clerk chooses it
    assert seen, "the refused outcome was not reported"
    assert "could not be saved; it is not recorded" in seen[0]
    title = window.context.catalog.guides["convenience-store-certificates"].title["en"]
    outcome = screen.session.current.proposed_outcome
    assert f"({title})" in seen[0] and tr(f"wizard.outcome.{outcome}") in seen[0]
    radios = [
        r for r in screen.findChildren(QRadioButton) if r.objectName().startswith("outcome_1_")
    ]
    assert radios and not any(r.isChecked() for r in radios)
    events = store.sessions.session_events(screen.session.session_id)
    assert not any(e.kind == "outcome" for e in events)
    store.database.connection.execute("DROP TRIGGER refuse")
    set_ui_language("ja")
    store.close()
