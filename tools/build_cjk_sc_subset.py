"""Build resources/fonts/NotoSansCJKsc-{Regular,Bold}-subset.ttf from Debian's fonts-noto-cjk.

ReportLab embeds TrueType outlines only, and Noto Sans CJK ships CFF: this keeps the glyphs a
simplified-Chinese slip needs (GB 2312, ASCII, CJK punctuation, full-width forms, and every
character of the shipped guides and slip catalogs), converts their cubic outlines to quadratic
(fontTools cu2qu) and writes a TrueType font. Licence: SIL OFL 1.1 (OFL-Noto.txt).

    apt-get install fonts-noto-cjk
    uv run --with fonttools==4.66.1 python tools/build_cjk_sc_subset.py
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc")


def wanted_text() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in range(0xA0, 0x180)}
    chars |= {chr(c) for c in range(0x2000, 0x2070)}  # general punctuation
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK symbols and punctuation
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)}  # full-width forms
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([hi, lo]).decode("gb2312"))
    for path in [*ROOT.glob("forms/**/*.yaml"), *ROOT.glob("resources/i18n/slip*.yaml")]:
        chars |= {c for c in path.read_text("utf-8") if ord(c) >= 0x2E80}
    return "".join(sorted(chars))


def sc_face(weight: str):
    for font in TTCollection(str(SOURCE).format(weight=weight)).fonts:
        if font["name"].getDebugName(1).endswith("CJK SC"):
            return font
    raise SystemExit(f"no Noto Sans CJK SC in {SOURCE}")


def to_truetype(font) -> None:
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = {}
    for name in glyf.glyphOrder:
        rec = DecomposingRecordingPen(glyph_set)
        glyph_set[name].draw(rec)
        pen = TTGlyphPen(None)
        rec.replay(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def main() -> None:
    text = wanted_text()
    for weight in ("Regular", "Bold"):
        font = sc_face(weight)
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        sub = subset.Subsetter(options)
        sub.populate(text=text)
        sub.subset(font)
        to_truetype(font)
        out = ROOT / "resources" / "fonts" / f"NotoSansCJKsc-{weight}-subset.ttf"
        font.save(out)
        print(out, out.stat().st_size, file=sys.stderr)


if __name__ == "__main__":
    main()
