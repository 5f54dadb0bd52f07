"""The main window: the procedure catalog (search, categories, detail) and the problems panel.

Its actions and menus are in :mod:`.main_menus`, its visits in :mod:`.visit_control`, the
guide list in :mod:`.catalog_browser`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

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

from dxdesk.core.i18n import tr, ui_language
from dxdesk.core.settings import SettingsError, SiteSettings, save_settings
from dxdesk.gui.catalog_browser import CatalogBrowser
from dxdesk.gui.first_screen import catalog_texts, detail_html, first_guide
from dxdesk.gui.language import set_gui_language
from dxdesk.gui.main_menus import MainMenus
from dxdesk.gui.visit_control import VisitControl

if TYPE_CHECKING:
    from dxdesk.core.catalog import Catalog, ProcedureGuide
    from dxdesk.core.store import Store

__all__ = ["AppContext", "CatalogBrowser", "MainWindow"]  # CatalogBrowser: for older imports


class AppContext:
    """What every screen needs: where the data lives, the site, the catalog, the store.

    ``catalog=None``: the catalog this site uses (the shipped guides in ``forms``, default the
    app's, and the site's layers) is loaded on first use: the window paints its first screen
    from a kept copy and asks for the catalog right after (see :mod:`.first_screen`)."""

    def __init__(
        self,
        data_dir: Path,
        settings: SiteSettings,
        catalog: Catalog | None = None,
        store: Store | None = None,
        store_problem: str | None = None,  # why sessions cannot be recorded, shown to the clerk
        settings_problems: tuple[str, ...] = (),  # what settings.json could not give (shown once)
        retention_trusted: bool = True,  # False: the retention period was not read; never purge
        forms: Path | None = None,
    ) -> None:
        self.data_dir, self.settings, self._catalog, self.forms = data_dir, settings, catalog, forms
        self.store, self.store_problem = store, store_problem
        self.settings_problems, self.retention_trusted = settings_problems, retention_trusted

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            from dxdesk.core.active_catalog import load_active_catalog
            from dxdesk.core.paths import forms_dir

            self._catalog = load_active_catalog(self.data_dir, self.settings, cached=True,
                                                forms=self.forms or forms_dir())  # fmt: skip
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog


class MainWindow(VisitControl, MainMenus, QMainWindow):
    settings_changed = Signal(object)

    def __init__(self, context: AppContext, first_screen: dict[str, Any] | None = None) -> None:
        """``first_screen``: what the last start kept of the screen (see :mod:`.first_screen`);
        the window is drawn from it without the catalog, which :meth:`check_first_screen`
        loads after the first paint."""
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

        self.browser = CatalogBrowser(lambda: self.context.catalog)
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
        self.first_screen = first_screen
        if first_screen is None:
            self.retranslate()
        else:
            self._retranslate_window()
            self._show_catalog_texts(first_screen)
            self.browser.retranslate(first_screen["rows"])
        self._restore_geometry()
        if first_screen is None:
            first = first_guide(context.catalog)
            if first is not None:
                self.browser.select(first.id)
        else:
            if first_screen["first"] is not None:
                self.browser.select(first_screen["first"], quietly=True)
            self._set_detail(first_screen["detail"])

    def check_first_screen(self) -> None:
        """After the first paint: the catalog, and the first screen drawn from it kept for the
        next start. A screen drawn from a kept copy that no longer matches is redrawn."""
        from dxdesk.gui.first_screen import first_screen, keep_first_screen

        context, shown = self.context, self.first_screen
        fresh = first_screen(context.catalog, context.data_dir, context.settings, ui_language())
        if shown is not None and fresh != shown:
            self.retranslate()
            if self.browser.selected_guide() is None and fresh["first"] is not None:
                self.browser.select(fresh["first"])  # the kept one's first guide is gone
        if fresh != shown:
            keep_first_screen(context.data_dir, context.settings, fresh, context.forms)
        self.first_screen = None

    # ----------------------------------------------------------------- language and texts

    def retranslate(self) -> None:
        self._retranslate_window()
        self._show_catalog_texts(catalog_texts(self.context.catalog, self.context.data_dir))
        self.browser.retranslate()
        self.show_guide(self.browser.selected_guide())

    def _retranslate_window(self) -> None:
        """Every text but the catalog's."""
        title = tr("main.window_title")
        if self.context.store is None:  # read-only folder, full disk, unusable store
            title += " — " + tr("app.title_not_recording")
        self.setWindowTitle(title)
        self.detail.setAccessibleName(tr("a11y.guide_detail"))
        self.problems.setAccessibleName(tr("a11y.problems_list"))
        self.tabs.setTabText(0, tr("main.tab_guides"))
        self.retranslate_menus()
        self.today.setTitle(tr("main.today_title"))
        self.refresh_today()

    def _show_catalog_texts(self, texts: dict[str, Any]) -> None:
        """The problems tab and the catalog label (from :func:`.first_screen.catalog_texts`)."""
        self.tabs.setTabText(self.tabs.indexOf(self.problems_tab), texts["problems_tab"])
        self.problems_intro.setText(texts["problems_intro"])
        self.catalog_layers.setText(texts["layers"])
        self.problems.clear()
        self.problems.addItems(texts["problems"])
        self.catalog_label.setText(texts["catalog_label"])

    def show_guide(self, guide: ProcedureGuide | None) -> None:
        catalog = self.context.catalog if guide is not None else None
        self._set_detail(detail_html(guide, catalog, self.context.settings))

    def _set_detail(self, html: str) -> None:
        from dxdesk.gui.resources import GUIDE_CSS, GUIDE_CSS_HIGH_CONTRAST

        css = GUIDE_CSS_HIGH_CONTRAST if self.context.settings.high_contrast else GUIDE_CSS
        self.detail.document().setDefaultStyleSheet(css)
        self.detail.setHtml(html)

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
