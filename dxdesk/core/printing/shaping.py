"""Text shaping with HarfBuzz, and drawing the shaped glyphs into a ReportLab canvas.

ReportLab's own ``drawString(shaping=True)`` loses Devanagari conjuncts and reorders the vowel
sign ि after its letter (कार्ड prints as कार्‌ड, रिडरमा as रडिरमा). Here HarfBuzz shapes the run
with its script and language set, and every glyph it returns is drawn by glyph id at HarfBuzz's
position (x_advance, x_offset, y_offset). ReportLab still embeds the font as a subset: a glyph
that no character maps to (a conjunct, a reph) gets a private-use code in that font's subset.
The run's real text is attached as ``/ActualText`` so copying or searching the PDF gives back
what was written, not the private codes.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_lock = threading.Lock()
_PRIVATE_START = 0xE000
_PRIVATE_END = 0xF8FF


def needs_shaping(text: str) -> bool:
    """True when the text has characters whose glyphs depend on their neighbours."""
    for char in text:
        code = ord(char)
        if 0x0900 <= code <= 0x0DFF:  # Devanagari .. Sinhala (Indic)
            return True
        if unicodedata.combining(char):  # a mark NFC could not compose (some Vietnamese)
            return True
    return False


@dataclass(frozen=True)
class Glyph:
    gid: int
    cluster: int  # index of the first character of its cluster in the run's text
    x_advance: float  # in 1/1000 em
    x_offset: float
    y_offset: float


@dataclass(frozen=True)
class ShapedRun:
    text: str
    glyphs: tuple[Glyph, ...]

    @property
    def advance(self) -> float:
        """Width in 1/1000 em."""
        return sum(g.x_advance for g in self.glyphs)


@lru_cache(maxsize=32)
def _hb_font(path: str, index: int):
    import uharfbuzz as hb

    with open(path, "rb") as fh:
        blob = hb.Blob(fh.read())
    face = hb.Face(blob, index)
    font = hb.Font(face)
    return font, face.upem


_SCRIPTS = {"ne": ("Deva", "ne")}


@lru_cache(maxsize=8192)
def shape(text: str, path: str, index: int, lang: str) -> ShapedRun:
    """HarfBuzz's glyphs for ``text`` in the font file, positions scaled to 1/1000 em."""
    import uharfbuzz as hb

    font, upem = _hb_font(path, index)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    script_lang = _SCRIPTS.get(lang)
    if script_lang and any(0x0900 <= ord(c) <= 0x097F for c in text):
        buf.script, buf.language = script_lang
    elif lang:
        buf.language = {"ja-easy": "ja", "tl": "fil"}.get(lang, lang)
    with _lock:  # an hb.Font is not safe to share across threads while shaping
        hb.shape(font, buf, {"kern": True, "liga": True})
    scale = 1000 / upem
    glyphs = tuple(
        Glyph(
            info.codepoint,
            info.cluster,
            pos.x_advance * scale,
            pos.x_offset * scale,
            pos.y_offset * scale,
        )
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
    )
    return ShapedRun(text, glyphs)


def _code_for_glyph(ttfont, gid: int, path: str, index: int) -> int:
    """A character code that ReportLab's subsetter maps to glyph ``gid`` in this font."""
    face = ttfont.face
    chars = face.glyphToChar.get(gid)
    if chars:
        return chars[0]
    with _lock:
        chars = face.glyphToChar.get(gid)
        if chars:
            return chars[0]
        code = getattr(face, "_dxdesk_next_private", _PRIVATE_START)
        while code in face.charToGlyph:
            code += 1
        if code > _PRIVATE_END:
            raise ValueError(f"too many unmapped glyphs in {ttfont.fontName}")
        face._dxdesk_next_private = code + 1
        face.charToGlyph[code] = gid
        face.glyphToChar.setdefault(gid, []).append(code)
        font, upem = _hb_font(path, index)
        face.charWidths[code] = round(font.get_glyph_h_advance(gid) * 1000 / upem)
        return code


def _utf16_hex(text: str) -> str:
    return "FEFF" + text.encode("utf-16-be").hex().upper()


def draw_shaped(
    canvas,
    font_name: str,
    file: tuple[str, int],
    size: float,
    x: float,
    y: float,
    shaped: ShapedRun,
) -> None:
    """Draw the glyphs of ``shaped`` with their baseline starting at (x, y)."""
    from reportlab.lib.rl_accel import fp_str
    from reportlab.pdfbase import pdfmetrics

    ttfont = pdfmetrics.getFont(font_name)
    doc = canvas._doc
    ops = [f"/Span <</ActualText <{_utf16_hex(shaped.text)}>>> BDC", "BT"]
    ops.append(f"1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
    current_subset: int | None = None
    rise = 0.0
    pending: list[str] = []

    def flush() -> None:
        if pending:
            ops.append(f"[{' '.join(pending)}] TJ")
            pending.clear()

    for glyph in shaped.glyphs:
        code = _code_for_glyph(ttfont, glyph.gid, *file)
        ((subset, raw),) = ttfont.splitString(chr(code), doc)
        if subset != current_subset:
            flush()
            ops.append(f"{ttfont.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
            current_subset = subset
        glyph_rise = size * glyph.y_offset / 1000
        if glyph_rise != rise:
            flush()
            ops.append(f"{fp_str(glyph_rise)} Ts")
            rise = glyph_rise
        width = ttfont.face.charWidths.get(code, 0)
        if glyph.x_offset:
            pending.append(fp_str(-glyph.x_offset))
        pending.append("(" + canvas._escape(raw) + ")")
        # the PDF advances by the glyph's own width; move on by HarfBuzz's advance instead
        correction = width - glyph.x_advance + glyph.x_offset
        if abs(correction) > 1e-6:
            pending.append(fp_str(correction))
    flush()
    if rise:
        ops.append("0 Ts")
    ops += ["ET", "EMC"]
    canvas._code.append("\n".join(ops))
