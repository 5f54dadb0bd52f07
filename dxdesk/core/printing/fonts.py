"""Fonts for printed material, registered once per process, chosen per script and language.

BIZ UDゴシック is the house face for Japanese (UD typeface for older readers). Latin-script
languages (English, Filipino, Portuguese, Vietnamese) print in the proportional Noto Sans, which
has every Vietnamese letter and real typographic quotes; Nepali prints in Noto Sans Devanagari,
shaped by HarfBuzz (shaping.py); simplified Chinese in a subset of Noto Sans CJK SC with a real
bold (tools/build_cjk_sc_subset.py); Korean in Nanum Gothic. All are shipped with their licences
(SIL OFL 1.1) so that every machine prints the same; for Hangul the operating system's faces are
a fallback only. A run of ideographs is drawn in one face (北区役所 never mixes two fonts).
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
NOTO_CJK_SC = "NotoSansCJKsc"
SYSTEM_HANGUL = "SystemHangul"

_SHIPPED = {
    UD_GOTHIC: "BIZUDGothic-{weight}.ttf",
    NOTO_SANS: "NotoSans-{weight}.ttf",
    NOTO_DEVANAGARI: "NotoSansDevanagari-{weight}.ttf",
    NOTO_CJK_SC: "NotoSansCJKsc-{weight}-subset.ttf",
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
}

# Which face to try first for each resident language; the rest follow as fallbacks.
_LATIN_CHAIN = (NOTO_SANS, UD_GOTHIC, NOTO_DEVANAGARI, NOTO_CJK_SC, SYSTEM_HANGUL)
_CHAINS: dict[str, tuple[str, ...]] = {
    "en": _LATIN_CHAIN,
    "tl": _LATIN_CHAIN,
    "pt": _LATIN_CHAIN,
    "vi": _LATIN_CHAIN,
    "ne": (NOTO_DEVANAGARI, NOTO_SANS, UD_GOTHIC, NOTO_CJK_SC, SYSTEM_HANGUL),
    "zh": (NOTO_CJK_SC, NOTO_SANS, UD_GOTHIC, NOTO_DEVANAGARI, SYSTEM_HANGUL),
    "ko": (SYSTEM_HANGUL, UD_GOTHIC, NOTO_SANS, NOTO_DEVANAGARI, NOTO_CJK_SC),
}
# Kanji in a Korean slip (the office's name, 北区役所) are Japanese names: all from the Japanese face,
# never some from Nanum Gothic's hanja and the rest from another font.
_IDEOGRAPH_CHAINS: dict[str, tuple[str, ...]] = {"ko": (UD_GOTHIC, NOTO_CJK_SC, SYSTEM_HANGUL)}
_DEFAULT_CHAIN = (UD_GOTHIC, NOTO_SANS, NOTO_DEVANAGARI, NOTO_CJK_SC, SYSTEM_HANGUL)
LATIN_SCRIPT_LANGUAGES = frozenset({"en", "tl", "pt", "vi"})
# Zero-width marks that steer shaping; drawn in whatever font holds the neighbouring text.
_INVISIBLE = {"\u200c", "\u200d"}
_NEUTRAL = set(".,:;!?()-/'\"")


def is_ideograph(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or char in "々〆ヶ〇"


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
            "zh": " The character is not in the shipped Noto Sans CJK SC subset: add it to "
            "tools/build_cjk_sc_subset.py and rebuild the font.",
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
        face = _load_font(name, Path(path), index)
    except Exception as exc:  # missing, truncated or not a font: name the file, say what to do
        raise SlipError(tr("printing.error.font_unusable", path=str(path), error=exc)) from exc
    pdfmetrics.registerFont(face)
    _files[name] = (str(path), index)
    return name


_NOT_KEPT = ("_pdfScale", "_ttf_data")  # a function, and the file's bytes (read again)


def _load_font(name: str, path: Path, index: int) -> TTFont:
    """ReportLab's TTFont for a file. Parsing a face's tables takes about 0.4 s for a CJK font,
    most of a first slip's time; the parsed tables are kept in the start-up cache (keyed by the
    font file, this module and ReportLab's parser), so a later process reads them in a few
    milliseconds."""
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFontFace

    from dxdesk.core.startup_cache import cached

    parsed: list[TTFontFace] = []

    def parse() -> dict:
        parsed.append(TTFontFace(str(path), subfontIndex=index))
        return {k: v for k, v in vars(parsed[0]).items() if k not in _NOT_KEPT}

    # keyed by ReportLab's parser too: another ReportLab may keep other tables
    modules = ("dxdesk.core.printing.fonts", "reportlab.pdfbase.ttfonts")
    tables = cached(f"font-{path.stem}-{index}", [path], modules, parse)
    if parsed:
        face = parsed[0]
    else:
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(tables)
        face._ttf_data = path.read_bytes()  # the subsetter copies glyphs from it
        scale = 1000 / face.unitsPerEm
        face._pdfScale = (lambda x: x) if scale == 1 else (lambda x: x * scale)
    font = TTFont.__new__(TTFont)
    font.fontName, font.face, font.encoding = name, face, TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = True
    return font


@cache
def _cmap(family: str, weight: str) -> frozenset[int]:
    """Register one face on first use (once per process); the code points it has."""
    with _lock:
        name = _register(family, weight)
    if name is None:
        return frozenset()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def registered_face(family: str, weight: str = "Regular") -> str:
    """The ReportLab name of a face, registered once for the whole process (slips, forms and
    the report share this one registry)."""
    if not _cmap(family, weight):
        raise SlipError(tr("printing.error.font_unusable", path=family, error=weight))
    return f"{family}-{weight}"


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
def _font_for(chars: str, lang: str, weight: str) -> str | None:
    """The first face of the language's chain that has every one of ``chars``."""
    codes = [ord(c) for c in chars]
    chain = _CHAINS.get(lang, _DEFAULT_CHAIN)
    if all(is_ideograph(c) for c in chars):
        chain = _IDEOGRAPH_CHAINS.get(lang, chain)
    for family in chain:
        cmap = _cmap(family, weight)
        if all(code in cmap for code in codes):
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
    word_font: str | None = None  # the face chosen for the whole run of ideographs
    for n, char in enumerate(text):
        if not is_ideograph(char):
            word_font = None
        elif word_font is None:
            end = n
            while end < len(text) and is_ideograph(text[end]):
                end += 1
            word_font = _font_for(text[n:end], lang, weight) if end - n > 1 else None
        # spaces, joiners and ASCII punctuation stay in the run they sit in
        if (
            (char in _INVISIBLE or char.isspace() or char in _NEUTRAL)
            and current_font
            and font_has(current_font, char)
        ):
            buffer.append(char)
            continue
        font = word_font or _font_for(char, lang, weight)
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
