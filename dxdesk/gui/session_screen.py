"""The session wizard: a thin view over ``SupportSession`` (core), which commits every change.

Pages: start (resident context, first procedure) → steps (instruction, resident sentence,
pitfalls, branch answers, blockers) → outcome (per procedure, print, note, hygiene, finish).
Keyboard: Enter = next, Backspace = back, 1-9 answer a branch, Esc asks before abandoning.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.catalog import Catalog, ruby_html
from dxdesk.core.contract import OUTCOMES
from dxdesk.core.i18n import LANGUAGE_NAMES, pick, tr, ui_language
from dxdesk.core.privacy import utf16_span
from dxdesk.core.privacy.note_check import NoteGuard, note_problem
from dxdesk.core.session import (
    AGE_BANDS,
    DEVICES,
    HELP_LANGUAGES,
    NOTE_MAX_CHARS,
    OTHER_BLOCKER,
    SessionError,
    SupportSession,
)
from dxdesk.core.store import StoreError
from dxdesk.gui.a11y import name_form_fields
from dxdesk.gui.fit import FlowLayout, WrappingButton, fit_to_screen, scrolling
from dxdesk.gui.main_window import CatalogBrowser

PAGE_START, PAGE_STEP, PAGE_OUTCOME = range(3)


def _text(texts: dict[str, str] | None) -> str:
    return pick(texts, ui_language(), "ja") or ""


def _icon_html(name: str, label: QLabel, alt: str) -> str:
    """A shipped SVG icon inline in rich text, as tall as the label's text (emoji show as boxes
    on a PC without an emoji font)."""
    from pathlib import Path

    from dxdesk.gui.resources import icon_path

    size = label.fontMetrics().height()
    url = Path(icon_path(name)).as_uri()
    return f'<img src="{url}" width="{size}" height="{size}" alt="{escape(alt)}"> '


class GuardedNoteEdit(QPlainTextEdit):
    """A short free-text field that marks personal data live; ``is_clean`` gates saving."""

    findings_changed = Signal(list)

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTabChangesFocus(True)
        self.setMaximumHeight(90)
        self.findings: list = []
        self.note_guard = NoteGuard()  # the whole note after every edit, and what a deletion leaves
        self.textChanged.connect(self._scan)

    def _scan(self) -> None:
        text = self.toPlainText()
        self.findings = self.note_guard.check(text)
        marks = []
        fmt = QTextCharFormat()
        fmt.setBackground(Qt.GlobalColor.red)
        fmt.setForeground(Qt.GlobalColor.white)
        for finding in self.findings:
            start, end = utf16_span(text, finding)
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            marks.append(selection)
        self.setExtraSelections(marks)
        self.findings_changed.emit(self.findings)

    @property
    def is_clean(self) -> bool:
        return not self.findings and len(self.toPlainText()) <= NOTE_MAX_CHARS

    def problem_text(self) -> str:
        if self.findings:
            return note_problem(self.findings)
        if len(self.toPlainText()) > NOTE_MAX_CHARS:
            return tr("wizard.note_too_long", max=NOTE_MAX_CHARS)
        return ""


def _with_footer(page: QWidget, footer: QHBoxLayout, name: str) -> QWidget:
    """A page that scrolls above its navigation buttons, which stay on screen."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    area = scrolling(page, name)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    layout.addWidget(area, 1)
    layout.addLayout(footer)
    return holder


class ReflowPage(QScrollArea):
    """Side by side when the width allows, one above the other when it does not."""

    def __init__(self, page: QWidget, layout: QHBoxLayout, name: str) -> None:
        super().__init__(objectName=name)
        self.page, self.row = page, layout
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(page)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        side_by_side = sum(
            self.row.itemAt(i).widget().minimumSizeHint().width()
            for i in range(self.row.count())
            if self.row.itemAt(i).widget()
        )
        wide_enough = event.size().width() >= side_by_side + 40
        direction = (
            QHBoxLayout.Direction.LeftToRight if wide_enough else QHBoxLayout.Direction.TopToBottom
        )
        if self.row.direction() != direction:
            self.row.setDirection(direction)
        super().resizeEvent(event)


