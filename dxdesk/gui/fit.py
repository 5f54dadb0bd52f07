"""Windows that fit the screen they open on (ward PCs are often 1366×768).

Every dialog is sized to the available screen, keeps its action buttons in a fixed footer and
scrolls its content; layouts wrap (``FlowLayout``) instead of growing wider than the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from dxdesk.gui import screen_area

# Room a window manager takes for a title bar and borders (the frame is not known before show).
FRAME_ALLOWANCE = QSize(16, 40)


def fit_to_screen(window: QWidget, preferred: QSize | None = None) -> QSize:
    """Size a top-level window to its preferred size, but never beyond the available screen;
    returns the size given. The maximum keeps a window manager from growing it off-screen."""
    area = screen_area.available_geometry(window)
    room = QSize(
        max(200, area.width() - FRAME_ALLOWANCE.width()),
        max(200, area.height() - FRAME_ALLOWANCE.height()),
    )
    want = preferred or window.sizeHint()
    size = want.boundedTo(room).expandedTo(window.minimumSize().boundedTo(room))
    window.setMaximumSize(room.expandedTo(window.minimumSize().boundedTo(room)))
    window.resize(size)
    parent = window.parentWidget()
    centre = parent.window().geometry().center() if parent else area.center()
    top_left = QPoint(centre.x() - size.width() // 2, centre.y() - size.height() // 2)
    top_left.setX(max(area.left(), min(top_left.x(), area.right() - size.width() - 16)))
    top_left.setY(max(area.top(), min(top_left.y(), area.bottom() - size.height() - 40)))
    window.move(top_left)
    return size


def scrolling(content: QWidget, name: str = "") -> QScrollArea:
    """``content`` in a vertical scroll area that never scrolls sideways: the content must wrap."""
    area = QScrollArea(objectName=name or "contentScroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(content)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the controls; the area follows
    return area


def scrolling_dialog_layout(dialog: QWidget, content: QWidget, footer: QLayout | QWidget) -> None:
    """Lay a dialog out as content (scrolling) above a fixed footer of action buttons."""
    layout = QVBoxLayout(dialog)
    layout.addWidget(scrolling(content, "dialogScroll"), 1)
    if isinstance(footer, QWidget):
        layout.addWidget(footer)
    else:
        layout.addLayout(footer)


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the width runs out (Qt's flow layout
    example). A wrapping layout has no wide minimum: its minimum is its widest item."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list = []
        self._spacing = spacing
        if parent is not None:
            self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802 - Qt API
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 - Qt API
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 - Qt API
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def insertWidget(self, index: int, widget: QWidget) -> None:  # noqa: N802 - Qt API
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def expandingDirections(self):  # noqa: N802 - Qt API
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._do_layout(QRect(0, 0, width, 0), test_only=True)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt API
        super().setGeometry(rect)
        self._do_layout(rect, test_only=False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt API
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _gap(self) -> int:
        if self._spacing >= 0:
            return self._spacing
        parent = self.parentWidget()
        return (
            parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
            if parent
            else 6
        )

    def _do_layout(self, rect: QRect, test_only: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_height = area.x(), area.y(), 0
        gap = self._gap()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint().boundedTo(QSize(area.width(), 10**6))
            hint = hint.expandedTo(item.minimumSize())
            if item.hasHeightForWidth():
                hint.setHeight(max(hint.height(), item.heightForWidth(hint.width())))
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y = area.x(), y + line_height + gap
                line_height = 0
            if not test_only:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + m.bottom()


class WrappingButton(QPushButton):
    """A push button whose text wraps onto several lines instead of widening the page."""

    def __init__(self, text: str = "", parent: QWidget | None = None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setObjectName("wrappingButtonLabel")
        inner = QVBoxLayout(self)
        inner.setContentsMargins(12, 8, 12, 8)
        inner.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self.label.setText(text)
        self.setAccessibleName(text)

    def text(self) -> str:
        return self.label.text()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.layout().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self.layout().totalHeightForWidth(width)
