"""Accessible names: every control the keyboard reaches says what it is to a screen reader."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def name_form_fields(form: QFormLayout) -> None:
    """Name each field after its row label (a combo box is otherwise named after its value)."""
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is None or field is None:
            continue
        text = label.widget().text() if isinstance(label.widget(), QLabel) else ""
        widget = field.widget()
        if text and isinstance(widget, QWidget) and not widget.accessibleName():
            widget.setAccessibleName(text.replace("&", "").rstrip(":："))
