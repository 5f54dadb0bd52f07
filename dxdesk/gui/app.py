"""Start-up of the desktop app: fonts, settings, catalog, store, main window."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from dxdesk.core.active_catalog import load_active_catalog
from dxdesk.core.i18n import tr
from dxdesk.core.instance_lock import InstanceLock, InstanceLockError
from dxdesk.core.paths import forms_dir, resolve_data_dir
from dxdesk.core.settings import SiteSettings, read_settings
from dxdesk.core.store import STORE_FILE, Store, StoreError
from dxdesk.gui.language import set_gui_language
from dxdesk.gui.main_window import AppContext, MainWindow
from dxdesk.gui.resources import load_stylesheet, ui_font

if TYPE_CHECKING:
    from dxdesk.core.backup import BackupInfo
    from dxdesk.core.retention import PurgeResult


class _FirstPaint(QObject):
    """Calls back once the window has really been painted (for --quit-after-startup)."""

    def __init__(self, callback) -> None:
        super().__init__()
        self.callback = callback
        self.fired = False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint and not self.fired:
            self.fired = True
            QTimer.singleShot(0, self.callback)
        return False


def apply_look(app: QApplication, settings: SiteSettings) -> None:
    app.setFont(ui_font(settings.text_scale))
    app.setStyleSheet(load_stylesheet(settings.high_contrast, settings.text_scale))


def open_store(data_dir: Path) -> tuple[Store | None, str | None]:
    """The session store; when it cannot be opened the guides still work and the clerk is told."""
    try:
        return Store.open(data_dir), None
    except StoreError as exc:
        return None, tr("app.store_unusable", error=str(exc))


def ask_restore(data_dir: Path, error: str, backup: BackupInfo | None) -> bool:
    """Ask the clerk whether to put the newest good backup back (a real, modal message box)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, tr("app.store_damaged_title"), "")
    box.setObjectName("storeDamagedBox")
    if backup is None:
        box.setText(tr("app.store_damaged_no_backup", error=error))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.exec()
        return False
    box.setText(tr("app.store_damaged_offer", error=error, day=backup.day.isoformat(),
                   path=str(backup.path), store=str(data_dir / STORE_FILE)))  # fmt: skip
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)  # a restore drops records: never default
    return box.exec() == QMessageBox.StandardButton.Yes


def recover_store(
    data_dir: Path, problem: str, lock: InstanceLock | None = None, ask=ask_restore
) -> tuple[Store | None, str | None, str | None]:
    """The store could not be opened: when the file is damaged, offer the newest good backup.

    Returns (store, problem, notice): the restored store and a notice saying so, or no store
    and the problem (the guides still work without recording).
    """
    from dxdesk.core.backup import (
        BackupError,
        newest_good_backup,
        restore_backup,
        store_is_damaged,
    )

    if not store_is_damaged(data_dir):
        return None, problem, None
    backup = newest_good_backup(data_dir)
    if not ask(data_dir, problem, backup) or backup is None:
        return None, problem, None
    try:
        replaced = restore_backup(data_dir, backup.path, lock=lock)
    except BackupError as exc:
        return None, tr("app.restore_failed", error=str(exc)), None
    store, again = open_store(data_dir)
    if store is None:
        return None, again, None
    notice = tr("app.store_restored", day=backup.day.isoformat(), path=str(replaced or "-"))
    return store, None, notice


INTEGRITY_KEY = "integrity_checked_on"


@dataclass(frozen=True)
class DailyRun:
    """What the daily run found: an integrity finding (nothing else ran), or the purge."""

    finding: str | None = None
    backup: BackupInfo | None = None  # the newest sound backup, offered with a finding
    purge: PurgeResult | None = None


