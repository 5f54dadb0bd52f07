"""Fonts for printed material, registered once per process, with per-character fallback.

BIZ UDゴシック is the house face (UD typeface for older readers); Noto Sans covers Vietnamese
marks and Latin it lacks; Noto Sans Devanagari covers Nepali, shaped by HarfBuzz (shaping.py). Hangul and
simplified Chinese come from the shipped Nanum Gothic (OFL) and WenQuanYi Micro Hei (Apache-2.0)
so that every machine prints the same; the operating system's faces are a fallback only.
ReportLab embeds every TrueType font as a subset of the glyphs used.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from dxdesk.core.i18n import tr
from dxdesk.core.paths import font_path
from dxdesk.core.printing.errors import SlipError
from dxdesk.core.printing.shaping import ShapedRun, needs_shaping, shape

UD_GOTHIC = "BIZUDGothic"
NOTO_SANS = "NotoSans"
NOTO_DEVANAGARI = "NotoSansDevanagari"
SYSTEM_HANGUL = "SystemHangul"
SYSTEM_HANS = "SystemHans"

_SHIPPED = {
    UD_GOTHIC: "BIZUDGothic-{weight}.ttf",
    NOTO_SANS: "NotoSans-{weight}.ttf",
    NOTO_DEVANAGARI: "NotoSansDevanagari-{weight}.ttf",
}
# TrueType faces (ReportLab cannot embed CFF outlines): the shipped one, then ward PCs' own:
# (path, subfont index) per weight; the first that exists wins.
_SYSTEM_CANDIDATES: dict[str, dict[str, list[tuple[str, int]]]] = {
    SYSTEM_HANGUL: {
        "Regular": [
            (str(font_path("NanumGothic.ttf")), 0),
            ("C:/Windows/Fonts/malgun.ttf", 0),
            ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", 0),
        ],
        "Bold": [
            (str(font_path("NanumGothicBold.ttf")), 0),
            ("C:/Windows/Fonts/malgunbd.ttf", 0),
            ("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf", 0),
        ],
    },
    SYSTEM_HANS: {
        "Regular": [
            (str(font_path("wqy-microhei.ttc")), 0),
            ("C:/Windows/Fonts/simhei.ttf", 0),
            ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
        ],
        "Bold": [
            (str(font_path("wqy-microhei.ttc")), 0),
            ("C:/Windows/Fonts/simhei.ttf", 0),
            ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
        ],
    },
}

# Which face to try first for each resident language; the rest follow as fallbacks.
_CHAINS: dict[str, tuple[str, ...]] = {
    "vi": (NOTO_SANS, UD_GOTHIC, NOTO_DEVANAGARI, SYSTEM_HANS, SYSTEM_HANGUL),
    "ne": (NOTO_DEVANAGARI, UD_GOTHIC, NOTO_SANS, SYSTEM_HANS, SYSTEM_HANGUL),
    "zh": (SYSTEM_HANS, UD_GOTHIC, NOTO_SANS, NOTO_DEVANAGARI, SYSTEM_HANGUL),
    "ko": (SYSTEM_HANGUL, UD_GOTHIC, NOTO_SANS, NOTO_DEVANAGARI, SYSTEM_HANS),
}
_DEFAULT_CHAIN = (UD_GOTHIC, NOTO_SANS, NOTO_DEVANAGARI, SYSTEM_HANS, SYSTEM_HANGUL)
# Zero-width marks that steer shaping; drawn in whatever font holds the neighbouring text.
_INVISIBLE = {"\u200c", "\u200d"}
_NEUTRAL = set(".,:;!?()-/'\"")

_lock = threading.Lock()
_files: dict[str, tuple[str, int]] = {}  # registered name -> (font file, subfont index)


def font_file(name: str) -> tuple[str, int]:
    """The file (and subfont index) a registered face was loaded from."""
    family, weight = name.rsplit("-", 1)
    _cmap(family, weight)
    return _files[name]


class MissingGlyphError(ValueError):
    """Some characters exist in no available font; printing them would show empty boxes."""

    def __init__(self, characters: str, lang: str) -> None:
        self.characters = characters
        self.lang = lang
        hint = {
            "ko": " Install a Hangul TrueType font (Malgun Gothic on Windows; fonts-nanum on "
            "Debian) or ask for one to be shipped in resources/fonts.",
            "zh": " Install a simplified-Chinese TrueType font (SimHei on Windows; "
            "fonts-wqy-microhei on Debian) or ask for one to be shipped in resources/fonts.",
        }.get(lang, "")
        super().__init__(
            f"no available font has the character(s) {' '.join(characters)} "
            f"(language '{lang}'), so they cannot be printed.{hint}"
        )


@dataclass(frozen=True)
class Run:
    """A piece of text drawn in one registered font."""

    text: str
    font: str  # registered ReportLab font name, e.g. 'BIZUDGothic-Bold'
    lang: str = ""  # the resident language, for HarfBuzz's language-specific forms

    @property
    def family(self) -> str:
        return self.font.rsplit("-", 1)[0]

    @property
    def shaped(self) -> bool:
        """Drawn glyph by glyph as HarfBuzz shaped it (Devanagari, leftover combining marks)."""
        return needs_shaping(self.text)

    def shaping(self) -> ShapedRun:
        path, index = font_file(self.font)
        return shape(self.text, path, index, self.lang)


def _register(family: str, weight: str) -> str | None:
    name = f"{family}-{weight}"
    if name in pdfmetrics.getRegisteredFontNames() and name in _files:
        return name
    if family in _SHIPPED:
        path, index = font_path(_SHIPPED[family].format(weight=weight)), 0
    else:
        found = [(Path(p), i) for p, i in _SYSTEM_CANDIDATES[family][weight] if Path(p).is_file()]
        if not found:
            return None
        path, index = found[0]
    try:
        face = TTFont(name, str(path), subfontIndex=index)
    except Exception as exc:  # missing, truncated or not a font: name the file, say what to do
        raise SlipError(tr("printing.error.font_unusable", path=str(path), error=exc)) from exc
    pdfmetrics.registerFont(face)
    _files[name] = (str(path), index)
    return name


@cache
def _cmap(family: str, weight: str) -> frozenset[int]:
    """Register one face on first use (once per process); the code points it has."""
    with _lock:
        name = _register(family, weight)
    if name is None:
        return frozenset()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def register_fonts() -> list[str]:
    """Register every available face now; return their ReportLab names."""
    return [
        f"{family}-{weight}"
        for family in (*_SHIPPED, *_SYSTEM_CANDIDATES)
        for weight in ("Regular", "Bold")
        if _cmap(family, weight)
    ]


def font_has(font: str, char: str) -> bool:
    family, weight = font.rsplit("-", 1)
    return ord(char) in _cmap(family, weight)


@cache
def _font_for(char: str, lang: str, weight: str) -> str | None:
    code = ord(char)
    for family in _CHAINS.get(lang, _DEFAULT_CHAIN):
        if code in _cmap(family, weight):
            return f"{family}-{weight}"
    return None


def split_runs(text: str, lang: str, *, bold: bool = False) -> list[Run]:
    """Cut ``text`` into runs so that every character is drawn in a font that has it.

    Raises MissingGlyphError naming the characters no font has.
    """
    weight = "Bold" if bold else "Regular"
    text = unicodedata.normalize("NFC", text)
    runs: list[Run] = []
    missing: list[str] = []
    current_font: str | None = None
    buffer: list[str] = []
    for char in text:
        # spaces, joiners and ASCII punctuation stay in the run they sit in
        if (
            (char in _INVISIBLE or char.isspace() or char in _NEUTRAL)
            and current_font
            and font_has(current_font, char)
        ):
            buffer.append(char)
            continue
        font = _font_for(char, lang, weight)
        if font is None:
            if char not in missing:
                missing.append(char)
            continue
        if font != current_font and buffer:
            runs.append(Run("".join(buffer), current_font, lang))  # type: ignore[arg-type]
            buffer = []
        current_font = font
        buffer.append(char)
    if missing:
        raise MissingGlyphError("".join(missing), lang)
    if buffer and current_font:
        runs.append(Run("".join(buffer), current_font, lang))
    return runs


def run_width(run: Run, size: float) -> float:
    if run.shaped:
        return run.shaping().advance * size / 1000
    return pdfmetrics.stringWidth(run.text, run.font, size)
