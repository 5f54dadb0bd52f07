"""Start-up of the desktop app: fonts, settings, catalog, store, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from dxdesk.core.catalog import load_catalog_cached
from dxdesk.core.i18n import set_ui_language, tr
from dxdesk.core.instance_lock import InstanceLock, InstanceLockError
from dxdesk.core.paths import cache_dir, forms_dir, resolve_data_dir
from dxdesk.core.settings import SettingsError, SiteSettings, load_settings
from dxdesk.core.store import Store, StoreError
from dxdesk.gui.main_window import AppContext, MainWindow
from dxdesk.gui.resources import load_stylesheet, ui_font


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


def build_main_window(data_dir: Path, lang: str | None = None) -> tuple[MainWindow, list[str]]:
    """Everything up to a shown window; returns it with start-up warnings for the clerk."""
    warnings: list[str] = []
    try:
        settings = load_settings(data_dir)
    except SettingsError as exc:
        warnings.append(tr("app.settings_unreadable", error=str(exc)))
        settings = SiteSettings()
    set_ui_language(lang or settings.ui_language)
    catalog = load_catalog_cached(forms_dir(), cache_dir())
    if catalog.problems:
        warnings.append(tr("app.catalog_problems", count=len(catalog.problems)))
    store, store_problem = open_store(data_dir)
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
        window, warnings = build_main_window(directory, lang)
        apply_look(app, window.context.settings)
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
        return app.exec()
    finally:
        if window is not None and window.context.store is not None:
            window.context.store.close()
        lock.release()


def main() -> int:
    from dxdesk.cli import main as cli_main

    return cli_main(sys.argv[1:])
