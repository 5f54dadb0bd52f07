"""The session wizard: a thin view over :class:`~dxdesk.core.session_flow.SessionFlow` (core),
which decides every move, over ``SupportSession``, which commits every change.

The screen implements the flow's :class:`~dxdesk.core.session_flow.SessionView` questions
(pages, messages, modal dialogs) and forwards keys and clicks; the pages are in
``session_pages.py``. Keyboard: Enter = next, Backspace = back, 1-9 answer a branch, Esc asks
before abandoning.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.catalog import Catalog
from dxdesk.core.i18n import tr
from dxdesk.core.session import SupportSession
from dxdesk.core.session_flow import (
    PAGE_OUTCOME,
    PAGE_START,
    PAGE_STEP,
    NoteDraft,
    Question,
    SessionFlow,
    VisitContext,
)
from dxdesk.gui.fit import FlowLayout, fit_to_screen
from dxdesk.gui.session_pages import OutcomePage, StartPage, StepPage

PAGES = (PAGE_START, PAGE_STEP, PAGE_OUTCOME)  # in the order of the stacked widget


class SessionScreen(QWidget):
    """Renders one SupportSession; every click goes to the flow, which asks the session."""

    ended = Signal(str)  # 'finished' or 'abandoned'
    step_changed = Signal()  # the resident display follows this
    print_requested = Signal(str, int)  # 'slip' | 'paper', attempt_no

    def __init__(self, session: SupportSession, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sessionScreen")
        self.session = session
        self.catalog = catalog
        self.flow = SessionFlow(session, catalog, self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(tr("a11y.session_screen"))
        outer = QVBoxLayout(self)

        # The header wraps: timer and buttons flow, the procedures take their own full row.
        header_box = QWidget(objectName="sessionHeader")
        header = FlowLayout(header_box)
        self.timer_label = QLabel(objectName="sessionTimer")
        self.timer_icon = QLabel(objectName="sessionTimerIcon")
        self.procedures_label = QLabel(objectName="sessionProcedures")
        self.procedures_label.setWordWrap(True)
        self.add_button = QPushButton(tr("wizard.add_procedure"), objectName="addProcedureButton")
        self.abandon_button = QPushButton(tr("wizard.abandon"), objectName="abandonButton")
        header.addWidget(self.timer_icon)
        header.addWidget(self.timer_label)
        header.addWidget(self.add_button)
        header.addWidget(self.abandon_button)
        outer.addWidget(header_box)
        outer.addWidget(self.procedures_label)

        self.message = QLabel(objectName="sessionMessage")
        self.message.setProperty("role", "warning")
        self.message.setWordWrap(True)
        self.message.hide()
        outer.addWidget(self.message)

        self.start_page = StartPage(catalog, self.flow)
        self.step_page = StepPage(self.flow)
        self.outcome_page = OutcomePage(self.flow)
        self.pages = QStackedWidget(objectName="wizardPages")
        for page in (self.start_page, self.step_page, self.outcome_page):
            self.pages.addWidget(page)
        outer.addWidget(self.pages, 1)
        # The fields tests and the main window reach by name.
        self.start_browser = self.start_page.browser
        self.age_combo = self.start_page.age_combo
        self.device_combo = self.start_page.device_combo
        self.language_combo = self.start_page.language_combo
        self.return_code = self.start_page.return_code
        self.pitfalls_toggle = self.step_page.pitfalls_toggle
        self.note_edit = self.outcome_page.note_edit
        self.hygiene_checks = self.outcome_page.hygiene_checks
        for check in self.hygiene_checks.values():
            check.toggled.connect(self._hygiene_toggled)

        self.add_button.clicked.connect(self.flow.offer_procedures)
        self.abandon_button.clicked.connect(self.flow.abandon)
        self.clock = QTimer(self)
        self.clock.timeout.connect(self._tick)
        self.clock.start(1000)
        self.pages.setCurrentIndex(PAGES.index(self.flow.first_page))
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        # The icon as tall as the timer's digits, once the theme has set their size.
        from PySide6.QtGui import QIcon

        from dxdesk.gui.resources import icon_path

        size = self.timer_label.fontMetrics().height()
        self.timer_icon.setPixmap(QIcon(icon_path("timer.svg")).pixmap(QSize(size, size)))
        super().showEvent(event)

    # ================================================================== what the clerk does

    def begin(self) -> None:
        self.flow.begin()

    def add_procedure_dialog(self) -> None:
        self.flow.offer_procedures()

    def add_procedure(self, guide_id: str) -> None:
        self.flow.add_procedure(guide_id)

    def go_next(self) -> None:
        self.flow.next()

    def go_back(self) -> None:
        self.flow.back()

    def answer(self, index: int) -> None:
        self.flow.answer(index)

    def finish(self) -> None:
        self.flow.finish()

    def ask_abandon(self) -> None:
        self.flow.abandon()

    def show_step_page(self) -> None:
        self.show_page(PAGE_STEP)

    def show_outcome_page(self) -> None:
        self.show_page(PAGE_OUTCOME)

    # ================================================================== SessionView

    def current_page(self) -> str:
        return PAGES[self.pages.currentIndex()]

    def show_page(self, page: str) -> None:
        if page == PAGE_OUTCOME:
            self.outcome_page.rebuild(self.flow.outcome_rows())
        self.pages.setCurrentIndex(PAGES.index(page))
        self.refresh()
        if page == PAGE_OUTCOME:
            self.outcome_page.focus_missing_outcome()

    def refresh(self) -> None:
        self._tick()
        self.procedures_label.setText(self.flow.procedures_line())
        self.add_button.setEnabled(bool(self.session.attempts))
        if not self.session.attempts:
            self.pages.setCurrentIndex(PAGES.index(PAGE_START))
        page = self.current_page()
        if page == PAGE_STEP:
            state = self.flow.step_state()
            if state is not None and self.session.current is not None:
                self.step_page.paint(state, self.session.current)
                if state.walk_ended_message:
                    self.show_message(state.walk_ended_message)
        elif page == PAGE_OUTCOME:
            self.outcome_page.paint()
        self.step_changed.emit()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def hide_message(self) -> None:
        self.message.hide()

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def confirm(self, question: Question) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, question.title, question.text, parent=self)
        box.setObjectName(f"{question.name}Dialog")
        yes = box.addButton(question.yes, QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(question.no, QMessageBox.ButtonRole.RejectRole)
        yes.setObjectName(f"{question.name}Yes")
        keep.setObjectName(f"{question.name}No")
        box.setDefaultButton(keep)  # Enter keeps things as they are: a deliberate choice to act
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is yes

    def choose(self, title: str, label: str, options: list[str]) -> str | None:
        chosen, ok = QInputDialog.getItem(self, title, label, options, 0, False)
        return chosen if ok and chosen else None

    def other_note_dialog(self):
        """The 'other' blocker's note dialog, sized to the screen."""
        from dxdesk.gui.note_dialog import OtherNoteDialog

        dialog = OtherNoteDialog(self)
        dialog.edit.setAccessibleName(tr("a11y.other_note"))
        fit_to_screen(dialog, dialog.sizeHint().expandedTo(QSize(640, 320)))
        return dialog

    def ask_other_note(self) -> str | None:
        dialog = self.other_note_dialog()
        return dialog.note if dialog.exec() == dialog.DialogCode.Accepted else None

    def start_choices(self) -> tuple[str | None, VisitContext]:
        return self.start_page.choices()

    def note_draft(self) -> NoteDraft:
        return self.note_edit.draft

    def hygiene_ticks(self) -> Mapping[str, bool]:
        return {item: check.isChecked() for item, check in self.hygiene_checks.items()}

    def show_saved_outcome(self, attempt_no: int) -> None:
        self.outcome_page.show_saved_outcome(attempt_no)

    def focus_missing_outcome(self) -> bool:
        return self.outcome_page.focus_missing_outcome()

    def open_print(self, kind: str, attempt_no: int) -> None:
        self.print_requested.emit(kind, attempt_no)

    def visit_ended(self, how: str) -> None:
        self.clock.stop()
        self.ended.emit(how)

    # ================================================================== language switch

    def carry_over(self) -> dict:
        """What lives only in the widgets (not yet in the session), for a redrawn screen."""
        guide_id, context = self.start_page.choices()
        return {
            "page": self.current_page(),
            "context": context,
            "guide": guide_id,
            "note": self.note_edit.toPlainText(),
            "hygiene": self.hygiene_ticks(),
        }

    def restore(self, carried: dict) -> None:
        context: VisitContext = carried["context"]
        for combo, value in ((self.age_combo, context.age_band),
                             (self.device_combo, context.device),
                             (self.language_combo, context.help_language)):  # fmt: skip
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.return_code.setText(context.return_code)
        if carried["guide"]:
            self.start_browser.select(carried["guide"])
        self.note_edit.setPlainText(carried["note"])
        for key, on in carried["hygiene"].items():
            self.hygiene_checks[key].setChecked(on)
        if carried["page"] != PAGE_START and self.session.attempts:
            self.show_page(carried["page"])

    @property
    def on_start_page(self) -> bool:
        return self.current_page() == PAGE_START

    def focus_first(self) -> None:
        """Focus where the clerk starts on the current page (Ctrl+N: the first field)."""
        page = self.current_page()
        if page == PAGE_START:
            self.age_combo.setFocus()
        elif page != PAGE_OUTCOME or not self.focus_missing_outcome():
            self.setFocus()

    # ================================================================== rendering and keys

    def _tick(self) -> None:
        seconds = int(self.session.elapsed().total_seconds())
        self.timer_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")
        self.timer_label.setAccessibleName(
            tr("wizard.elapsed", minutes=seconds // 60, seconds=seconds % 60)
        )

    def _hygiene_toggled(self, _on: bool) -> None:
        # The warning about the checklist goes once all three are ticked.
        if all(c.isChecked() for c in self.hygiene_checks.values()):
            self.message.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        from PySide6.QtWidgets import QApplication

        key = event.key()
        focus = QApplication.focusWidget()
        typing = isinstance(focus, (QLineEdit, QPlainTextEdit, QComboBox))
        if key == Qt.Key.Key_Escape:
            self.flow.abandon()
            return
        if typing and key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        page = self.current_page()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if page == PAGE_START:
                self.flow.begin()
            elif page == PAGE_STEP:
                self.flow.next()
            elif not isinstance(focus, QPlainTextEdit):  # Enter in the note is a new line
                self.flow.enter_on_outcome()
            return
        if key == Qt.Key.Key_Backspace and page != PAGE_START:
            self.flow.back()
            return
        if page == PAGE_STEP and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.flow.answer(key - Qt.Key.Key_1)
            return
        super().keyPressEvent(event)
