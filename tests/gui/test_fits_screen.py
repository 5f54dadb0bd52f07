"""Every window and dialog fits a ward PC's 1366×768 screen at text size 1.0 and 2.0.

The offscreen platform's screen is not 1366×768, so the app's one question about the screen
(``screen_area.available_geometry``) is answered with a ward PC's; everything else is the real widgets.
A window fits when its frame and its minimum fit, no visible button outside a scroll area lies
outside the window, and no page needs sideways scrolling.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QMainWindow, QScrollArea, QWidget

from dxdesk.gui import fit, screen_area
from tests.gui.windows import every_window, look, settle

WARD_PC = QRect(0, 0, 1366, 768)
ROOM = WARD_PC.size() - fit.FRAME_ALLOWANCE


def _in_scroll_area(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems_of(name: str, window: QWidget) -> list[str]:
    found = []
    size, minimum = window.size(), window.minimumSizeHint()
    if size.width() > ROOM.width() or size.height() > ROOM.height():
        found.append(f"{name}: {size.width()}×{size.height()} is larger than the screen")
    if minimum.width() > ROOM.width() or minimum.height() > ROOM.height():
        found.append(f"{name}: needs at least {minimum.width()}×{minimum.height()}")
    inside = window.rect()
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or _in_scroll_area(button, window):
            continue
        where = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        if not inside.contains(where):
            found.append(f"{name}: button {button.objectName() or button.text()!r} at {where}")
    if "preview" not in name and "handout" not in name:  # a page image may be wider
        for area in window.findChildren(QScrollArea):
            content = area.widget()
            wide = content is not None and content.minimumSizeHint().width()
            if area.isVisibleTo(window) and wide and wide > area.viewport().width() + 1:
                found.append(
                    f"{name}: {area.objectName()} needs sideways scrolling "
                    f"({wide} > {area.viewport().width()})"
                )
    return found


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_every_window_fits_a_1366x768_screen(qtbot, qapp, data_dir: Path, monkeypatch, scale):
    monkeypatch.setattr(screen_area, "available_geometry", lambda widget=None: QRect(WARD_PC))
    problems: list[str] = []
    seen = []
    with look(qapp, scale):
        for name, window in every_window(qtbot, data_dir):
            seen.append(name)
            if isinstance(window, QMainWindow):
                window.resize(ROOM)  # what maximised gives on a ward PC
                settle()
            problems += problems_of(name, window)
    assert len(seen) == 13, seen
    assert problems == []


def test_main_window_starts_maximised_on_a_small_screen(qtbot, data_dir: Path, monkeypatch,
                                                        tmp_path):  # fmt: skip
    from PySide6.QtCore import QSettings

    # This test's own QSettings folder: other dxdesk processes of this user write the real one.
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))

    from dxdesk.core.settings import SiteSettings, save_settings
    from dxdesk.gui.app import build_main_window

    QSettings("dxdesk", "dxdesk").remove("main/geometry")
    monkeypatch.setattr(screen_area, "available_geometry", lambda widget=None: QRect(WARD_PC))
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    window, _ = build_main_window(data_dir)
    qtbot.addWidget(window)
    try:
        state = (
            window.windowState(),
            window.geometry(),
            QSettings("dxdesk", "dxdesk").value("main/geometry"),
        )
        assert window.isMaximized(), state
    finally:
        window.context.store.close()


def test_a_dialog_is_sized_to_the_screen_and_its_footer_stays(qtbot, qapp, monkeypatch):
    """A dialog whose content is taller than the screen scrolls; Save stays in reach."""
    from dxdesk.core.settings import SiteSettings
    from dxdesk.gui.settings_dialog import SiteSettingsDialog

    small = QRect(0, 0, 1024, 600)
    monkeypatch.setattr(screen_area, "available_geometry", lambda widget=None: QRect(small))
    with look(qapp, 2.0):
        dialog = SiteSettingsDialog(SiteSettings(), first_run=True)
        qtbot.addWidget(dialog)
        dialog.show()
        settle()
        assert dialog.height() <= small.height() - fit.FRAME_ALLOWANCE.height()
        scroll = dialog.findChild(QScrollArea, "dialogScroll")
        assert scroll.verticalScrollBar().maximum() > 0  # the content really is taller
        save = dialog.findChild(QAbstractButton, "settingsSaveButton")
        assert not _in_scroll_area(save, dialog)
        assert dialog.rect().contains(QRect(save.mapTo(dialog, QPoint(0, 0)), save.size()))
