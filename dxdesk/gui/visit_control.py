"""The main window's visits: the today panel, starting, resuming and ending a visit, and the
resident's display beside it.

A mixin of :class:`dxdesk.gui.main_window.MainWindow` (it works on the window's tabs, context
and status bar). The session screen, the resident display and the print dialog load on first
use, so none of them is on the start-up path.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from dxdesk.core.i18n import pick, tr, ui_language


class VisitControl:
    """Visits are recorded in the store; this part of the window starts, shows and ends them."""

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
        from PySide6.QtWidgets import QMessageBox

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
        screen = self.new_session_screen(session)
        index = self.tabs.addTab(screen, tr("main.tab_session"))
        self.tabs.setCurrentIndex(index)
        screen.focus_first()
        self.start_action.setEnabled(False)

    def new_session_screen(self, session):
        from dxdesk.gui.session_screen import SessionScreen

        screen = SessionScreen(session, self.context.catalog)
        screen.ended.connect(self._session_ended)
        screen.step_changed.connect(self._update_resident_display)
        screen.print_requested.connect(self.print_for_attempt)
        self.session_screen = screen
        return screen

    def redraw_session_screen(self) -> None:
        """After a language switch: the open visit drawn again in the new language (its state
        is in the session; what the start page holds is carried over)."""
        screen = self.session_screen
        if screen is None:
            return
        index = self.tabs.indexOf(screen)
        carried = screen.carry_over()
        current = self.tabs.currentWidget() is screen
        fresh = self.new_session_screen(screen.session)
        fresh.restore(carried)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, fresh, tr("main.tab_session"))
        screen.clock.stop()
        screen.deleteLater()
        if current:
            self.tabs.setCurrentWidget(fresh)
            fresh.focus_first()

    def _session_ended(self, how: str) -> None:
        screen = self.session_screen
        if screen is None:
            return
        self.tabs.removeTab(self.tabs.indexOf(screen))
        screen.deleteLater()
        self.session_screen = None
        self.start_action.setEnabled(True)
        self.close_resident_display()
        self.statusBar().showMessage(tr("main.session_" + how), 8000)
        self.tabs.setCurrentIndex(0)  # back to the guides, ready for the next resident
        self.browser.search.setFocus()
        self.refresh_today()
        self.offer_interrupted_sessions()  # any still waiting after a resumed visit

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

    def close_resident_display(self) -> None:
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
        from PySide6.QtWidgets import QMessageBox

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
