"""Every control the keyboard can reach has an accessible name that says what it is.

Walks the widget tree of every window (in ja and en) and asks Qt's accessibility layer
(QAccessible) for each focusable control's name, as a screen reader would. A value widget
(combo box, spin box, text field) named after its current value does not say what it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QWidget

from dxdesk.core.i18n import set_ui_language
from tests.gui.windows import every_window


def unnamed_controls(name: str, window: QWidget) -> list[str]:
    found = []
    for w in [window, *window.findChildren(QWidget)]:
        if not w.isVisibleTo(window) or not (w.focusPolicy() & Qt.FocusPolicy.TabFocus):
            continue
        if not w.isEnabled() or w.focusProxy() is not None:
            continue
        iface = QAccessible.queryAccessibleInterface(w)
        label = iface.text(QAccessible.Text.Name).strip() if iface else ""
        if isinstance(w, QComboBox):
            # On Linux Qt names a combo box by its value and leaves the label to a relation;
            # Windows (the ward PCs) reads the accessible name: that must say what it is.
            label = w.accessibleName().strip()
        where = f"{name}: {type(w).__name__} {w.objectName()!r}"
        if not label:
            found.append(f"{where} has no accessible name")
            continue
        value = None
        if isinstance(w, QComboBox):
            value = w.currentText()
        elif isinstance(w, QAbstractSpinBox | QLineEdit):
            value = w.text()
        if value and label == value.strip():
            found.append(f"{where} is named after its value {value!r}")
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_focusable_control_is_named(qtbot, data_dir: Path, lang):
    problems: list[str] = []
    try:
        for name, window in every_window(qtbot, data_dir, lang):
            problems += unnamed_controls(name, window)
    finally:
        set_ui_language("ja")
    assert problems == [], "\n".join(problems)