class SessionScreen(QWidget):
    """Renders one SupportSession; every click goes to the session, which commits it first."""

    ended = Signal(str)  # 'finished' or 'abandoned'
    step_changed = Signal()  # the resident display follows this
    print_requested = Signal(str, int)  # 'slip' | 'paper', attempt_no

    def __init__(self, session: SupportSession, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sessionScreen")
        self.session = session
        self.catalog = catalog
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

        self.pages = QStackedWidget(objectName="wizardPages")
        self.pages.addWidget(self._build_start_page())
        self.pages.addWidget(self._build_step_page())
        self.pages.addWidget(self._build_outcome_page())
        outer.addWidget(self.pages, 1)

        self.add_button.clicked.connect(self.add_procedure_dialog)
        self.abandon_button.clicked.connect(self.ask_abandon)
        self.clock = QTimer(self)
        self.clock.timeout.connect(self._tick)
        self.clock.start(1000)
        if session.attempts:  # a resumed visit opens where it stopped
            self.pages.setCurrentIndex(PAGE_STEP)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        # The icon as tall as the timer's digits, once the theme has set their size.
        from PySide6.QtGui import QIcon

        from dxdesk.gui.resources import icon_path

        size = self.timer_label.fontMetrics().height()
        self.timer_icon.setPixmap(QIcon(icon_path("timer.svg")).pixmap(QSize(size, size)))
        super().showEvent(event)

    # ================================================================== page builders

    def _build_start_page(self) -> QWidget:
        page = QWidget(objectName="startPage")
        layout = QHBoxLayout(page)
        context = QGroupBox(tr("wizard.context_title"))
        self.start_layout = layout
        form = QFormLayout(context)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.age_combo = self._combo("ageBandCombo", AGE_BANDS, "age_band")
        self.device_combo = self._combo("deviceCombo", DEVICES, "device")
        self.language_combo = QComboBox(objectName="helpLanguageCombo")
        for code in HELP_LANGUAGES:
            self.language_combo.addItem(
                tr("wizard.unknown") if code == "unknown" else LANGUAGE_NAMES[code], code
            )
        self.return_code = QLineEdit(objectName="returnCodeEdit")
        self.return_code.setPlaceholderText(tr("wizard.return_code_placeholder"))
        form.addRow(tr("wizard.age_band"), self.age_combo)
        form.addRow(tr("wizard.device"), self.device_combo)
        form.addRow(tr("wizard.help_language"), self.language_combo)
        form.addRow(tr("wizard.return_code"), self.return_code)
        name_form_fields(form)
        hint = QLabel(tr("wizard.context_hint"))
        hint.setWordWrap(True)
        form.addRow(hint)
        layout.addWidget(context, 2)

        choose = QGroupBox(tr("wizard.choose_procedure"))
        choose_layout = QVBoxLayout(choose)
        self.start_browser = CatalogBrowser(self.catalog)
        self.start_browser.setObjectName("startProcedureBrowser")
        self.start_browser.retranslate()
        self.begin_button = QPushButton(tr("wizard.begin"), objectName="beginButton")
        self.begin_button.setProperty("role", "primary")
        choose_layout.addWidget(self.start_browser)
        layout.addWidget(choose, 3)
        self.begin_button.clicked.connect(self.begin)
        self.start_browser.tree.itemActivated.connect(lambda *_: self.begin())
        holder = QWidget()
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(ReflowPage(page, layout, "startScroll"), 1)
        outer.addWidget(self.begin_button)  # a footer: never scrolled away
        return holder

    def _combo(self, name: str, values: tuple[str, ...], prefix: str) -> QComboBox:
        combo = QComboBox(objectName=name)
        for value in values:
            combo.addItem(tr(f"wizard.{prefix}.{value}"), value)
        return combo

    def _build_step_page(self) -> QWidget:
        page = QWidget(objectName="stepPage")
        layout = QVBoxLayout(page)
        self.guide_title = QLabel(objectName="guideTitle")
        self.guide_title.setProperty("role", "heading")
        self.guide_title.setWordWrap(True)
        self.step_title = QLabel(objectName="stepTitle")
        self.step_title.setWordWrap(True)
        self.staff_text = QLabel(objectName="staffInstruction")
        self.staff_text.setWordWrap(True)
        self.resident_text = QLabel(objectName="residentSentence")
        self.resident_text.setWordWrap(True)
        self.resident_text.setTextFormat(Qt.TextFormat.RichText)
        self.screen_text = QLabel(objectName="screenHint")
        self.screen_text.setWordWrap(True)
        for label in (self.guide_title, self.step_title, self.staff_text, self.resident_text,
                      self.screen_text):  # fmt: skip
            layout.addWidget(label)

        self.pitfalls_toggle = QToolButton(objectName="pitfallsToggle")
        self.pitfalls_toggle.setCheckable(True)
        self.pitfalls_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pitfalls_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.pitfalls_body = QLabel(objectName="pitfallsBody")
        self.pitfalls_body.setWordWrap(True)
        self.pitfalls_body.hide()
        self.pitfalls_toggle.toggled.connect(self._toggle_pitfalls)
        layout.addWidget(self.pitfalls_toggle)
        layout.addWidget(self.pitfalls_body)

        self.question = QLabel(objectName="branchQuestion")
        self.question.setProperty("role", "heading")
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.question)
        self.answers_box = QWidget(objectName="branchAnswers")
        self.answers_layout = QVBoxLayout(self.answers_box)
        self.answers_layout.setContentsMargins(0, 0, 0, 0)
        self.answer_buttons: list[WrappingButton] = []
        for i in range(9):  # digits 1-9 answer; a question has at most nine answers
            button = WrappingButton(objectName=f"answerButton{i}")
            button.setProperty("role", "answer")
            button.clicked.connect(lambda _=False, i=i: self.answer(i))
            button.hide()
            self.answer_buttons.append(button)
            self.answers_layout.addWidget(button)
        layout.addWidget(self.answers_box)
        self.suggestion = QLabel(objectName="guideSuggestion")
        self.suggestion.setWordWrap(True)
        self.suggest_button = QPushButton(objectName="addSuggestedButton")
        self.suggest_button.clicked.connect(self._add_suggested)
        layout.addWidget(self.suggestion)
        layout.addWidget(self.suggest_button)
        layout.addStretch(1)

        blockers = QGroupBox(tr("wizard.blockers"), objectName="blockerBox")
        self.blockers_layout = FlowLayout(blockers)
        self.blockers_layout.setContentsMargins(8, 8, 8, 8)
        self.blocker_buttons: dict[str, QPushButton] = {}
        self._blockers_for: object = None  # the attempt whose blocker buttons are shown
        layout.addWidget(blockers)
        # A marked blocker whose taxonomy entry names a guide (resolved_by): offer that guide.
        resolve_row = QHBoxLayout()
        self.resolve_hint = QLabel(objectName="resolveHint")
        self.resolve_hint.setWordWrap(True)
        self.resolve_button = QPushButton(
            tr("wizard.open_resolving_guide"), objectName="openResolvingGuideButton"
        )
        self.resolve_button.clicked.connect(self._open_resolving_guide)
        resolve_row.addWidget(self.resolve_hint, 1)
        resolve_row.addWidget(self.resolve_button)
        layout.addLayout(resolve_row)

        nav = QHBoxLayout()  # the step's own footer: always on screen, never scrolled away
        self.back_button = QPushButton(tr("wizard.back"), objectName="backButton")
        self.next_button = QPushButton(tr("wizard.next"), objectName="nextButton")
        self.next_button.setProperty("role", "primary")
        self.to_outcome_button = QPushButton(tr("wizard.to_outcome"), objectName="toOutcomeButton")
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.to_outcome_button)
        nav.addWidget(self.next_button)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.to_outcome_button.clicked.connect(self.show_outcome_page)
        return _with_footer(page, nav, "stepScroll")

    def _build_outcome_page(self) -> QWidget:
        page = QWidget(objectName="outcomePage")
        layout = QVBoxLayout(page)
        title = QLabel(tr("wizard.outcome_title"))
        title.setProperty("role", "heading")
        layout.addWidget(title)
        self.outcomes_box = QWidget(objectName="outcomesBox")
        self.outcomes_layout = QVBoxLayout(self.outcomes_box)
        self.outcomes_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.outcomes_box)

        note_box = QGroupBox(tr("wizard.session_note"))
        note_layout = QVBoxLayout(note_box)
        self.note_edit = GuardedNoteEdit("sessionNoteEdit")
        self.note_edit.setPlaceholderText(tr("wizard.note_placeholder"))
        self.note_edit.setAccessibleName(tr("a11y.session_note"))
        self.note_problem = QLabel(objectName="sessionNoteProblem")
        self.note_problem.setProperty("role", "warning")
        self.note_problem.setWordWrap(True)
        note_layout.addWidget(self.note_edit)
        note_layout.addWidget(self.note_problem)
        self.note_edit.findings_changed.connect(self._note_changed)
        layout.addWidget(note_box)

        self.hygiene_box = QGroupBox(tr("wizard.hygiene_title"), objectName="hygieneBox")
        hygiene_layout = QVBoxLayout(self.hygiene_box)
        explain = QLabel(tr("wizard.hygiene_explain"))
        explain.setWordWrap(True)
        hygiene_layout.addWidget(explain)
        self.hygiene_checks: dict[str, QCheckBox] = {}
        for item in ("logged_out", "browser_closed", "card_returned"):
            check = QCheckBox(tr(f"session.hygiene.{item}"), objectName=f"hygiene_{item}")
            check.toggled.connect(self._hygiene_toggled)
            self.hygiene_checks[item] = check
            hygiene_layout.addWidget(check)
        layout.addWidget(self.hygiene_box)

        layout.addStretch(1)
        nav = QHBoxLayout()
        back = QPushButton(tr("wizard.back_to_steps"), objectName="backToStepsButton")
        back.clicked.connect(self.show_step_page)
        self.back_to_steps = back
        self.finish_button = QPushButton(tr("wizard.finish"), objectName="finishButton")
        self.finish_button.setProperty("role", "primary")
        self.finish_button.clicked.connect(self.finish)
        nav.addWidget(back)
        nav.addStretch(1)
        nav.addWidget(self.finish_button)
        return _with_footer(page, nav, "outcomeScroll")

    # ================================================================== actions

    def _run(self, action: Callable[[], object]) -> bool:
        """Run a session action; show its message and stay put when it is refused."""
        try:
            action()
        except SessionError as exc:
            self.show_message(str(exc))
            return False
        except StoreError as exc:
            # The session rolled back: name the step whose last action is not on disk.
            step = self.session.current_step
            where = f"{_text(step.title)} ({step.id})" if step else "-"
            QMessageBox.critical(
                self,
                tr("wizard.store_error_title"),
                tr("wizard.store_error", step=where, error=str(exc)),
            )
            return False
        self.message.hide()
        return True

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def begin(self) -> None:
        guide = self.start_browser.selected_guide()
        if guide is None:
            self.show_message(tr("wizard.pick_a_procedure"))
            return

        def start() -> None:
            self.session.set_context(
                age_band=self.age_combo.currentData(),
                device=self.device_combo.currentData(),
                help_language=self.language_combo.currentData(),
                return_of_code=self.return_code.text(),
            )
            self.session.add_procedure(guide.id)

        if self._run(start):
            self.show_step_page()

    def add_procedure_dialog(self) -> None:
        # As the catalog lists them (category, then reading), without those already in the visit.
        taxonomy = self.catalog.taxonomy
        order = [c.id for c in taxonomy.categories] if taxonomy else []
        in_visit = {a.procedure_id for a in self.session.attempts}
        guides = sorted(
            (g for g in self.catalog.guides.values() if g.id not in in_visit),
            key=lambda g: (order.index(g.category) if g.category in order else 99, g.kana),
        )
        titles = {_text(g.title): g.id for g in guides}
        if not titles:
            return
        title, ok = QInputDialog.getItem(
            self, tr("wizard.add_procedure"), tr("wizard.choose_procedure"), list(titles), 0, False
        )
        if ok and title:
            self.add_procedure(titles[title])

    def add_procedure(self, guide_id: str) -> None:
        if self._run(lambda: self.session.add_procedure(guide_id)):
            self.show_step_page()

    def _add_suggested(self) -> None:
        result = self.session.last_answer
        if result and result.suggested_guide:
            self.add_procedure(result.suggested_guide)

    def go_next(self) -> None:
        if self.session.branch is not None:
            self.show_message(tr("wizard.answer_first"))
            return
        if self.session.current and self.session.current.walk_ended:
            self.show_outcome_page()
            return
        if self._run(self.session.advance):
            if self.session.current and self.session.current.walk_ended:
                self.show_outcome_page()
            else:
                self.refresh()

    def go_back(self) -> None:
        if self.pages.currentIndex() == PAGE_OUTCOME:
            self.show_step_page()
            return
        if self.session.can_go_back and self._run(self.session.back):
            self.refresh()

    def answer(self, index: int) -> None:
        if self.session.branch is None or index >= len(self.session.branch.answers):
            return
        if not self._run(lambda: self.session.answer(index)):
            return
        attempt, result = self.session.current, self.session.last_answer
        # A suggested guide stays on screen so the clerk can add it; otherwise go to the outcome.
        if attempt and attempt.walk_ended and not (result and result.suggested_guide):
            self.show_outcome_page()
        else:
            self.refresh()

    def toggle_blocker(self, blocker_id: str, checked: bool) -> None:
        attempt = self.session.current
        if attempt is None:
            return
        if checked and blocker_id not in attempt.blockers:
            note = None
            if blocker_id == OTHER_BLOCKER:
                note = self._ask_other_note()
                if note is None:
                    self.refresh()
                    return
            self._run(lambda: self.session.mark_blocker(blocker_id, note))
        elif not checked and blocker_id in attempt.blockers:
            self._run(lambda: self.session.unmark_blocker(blocker_id))
        self.refresh()

    def _open_resolving_guide(self) -> None:
        found = self.session.resolving_guide()
        if found is not None:
            self.add_procedure(found[1].id)

    def _sync_resolving_guide(self, suggested: str | None) -> None:
        found = self.session.resolving_guide()
        if found is not None and found[1].id == suggested:
            found = None  # the branch answer already offers the same guide
        self.resolve_hint.setVisible(found is not None)
        self.resolve_button.setVisible(found is not None)
        if found is not None:
            blocker, guide = found
            self.resolve_hint.setText(
                tr("wizard.resolve_hint", blocker=_text(blocker.label), title=_text(guide.title))
            )

    def other_note_dialog(self):
        """The 'other' blocker's note dialog, sized to the screen."""
        from dxdesk.gui.note_dialog import OtherNoteDialog

        dialog = OtherNoteDialog(self)
        dialog.edit.setAccessibleName(tr("a11y.other_note"))
        fit_to_screen(dialog, dialog.sizeHint().expandedTo(QSize(640, 320)))
        return dialog

    def _ask_other_note(self) -> str | None:
        dialog = self.other_note_dialog()
        return dialog.note if dialog.exec() == dialog.DialogCode.Accepted else None

    def show_step_page(self) -> None:
        self.pages.setCurrentIndex(PAGE_STEP)
        self.refresh()

    def show_outcome_page(self) -> None:
        self._rebuild_outcomes()
        self.pages.setCurrentIndex(PAGE_OUTCOME)
        self.refresh()
        self._outcome_tab_order()
        self._focus_missing_outcome()

    def _outcome_tab_order(self) -> None:
        """Tab follows the page: the outcomes first, then printing, the note, the checklist."""
        chain: list[QWidget] = []
        for attempt in self.session.attempts:
            group = self.outcome_groups.get(attempt.attempt_no)
            if group is not None:
                chain += group.buttons()
            for name in (f"printSlipButton{attempt.attempt_no}",
                         f"printPaperButton{attempt.attempt_no}"):  # fmt: skip
                found = self.outcomes_box.findChild(QPushButton, name)
                if found is not None:
                    chain.append(found)
        chain += [self.note_edit, *self.hygiene_checks.values(), self.back_to_steps,
                  self.finish_button]  # fmt: skip
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _focus_missing_outcome(self) -> bool:
        """Focus the first procedure still without an outcome; False when none is missing."""
        for attempt in self.session.missing_outcomes():
            group = self.outcome_groups.get(attempt.attempt_no)
            if group is not None and group.buttons():
                group.buttons()[0].setFocus()
                return True
        return False

    def set_outcome(self, attempt_no: int, outcome: str) -> None:
        if not self._save_outcome(attempt_no, outcome):
            self._show_saved_outcome(attempt_no)  # the radio shows what the store holds
        self.refresh()

    def _save_outcome(self, attempt_no: int, outcome: str) -> bool:
        """Record an outcome; a store failure names the outcome and procedure not saved."""
        try:
            self.session.set_outcome(outcome, attempt_no)
        except SessionError as exc:
            self.show_message(str(exc))
            return False
        except StoreError as exc:
            attempt = self.session.attempts[attempt_no - 1]
            QMessageBox.critical(
                self,
                tr("wizard.store_error_title"),
                tr("wizard.outcome_not_saved", outcome=tr("wizard.outcome." + outcome),
                   procedure=_text(attempt.guide.title), error=str(exc)),
            )  # fmt: skip
            return False
        return True

    def _show_saved_outcome(self, attempt_no: int) -> None:
        group = getattr(self, "outcome_groups", {}).get(attempt_no)
        if group is None:
            return
        saved = self.session.attempts[attempt_no - 1].outcome
        group.setExclusive(False)  # an exclusive group cannot uncheck its last choice
        for button in group.buttons():
            button.blockSignals(True)
            button.setChecked(button.objectName() == f"outcome_{attempt_no}_{saved}")
            button.blockSignals(False)
        group.setExclusive(True)

    def finish(self) -> None:
        if not self.note_edit.is_clean:
            self.show_message(self.note_edit.problem_text())
            return
        note = self.note_edit.toPlainText().strip() or None

        def close() -> None:
            if note != self.session.note:
                self.session.set_note(note)
            if self.session.needs_hygiene_check:
                self.session.confirm_hygiene(
                    logged_out=self.hygiene_checks["logged_out"].isChecked(),
                    browser_closed=self.hygiene_checks["browser_closed"].isChecked(),
                    card_returned=self.hygiene_checks["card_returned"].isChecked(),
                )
            self.session.finish()

        if self._run(close):
            self.clock.stop()
            self.ended.emit("finished")

    def ask_abandon(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, tr("wizard.abandon"),
                          tr("wizard.abandon_confirm"), parent=self)  # fmt: skip
        box.setObjectName("abandonDialog")
        yes = box.addButton(tr("wizard.abandon_yes"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(tr("wizard.abandon_no"), QMessageBox.ButtonRole.RejectRole)
        yes.setObjectName("abandonYes")
        keep.setObjectName("abandonNo")
        box.setDefaultButton(keep)  # Enter keeps the visit: abandoning takes a deliberate choice
        box.setEscapeButton(keep)
        box.exec()
        if box.clickedButton() is yes and self._run(self.session.abandon):
            self.clock.stop()
            self.ended.emit("abandoned")

    # ================================================================== language switch

    def carry_over(self) -> dict:
        """What lives only in the widgets (not yet in the session), for a redrawn screen."""
        guide = self.start_browser.selected_guide()
        return {
            "page": self.pages.currentIndex(),
            "age": self.age_combo.currentData(),
            "device": self.device_combo.currentData(),
            "help_language": self.language_combo.currentData(),
            "return_code": self.return_code.text(),
            "guide": guide.id if guide else None,
            "note": self.note_edit.toPlainText(),
            "hygiene": {k: c.isChecked() for k, c in self.hygiene_checks.items()},
        }

    def restore(self, carried: dict) -> None:
        for combo, key in ((self.age_combo, "age"), (self.device_combo, "device"),
                           (self.language_combo, "help_language")):  # fmt: skip
            combo.setCurrentIndex(max(0, combo.findData(carried[key])))
        self.return_code.setText(carried["return_code"])
        if carried["guide"]:
            self.start_browser.select(carried["guide"])
        self.note_edit.setPlainText(carried["note"])
        for key, on in carried["hygiene"].items():
            self.hygiene_checks[key].setChecked(on)
        if carried["page"] == PAGE_OUTCOME and self.session.attempts:
            self.show_outcome_page()
        elif carried["page"] == PAGE_STEP and self.session.attempts:
            self.show_step_page()

    @property
    def on_start_page(self) -> bool:
        return self.pages.currentIndex() == PAGE_START

    def focus_first(self) -> None:
        """Focus where the clerk starts on the current page (Ctrl+N: the first field)."""
        page = self.pages.currentIndex()
        if page == PAGE_START:
            self.age_combo.setFocus()
        elif page != PAGE_OUTCOME or not self._focus_missing_outcome():
            self.setFocus()

    # ================================================================== rendering

    def _tick(self) -> None:
        seconds = int(self.session.elapsed().total_seconds())
        self.timer_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")
        self.timer_label.setAccessibleName(
            tr("wizard.elapsed", minutes=seconds // 60, seconds=seconds % 60)
        )

    def refresh(self) -> None:
        self._tick()
        session = self.session
        names = []
        for attempt in session.attempts:
            mark = "▶ " if attempt is session.current else ""
            done = (
                tr("wizard.procedure_with_outcome", outcome=tr("wizard.outcome." + attempt.outcome))
                if attempt.outcome
                else ""
            )
            names.append(f"{mark}{attempt.attempt_no}. {_text(attempt.guide.title)}{done}")
        self.procedures_label.setText(
            tr("wizard.procedure_separator").join(names) or tr("wizard.no_procedure_yet")
        )
        self.add_button.setEnabled(bool(session.attempts))
        if not session.attempts:
            self.pages.setCurrentIndex(PAGE_START)
        if self.pages.currentIndex() == PAGE_STEP:
            self._render_step()
        elif self.pages.currentIndex() == PAGE_OUTCOME:
            self._render_outcome_state()
        self.step_changed.emit()

    def _render_step(self) -> None:
        session, attempt, step = self.session, self.session.current, self.session.current_step
        if attempt is None or step is None:
            return
        self.guide_title.setText(_text(attempt.guide.title))
        number = attempt.guide.steps.index(step) + 1
        self.step_title.setText(
            tr(
                "wizard.step_title",
                number=number,
                count=len(attempt.guide.steps),
                title=_text(step.title),
            )
        )
        self.staff_text.setText(_text(step.staff))
        self.resident_text.setText(
            _icon_html("speak.svg", self.resident_text, tr("wizard.say_icon"))
            + ruby_html(pick(step.say, "ja-easy") or "")
        )
        self.screen_text.setText(
            tr("wizard.screen", text=_text(step.screen)) if step.screen else ""
        )
        self.screen_text.setVisible(bool(step.screen))
        self.pitfalls_toggle.setVisible(bool(step.pitfalls))
        self.pitfalls_toggle.setText(tr("wizard.pitfalls", count=len(step.pitfalls)))
        self.pitfalls_body.setText("\n".join(
            f"⚠ {_text(p.problem)}\n　→ {_text(p.fix)}" for p in step.pitfalls
        ))  # fmt: skip

        branch = session.branch
        self.question.setVisible(branch is not None)
        answers = branch.answers if branch is not None else []
        if branch is not None:
            self.question.setText(
                _icon_html("question.svg", self.question, tr("wizard.question_icon"))
                + escape(_text(branch.question))
            )
        for i, button in enumerate(self.answer_buttons):  # a fixed pool: no widget churn per step
            if i < len(answers):
                button.setText(f"{i + 1}. {_text(answers[i].label)}")
            button.setVisible(i < len(answers))
        suggested = None
        if attempt.walk_ended and session.last_answer and session.last_answer.suggested_guide:
            suggested = session.last_answer.suggested_guide
        already = {a.procedure_id for a in session.attempts}
        show_suggestion = bool(suggested and suggested in self.catalog.guides
                               and suggested not in already)  # fmt: skip
        self.suggestion.setVisible(show_suggestion)
        self.suggest_button.setVisible(show_suggestion)
        if show_suggestion:
            title = _text(self.catalog.guide(suggested).title)
            self.suggestion.setText(tr("wizard.suggestion", title=title))
            self.suggest_button.setText(tr("wizard.add_suggested", title=title))

        self._sync_blocker_buttons(attempt)
        self._sync_resolving_guide(suggested if show_suggestion else None)
        self.back_button.setEnabled(session.can_go_back)
        self.next_button.setEnabled(branch is None)
        self.next_button.setText(
            tr("wizard.to_outcome") if attempt.walk_ended else tr("wizard.next")
        )
        # When "next" itself leads to the outcome, a second button saying the same is noise.
        self.to_outcome_button.setVisible(not attempt.walk_ended)
        if attempt.walk_ended and attempt.proposed_outcome:
            self.show_message(
                tr("wizard.walk_ended", outcome=tr("wizard.outcome." + attempt.proposed_outcome))
            )

    def _sync_blocker_buttons(self, attempt) -> None:
        """Build the blocker grid once per procedure; later steps only update what is pressed."""
        if self._blockers_for is not attempt:
            for button in self.blocker_buttons.values():
                self.blockers_layout.removeWidget(button)
                button.deleteLater()
            self.blocker_buttons = {}
            for blocker in self.session.available_blockers():
                button = QPushButton(_text(blocker.label), objectName=f"blockerButton_{blocker.id}")
                button.setProperty("role", "blocker")
                button.setCheckable(True)
                button.setToolTip(_text(blocker.hint))
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
                button.toggled.connect(lambda on, b=blocker.id: self.toggle_blocker(b, on))
                self.blockers_layout.addWidget(button)
                self.blocker_buttons[blocker.id] = button
            self._blockers_for = attempt
        for blocker_id, button in self.blocker_buttons.items():
            pressed = blocker_id in attempt.blockers
            if button.isChecked() != pressed:
                button.blockSignals(True)
                button.setChecked(pressed)
                button.blockSignals(False)

    def _rebuild_outcomes(self) -> None:
        while self.outcomes_layout.count():
            item = self.outcomes_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.outcome_groups: dict[int, QButtonGroup] = {}
        for attempt in self.session.attempts:
            box = QGroupBox(f"{attempt.attempt_no}. {_text(attempt.guide.title)}",
                            objectName=f"outcomeBox{attempt.attempt_no}")  # fmt: skip
            rows = QVBoxLayout(box)
            choices = QWidget(objectName=f"outcomeChoices{attempt.attempt_no}")
            flow = FlowLayout(choices, spacing=12)
            rows.addWidget(choices)
            group = QButtonGroup(box)
            current = attempt.outcome  # never preset: the clerk chooses every outcome
            for outcome in OUTCOMES:
                radio = QRadioButton(tr("wizard.outcome." + outcome),
                                     objectName=f"outcome_{attempt.attempt_no}_{outcome}")  # fmt: skip
                radio.setChecked(outcome == current)
                group.addButton(radio)
                radio.toggled.connect(
                    lambda on, n=attempt.attempt_no, o=outcome: on and self.set_outcome(n, o)
                )
                flow.addWidget(radio)
            if attempt.outcome is None and attempt.proposed_outcome:
                hint = QLabel(tr("wizard.outcome_suggested",
                                 outcome=tr("wizard.outcome." + attempt.proposed_outcome)),
                              objectName=f"outcomeSuggested{attempt.attempt_no}")  # fmt: skip
                hint.setWordWrap(True)
                rows.addWidget(hint)
            slip = QPushButton(
                tr("wizard.print_slip"), objectName=f"printSlipButton{attempt.attempt_no}"
            )
            slip.clicked.connect(
                lambda _=False, n=attempt.attempt_no: self.print_requested.emit("slip", n)
            )
            printing = QHBoxLayout()
            printing.addWidget(slip)
            if attempt.guide.paper:
                paper = QPushButton(tr("wizard.print_paper"),
                                    objectName=f"printPaperButton{attempt.attempt_no}")  # fmt: skip
                paper.clicked.connect(
                    lambda _=False, n=attempt.attempt_no: self.print_requested.emit("paper", n)
                )
                printing.addWidget(paper)
            printing.addStretch(1)
            rows.addLayout(printing)
            self.outcome_groups[attempt.attempt_no] = group
            self.outcomes_layout.addWidget(box)

    def _render_outcome_state(self) -> None:
        self.hygiene_box.setVisible(self.session.device == "counter_terminal")
        missing = self.session.missing_outcomes()
        self.finish_button.setEnabled(not missing and self.note_edit.is_clean)

    def _hygiene_toggled(self, _on: bool) -> None:
        # The warning about the checklist goes once all three are ticked.
        if all(c.isChecked() for c in self.hygiene_checks.values()):
            self.message.hide()

    def _note_changed(self, _findings: list) -> None:
        self.note_problem.setText(self.note_edit.problem_text())
        self._render_outcome_state()

    def _toggle_pitfalls(self, shown: bool) -> None:
        self.pitfalls_body.setVisible(shown)
        self.pitfalls_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    # ================================================================== keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        from PySide6.QtWidgets import QApplication

        key = event.key()
        typing = isinstance(QApplication.focusWidget(), (QLineEdit, QPlainTextEdit, QComboBox))
        if key == Qt.Key.Key_Escape:
            self.ask_abandon()
            return
        if typing and key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        page = self.pages.currentIndex()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if page == PAGE_START:
                self.begin()
            elif page == PAGE_STEP:
                self.go_next()
            elif page == PAGE_OUTCOME and not isinstance(
                QApplication.focusWidget(), QPlainTextEdit
            ):
                # Enter never finishes a visit whose outcomes are not all chosen.
                if self._focus_missing_outcome():
                    self.show_message(tr("wizard.choose_outcome_first"))
                else:
                    self.finish()
            return
        if key == Qt.Key.Key_Backspace and page != PAGE_START:
            self.go_back()
            return
        if page == PAGE_STEP and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.answer(key - Qt.Key.Key_1)
            return
        super().keyPressEvent(event)
