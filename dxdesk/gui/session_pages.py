"""The three pages of the session wizard, each painting what :class:`SessionFlow` decided.

start (resident context, first procedure) → step (instruction, resident sentence, pitfalls,
branch answers, blockers) → outcome (per procedure, print, note, hygiene, finish). Clicks go to
the flow; the pages hold no decision of their own.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.catalog import Catalog, ruby_html
from dxdesk.core.contract import AGE_BANDS, DEVICES, HELP_LANGUAGES, OUTCOMES
from dxdesk.core.i18n import LANGUAGE_NAMES, pick, tr
from dxdesk.core.session import HYGIENE_ITEMS, ProcedureAttempt
from dxdesk.core.session_flow import (
    PRINT_SLIP,
    OutcomeRow,
    SessionFlow,
    StepState,
    VisitContext,
    text_of,
)
from dxdesk.gui.a11y import name_form_fields
from dxdesk.gui.fit import FlowLayout, WrappingButton
from dxdesk.gui.main_window import CatalogBrowser
from dxdesk.gui.session_widgets import GuardedNoteEdit, ReflowPage, icon_html, with_footer


def _combo(name: str, values: tuple[str, ...], prefix: str) -> QComboBox:
    combo = QComboBox(objectName=name)
    for value in values:
        combo.addItem(tr(f"wizard.{prefix}.{value}"), value)
    return combo


class _EnterBegins(QObject):
    """Enter or Return on the start page's guide list begins the visit, once."""

    def __init__(self, flow: SessionFlow, tree: QWidget) -> None:
        super().__init__(tree)
        self._flow = flow
        tree.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            self._flow.begin()
            return True
        return False


class StartPage(QWidget):
    """The resident's coarse context and the first procedure; the begin button stays below."""

    def __init__(self, catalog: Catalog, flow: SessionFlow) -> None:
        super().__init__()
        page = QWidget(objectName="startPage")
        layout = QHBoxLayout(page)
        context = QGroupBox(tr("wizard.context_title"))
        form = QFormLayout(context)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.age_combo = _combo("ageBandCombo", AGE_BANDS, "age_band")
        self.device_combo = _combo("deviceCombo", DEVICES, "device")
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
        self.browser = CatalogBrowser(catalog)
        self.browser.setObjectName("startProcedureBrowser")
        self.browser.retranslate()
        self.begin_button = QPushButton(tr("wizard.begin"), objectName="beginButton")
        self.begin_button.setProperty("role", "primary")
        choose_layout.addWidget(self.browser)
        layout.addWidget(choose, 3)
        self.begin_button.clicked.connect(flow.begin)
        # A double click begins; Enter is taken here so that the tree does not pass the same
        # key press on to the screen, which would by then show the step page and warn.
        self.browser.tree.itemActivated.connect(lambda *_: flow.begin())
        self._enter_begins = _EnterBegins(flow, self.browser.tree)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(ReflowPage(page, layout, "startScroll"), 1)
        outer.addWidget(self.begin_button)  # a footer: never scrolled away

    def choices(self) -> tuple[str | None, VisitContext]:
        guide = self.browser.selected_guide()
        context = VisitContext(
            age_band=self.age_combo.currentData(),
            device=self.device_combo.currentData(),
            help_language=self.language_combo.currentData(),
            return_code=self.return_code.text(),
        )
        return (guide.id if guide else None), context


