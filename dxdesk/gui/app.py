"""Start-up of the desktop app: fonts, settings, catalog, store, main window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from dxdesk.core.catalog import load_catalog_cached
from dxdesk.core.i18n import tr
from dxdesk.core.instance_lock import InstanceLock, InstanceLockError
from dxdesk.core.paths import forms_dir, resolve_data_dir
from dxdesk.core.settings import SettingsError, SiteSettings, load_settings
from dxdesk.core.store import STORE_FILE, Store, StoreError
from dxdesk.gui.language import set_gui_language
from dxdesk.gui.main_window import AppContext, MainWindow
from dxdesk.gui.resources import load_stylesheet, ui_font
from dxdesk.gui.tasks import run_task, wait_for_tasks

if TYPE_CHECKING:
    from dxdesk.core.backup import BackupInfo


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
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
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


def start_daily_maintenance(window: MainWindow) -> None:
    """Off the GUI thread: today's backup if missing, then the retention purge (once a day).

    The backup comes first, so a purge never runs on a store without a same-day copy.
    """
    data_dir, store = window.context.data_dir, window.context.store
    months = window.context.settings.retention_months

    def work():
        from dxdesk.core.backup import ensure_daily_backup
        from dxdesk.core.retention import purge_if_due

        ensure_daily_backup(data_dir)
        return purge_if_due(store, months) if store is not None else None

    def done(result) -> None:
        if result is not None and not result.nothing_to_do:
            window.statusBar().showMessage(
                tr("app.retention_purged", month=result.before_month, sessions=result.sessions,
                   classes=result.classes)
            )  # fmt: skip
            window.refresh_today()

    def failed(exc: Exception, _trace: str) -> None:
        window.statusBar().showMessage(tr("app.backup_failed", error=str(exc)))

    run_task(work, done, failed)


def build_main_window(
    data_dir: Path, lang: str | None = None, *, lock: InstanceLock | None = None, ask=ask_restore
) -> tuple[MainWindow, list[str]]:
    """Everything up to a shown window; returns it with start-up warnings for the clerk."""
    warnings: list[str] = []
    try:
        settings = load_settings(data_dir)
    except SettingsError as exc:
        warnings.append(tr("app.settings_unreadable", error=str(exc)))
        settings = SiteSettings()
    set_gui_language(lang or settings.ui_language)  # Qt's stock buttons and dialogs too
    # Font and theme before any widget exists: each widget is polished once, at its first show.
    apply_look(QApplication.instance(), settings)
    catalog = load_catalog_cached(forms_dir())
    if catalog.problems:
        warnings.append(tr("app.catalog_problems", count=len(catalog.problems)))
    store, store_problem = open_store(data_dir)
    if store is None and store_problem:
        store, store_problem, notice = recover_store(data_dir, store_problem, lock, ask)
        if notice:
            warnings.append(notice)
    if store_problem:
        warnings.append(store_problem)
    window = MainWindow(
        AppContext(data_dir=data_dir, settings=settings, catalog=catalog, store=store,
                   store_problem=store_problem)
    )  # fmt: skip
    window.settings_changed.connect(lambda s: apply_look(QApplication.instance(), s))
    return window, warnings


def run(
    data_dir: str | None = None, lang: str | None = None, quit_after_startup: bool = False
) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("dxdesk")
    app.setOrganizationName("dxdesk")
    directory = resolve_data_dir(data_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        QMessageBox.critical(
            None,
            "dxdesk",
            tr("app.data_dir_unusable", path=str(directory), error=exc.strerror or str(exc)),
        )
        return 2
    lock = InstanceLock(directory)
    try:
        lock.acquire()
    except InstanceLockError as exc:
        QMessageBox.critical(None, "dxdesk", str(exc))
        return 1
    window: MainWindow | None = None
    try:
        window, warnings = build_main_window(directory, lang, lock=lock)
        if quit_after_startup:
            probe = _FirstPaint(app.quit)
            window.installEventFilter(probe)
        window.show()
        for warning in warnings:
            window.statusBar().showMessage(warning)
        if not quit_after_startup:
            # After the first paint, so a fresh machine shows the window before asking anything.
            if not window.context.settings.is_configured:
                QTimer.singleShot(0, lambda: window.open_settings(first_run=True))
            QTimer.singleShot(0, window.offer_interrupted_sessions)
            if window.context.store is not None:
                QTimer.singleShot(0, lambda: start_daily_maintenance(window))
        return app.exec()
    finally:
        wait_for_tasks()
        if window is not None and window.context.store is not None:
            window.context.store.close()
        lock.release()


def main() -> int:
    from dxdesk.cli import main as cli_main

    return cli_main(sys.argv[1:])
