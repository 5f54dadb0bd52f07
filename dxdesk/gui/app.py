"""Start-up of the desktop app: fonts, settings, catalog, store, main window.

The checks and dialogs around start-up (a damaged store, the daily integrity check, backup and
purge, unreadable settings) are in :mod:`.startup_checks`, loaded when first needed; their names
are still importable from here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from dxdesk.core.i18n import tr, ui_language
from dxdesk.core.instance_lock import InstanceLock, InstanceLockError
from dxdesk.core.paths import forms_dir, resolve_data_dir
from dxdesk.core.settings import SiteSettings, read_settings
from dxdesk.core.store import Store, StoreError
from dxdesk.gui.first_screen import kept_first_screen
from dxdesk.gui.language import set_gui_language
from dxdesk.gui.main_window import AppContext, MainWindow
from dxdesk.gui.resources import load_stylesheet, ui_font

if TYPE_CHECKING:
    from dxdesk.gui.startup_checks import RestoreQuestion

_STARTUP_CHECKS = (
    "DailyRun", "INTEGRITY_KEY", "ask_about_finding", "ask_restore", "recover_store",
    "restore_in_place", "start_daily_maintenance", "tell_not_recording", "tell_settings_problems",
)  # fmt: skip


def __getattr__(name: str):
    if name in _STARTUP_CHECKS:
        from dxdesk.gui import startup_checks

        return getattr(startup_checks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _FirstPaint(QObject):
    """Calls back once the window has really been painted (the catalog is loaded then, and
    --quit-after-startup quits)."""

    def __init__(self, callback) -> None:
        super().__init__()
        self.callback = callback
        self.fired = False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint and not self.fired:
            self.fired = True
            QTimer.singleShot(0, self.callback)
        return False


def _painted(app: QApplication) -> None:
    """--quit-after-startup: say when the first paint was done (the start-up benchmark reads
    it), then quit."""
    import time

    print(f"first-paint {time.time():.6f}", flush=True)
    app.quit()


def _after_first_paint(app: QApplication, window: MainWindow, quit_after_startup: bool) -> None:
    if quit_after_startup:
        _painted(app)
    window.check_first_screen()  # the catalog, and the screen kept for the next start


def apply_look(app: QApplication, settings: SiteSettings) -> None:
    app.setFont(ui_font(settings.text_scale))
    app.setStyleSheet(load_stylesheet(settings.high_contrast, settings.text_scale))


def open_store(data_dir: Path) -> tuple[Store | None, str | None]:
    """The session store; when it cannot be opened the guides still work and the clerk is told."""
    try:
        return Store.open(data_dir), None
    except StoreError as exc:
        return None, tr("app.store_unusable", error=str(exc))


def _start_privacy_guard(window: MainWindow) -> None:
    from dxdesk.core.privacy import warm_up
    from dxdesk.gui.tasks import run_task

    _allow_counter_phone(window.context.settings)
    run_task(warm_up)


def build_main_window(
    data_dir: Path, lang: str | None = None, *, lock: InstanceLock | None = None,
    ask: RestoreQuestion | None = None, not_recording: str | None = None,
) -> tuple[MainWindow, list[str]]:  # fmt: skip
    """Everything up to a shown window; returns it with start-up warnings for the clerk.

    ``not_recording`` (the data folder cannot be written): the store is not opened at all;
    guides, search and printing work, and the title bar says nothing is recorded. ``ask``: how
    to ask the clerk about restoring a backup (default: the real message box).
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
    # The first screen as the last start drew it; the catalog itself loads after the first paint.
    forms = forms_dir()
    first_screen = kept_first_screen(data_dir, settings, ui_language(), forms)
    catalog = None
    if first_screen is None:  # something it depends on changed: drawn from the catalog
        from dxdesk.core.active_catalog import load_active_catalog

        catalog = load_active_catalog(data_dir, settings, cached=True, forms=forms)
    problems = first_screen["problem_count"] if first_screen else len(catalog.problems)
    if problems:
        warnings.append(tr("app.catalog_problems", count=problems))
    if not_recording is not None:
        store, store_problem = None, not_recording
    else:
        store, store_problem = open_store(data_dir)
    if store is None and store_problem and not_recording is None:
        from dxdesk.gui.startup_checks import ask_restore, recover_store

        store, store_problem, notice = recover_store(data_dir, store_problem, lock,
                                                     ask or ask_restore)  # fmt: skip
        if notice:
            warnings.append(notice)
    if store_problem:
        warnings.append(store_problem)
    window = MainWindow(
        AppContext(data_dir=data_dir, settings=settings, catalog=catalog, store=store,
                   store_problem=store_problem, settings_problems=read.problems,
                   retention_trusted=read.retention_trusted, forms=forms),
        first_screen,
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
        probe = _FirstPaint(lambda: _after_first_paint(app, window, quit_after_startup))
        window.installEventFilter(probe)
        window.show()
        for warning in warnings:
            window.statusBar().showMessage(warning)
        if not quit_after_startup:
            from dxdesk.gui import startup_checks as checks

            if not_recording is not None:
                QTimer.singleShot(0, lambda: checks.tell_not_recording(window, not_recording))
            elif window.context.settings_problems:  # say so; no first-run dialog over the file
                QTimer.singleShot(0, lambda: checks.tell_settings_problems(window))
            # After the first paint, so a fresh machine shows the window before asking anything.
            elif not window.context.settings.is_configured:
                QTimer.singleShot(0, lambda: window.open_settings(first_run=True))
            QTimer.singleShot(0, window.offer_interrupted_sessions)
            if window.context.store is not None:
                QTimer.singleShot(0, lambda: checks.start_daily_maintenance(window))
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
