"""The live tally: a compact always-on-top window where a tutor taps each learner's result.

Keys 1/2/3 count reached/partly/not; Backspace or Ctrl+Z takes the last tap back. Every tap is
saved at once (an upsert of the same class_id), so a crash or a flat battery loses nothing.
"Finish" hands the record to quick entry, pre-filled, for ages and satisfaction.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dxdesk.core.classes import RESULTS, ClassMenu, ClassRecord, save_class_record
from dxdesk.core.i18n import tr

COLORS = {"reached": "#2E7D32", "partly": "#B26A00", "not": "#8E2430"}
OBJECT_NAMES = {"reached": "tallyReached", "partly": "tallyPartly", "not": "tallyNot"}


class ClassTally(QWidget):
    finished = Signal(object)  # the ClassRecord

    def __init__(self, store, record: ClassRecord, menu: ClassMenu, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("classTally")
        self.setWindowTitle(tr("classes.tally.title"))
        self.store = store
        self.record = record.copy()
        self.menu = menu
        self.taps: list[str] = []
        root = QVBoxLayout(self)
        self.count = QLabel(objectName="tallyCount")
        font = QFont(self.count.font())
        font.setPointSize(18)
        font.setBold(True)
        self.count.setFont(font)
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.count)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        big = QFont(font)
        big.setPointSize(15)
        for i, result in enumerate(RESULTS):
            button = QPushButton(objectName=OBJECT_NAMES[result])
            button.setFont(big)
            button.setMinimumSize(120, 84)
            button.setStyleSheet(
                f"QPushButton {{ background: {COLORS[result]}; color: white; border-radius: 6px; }}"
            )
            button.clicked.connect(lambda _c=False, r=result: self.tap(r))
            self.buttons[result] = button
            grid.addWidget(button, 0, i)
        root.addLayout(grid)
        bottom = QHBoxLayout()
        self.undo_button = QPushButton(tr("classes.tally.undo"), objectName="tallyUndo")
        self.finish_button = QPushButton(tr("classes.tally.finish"), objectName="tallyFinish")
        self.undo_button.clicked.connect(self.undo)
        self.finish_button.clicked.connect(self.finish)
        bottom.addWidget(self.undo_button)
        bottom.addStretch(1)
        bottom.addWidget(self.finish_button)
        root.addLayout(bottom)
        self.status = QLabel(objectName="tallyStatus")
        self.status.setWordWrap(True)
        root.addWidget(self.status)
        self._refresh()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        keys = {Qt.Key.Key_1: "reached", Qt.Key.Key_2: "partly", Qt.Key.Key_3: "not"}
        if event.key() in keys:
            self.tap(keys[event.key()])
        elif event.key() == Qt.Key.Key_Backspace or event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _refresh(self) -> None:
        r = self.record.results
        self.count.setText(tr("classes.tally.count", learners=self.record.learners))
        for result, button in self.buttons.items():
            button.setText(
                tr(
                    "classes.tally.button",
                    key=RESULTS.index(result) + 1,
                    label=tr(f"classes.result.{result}"),
                    n=r[result],
                )  # fmt: skip
            )
        self.undo_button.setEnabled(bool(self.taps))

    def _save(self) -> None:
        if self.store is None:
            self.status.setText(tr("classes.entry.no_store"))
            return
        try:
            save_class_record(self.store, self.record, self.menu, draft=True)
        except Exception as exc:  # keep counting in memory; say that it is not saved yet
            self.status.setText(tr("classes.tally.not_saved", error=str(exc)))
        else:
            self.status.setText(tr("classes.tally.saved"))

    def tap(self, result: str) -> None:
        self.record.add_result(result)
        self.taps.append(result)
        self._refresh()
        self._save()

    def undo(self) -> None:
        if not self.taps:
            return
        self.record.remove_result(self.taps.pop())
        self._refresh()
        self._save()

    def finish(self) -> None:
        self.finished.emit(self.record.copy())
        self.close()
