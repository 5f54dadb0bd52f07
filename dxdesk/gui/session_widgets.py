"""Widgets the session wizard and its dialogs share: the guarded note field, a page that
reflows, a page with a fixed footer, an icon inline in rich text."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.privacy import utf16_span
from dxdesk.core.privacy.note_check import NoteGuard
from dxdesk.core.session_flow import NoteDraft, note_draft_problem
from dxdesk.gui.fit import scrolling


def icon_html(name: str, label: QLabel, alt: str) -> str:
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
    def draft(self) -> NoteDraft:
        return NoteDraft(self.toPlainText(), list(self.findings))

    @property
    def is_clean(self) -> bool:
        return not self.problem_text()

    def problem_text(self) -> str:
        return note_draft_problem(self.toPlainText(), self.findings)


def with_footer(page: QWidget, footer: QHBoxLayout, name: str) -> QWidget:
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
