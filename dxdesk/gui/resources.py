"""Qt-side access to the shipped resources: fonts and stylesheets, through the core locator."""

from __future__ import annotations

from PySide6.QtCore import QDir
from PySide6.QtGui import QFont, QFontDatabase

from dxdesk.core.paths import font_path, resource_path, ui_path

UI_FONT_FILES = ("BIZUDGothic-Regular.ttf", "BIZUDGothic-Bold.ttf")
UI_FONT_FAMILY = "BIZ UDGothic"
# नेपाली and other scripts BIZ UDゴシック lacks: shipped fonts Qt falls back to, in this order.
FALLBACK_FONT_FILES = ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf")
BASE_POINT_SIZE = 12.0
# The guide page's own colours per theme: the sentence to say, and links that stay visible.
GUIDE_CSS = ".say { background: #fffbe6; } a { color: #1d5fa8; }"
GUIDE_CSS_HIGH_CONTRAST = ".say { color: #ffff00; } a { color: #00ffff; }"

_loaded_family: str | None = None
_fallback_families: list[str] = []


def icon_path(name: str) -> str:
    """A shipped SVG icon (resources/icons); also reachable as ``icons:NAME`` in stylesheets."""
    folder = resource_path("icons")
    if str(folder) not in QDir.searchPaths("icons"):
        QDir.addSearchPath("icons", str(folder))
    return str(folder / name)


def load_ui_fonts() -> str:
    """Register BIZ UDゴシック with Qt once; return the family name to use."""
    global _loaded_family
    if _loaded_family is None:
        families: list[str] = []
        for name in UI_FONT_FILES:
            font_id = QFontDatabase.addApplicationFont(str(font_path(name)))
            if font_id >= 0:
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
        # A damaged or missing font file must not stop the app: Qt falls back to a system font.
        _loaded_family = families[0] if families else UI_FONT_FAMILY
        for name in FALLBACK_FONT_FILES:
            font_id = QFontDatabase.addApplicationFont(str(font_path(name)))
            for family in QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []:
                if family not in _fallback_families:
                    _fallback_families.append(family)
        icon_path("")  # the icons: search path, for the stylesheets
    return _loaded_family


def ui_font(scale: float = 1.0) -> QFont:
    font = QFont(load_ui_fonts())
    font.setFamilies([font.family(), *_fallback_families])
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    return font


def load_stylesheet(high_contrast: bool = False, scale: float = 1.0) -> str:
    """The app's theme; sizes in the .qss are written for scale 1.0 as {N}px placeholders."""
    name = "high-contrast.qss" if high_contrast else "theme.qss"
    text = ui_path(name).read_text(encoding="utf-8")
    return _scale_pixels(text, scale)


def _scale_pixels(qss: str, scale: float) -> str:
    import re

    return re.sub(r"(\d+)px", lambda m: f"{round(int(m.group(1)) * scale)}px", qss)