class StepPage(QWidget):
    """One step of the current procedure: texts, the question, blockers, navigation."""

    def __init__(self, flow: SessionFlow) -> None:
        super().__init__()
        self.flow = flow
        page = QWidget(objectName="stepPage")
        layout = QVBoxLayout(page)
        self.guide_title = QLabel(objectName="guideTitle")
        self.guide_title.setProperty("role", "heading")
        self.step_title = QLabel(objectName="stepTitle")
        self.staff_text = QLabel(objectName="staffInstruction")
        self.resident_text = QLabel(objectName="residentSentence")
        self.resident_text.setTextFormat(Qt.TextFormat.RichText)
        self.screen_text = QLabel(objectName="screenHint")
        for label in (self.guide_title, self.step_title, self.staff_text, self.resident_text,
                      self.screen_text):  # fmt: skip
            label.setWordWrap(True)
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
        answers_box = QWidget(objectName="branchAnswers")
        answers_layout = QVBoxLayout(answers_box)
        answers_layout.setContentsMargins(0, 0, 0, 0)
        self.answer_buttons: list[WrappingButton] = []
        for i in range(9):  # digits 1-9 answer; a question has at most nine answers
            button = WrappingButton(objectName=f"answerButton{i}")
            button.setProperty("role", "answer")
            button.clicked.connect(lambda _=False, i=i: flow.answer(i))
            button.hide()
            self.answer_buttons.append(button)
            answers_layout.addWidget(button)
        layout.addWidget(answers_box)
        self.suggestion = QLabel(objectName="guideSuggestion")
        self.suggestion.setWordWrap(True)
        self.suggest_button = QPushButton(objectName="addSuggestedButton")
        self.suggest_button.clicked.connect(flow.add_suggested)
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
        self.resolve_button.clicked.connect(flow.open_resolving_guide)
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
        self.back_button.clicked.connect(flow.back)
        self.next_button.clicked.connect(flow.next)
        self.to_outcome_button.clicked.connect(flow.to_outcome)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(with_footer(page, nav, "stepScroll"))

    def paint(self, state: StepState, attempt: ProcedureAttempt) -> None:
        step = state.step
        self.guide_title.setText(text_of(state.guide.title))
        self.step_title.setText(tr("wizard.step_title", number=state.number, count=state.count,
                                   title=text_of(step.title)))  # fmt: skip
        self.staff_text.setText(text_of(step.staff))
        self.resident_text.setText(
            icon_html("speak.svg", self.resident_text, tr("wizard.say_icon"))
            + ruby_html(pick(step.say, "ja-easy") or "")
        )
        self.screen_text.setText(
            tr("wizard.screen", text=text_of(step.screen)) if step.screen else ""
        )
        self.screen_text.setVisible(bool(step.screen))
        self.pitfalls_toggle.setVisible(bool(step.pitfalls))
        self.pitfalls_toggle.setText(tr("wizard.pitfalls", count=len(step.pitfalls)))
        self.pitfalls_body.setText("\n".join(
            f"⚠ {text_of(p.problem)}\n　→ {text_of(p.fix)}" for p in step.pitfalls
        ))  # fmt: skip

        branch = state.branch
        self.question.setVisible(branch is not None)
        answers = branch.answers if branch is not None else []
        if branch is not None:
            self.question.setText(
                icon_html("question.svg", self.question, tr("wizard.question_icon"))
                + escape(text_of(branch.question))
            )
        for i, button in enumerate(self.answer_buttons):  # a fixed pool: no widget churn per step
            if i < len(answers):
                button.setText(f"{i + 1}. {text_of(answers[i].label)}")
            button.setVisible(i < len(answers))
        self.suggestion.setVisible(state.suggested is not None)
        self.suggest_button.setVisible(state.suggested is not None)
        if state.suggested is not None:
            title = text_of(state.suggested.title)
            self.suggestion.setText(tr("wizard.suggestion", title=title))
            self.suggest_button.setText(tr("wizard.add_suggested", title=title))

        self._sync_blocker_buttons(attempt)
        self.resolve_hint.setVisible(state.resolving is not None)
        self.resolve_button.setVisible(state.resolving is not None)
        if state.resolving is not None:
            blocker, guide = state.resolving
            self.resolve_hint.setText(tr("wizard.resolve_hint", blocker=text_of(blocker.label),
                                         title=text_of(guide.title)))  # fmt: skip
        self.back_button.setEnabled(state.can_go_back)
        self.next_button.setEnabled(state.next_enabled)
        self.next_button.setText(
            tr("wizard.to_outcome") if state.next_leads_to_outcome else tr("wizard.next")
        )
        # When "next" itself leads to the outcome, a second button saying the same is noise.
        self.to_outcome_button.setVisible(not state.next_leads_to_outcome)

    def _sync_blocker_buttons(self, attempt: ProcedureAttempt) -> None:
        """Build the blocker grid once per procedure; later steps only update what is pressed."""
        if self._blockers_for is not attempt:
            for button in self.blocker_buttons.values():
                self.blockers_layout.removeWidget(button)
                button.deleteLater()
            self.blocker_buttons = {}
            for blocker in self.flow.session.available_blockers():
                button = QPushButton(
                    text_of(blocker.label), objectName=f"blockerButton_{blocker.id}"
                )
                button.setProperty("role", "blocker")
                button.setCheckable(True)
                button.setToolTip(text_of(blocker.hint))
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
                button.toggled.connect(lambda on, b=blocker.id: self.flow.toggle_blocker(b, on))
                self.blockers_layout.addWidget(button)
                self.blocker_buttons[blocker.id] = button
            self._blockers_for = attempt
        for blocker_id, button in self.blocker_buttons.items():
            pressed = blocker_id in attempt.blockers
            if button.isChecked() != pressed:
                button.blockSignals(True)
                button.setChecked(pressed)
                button.blockSignals(False)

    def _toggle_pitfalls(self, shown: bool) -> None:
        self.pitfalls_body.setVisible(shown)
        self.pitfalls_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )


class OutcomePage(QWidget):
    """How each procedure ended, its print offers, the session note, the hygiene checklist."""

    def __init__(self, flow: SessionFlow) -> None:
        super().__init__()
        self.flow = flow
        page = QWidget(objectName="outcomePage")
        layout = QVBoxLayout(page)
        title = QLabel(tr("wizard.outcome_title"))
        title.setProperty("role", "heading")
        layout.addWidget(title)
        self.outcomes_box = QWidget(objectName="outcomesBox")
        self.outcomes_layout = QVBoxLayout(self.outcomes_box)
        self.outcomes_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.outcomes_box)
        self.outcome_groups: dict[int, QButtonGroup] = {}

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
        for item in HYGIENE_ITEMS:
            check = QCheckBox(tr(f"session.hygiene.{item}"), objectName=f"hygiene_{item}")
            self.hygiene_checks[item] = check
            hygiene_layout.addWidget(check)
        layout.addWidget(self.hygiene_box)

        layout.addStretch(1)
        nav = QHBoxLayout()
        self.back_to_steps = QPushButton(tr("wizard.back_to_steps"), objectName="backToStepsButton")
        self.back_to_steps.clicked.connect(flow.back)
        self.finish_button = QPushButton(tr("wizard.finish"), objectName="finishButton")
        self.finish_button.setProperty("role", "primary")
        self.finish_button.clicked.connect(flow.finish)
        nav.addWidget(self.back_to_steps)
        nav.addStretch(1)
        nav.addWidget(self.finish_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(with_footer(page, nav, "outcomeScroll"))

    def rebuild(self, rows: list[OutcomeRow]) -> None:
        while self.outcomes_layout.count():
            item = self.outcomes_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.outcome_groups = {}
        for row in rows:
            n = row.attempt_no
            box = QGroupBox(f"{n}. {row.title}", objectName=f"outcomeBox{n}")
            rows_layout = QVBoxLayout(box)
            choices = QWidget(objectName=f"outcomeChoices{n}")
            flow = FlowLayout(choices, spacing=12)
            rows_layout.addWidget(choices)
            group = QButtonGroup(box)
            for outcome in OUTCOMES:
                radio = QRadioButton(tr("wizard.outcome." + outcome),
                                     objectName=f"outcome_{n}_{outcome}")  # fmt: skip
                radio.setChecked(outcome == row.outcome)
                group.addButton(radio)
                radio.toggled.connect(lambda on, n=n, o=outcome: on and self.flow.set_outcome(n, o))
                flow.addWidget(radio)
            if row.suggested_hint:
                hint = QLabel(row.suggested_hint, objectName=f"outcomeSuggested{n}")
                hint.setWordWrap(True)
                rows_layout.addWidget(hint)
            printing = QHBoxLayout()
            for kind in row.prints:
                slip = kind == PRINT_SLIP
                name = "printSlipButton" if slip else "printPaperButton"
                label = tr("wizard.print_slip") if slip else tr("wizard.print_paper")
                button = QPushButton(label, objectName=f"{name}{n}")
                button.clicked.connect(lambda _=False, k=kind, n=n: self.flow.request_print(k, n))
                printing.addWidget(button)
            printing.addStretch(1)
            rows_layout.addLayout(printing)
            self.outcome_groups[n] = group
            self.outcomes_layout.addWidget(box)
        self._tab_order(rows)

    def paint(self) -> None:
        self.hygiene_box.setVisible(self.flow.shows_hygiene_check)
        self.finish_button.setEnabled(self.flow.can_finish(self.note_edit.draft))

    def _note_changed(self, _findings: list) -> None:
        self.note_problem.setText(self.note_edit.problem_text())
        self.paint()

    def _tab_order(self, rows: list[OutcomeRow]) -> None:
        """Tab follows the page: the outcomes first, then printing, the note, the checklist."""
        chain: list[QWidget] = []
        for row in rows:
            chain += self.outcome_groups[row.attempt_no].buttons()
            for name in (f"printSlipButton{row.attempt_no}", f"printPaperButton{row.attempt_no}"):
                found = self.outcomes_box.findChild(QPushButton, name)
                if found is not None:
                    chain.append(found)
        chain += [self.note_edit, *self.hygiene_checks.values(), self.back_to_steps,
                  self.finish_button]  # fmt: skip
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def focus_missing_outcome(self) -> bool:
        for attempt in self.flow.session.missing_outcomes():
            group = self.outcome_groups.get(attempt.attempt_no)
            if group is not None and group.buttons():
                group.buttons()[0].setFocus()
                return True
        return False

    def show_saved_outcome(self, attempt_no: int) -> None:
        group = self.outcome_groups.get(attempt_no)
        if group is None:
            return
        saved = self.flow.session.attempts[attempt_no - 1].outcome
        group.setExclusive(False)  # an exclusive group cannot uncheck its last choice
        for button in group.buttons():
            button.blockSignals(True)
            button.setChecked(button.objectName() == f"outcome_{attempt_no}_{saved}")
            button.blockSignals(False)
        group.setExclusive(True)