def ask_about_finding(window: MainWindow, finding: str, backup: BackupInfo | None) -> bool:
    """Show an integrity finding; True when the clerk chose to restore ``backup``.

    Going on is the default button: a restore drops every record made after the backup.
    """
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, tr("app.integrity_title"), "", parent=window)
    box.setObjectName("integrityFindingBox")
    text = finding
    restore = None
    if backup is None:
        text += "\n\n" + tr("app.integrity_no_backup")
    elif window.session_screen is not None:
        text += "\n\n" + tr("app.integrity_busy_session")
    else:
        text += "\n\n" + tr("app.integrity_offer", day=backup.day.isoformat(),
                               backup=str(backup.path))  # fmt: skip
        restore = box.addButton(tr("app.integrity_restore_button", day=backup.day.isoformat()),
                                QMessageBox.ButtonRole.DestructiveRole)  # fmt: skip
    keep = box.addButton(tr("app.integrity_keep_button"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setText(text)
    box.exec()
    return restore is not None and box.clickedButton() is restore


def start_daily_maintenance(window: MainWindow, ask=ask_about_finding) -> None:
    """Off the GUI thread, once a day: a full integrity check of the store, today's backup if
    missing (itself checked), then the retention purge.

    The check reads the store through its own read-only connection, so the clerk's recording
    never waits for it. A finding stops the run (no backup of a damaged store rotates a good
    copy out, no purge) and is shown with the offer of the newest sound backup. The backup
    comes before the purge, so a purge never runs on a store without a same-day copy; and no
    purge runs on a retention period the settings file did not really give.
    """
    from dxdesk.gui.tasks import run_task

    data_dir, store = window.context.data_dir, window.context.store
    months = window.context.settings.retention_months
    retention_trusted = window.context.retention_trusted
    note_days = window.context.settings.note_retention_days

    def work() -> DailyRun:
        from dxdesk.core.backup import ensure_daily_backup, newest_good_backup, verify_backup
        from dxdesk.core.note_retention import blank_expired_notes
        from dxdesk.core.retention import purge_if_due

        today = dt.date.today().isoformat()
        if store is not None and store.maintenance.meta(INTEGRITY_KEY) != today:
            check = verify_backup(store.path)
            if check.readable and not check.ok:
                detail = "; ".join(check.integrity[:3]) or (check.problem or "")
                finding = tr("app.integrity_finding", path=str(store.path), detail=detail)
                return DailyRun(finding=finding, backup=newest_good_backup(data_dir))
            if check.ok:
                store.maintenance.set_meta(INTEGRITY_KEY, today)
        ensure_daily_backup(data_dir)
        if store is not None:
            blank_expired_notes(store, note_days)  # after the backup, like the purge
        if store is None or not retention_trusted:
            return DailyRun()
        return DailyRun(purge=purge_if_due(store, months))

    def done(result: DailyRun) -> None:
        if result.finding is not None:
            window.statusBar().showMessage(result.finding)
            if ask(window, result.finding, result.backup) and result.backup is not None:
                restore_in_place(window, result.backup)
            return
        purge = result.purge
        if purge is not None and not purge.nothing_to_do:
            window.statusBar().showMessage(
                tr("app.retention_purged", month=purge.before_month, sessions=purge.sessions,
                   classes=purge.classes)
            )  # fmt: skip
            window.refresh_today()

    def failed(exc: Exception, _trace: str) -> None:
        window.statusBar().showMessage(tr("app.backup_failed", error=str(exc)))

    run_task(work, done, failed)


def restore_in_place(window: MainWindow, backup: BackupInfo) -> None:
    """The clerk chose the backup after a finding: close the store, swap, open it again."""
    from dxdesk.core.backup import BackupError, restore_backup
    from dxdesk.gui.tasks import wait_for_tasks

    context = window.context
    wait_for_tasks()  # no worker may hold a connection to the file being replaced
    if context.store is not None:
        context.store.close()
        context.store = None
    try:
        replaced = restore_backup(context.data_dir, backup.path,
                                  lock=getattr(window, "instance_lock", None))  # fmt: skip
    except BackupError as exc:
        message = tr("app.restore_failed", error=str(exc))
    else:
        message = tr("app.store_restored", day=backup.day.isoformat(), path=str(replaced or "-"))
    context.store, problem = open_store(context.data_dir)
    context.store_problem = problem
    window.retranslate()
    window.refresh_today()
    window.statusBar().showMessage(problem or message)


def _start_privacy_guard(window: MainWindow) -> None:
    from dxdesk.core.privacy import warm_up
    from dxdesk.gui.tasks import run_task

    _allow_counter_phone(window.context.settings)
    run_task(warm_up)


def build_main_window(
    data_dir: Path, lang: str | None = None, *, lock: InstanceLock | None = None, ask=ask_restore,
    not_recording: str | None = None,
) -> tuple[MainWindow, list[str]]:  # fmt: skip
    """Everything up to a shown window; returns it with start-up warnings for the clerk.

    ``not_recording`` (the data folder cannot be written): the store is not opened at all;
    guides, search and printing work, and the title bar says nothing is recorded.
    """
    warnings: list[str] = []
    read = read_settings(data_dir)  # never replaced by defaults silently: problems are shown
    settings = read.settings
    set_gui_language(lang or settings.ui_language)  # Qt's stock buttons and dialogs too
    if read.problems:  # read again in the chosen language for the clerk
        read = read_settings(data_dir)
        warnings.extend(read.problems)
    # Font and theme before any widget exists: each widget is polished once, at its first show.
    apply_look(QApplication.instance(), settings)
    catalog = load_active_catalog(data_dir, settings, cached=True, forms=forms_dir())
    if catalog.problems:
        warnings.append(tr("app.catalog_problems", count=len(catalog.problems)))
    if not_recording is not None:
        store, store_problem = None, not_recording
    else:
        store, store_problem = open_store(data_dir)
    if store is None and store_problem and not_recording is None:
        store, store_problem, notice = recover_store(data_dir, store_problem, lock, ask)
        if notice:
            warnings.append(notice)
    if store_problem:
        warnings.append(store_problem)
    window = MainWindow(
        AppContext(data_dir=data_dir, settings=settings, catalog=catalog, store=store,
                   store_problem=store_problem, settings_problems=read.problems,
                   retention_trusted=read.retention_trusted)
    )  # fmt: skip
    window.instance_lock = lock  # a restore after a finding swaps the file under this lock
    window.settings_changed.connect(lambda s: apply_look(QApplication.instance(), s))
    window.settings_changed.connect(_allow_counter_phone)
    return window, warnings


def _allow_counter_phone(settings: SiteSettings) -> None:
    """The counter's own phone is public: the privacy guard lets it through in notes."""
    from dxdesk.core.privacy.allow import allow_site_numbers  # not on the first-paint path

    allow_site_numbers(settings.counter_phone)


def run(
    data_dir: str | None = None, lang: str | None = None, quit_after_startup: bool = False
) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("dxdesk")
    app.setOrganizationName("dxdesk")
    directory = resolve_data_dir(data_dir)
    not_recording: str | None = None
    lock = InstanceLock(directory)
    try:
        lock.acquire()
    except InstanceLockError as exc:
        if exc.kind not in ("read_only", "full"):
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "dxdesk", str(exc))
            return 1
        # No writable data folder: the guides need no store, so open without recording.
        not_recording = str(exc)
    window: MainWindow | None = None
    try:
        window, warnings = build_main_window(directory, lang, lock=lock,
                                             not_recording=not_recording)  # fmt: skip
        if quit_after_startup:
            probe = _FirstPaint(app.quit)
            window.installEventFilter(probe)
        window.show()
        for warning in warnings:
            window.statusBar().showMessage(warning)
        if not quit_after_startup:
            if not_recording is not None:
                QTimer.singleShot(0, lambda: _tell_not_recording(window, not_recording))
            elif window.context.settings_problems:  # say so; no first-run dialog over the file
                QTimer.singleShot(0, lambda: tell_settings_problems(window))
            # After the first paint, so a fresh machine shows the window before asking anything.
            elif not window.context.settings.is_configured:
                QTimer.singleShot(0, lambda: window.open_settings(first_run=True))
            QTimer.singleShot(0, window.offer_interrupted_sessions)
            if window.context.store is not None:
                QTimer.singleShot(0, lambda: start_daily_maintenance(window))
            # The privacy guard loads after the first paint; its dictionary off the GUI thread.
            QTimer.singleShot(0, lambda: _start_privacy_guard(window))
        return app.exec()
    finally:
        if "dxdesk.gui.tasks" in sys.modules:  # else no background task was ever started
            from dxdesk.gui.tasks import wait_for_tasks

            wait_for_tasks()
        if window is not None and window.context.store is not None:
            window.context.store.close()
        lock.release()


def tell_settings_problems(window: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    problems = "\n\n".join(window.context.settings_problems)
    box = QMessageBox(QMessageBox.Icon.Warning, tr("app.settings_problems_title"),
                      tr("app.settings_problems_text", problems=problems), parent=window)  # fmt: skip
    box.setObjectName("settingsProblemsBox")
    box.exec()


def _tell_not_recording(window: MainWindow, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, tr("app.title_not_recording"), message,
                      parent=window)  # fmt: skip
    box.setObjectName("notRecordingBox")
    box.exec()
