"""The main window: the procedure catalog (search, categories, detail) and the problems panel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.catalog import Catalog, ProcedureGuide
from dxdesk.core.i18n import pick, tr, ui_language
from dxdesk.core.settings import SettingsError, SiteSettings, save_settings
from dxdesk.gui.guide_html import guide_html
from dxdesk.gui.language import set_gui_language

if TYPE_CHECKING:
    from dxdesk.core.store import Store

GUIDE_ROLE = Qt.ItemDataRole.UserRole


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


class CatalogBrowser(QWidget):
    """Search box over a category tree of guides (title, kana reading, keywords)."""

    guide_selected = Signal(object)  # ProcedureGuide or None

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(objectName="procedureSearch")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(objectName="procedureList")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.empty = QLabel(objectName="searchEmpty")
        self.empty.setWordWrap(True)
        self.empty.setProperty("role", "warning")
        self.empty.hide()
        layout.addWidget(self.search)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self.refresh)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.search.returnPressed.connect(self._select_first)
        self.search.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        from PySide6.QtCore import QEvent

        # ↓ from the search box goes into the results, on the first guide.
        down = event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down
        if obj is self.search and down:
            if self.selected_guide() is None:
                self._select_first()
            self.tree.setFocus()
            return True
        return super().eventFilter(obj, event)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(tr("main.search_placeholder"))
        self.search.setAccessibleName(tr("a11y.procedure_search"))
        self.tree.setAccessibleName(tr("a11y.procedure_list"))
        self.refresh()

    def refresh(self) -> None:
        lang = ui_language()
        selected = self.selected_guide()
        guides = self.catalog.search(self.search.text())
        by_category: dict[str, list[ProcedureGuide]] = {}
        for guide in guides:
            by_category.setdefault(guide.category, []).append(guide)
        taxonomy = self.catalog.taxonomy
        order = [c.id for c in taxonomy.categories] if taxonomy else []
        self.tree.blockSignals(True)
        self.tree.clear()
        for category in sorted(
            by_category, key=lambda c: (order.index(c) if c in order else 99, c)
        ):
            labels = {c.id: c.label for c in taxonomy.categories} if taxonomy else {}
            label = pick(labels.get(category), lang, "ja") or category
            head = QTreeWidgetItem([label])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            for guide in sorted(by_category[category], key=lambda g: g.kana):
                title = pick(guide.title, lang, "ja") or guide.id
                if guide.review_overdue():
                    title += "  " + tr("main.review_overdue_mark")
                origin = self.catalog.origin(guide.id)
                if origin != "shipped":  # a city or pack guide: say so, and what it replaces
                    title = f"{tr('main.guide_origin.' + origin)} {title}"
                item = QTreeWidgetItem([title])
                item.setData(0, GUIDE_ROLE, guide.id)
                tip = guide.kana
                if guide.id in self.catalog.overridden:
                    tip += "\n" + tr("main.guide_overrides", path=self.catalog.overridden[guide.id])
                item.setToolTip(0, tip)
                head.addChild(item)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        query = self.search.text().strip()
        self.empty.setText(tr("main.search_empty", query=query) if query and not guides else "")
        self.empty.setVisible(bool(query and not guides))
        if selected and selected.id in {g.id for g in guides}:
            self.select(selected.id)
        elif selected is not None or not guides:
            self.guide_selected.emit(None)  # a guide the search hides is not shown either

    def _items(self):
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                yield head.child(j)

    def select(self, guide_id: str) -> None:
        for item in self._items():
            if item.data(0, GUIDE_ROLE) == guide_id:
                self.tree.setCurrentItem(item)
                return

    def _select_first(self) -> None:
        first = next(iter(self._items()), None)
        if first is not None:
            self.tree.setCurrentItem(first)
            self.tree.setFocus()

    def selected_guide(self) -> ProcedureGuide | None:
        item = self.tree.currentItem()
        guide_id = item.data(0, GUIDE_ROLE) if item else None
        return self.catalog.guides.get(guide_id) if guide_id else None

    def _current_changed(self, current: QTreeWidgetItem | None, _previous=None) -> None:
        guide_id = current.data(0, GUIDE_ROLE) if current else None
        self.guide_selected.emit(self.catalog.guides.get(guide_id) if guide_id else None)


class MainWindow(QMainWindow):
    settings_changed = Signal(object)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.context = context
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

        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.settings_action = QAction(self, objectName="settingsAction")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.language_action = QAction(self, objectName="languageAction")
        self.language_action.setShortcut(QKeySequence("Ctrl+L"))
        self.language_action.triggered.connect(self.toggle_language)
        self.start_action = QAction(self, objectName="startSessionAction")
        self.start_action.setShortcut(QKeySequence("Ctrl+N"))
        self.start_action.triggered.connect(self.start_session)
        self.display_action = QAction(self, objectName="residentDisplayAction")
        self.display_action.setShortcut(QKeySequence("F2"))
        self.display_action.triggered.connect(self.toggle_resident_display)
        self.dashboard_action = QAction(self, objectName="dashboardAction")
        self.dashboard_action.setShortcut(QKeySequence("Ctrl+D"))
        self.dashboard_action.triggered.connect(self.show_dashboard)
        self.dashboard = None
        self.classes_action = QAction(self, objectName="classesAction")
        self.classes_action.setShortcut(QKeySequence("Ctrl+K"))
        self.classes_action.triggered.connect(self.open_classes)
        self.class_entry = None
        self.toolbar.addAction(self.start_action)
        self.toolbar.addAction(self.display_action)
        self.toolbar.addAction(self.dashboard_action)
        self.toolbar.addAction(self.classes_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.settings_action)
        self.toolbar.addAction(self.language_action)
        self.find_action = QAction(self, objectName="findAction")
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self.focus_search)
        # Every action in a menu too, where its shortcut is shown (the toolbar takes no Tab).
        self.session_menu = self.menuBar().addMenu("")
        self.session_menu.setObjectName("sessionMenu")
        self.session_menu.addActions([self.start_action, self.display_action, self.find_action])
        self.view_menu = self.menuBar().addMenu("")
        self.view_menu.setObjectName("viewMenu")
        self.view_menu.addActions([self.dashboard_action, self.classes_action])
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.settings_action, self.language_action])
        self.session_screen = None
        self.resident_display = None
        self.resident_dock = None
        self.display_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.site_label = QLabel(objectName="siteLabel")
        self.statusBar().addPermanentWidget(self.site_label)
        self._build_catalog_menu()

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
        self.settings_action.setText(tr("main.action_settings"))
        self.start_action.setText(tr("main.action_start_session"))
        self.display_action.setText(tr("main.action_resident_display"))
        self.dashboard_action.setText(tr("main.action_dashboard"))
        self.classes_action.setText(tr("main.action_classes"))
        self.today.setTitle(tr("main.today_title"))
        self.refresh_today()
        self.language_action.setText(tr("main.action_language"))
        self.find_action.setText(tr("main.action_find"))
        self.session_menu.setTitle(tr("main.menu_session"))
        self.view_menu.setTitle(tr("main.menu_view"))
        for action in (self.start_action, self.display_action, self.dashboard_action,
                       self.classes_action, self.settings_action, self.language_action):  # fmt: skip
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{action.text()} ({keys})" if keys else action.text())
        intro = "main.problems_intro" if count else "main.problems_notes_only"
        self.problems_intro.setText(tr(intro if count or notes else "main.problems_none"))
        self.catalog_layers.setText(self._catalog_layers_text())
        self.problems.clear()
        for problem in catalog.problems:  # not loaded: the plain path:line: message
            self.problems.addItem(str(problem))
        for note in notes:  # loaded, but a rule or a review asks for attention
            mark = tr("main.problem_kind." + note.kind)
            self.problems.addItem(f"{mark} {note.path}:{note.line}: {note.message}")
        self._retranslate_catalog_menu()
        site = self.context.settings
        self.site_label.setText(
            tr("main.site_label", site=site.site_name, site_id=site.site_id)
            if site.is_configured
            else tr("main.site_unconfigured")
        )
        self.browser.retranslate()
        self.show_guide(self.browser.selected_guide())

    # ----------------------------------------------------------------- the catalog in use

    def _build_catalog_menu(self) -> None:
        self.catalog_label = QLabel(objectName="catalogLabel")
        self.statusBar().addPermanentWidget(self.catalog_label)
        self.catalog_menu = self.menuBar().addMenu("")
        self.catalog_menu.setObjectName("catalogMenu")
        self.install_pack_action = QAction(self, objectName="installPackAction")
        self.install_pack_action.triggered.connect(lambda: self.install_pack())
        self.about_catalog_action = QAction(self, objectName="aboutCatalogAction")
        self.about_catalog_action.triggered.connect(self.about_catalog)
        self.catalog_menu.addAction(self.install_pack_action)
        self.catalog_menu.addAction(self.about_catalog_action)

    def _retranslate_catalog_menu(self) -> None:
        from dxdesk.core.active_catalog import catalog_stamp

        self.catalog_menu.setTitle(tr("main.menu_catalog"))
        self.install_pack_action.setText(tr("main.action_install_pack"))
        self.about_catalog_action.setText(tr("main.action_about_catalog"))
        version, date = catalog_stamp(self.context.catalog, self.context.data_dir)
        self.catalog_label.setText(tr("main.catalog_label", version=version, date=date))

    def install_pack(self, path: str | None = None) -> None:
        """Verify and install a signed catalog pack off the GUI thread; a refusal is shown and
        the catalog in use stays."""
        from PySide6.QtWidgets import QFileDialog

        from dxdesk.core.catalog_pack import install_pack
        from dxdesk.core.paths import forms_dir
        from dxdesk.gui.tasks import run_task

        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, tr("main.install_pack_title"), "", tr("main.install_pack_filter")
            )
            if not path:
                return
        data_dir, forms = self.context.data_dir, forms_dir()
        self.install_pack_action.setEnabled(False)

        def done(info) -> None:
            self.install_pack_action.setEnabled(True)
            message = tr("main.install_pack_done", version=info.catalog_version,
                         count=len(info.guides), date=info.catalog_date.isoformat(),
                         signer=info.signer_site)  # fmt: skip
            if self.session_screen is None:  # nothing holds the old guides: switch now
                self.reload_catalog()
            else:
                message += "\n" + tr("main.install_pack_restart")
            self.statusBar().showMessage(message)

        def failed(exc: Exception, _trace: str) -> None:
            self.install_pack_action.setEnabled(True)
            QMessageBox.warning(self, tr("main.install_pack_refused"), str(exc))

        run_task(lambda: install_pack(Path(path), data_dir, forms), done, failed)

    def reload_catalog(self) -> None:
        from dxdesk.core.active_catalog import load_active_catalog
        from dxdesk.core.paths import forms_dir

        catalog = load_active_catalog(self.context.data_dir, self.context.settings, cached=True,
                                      forms=forms_dir())  # fmt: skip
        self.context.catalog = catalog
        self.browser.catalog = catalog
        self.retranslate()

    def about_catalog(self) -> None:
        from dxdesk.core.active_catalog import catalog_stamp

        version, date = catalog_stamp(self.context.catalog, self.context.data_dir)
        QMessageBox.information(self, tr("main.action_about_catalog"), tr(
            "main.about_catalog_text", version=version, date=date,
            count=len(self.context.catalog.guides), layers=self._catalog_layers_text()))  # fmt: skip

    def _catalog_layers_text(self) -> str:
        catalog = self.context.catalog
        origins = [catalog.origin(g) for g in catalog.guides]
        lines = [tr("main.catalog_layers.shipped", count=origins.count("shipped"))]
        for layer in catalog.layers:
            ids = [g for g in catalog.guides if catalog.origin(g) == layer.kind]
            overrides = sum(1 for g in ids if g in catalog.overridden)
            lines.append(tr(f"main.catalog_layers.{layer.kind}", path=str(layer.folder),
                            count=len(ids), overrides=overrides))  # fmt: skip
        return "\n".join(lines)

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
        """After a language switch: the open visit is drawn again in the new language (its
        state is in the session; what the start page holds is carried over), the dashboard
        retranslated, and the class window rebuilt when it is next opened."""
        screen = self.session_screen
        if screen is not None:
            index = self.tabs.indexOf(screen)
            carried = screen.carry_over()
            current = self.tabs.currentWidget() is screen
            fresh = self._new_session_screen(screen.session)
            fresh.restore(carried)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, fresh, tr("main.tab_session"))
            screen.clock.stop()
            screen.deleteLater()
            if current:
                self.tabs.setCurrentWidget(fresh)
                fresh.focus_first()
        if self.dashboard is not None:
            self.dashboard.retranslate()
            self.tabs.setTabText(self.tabs.indexOf(self.dashboard), tr("main.tab_dashboard"))
        if self.class_entry is not None and not self.class_entry.isVisible():
            self.class_entry.deleteLater()
            self.class_entry = None

    # ----------------------------------------------------------------- sessions

    def refresh_today(self) -> None:
        store = self.context.store
        if store is None:
            self.today_text.setText(self.context.store_problem or tr("main.no_store"))
            return
        import datetime as dt

        from dxdesk.core.store import StoreError

        try:
            summary = store.today.summary(dt.date.today())
        except StoreError as exc:  # shown where the counts would be, never swallowed
            self.today_text.setText(str(exc))
            return
        lines = [
            tr(
                "main.today_sessions",
                finished=summary.finished_sessions,
                abandoned=summary.abandoned_sessions,
                open=summary.open_sessions,
            )
        ]
        shown = [(k, v) for k, v in summary.by_outcome.items() if v]
        if shown:
            lines.append(
                tr("common.list_separator").join(
                    f"{tr('wizard.outcome.' + k)} {v}" for k, v in shown
                )
            )
        self.today_text.setText("\n".join(lines))

    def start_session(self) -> None:
        from dxdesk.core.session import SessionError
        from dxdesk.core.store import StoreError

        if self.session_screen is not None:
            self.tabs.setCurrentWidget(self.session_screen)
            return
        if self.context.store is None:
            QMessageBox.warning(
                self,
                tr("main.action_start_session"),
                self.context.store_problem or tr("main.no_store"),
            )
            return
        if not self.context.settings.is_configured and not self.open_settings(first_run=True):
            return
        try:
            session = self.context.store.sessions.start_session(
                self.context.catalog, self.context.settings.site_id
            )
        except (SessionError, StoreError) as exc:
            QMessageBox.critical(self, tr("main.action_start_session"), str(exc))
            return
        self.show_session(session)

    def show_session(self, session) -> None:
        screen = self._new_session_screen(session)
        index = self.tabs.addTab(screen, tr("main.tab_session"))
        self.tabs.setCurrentIndex(index)
        screen.focus_first()
        self.start_action.setEnabled(False)

    def _new_session_screen(self, session):
        from dxdesk.gui.session_screen import SessionScreen

        screen = SessionScreen(session, self.context.catalog)
        screen.ended.connect(self._session_ended)
        screen.step_changed.connect(self._update_resident_display)
        screen.print_requested.connect(self.print_for_attempt)
        self.session_screen = screen
        return screen

    def _session_ended(self, how: str) -> None:
        screen = self.session_screen
        if screen is None:
            return
        self.tabs.removeTab(self.tabs.indexOf(screen))
        screen.deleteLater()
        self.session_screen = None
        self.start_action.setEnabled(True)
        self._close_resident_display()
        self.statusBar().showMessage(tr("main.session_" + how), 8000)
        self.tabs.setCurrentIndex(0)  # back to the guides, ready for the next resident
        self.browser.search.setFocus()
        self.refresh_today()
        self.offer_interrupted_sessions()  # any still waiting after a resumed visit

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

    def toggle_resident_display(self) -> None:
        """F2: the resident's sentence on the second screen; with one screen, docked at the
        side of this window so it never covers the clerk's panel. It never takes focus."""
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QDockWidget

        from dxdesk.gui.resident_display import ResidentDisplay

        shown = self.resident_dock if self.resident_dock is not None else self.resident_display
        if shown is not None and shown.isVisible():
            shown.hide()
            return
        if self.session_screen is None:
            self.statusBar().showMessage(tr("main.display_needs_session"), 5000)
            return
        focus = QApplication.focusWidget()
        if len(QGuiApplication.screens()) > 1:
            if self.resident_display is None:
                self.resident_display = ResidentDisplay(self.session_screen.session)
            self.resident_display.update_sentence()
            self.resident_display.show_on_second_screen()
        else:
            if self.resident_dock is None:
                self.resident_display = ResidentDisplay(self.session_screen.session, self)
                self.resident_display.use_docked_size()
                dock = QDockWidget(tr("main.action_resident_display"), self)
                dock.setObjectName("residentDock")
                dock.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
                dock.setWidget(self.resident_display)
                self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
                self.resizeDocks([dock], [max(320, self.width() // 3)], Qt.Orientation.Horizontal)
                self.resident_dock = dock
            self.resident_display.update_sentence()
            self.resident_dock.show()
        if focus is not None:
            focus.setFocus()  # the clerk keeps the keyboard

    def _close_resident_display(self) -> None:
        if self.resident_dock is not None:
            self.removeDockWidget(self.resident_dock)
            self.resident_dock.deleteLater()
            self.resident_dock = None
        elif self.resident_display is not None:
            self.resident_display.close()
        self.resident_display = None

    def _update_resident_display(self) -> None:
        if self.resident_display is not None and self.resident_display.isVisible():
            self.resident_display.update_sentence()

    def print_for_attempt(self, kind: str, attempt_no: int) -> None:
        from dxdesk.gui.print_dialog import open_print_for_attempt

        if self.session_screen is not None:
            open_print_for_attempt(
                self, self.context, self.session_screen.session, kind, attempt_no
            )

    def offer_interrupted_sessions(self) -> None:
        """After a crash or power cut: resume each open visit at its last step, or close it."""
        from dxdesk.core.store import StoreError

        store = self.context.store
        if store is None or self.session_screen is not None:
            return
        try:
            interrupted = store.sessions.interrupted_sessions()
        except StoreError as exc:  # a store SQLite cannot read: said, not swallowed in a slot
            QMessageBox.warning(self, tr("main.resume_title"), str(exc))
            return
        for open_session in interrupted:
            titles = [pick(self.context.catalog.guides[p].title, ui_language(), "ja")
                      if p in self.context.catalog.guides else p
                      for p in open_session.procedures]  # fmt: skip
            box = QMessageBox(self)
            box.setObjectName("resumeDialog")
            box.setWindowTitle(tr("main.resume_title"))
            box.setText(
                tr(
                    "main.resume_text",
                    started=open_session.started_at.strftime("%Y-%m-%d %H:%M"),
                    procedures=tr("common.list_separator").join(titles)
                    or tr("wizard.no_procedure_yet"),
                )
            )
            resume = box.addButton(tr("main.resume"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(tr("main.close_as_abandoned"), QMessageBox.ButtonRole.DestructiveRole)
            box.exec()
            try:
                if box.clickedButton() is resume:
                    session = store.sessions.load_session(
                        open_session.session_id, self.context.catalog
                    )
                    self.show_session(session)
                    break  # one visit at a time: the others are offered when this one ends
                store.sessions.abandon_interrupted(open_session.session_id)
            except StoreError as exc:
                QMessageBox.warning(self, tr("main.resume_title"), str(exc))
        self.refresh_today()

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
        QSettings("dxdesk", "dxdesk").setValue("main/geometry", self.saveGeometry())
        self._close_resident_display()
        if self.class_entry is not None:
            self.class_entry.close()
        # An open visit stays in the store: it is offered for resumption at the next start.
        super().closeEvent(event)
