"""What the app checks around start-up, and the dialogs that ask the clerk: a damaged store and
its backup, the daily integrity check, backup and purge, unreadable settings, no data folder.

Loaded when first needed (none of it is on the way to the first paint): ``dxdesk.gui.app``
re-exports these names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from dxdesk.core.i18n import tr
from dxdesk.core.store import STORE_FILE

if TYPE_CHECKING:
    from collections.abc import Callable

    from dxdesk.core.backup import BackupInfo
    from dxdesk.core.instance_lock import InstanceLock
    from dxdesk.core.retention import PurgeResult
    from dxdesk.core.store import Store
    from dxdesk.gui.main_window import MainWindow

    # How to ask the clerk whether to restore a backup: (data_dir, error, backup) -> restore?
    RestoreQuestion = Callable[[Path, str, "BackupInfo | None"], bool]


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
    from dxdesk.gui.app import open_store

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
    from dxdesk.gui.app import open_store
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


def tell_settings_problems(window: MainWindow) -> None:
    problems = "\n\n".join(window.context.settings_problems)
    box = QMessageBox(QMessageBox.Icon.Warning, tr("app.settings_problems_title"),
                      tr("app.settings_problems_text", problems=problems), parent=window)  # fmt: skip
    box.setObjectName("settingsProblemsBox")
    box.exec()


def tell_not_recording(window: MainWindow, message: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, tr("app.title_not_recording"), message,
                      parent=window)  # fmt: skip
    box.setObjectName("notRecordingBox")
    box.exec()
