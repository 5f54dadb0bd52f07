"""The main window's actions, toolbar, menus and status-bar labels, and its catalog menu.

A mixin of :class:`dxdesk.gui.main_window.MainWindow`: it works on the window's context, status
bar and guide list. Apart so that the window's own module is about its panes and screens.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QToolBar

from dxdesk.core.i18n import tr


class MainMenus:
    """Every action in the toolbar or a menu too, where its shortcut is shown (the toolbar takes
    no Tab)."""

    def build_menus(self) -> None:
        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.settings_action = self._action("settingsAction", "Ctrl+,", self.open_settings)
        self.language_action = self._action("languageAction", "Ctrl+L", self.toggle_language)
        self.start_action = self._action("startSessionAction", "Ctrl+N", self.start_session)
        self.display_action = self._action("residentDisplayAction", "F2",
                                           self.toggle_resident_display)  # fmt: skip
        self.display_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.dashboard_action = self._action("dashboardAction", "Ctrl+D", self.show_dashboard)
        self.classes_action = self._action("classesAction", "Ctrl+K", self.open_classes)
        self.find_action = self._action("findAction", "Ctrl+F", self.focus_search)
        self.toolbar.addActions([self.start_action, self.display_action, self.dashboard_action,
                                 self.classes_action])  # fmt: skip
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.settings_action, self.language_action])
        self.session_menu = self.menuBar().addMenu("")
        self.session_menu.setObjectName("sessionMenu")
        self.session_menu.addActions([self.start_action, self.display_action, self.find_action])
        self.view_menu = self.menuBar().addMenu("")
        self.view_menu.setObjectName("viewMenu")
        self.view_menu.addActions([self.dashboard_action, self.classes_action])
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.settings_action, self.language_action])

        self.site_label = QLabel(objectName="siteLabel")
        self.statusBar().addPermanentWidget(self.site_label)
        self.catalog_label = QLabel(objectName="catalogLabel")
        self.statusBar().addPermanentWidget(self.catalog_label)
        self.catalog_menu = self.menuBar().addMenu("")
        self.catalog_menu.setObjectName("catalogMenu")
        self.install_pack_action = self._action("installPackAction", "",
                                                lambda: self.install_pack())  # fmt: skip
        self.about_catalog_action = self._action("aboutCatalogAction", "", self.about_catalog)
        self.catalog_menu.addActions([self.install_pack_action, self.about_catalog_action])

    def _action(self, name: str, keys: str, slot) -> QAction:
        action = QAction(self, objectName=name)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    def retranslate_menus(self) -> None:
        self.settings_action.setText(tr("main.action_settings"))
        self.start_action.setText(tr("main.action_start_session"))
        self.display_action.setText(tr("main.action_resident_display"))
        self.dashboard_action.setText(tr("main.action_dashboard"))
        self.classes_action.setText(tr("main.action_classes"))
        self.language_action.setText(tr("main.action_language"))
        self.find_action.setText(tr("main.action_find"))
        self.session_menu.setTitle(tr("main.menu_session"))
        self.view_menu.setTitle(tr("main.menu_view"))
        for action in (self.start_action, self.display_action, self.dashboard_action,
                       self.classes_action, self.settings_action, self.language_action):  # fmt: skip
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{action.text()} ({keys})" if keys else action.text())
        site = self.context.settings
        self.site_label.setText(
            tr("main.site_label", site=site.site_name, site_id=site.site_id)
            if site.is_configured
            else tr("main.site_unconfigured")
        )
        self._retranslate_catalog_menu()

    # ----------------------------------------------------------------- the catalog in use

    def _retranslate_catalog_menu(self) -> None:
        # The catalog label is the catalog's: the window sets it with the problems tab.
        self.catalog_menu.setTitle(tr("main.menu_catalog"))
        self.install_pack_action.setText(tr("main.action_install_pack"))
        self.about_catalog_action.setText(tr("main.action_about_catalog"))

    def install_pack(self, path: str | None = None) -> None:
        """Verify and install a signed catalog pack off the GUI thread; a refusal is shown and
        the catalog in use stays."""
        from PySide6.QtWidgets import QFileDialog, QMessageBox

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
        from PySide6.QtWidgets import QMessageBox

        from dxdesk.core.active_catalog import catalog_stamp

        version, date = catalog_stamp(self.context.catalog, self.context.data_dir)
        QMessageBox.information(self, tr("main.action_about_catalog"), tr(
            "main.about_catalog_text", version=version, date=date,
            count=len(self.context.catalog.guides), layers=self.catalog_layers_text()))  # fmt: skip

    def catalog_layers_text(self) -> str:
        from dxdesk.gui.first_screen import layers_text

        return layers_text(self.context.catalog)
