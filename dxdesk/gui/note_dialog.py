"""The short note for the 'other' blocker: personal data is marked live and cannot be saved."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from dxdesk.core.i18n import tr
from dxdesk.gui.session_widgets import GuardedNoteEdit


class OtherNoteDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("otherNoteDialog")
        self.setWindowTitle(tr("wizard.other_note_title"))
        self.note: str | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(tr("wizard.other_note_intro"))
        intro.setWordWrap(True)
        self.edit = GuardedNoteEdit("otherNoteEdit")
        self.problem = QLabel(objectName="otherNoteProblem")
        self.problem.setProperty("role", "warning")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(tr("settings.save"))
        self.save_button.setObjectName("otherNoteSave")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("settings.cancel"))
        layout.addWidget(intro)
        layout.addWidget(self.edit)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.findings_changed.connect(self._changed)
        self._changed([])

    def _changed(self, _findings: list) -> None:
        self.problem.setText(self.edit.problem_text())
        self.save_button.setEnabled(self.edit.is_clean and bool(self.edit.toPlainText().strip()))
        # A longer reason (a word left next to a deletion) must not squeeze the label's lines.
        self.layout().activate()
        needed = self.sizeHint().height()
        if self.isVisible() and needed > self.height():
            self.resize(self.width(), needed)

    def accept(self) -> None:
        if not (self.edit.is_clean and self.edit.toPlainText().strip()):
            return
        self.note = self.edit.toPlainText().strip()
        super().accept()
