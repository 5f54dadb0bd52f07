"""Drills: a damaged store at start-up (backup offered), and a disk that fills mid-visit."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest
from drills_support import GUIDE, record_visits, table_dump
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from dxdesk.core.backup import ensure_daily_backup, list_backups
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.store import STORE_FILE, Store, StoreError
from dxdesk.gui.app import build_main_window, start_daily_maintenance

pytestmark = pytest.mark.usefixtures("english")


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # random bytes over the pages of rows, as a failing disk would leave them: every
        # page written after the schema (whose pages every open reads) of an empty store
        rnd = random.Random(7)
        buf = bytearray(data)
        for page in range(_schema_bytes(path), len(buf), 4096):
            buf[page + 100 : page + 600] = rnd.randbytes(500)
        path.write_bytes(bytes(buf))


def _schema_bytes(path: Path) -> int:
    """The size of an empty store: its tables' first pages and the schema's own pages."""
    import tempfile

    with tempfile.TemporaryDirectory() as empty:
        Store.open(empty).close()
        return (Path(empty) / path.name).stat().st_size


def answer_box(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(20, answer)


@pytest.mark.parametrize("how", ["truncated"])  # random damage: see the daily check below
def test_damaged_store_at_startup_offers_the_newest_good_backup(
    qtbot, data_dir: Path, catalog, how: str
) -> None:
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    record_visits(data_dir, catalog, 40)
    ensure_daily_backup(data_dir, dt.date(2026, 11, 20))
    expected = table_dump(data_dir)
    record_visits(data_dir, catalog, 3)  # made after the backup: lost with the store
    store_file = data_dir / STORE_FILE
    damage(store_file, how)
    damaged = store_file.read_bytes()
    with pytest.raises(StoreError):
        Store.open(data_dir)

    seen: list[str] = []
    answer_box(QMessageBox.StandardButton.Yes, seen)
    window, warnings = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    assert "damaged" in seen[0] and "backup of 2026-11-20" in seen[0]
    assert window.context.store is not None and window.context.store_problem is None
    assert "2026-11-20 was restored" in warnings[0] and "not included" in warnings[0]
    window.context.store.close()
    assert table_dump(data_dir) == expected
    assert (data_dir / "dxdesk.sqlite3.replaced").read_bytes() == damaged


def test_damaged_store_declined_goes_on_with_guides_only(qtbot, data_dir: Path, catalog) -> None:
    record_visits(data_dir, catalog, 40)
    ensure_daily_backup(data_dir, dt.date(2026, 11, 20))
    damage(data_dir / STORE_FILE, "truncated")
    damaged = (data_dir / STORE_FILE).read_bytes()
    seen: list[str] = []
    answer_box(QMessageBox.StandardButton.No, seen)
    window, warnings = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    assert window.context.store is None
    assert "damaged" in window.context.store_problem and warnings
    assert window.context.catalog.guides[GUIDE]  # the guides still work
    assert (data_dir / STORE_FILE).read_bytes() == damaged  # nothing touched without consent


def test_damaged_store_without_backup_says_so(qtbot, data_dir: Path, catalog) -> None:
    record_visits(data_dir, catalog, 40)
    damage(data_dir / STORE_FILE, "truncated")
    seen: list[str] = []
    answer_box(QMessageBox.StandardButton.Ok, seen)
    window, _ = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    assert "no usable backup" in seen[0]
    assert "Not recording" in window.windowTitle()
    assert window.context.store is None


def test_daily_backup_is_taken_after_start_up(qtbot, data_dir: Path, catalog) -> None:
    record_visits(data_dir, catalog, 2)
    window, _ = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    start_daily_maintenance(window)
    assert [b.day for b in list_backups(data_dir)] == [dt.date.today()]
    window.context.store.close()


# ------------------------------------------------------------------ the disk fills mid-visit


def walk_once(screen) -> None:
    """One click forward (or back at the end of the walk), as the clerk would."""
    session = screen.session
    if session.branch is not None:
        screen.findChild(QPushButton, "answerButton0").click()
    elif not session.current.walk_ended and session.current_step.outcome is None:
        screen.findChild(QPushButton, "nextButton").click()
    else:
        screen.findChild(QPushButton, "backButton").click()


def fill_disk_during_visit(qtbot, data_dir: Path):
    """Start a visit in the wizard, then cap the database at its current size (SQLITE_FULL)
    and click on until a commit needs a new page. Returns what the drill observed."""
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    window, _ = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    window.show()
    window.start_session()
    screen = window.session_screen
    screen.start_browser.select(GUIDE)
    screen.findChild(QPushButton, "beginButton").click()
    store = window.context.store
    db: sqlite3.Connection = (
        store.database.connection
    )  # the store's own connection: max_page_count is per connection
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    messages: list[str] = []
    polling = [True]

    def catch() -> None:  # answers the wizard's modal message, and stops with the drill
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            messages.append(box.text())
            box.button(QMessageBox.StandardButton.Ok).click()
        if polling[0]:
            QTimer.singleShot(5, catch)

    QTimer.singleShot(5, catch)
    try:
        for _ in range(400):
            before = (len(screen.session.events), screen.session.current_step.id)
            committed = len(store.sessions.session_events(screen.session.session_id))
            walk_once(screen)
            if messages:
                break
    finally:
        polling[0] = False
        qtbot.wait(20)
    assert messages, "the capped store never filled"
    return window, screen, db, messages[0], before, committed


def test_disk_full_mid_visit_loses_nothing_and_the_clerk_can_retry(qtbot, data_dir: Path) -> None:
    window, screen, db, message, before, committed = fill_disk_during_visit(qtbot, data_dir)
    store = window.context.store
    session_id = screen.session.session_id
    # The click that could not be saved did not happen: the screen still shows the step
    # the store holds, and the store holds every event confirmed before it.
    assert (len(screen.session.events), screen.session.current_step.id) == before
    assert len(store.sessions.session_events(session_id)) == committed == before[0]
    assert "could not be saved" in message
    assert window.session_screen is screen  # the visit stays open on screen

    db.execute("PRAGMA max_page_count = 1073741823")  # space returns
    walk_once(screen)
    assert len(store.sessions.session_events(session_id)) == committed + 1
    screen.session.set_outcome("handed_off")
    screen.session.finish()
    assert store.maintenance.check().ok
    rows = list(store.queries.procedure_attempt_rows(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
    assert [r["session_id"] for r in rows] == [session_id]
    store.close()


def test_disk_full_message_names_the_cause_and_what_was_not_saved(qtbot, data_dir: Path) -> None:
    window, screen, _db, message, before, _ = fill_disk_during_visit(qtbot, data_dir)
    assert "damaged" not in message
    assert "full" in message or "space" in message.split(":", 1)[1]
    assert before[1] in message  # the step whose click was not saved
    window.context.store.close()


# ------------------------------------------------------------------ damage found by the daily check


def answer_finding(choose_restore: bool, seen: list[tuple[str, str, list[str]]]) -> None:
    """Reads the integrity box (text, default button, buttons), then clicks as asked."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        buttons = [b.text() for b in box.buttons()]
        seen.append((box.text(), box.defaultButton().text(), buttons))
        wanted = next((b for b in box.buttons() if b.text().startswith("Restore")), None)
        (wanted if choose_restore and wanted else box.defaultButton()).click()

    QTimer.singleShot(20, answer)


