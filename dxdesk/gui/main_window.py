"""The main window: the procedure catalog (search, categories, detail) and the problems panel.

Its actions and menus are in :mod:`.main_menus`, its visits in :mod:`.visit_control`, the
guide list in :mod:`.catalog_browser`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QListWidget,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.catalog import Catalog, ProcedureGuide
from dxdesk.core.i18n import tr, ui_language
from dxdesk.core.settings import SettingsError, SiteSettings, save_settings
from dxdesk.gui.catalog_browser import CatalogBrowser
from dxdesk.gui.guide_html import guide_html
from dxdesk.gui.language import set_gui_language
from dxdesk.gui.main_menus import MainMenus
from dxdesk.gui.visit_control import VisitControl

if TYPE_CHECKING:
    from dxdesk.core.store import Store

__all__ = ["AppContext", "CatalogBrowser", "MainWindow"]  # CatalogBrowser: for older imports


@dataclass
class AppContext:
    """What every screen needs: where the data lives, the site, the catalog, the store."""

    data_dir: Path
    settings: SiteSettings
    catalog: Catalog
    store: Store | None = None
    store_problem: str | None = None  # why sessions cannot be recorded, shown to the clerk
    settings_problems: tuple[str, ...] = ()  # what settings.json could not give (shown once)
    retention_trusted: bool = True  # False: the retention period was not read; never purge


class MainWindow(VisitControl, MainMenus, QMainWindow):
    settings_changed = Signal(object)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.context = context
        self.session_screen = None
        self.resident_display = None
        self.resident_dock = None
        self.dashboard = None
        self.class_entry = None
        self.tabs = QTabWidget(objectName="mainTabs")
        self.setCentralWidget(self.tabs)

        self.browser = CatalogBrowser(context.catalog)
        self.detail = QTextBrowser(objectName="guideDetail")
        self.detail.setOpenExternalLinks(False)  # closed network: show URLs, never open them
        self.detail.setOpenLinks(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.today = QGroupBox(objectName="todayPanel")
        today_layout = QVBoxLayout(self.today)
        self.today_text = QLabel(objectName="todayText")
        self.today_text.setWordWrap(True)
        today_layout.addWidget(self.today_text)
        left_layout.addWidget(self.today)
        left_layout.addWidget(self.browser, 1)
        splitter = QSplitter(objectName="catalogSplitter")
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        self.tabs.addTab(splitter, "")

        self.problems = QListWidget(objectName="problemsPanel")
        self.problems.setWordWrap(True)
        self.problems_tab = QWidget()
        problems_layout = QVBoxLayout(self.problems_tab)
        self.problems_intro = QLabel(objectName="problemsIntro")
        self.problems_intro.setWordWrap(True)
        self.catalog_layers = QLabel(objectName="catalogLayers")
        self.catalog_layers.setWordWrap(True)
        self.catalog_layers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        problems_layout.addWidget(self.catalog_layers)
        problems_layout.addWidget(self.problems_intro)
        problems_layout.addWidget(self.problems)
        self.tabs.addTab(self.problems_tab, "")

        self.build_menus()

        self.browser.guide_selected.connect(self.show_guide)
        self.retranslate()
        self._restore_geometry()
        if context.catalog.guides:
            first = sorted(context.catalog.guides.values(), key=lambda g: g.kana)[0]
            self.browser.select(first.id)

    # ----------------------------------------------------------------- language and texts

    def retranslate(self) -> None:
        title = tr("main.window_title")
        if self.context.store is None:  # read-only folder, full disk, unusable store
            title += " — " + tr("app.title_not_recording")
        self.setWindowTitle(title)
        self.detail.setAccessibleName(tr("a11y.guide_detail"))
        self.problems.setAccessibleName(tr("a11y.problems_list"))
        self.tabs.setTabText(0, tr("main.tab_guides"))
        catalog = self.context.catalog
        count = len(catalog.problems)
        notes = catalog.review_notes()
        self.tabs.setTabText(
            self.tabs.indexOf(self.problems_tab),
            tr("main.tab_problems_and_notes", count=count, notes=len(notes))
            if notes
            else tr("main.tab_problems", count=count),
        )
        self.retranslate_menus()
        self.today.setTitle(tr("main.today_title"))
        self.refresh_today()
        intro = "main.problems_intro" if count else "main.problems_notes_only"
        self.problems_intro.setText(tr(intro if count or notes else "main.problems_none"))
        self.catalog_layers.setText(self.catalog_layers_text())
        self.problems.clear()
        for problem in catalog.problems:  # not loaded: the plain path:line: message
            self.problems.addItem(str(problem))
        for note in notes:  # loaded, but a rule or a review asks for attention
            mark = tr("main.problem_kind." + note.kind)
            self.problems.addItem(f"{mark} {note.path}:{note.line}: {note.message}")
        self.browser.retranslate()
        self.show_guide(self.browser.selected_guide())

    def show_guide(self, guide: ProcedureGuide | None) -> None:
        from dxdesk.gui.guide_html import GUIDE_CSS, GUIDE_CSS_HIGH_CONTRAST

        css = GUIDE_CSS_HIGH_CONTRAST if self.context.settings.high_contrast else GUIDE_CSS
        self.detail.document().setDefaultStyleSheet(css)
        if guide is None:
            self.detail.setHtml(f"<p>{tr('main.no_guide')}</p>")
            return
        self.detail.setHtml(
            guide_html(guide, self.context.catalog.taxonomy, self.context.settings, ui_language())
        )

    def focus_search(self) -> None:
        """Ctrl+F: the search box of the guide list, or of the session's start page."""
        screen = self.session_screen
        if screen is not None and self.tabs.currentWidget() is screen and screen.on_start_page:
            screen.start_browser.search.setFocus()
            return
        self.tabs.setCurrentIndex(0)
        self.browser.search.setFocus()
        self.browser.search.selectAll()

    def toggle_language(self) -> None:
        set_gui_language("en" if ui_language() == "ja" else "ja")
        self.retranslate()
        self.retranslate_open_screens()

    def retranslate_open_screens(self) -> None:
        """After a language switch: the open visit is drawn again in the new language, the
        dashboard retranslated, and the class window rebuilt when it is next opened."""
        self.redraw_session_screen()
        if self.dashboard is not None:
            self.dashboard.retranslate()
            self.tabs.setTabText(self.tabs.indexOf(self.dashboard), tr("main.tab_dashboard"))
        if self.class_entry is not None and not self.class_entry.isVisible():
            self.class_entry.deleteLater()
            self.class_entry = None

    # ----------------------------------------------------------------- other screens

    def show_dashboard(self) -> None:
        """The supervisor's tab, built on first use so QtCharts stays off the start-up path."""
        from dxdesk.gui.dashboard import DashboardWidget

        if self.dashboard is None:
            self.dashboard = DashboardWidget(self.context.data_dir)
            self.tabs.addTab(self.dashboard, tr("main.tab_dashboard"))
        self.dashboard.refresh()  # the figures as of now, also the first time
        self.tabs.setCurrentWidget(self.dashboard)

    def open_classes(self) -> None:
        """Quick entry of a smartphone class (its live tally opens from there)."""
        from dxdesk.gui.class_entry import QuickEntry

        if self.class_entry is None:
            self.class_entry = QuickEntry(self.context.store, self.context.settings.site_id,
                                          catalog=self.context.catalog,
                                          settings=self.context.settings)  # fmt: skip
            self.class_entry.saved.connect(self._class_saved)
        self.class_entry.settings = self.context.settings  # as edited since it was opened
        if not self.class_entry.isVisible():
            from PySide6.QtCore import QSize

            from dxdesk.gui.fit import fit_to_screen

            fit_to_screen(self.class_entry, QSize(1180, 900))
        self.class_entry.show()
        self.class_entry.raise_()
        self.class_entry.activateWindow()

    def _class_saved(self, _row) -> None:
        """A class saved: the figures that count classes follow at once."""
        self.refresh_today()
        if self.dashboard is not None:
            self.dashboard.refresh()

    # ----------------------------------------------------------------- settings

    def open_settings(self, first_run: bool = False) -> bool:
        from dxdesk.gui.settings_dialog import SiteSettingsDialog

        dialog = SiteSettingsDialog(self.context.settings, first_run=first_run, parent=self)
        if dialog.exec() != SiteSettingsDialog.DialogCode.Accepted or not dialog.result_settings:
            return False
        return self.apply_settings(dialog.result_settings)

    def apply_settings(self, settings: SiteSettings) -> bool:
        try:
            save_settings(self.context.data_dir, settings)
        except (OSError, SettingsError) as exc:
            self.statusBar().showMessage(tr("main.settings_not_saved", error=str(exc)))
            return False
        previous, self.context.settings = self.context.settings, settings
        self.context.retention_trusted = True  # the clerk saw and saved the period
        self.context.settings_problems = ()
        language_changed = settings.ui_language != ui_language()
        set_gui_language(settings.ui_language)
        self.settings_changed.emit(settings)
        if previous.city_forms_dir != settings.city_forms_dir and self.session_screen is None:
            self.reload_catalog()  # the city folder changed: its guides now (else at restart)
        self.retranslate()
        if language_changed:
            self.retranslate_open_screens()
        return True

    # ----------------------------------------------------------------- geometry

    def _restore_geometry(self) -> None:
        """The last geometry when it still fits the screen; else maximised on a small screen."""
        from dxdesk.gui.screen_area import available_geometry

        area = available_geometry(self)
        geometry = QSettings("dxdesk", "dxdesk").value("main/geometry")
        restored = geometry is not None and self.restoreGeometry(geometry)
        if restored and (area.contains(self.frameGeometry()) or self.isMaximized()):
            return
        if area.width() < 1400 or area.height() < 900:  # a ward PC's 1366×768
            self.resize(area.size())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        else:
            self.resize(1200, 800)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        settings, geometry = QSettings("dxdesk", "dxdesk"), self.saveGeometry()
        if settings.value("main/geometry") != geometry:  # unchanged: the file is not rewritten
            settings.setValue("main/geometry", geometry)
        self.close_resident_display()
        if self.class_entry is not None:
            self.class_entry.close()
        # An open visit stays in the store: it is offered for resumption at the next start.
        super().closeEvent(event)
