"""The usable part of the screen, apart from ``fit`` so the main window's first paint does not
load the layout classes (``FlowLayout``, scroll areas) only dialogs need."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The usable part of the screen the widget is on (or the primary screen)."""
    screen = None
    if widget is not None:
        parent = widget.parentWidget()
        screen = (parent.window() if parent else widget).screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen else QRect(0, 0, 1366, 768)
