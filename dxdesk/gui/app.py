"""Start-up of the desktop app: fonts, settings, catalog, store, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from dxdesk.core.catalog import load_catalog_cached
from dxdesk.core.i18n import set_ui_language, tr
from dxdesk.core.paths import cache_dir, forms_dir, resolve_data_dir
from dxdesk.core.settings import SettingsError, SiteSettings, load_settings
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
    window = MainWindow(AppContext(data_dir=data_dir, settings=settings, catalog=catalog))
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
    window, warnings = build_main_window(directory, lang)
    apply_look(app, window.context.settings)
    if quit_after_startup:
        probe = _FirstPaint(app.quit)
        window.installEventFilter(probe)
        window.show()
        return app.exec()
    window.show()
    for warning in warnings:
        window.statusBar().showMessage(warning)
    if not window.context.settings.is_configured:
        # After the first paint, so a fresh machine shows the window before asking anything.
        QTimer.singleShot(0, lambda: window.open_settings(first_run=True))
    return app.exec()


def main() -> int:
    from dxdesk.cli import main as cli_main

    return cli_main(sys.argv[1:])
