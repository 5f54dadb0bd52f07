"""Quick entry of a smartphone class, for a volunteer after class (aim: under a minute).

Every count is a spin box (type digits, arrow keys step) between big −/+ buttons; the menu is a
grid of toggles; Enter saves. The staffing rule is checked live and never blocks the save: the
warning is stored with the record. Sums that do not add up are named and do block it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.classes import (
    AGE_COLUMN,
    CLASS_AGE_BANDS,
    MAX_COUNT,
    RESULT_COLUMN,
    RESULTS,
    SATISFACTION_LEVELS,
    ClassMenu,
    ClassRecord,
    save_class_record,
    shipped_class_menu,
    staffing_message,
    staffing_warnings,
)
from dxdesk.core.i18n import tr, ui_language
from dxdesk.gui.fit import FlowLayout, scrolling_dialog_layout

BIG = 16


class Counter(QWidget):
    """A count: caption, a big − button, a spin box, a big + button."""

    def __init__(self, name: str, caption: str, step: int = 1, maximum: int = MAX_COUNT,
                 group: str = "") -> None:  # fmt: skip
        super().__init__()
        self.setObjectName(f"{name}Counter")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.caption = QLabel(caption)
        self.caption.setMinimumWidth(110)
        self.caption.setWordWrap(True)
        self.minus = QPushButton("−", objectName=f"{name}Minus")
        self.plus = QPushButton("+", objectName=f"{name}Plus")
        self.spin = QSpinBox(objectName=name)
        self.spin.setRange(0, maximum)
        self.spin.setSingleStep(step)
        self.spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.spin.setProperty("role", "count")  # the theme gives the buttons' room to the digits
        self.spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        what = f"{group} {caption}" if group else caption  # "受講者 70〜74 歳", not "70〜74 歳"
        self.spin.setAccessibleName(what)
        font = QFont(self.spin.font())
        # Counts stay larger than the text at every text size (BIG at 1.0).
        font.setPointSizeF(max(BIG, QApplication.font().pointSizeF() * 1.35))
        font.setBold(True)
        self.spin.setFont(font)
        self.spin.setFixedWidth(max(64, QFontMetrics(font).horizontalAdvance("000") + 16))
        for button in (self.minus, self.plus):
            button.setFont(font)
            button.setMinimumSize(48, 44)  # grows with the text size instead of clipping
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab walks the counts, not buttons
            button.setAutoRepeat(True)
        self.minus.setAccessibleName(tr("a11y.decrease", what=what))
        self.plus.setAccessibleName(tr("a11y.increase", what=what))
        self.minus.setToolTip(self.minus.accessibleName())
        self.plus.setToolTip(self.plus.accessibleName())
        self.minus.clicked.connect(self.spin.stepDown)
        self.plus.clicked.connect(self.spin.stepUp)
        layout.addWidget(self.caption, 1)
        layout.addWidget(self.minus)
        layout.addWidget(self.spin)
        layout.addWidget(self.plus)

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: int) -> None:
        self.spin.setValue(value)


class QuickEntry(QWidget):
    """The class record form; ``saved`` carries the stored row."""

    saved = Signal(dict)

    def __init__(
        self,
        store,
        site_id: str,
        menu: ClassMenu | None = None,
        record: ClassRecord | None = None,
        parent: QWidget | None = None,
        *,
        catalog=None,
        settings=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("classQuickEntry")
        self.catalog, self.settings = catalog, settings  # for printing handouts
        self.setWindowTitle(tr("classes.entry.title"))
        self.store = store
        self.menu = menu or shipped_class_menu()
        self.tally = None
        self._syncing = False
        lang = ui_language()
        # The form scrolls above a fixed footer (print, tally, save); groups wrap, not widen.
        body = QWidget(objectName="classEntryBody")
        root = QVBoxLayout(body)

        when_box = QWidget(objectName="classWhen")
        when = FlowLayout(when_box, spacing=10)  # wraps at a large text size
        self.date = QDateEdit(objectName="classDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.start = QTimeEdit(objectName="classStart")
        self.start.setDisplayFormat("HH:mm")
        self.venue = QLineEdit(site_id, objectName="classVenue")
        self.duration = Counter("count_duration_min", tr("classes.entry.duration"), step=15,
                                maximum=600)  # fmt: skip
        for label, widget in (
            (tr("classes.entry.date"), self.date),
            (tr("classes.entry.start"), self.start),
            (tr("classes.entry.venue"), self.venue),
        ):
            pair = QWidget()
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.addWidget(QLabel(label))
            pair_layout.addWidget(widget)
            when.addWidget(pair)
            widget.setAccessibleName(label)
        when.addWidget(self.duration)
        root.addWidget(when_box)

        topics = QGroupBox(tr("classes.entry.menu"), objectName="classMenuBox")
        grid = QVBoxLayout(topics)
        self.topic_buttons: dict[str, QPushButton] = {}
        for kind in ("basic", "applied"):
            grid.addWidget(QLabel(tr(f"classes.kind.{kind}")))
            row = QWidget(objectName=f"classMenu_{kind}")
            flow = FlowLayout(row)
            grid.addWidget(row)
            items = [t for t in self.menu.topics if t.kind == kind]
            for topic in items:
                button = QPushButton(topic.title(lang), objectName=f"topic_{topic.id}")
                button.setCheckable(True)
                button.setMinimumHeight(40)
                button.setToolTip(topic.goal.get(lang) or topic.goal["ja"])
                button.setStyleSheet(
                    "QPushButton:checked { background: #2F6DA3; color: white; font-weight: bold; }"
                )
                self.topic_buttons[topic.id] = button
                flow.addWidget(button)
        root.addWidget(topics)

        counts_box = QWidget(objectName="classCounts")
        counts = FlowLayout(counts_box, spacing=8)
        staff = QGroupBox(tr("classes.entry.staff"))
        staff_layout = QVBoxLayout(staff)
        self.counters: dict[str, Counter] = {}

        def counter(box_layout, column: str, caption: str, group: str = "") -> Counter:
            c = Counter(f"count_{column}", caption, group=group)
            self.counters[column] = c
            box_layout.addWidget(c)
            c.spin.valueChanged.connect(lambda _v, col=column: self._changed(col))
            return c

        counter(staff_layout, "tutors", tr("classes.entry.tutors"))
        counter(staff_layout, "trained_tutors", tr("classes.entry.trained_tutors"))
        counter(staff_layout, "assistants", tr("classes.entry.assistants"))
        counter(staff_layout, "learners", tr("classes.entry.learners"))
        staff_layout.addStretch(1)
        counts.addWidget(staff)
        ages = QGroupBox(tr("classes.entry.by_age"))
        ages_layout = QVBoxLayout(ages)
        for band in CLASS_AGE_BANDS:
            counter(ages_layout, AGE_COLUMN[band], tr(f"classes.age.{band}"),
                    tr("classes.entry.learners"))  # fmt: skip
        counts.addWidget(ages)
        results = QGroupBox(tr("classes.entry.by_result"))
        results_layout = QVBoxLayout(results)
        for result in RESULTS:
            counter(results_layout, RESULT_COLUMN[result], tr(f"classes.result.{result}"),
                    tr("classes.entry.by_result"))  # fmt: skip
        results_layout.addWidget(QLabel(tr("classes.entry.satisfaction")))
        for level in SATISFACTION_LEVELS:
            counter(results_layout, f"satisfaction_{level}",
                    tr("classes.entry.satisfaction_level", level=level))  # fmt: skip
        counts.addWidget(results)
        root.addWidget(counts_box)

        self.note = QLineEdit(objectName="classNote")
        self.note.setPlaceholderText(tr("classes.entry.note_placeholder"))
        self.note.setAccessibleName(tr("classes.entry.note_placeholder"))
        self.note.setMaxLength(200)
        root.addWidget(self.note)
        self.staffing = QLabel(objectName="staffingWarning")
        self.staffing.setWordWrap(True)
        self.staffing.setStyleSheet("color: #7A4B00; background: #FFF3D6; padding: 4px;")
        self.problems = QLabel(objectName="classProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #B00020;")
        self.status = QLabel(objectName="classStatus")
        self.status.setWordWrap(True)
        root.addWidget(self.staffing)
        root.addWidget(self.problems)
        root.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        self.print_button = QPushButton(tr("classes.entry.print"), objectName="printHandout")
        self.print_button.setVisible(catalog is not None and settings is not None)
        self.tally_button = QPushButton(tr("classes.entry.live_tally"), objectName="liveTally")
        self.save_button = QPushButton(tr("classes.entry.save"), objectName="saveClass")
        for b in (self.print_button, self.tally_button, self.save_button):
            b.setMinimumHeight(44)
        self.save_button.setStyleSheet("font-weight: bold;")
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.tally_button)
        buttons.addWidget(self.save_button)
        scrolling_dialog_layout(self, body, buttons)

        self.save_button.clicked.connect(self.save)
        self.tally_button.clicked.connect(self.open_tally)
        self.print_button.clicked.connect(self.open_handouts)
        self.load(record or self._blank(site_id))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # Spin boxes, the note and the toggles pass Enter up to here: Enter saves from anywhere.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            event.accept()
            return
        super().keyPressEvent(event)

    # ----------------------------------------------------------------- record <-> widgets

    def _blank(self, site_id: str) -> ClassRecord:
        now = dt.datetime.now()
        return ClassRecord(site_id=site_id, date=now.date(), start_time=f"{now.hour:02d}:00")

    def load(self, record: ClassRecord) -> None:
        """Show ``record`` in the form (a new class, or one finished in the live tally)."""
        self._syncing = True
        self.class_id = record.class_id
        self.date.setDate(QDate(record.date.year, record.date.month, record.date.day))
        hour, minute = (int(p) for p in record.start_time.split(":"))
        self.start.setTime(QTime(hour, minute))
        self.venue.setText(record.site_id)
        self.duration.set_value(record.duration_min)
        for topic_id, button in self.topic_buttons.items():
            button.setChecked(topic_id in record.menu)
        row = record.to_row()
        for column, c in self.counters.items():
            c.set_value(int(row[column]))
        self.note.setText(record.note)
        self._syncing = False
        self._refresh()

    def record(self) -> ClassRecord:
        d = self.date.date()
        values = {column: c.value() for column, c in self.counters.items()}
        return ClassRecord(
            class_id=self.class_id,
            site_id=self.venue.text().strip(),
            date=dt.date(d.year(), d.month(), d.day()),
            start_time=self.start.time().toString("HH:mm"),
            duration_min=self.duration.value(),
            menu=tuple(t for t, b in self.topic_buttons.items() if b.isChecked()),
            tutors=values["tutors"],
            trained_tutors=values["trained_tutors"],
            assistants=values["assistants"],
            learners=values["learners"],
            ages={b: values[AGE_COLUMN[b]] for b in CLASS_AGE_BANDS},
            results={r: values[RESULT_COLUMN[r]] for r in RESULTS},
            satisfaction=tuple(values[f"satisfaction_{i}"] for i in SATISFACTION_LEVELS),  # type: ignore[arg-type]
            note=self.note.text().strip(),
        )

    # ----------------------------------------------------------------- live checks

    def _changed(self, column: str) -> None:
        if self._syncing:
            return
        # Learners not yet sorted by age count as 'age unknown', so a volunteer who only
        # counts heads still saves a record that adds up; naming a band takes one from there.
        self._syncing = True
        ages = [AGE_COLUMN[b] for b in CLASS_AGE_BANDS if b != "unknown"]
        unknown = self.counters[AGE_COLUMN["unknown"]]
        known = sum(self.counters[c].value() for c in ages)
        if column == "learners" or column in ages:
            unknown.set_value(max(0, self.counters["learners"].value() - known))
        self._syncing = False
        self._refresh()

    def _refresh(self) -> None:
        record = self.record()
        codes = staffing_warnings(record)
        self.staffing.setText(staffing_message(codes, record))
        self.staffing.setVisible(bool(codes))
        sums = [
            p
            for p in record.problems(self.menu, draft=True)
            if p.field in ("ages", "results", "satisfaction", "trained_tutors")
        ]
        self.problems.setText("\n".join(p.message for p in sums))
        self.problems.setVisible(bool(sums))

    # ----------------------------------------------------------------- saving

    def save(self) -> bool:
        record = self.record()
        problems = record.problems(self.menu)
        if problems:
            self.problems.setText("\n".join(p.message for p in problems))
            self.problems.setVisible(True)
            self.status.setText(tr("classes.entry.not_saved"))
            return False
        if self.store is None:
            self.status.setText(tr("classes.entry.no_store"))
            return False
        try:
            row = save_class_record(self.store, record, self.menu)
        except Exception as exc:  # the store's own message (busy, disk full) for the volunteer
            self.status.setText(tr("classes.entry.save_failed", error=str(exc)))
            return False
        codes = staffing_warnings(record)
        self.status.setText(
            tr(
                "classes.entry.saved_with_warning" if codes else "classes.entry.saved",
                learners=record.learners,
                time=record.start_time,
            )  # fmt: skip
        )
        self.saved.emit(row)
        self._next_class(record)
        return True

    def _next_class(self, done: ClassRecord) -> None:
        """Ready for the next class at the same venue: same day and staff, counts cleared."""
        fresh = ClassRecord(
            site_id=done.site_id, date=done.date, start_time=done.start_time,
            duration_min=done.duration_min, tutors=done.tutors,
            trained_tutors=done.trained_tutors, assistants=done.assistants,
        )  # fmt: skip
        self.load(fresh)
        self.counters["learners"].spin.setFocus()

    # ----------------------------------------------------------------- live tally

    def open_handouts(self):
        """The handout of the chosen topics, or one slip per learner, previewed before printing."""
        from dxdesk.gui.class_handout import HandoutDialog

        record = self.record()
        dialog = HandoutDialog(record.menu, record.learners, self.menu, self.catalog,
                               self.settings, self)  # fmt: skip
        dialog.setModal(True)
        dialog.show()
        return dialog

    def open_tally(self) -> None:
        from dxdesk.gui.class_tally import ClassTally

        record = self.record()
        if sum(record.results.values()) != record.learners:
            # The tally counts heads as results: start it from the results counted so far.
            learners = sum(record.results.values())
            record = record.copy(learners=learners, ages={**dict.fromkeys(CLASS_AGE_BANDS, 0),
                                                          "unknown": learners})  # fmt: skip
        self.tally = ClassTally(self.store, record, self.menu)
        self.tally.finished.connect(self._tally_finished)
        self.tally.show()
        self.tally.activateWindow()

    def _tally_finished(self, record: ClassRecord) -> None:
        self.load(record)
        self.status.setText(tr("classes.entry.from_tally", learners=record.learners))
        self.show()
        self.raise_()
        self.activateWindow()
        self.counters[AGE_COLUMN["under60"]].spin.setFocus()