def test_damage_that_open_does_not_see_is_found_by_the_daily_check(
    qtbot, data_dir: Path, catalog
) -> None:
    record_visits(data_dir, catalog, 40)
    ensure_daily_backup(data_dir, dt.date(2026, 11, 20))
    expected = table_dump(data_dir)
    damage(data_dir / STORE_FILE, "random")
    window, _ = build_main_window(data_dir, "en")  # no check on open: start-up stays fast
    qtbot.addWidget(window)
    assert window.context.store is not None
    seen: list[tuple[str, str, list[str]]] = []
    answer_finding(False, seen)
    start_daily_maintenance(window)
    text, default, buttons = seen[0]
    assert "found a problem" in text and "backup of 2026-11-20" in text
    assert default == "Keep working"  # a restore is never the default answer
    assert "Restore the backup of 2026-11-20" in buttons
    assert [b.day for b in list_backups(data_dir)] == [dt.date(2026, 11, 20)]  # not rotated
    assert window.context.store is not None  # kept working on the store in place

    answer_finding(True, seen)
    start_daily_maintenance(window)  # the next check finds it again; now the clerk restores
    assert window.context.store is not None and window.context.store_problem is None
    window.context.store.close()
    assert table_dump(data_dir) == expected
    assert (data_dir / "dxdesk.sqlite3.replaced").exists()


def test_a_sound_store_is_checked_once_a_day(qtbot, data_dir: Path, catalog) -> None:
    from dxdesk.gui.app import INTEGRITY_KEY

    record_visits(data_dir, catalog, 2)
    window, _ = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    start_daily_maintenance(window, ask=lambda *a: pytest.fail("no finding expected"))
    store = window.context.store
    assert store.maintenance.meta(INTEGRITY_KEY) == dt.date.today().isoformat()
    store.close()
