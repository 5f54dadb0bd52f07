"""The paper fallback (書かない窓口 style): an A4 form pre-filled with what the clerk typed.

Values live in memory only: they go into the returned PDF bytes and nowhere else (no temp
file, no log line, not even the PDF's metadata).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from dxdesk.core.catalog import PaperField, ProcedureGuide
from dxdesk.core.i18n import slip_tr
from dxdesk.core.printing.errors import PaperError
from dxdesk.core.printing.fonts import MissingGlyphError
from dxdesk.core.printing.layout import (
    MM,
    Block,
    Document,
    Flow,
    PlacedLine,
    PlacedRect,
    TextStyle,
    draw,
    text_block,
)
from dxdesk.core.printing.slip import format_date

LANG = "ja"  # the form goes to the city office, so it is printed in Japanese
BODY = 12.0
VALUE_SIZE = 14.0
LINE_PITCH = 11 * MM  # room to write by hand
SIGNATURE_HEIGHT = 22 * MM


def _staff(text: Mapping[str, str] | None) -> str:
    return (text or {}).get(LANG, "")


def _field_block(field: PaperField, value: str | None, width: float) -> Block:
    label = TextStyle(LANG, BODY, bold=True)
    heading = text_block(_staff(field.label), label, width)
    # a check box carries its own label beside the box
    items = [] if field.kind == "check" else list(heading.items)
    y = 0.0 if field.kind == "check" else heading.height
    if field.help:
        note = text_block(_staff(field.help), TextStyle(LANG, 10.5), width)
        items += note.shifted(0, y)
        y += note.height
    if field.signature:
        caption = text_block(slip_tr("paper.signature", LANG), TextStyle(LANG, 10.5), width)
        items.append(PlacedRect(0, y + 2, width, SIGNATURE_HEIGHT, line_width=1.2))
        items += caption.shifted(4, y + 4)
        return Block(y + SIGNATURE_HEIGHT + 4, items)
    if field.kind in ("choice", "check"):
        truthy = (value or "").strip().lower() in ("1", "true", "yes", "はい", "✓")
        if field.kind == "check":
            options = [(_staff(field.label), truthy)]
        else:
            options = [(choice, value == choice) for choice in field.choices]
        style = TextStyle(LANG, BODY)
        box = BODY * 0.9
        for choice, chosen in options:
            items.append(PlacedRect(0, y + (BODY * 1.6 - box) / 2, box, box, fill=chosen))
            items += text_block(choice, style, width - box - 6).shifted(box + 6, y)
            y += BODY * 1.6
        return Block(y + 4, items)
    if value:
        filled = text_block(value, TextStyle(LANG, VALUE_SIZE), width - 8)
        height = max(filled.height + 6, field.lines * LINE_PITCH)
        items.append(PlacedRect(0, y + 2, width, height, line_width=0.8))
        items += filled.shifted(4, y + 4)
        return Block(y + height + 6, items)
    # A blank line per expected line of handwriting.
    for n in range(field.lines):
        base = y + (n + 1) * LINE_PITCH
        items.append(PlacedLine(0, base, width, base, 0.6))
    return Block(y + field.lines * LINE_PITCH + 6, items)


def layout_paper(
    guide: ProcedureGuide, values: Mapping[str, str] | None, printed_on: dt.date
) -> Document:
    if guide.paper is None:
        raise PaperError(f"guide '{guide.id}' has no paper fallback ('paper:' section)")
    paper = guide.paper
    known = {f.key: f for f in paper.fields}
    values = dict(values or {})
    unknown = [k for k in values if k not in known]
    if unknown:
        raise PaperError(
            f"the paper form of '{guide.id}' has no field {', '.join(map(repr, unknown))}; "
            f"its fields are: {', '.join(known)}"
        )
    signed = [k for k in values if known[k].signature and values[k]]
    if signed:
        raise PaperError(
            f"field {', '.join(signed)} is a signature: the resident writes it by hand"
        )
    flow = Flow(210 * MM, 297 * MM, 18 * MM)
    cw = flow.content_width
    try:
        flow.add(text_block(_staff(paper.title), TextStyle(LANG, 20, bold=True), cw), gap_after=6)
        where = slip_tr("paper.where", LANG, where=_staff(paper.where))
        flow.add(text_block(where, TextStyle(LANG, 14, bold=True), cw))
        if paper.note:
            flow.add(text_block(_staff(paper.note), TextStyle(LANG, BODY), cw))
        date = slip_tr("paper.printed_on", LANG, date=format_date(printed_on, LANG))
        flow.add(text_block(date, TextStyle(LANG, 10.5), cw), gap_after=4)
        has_values = any(v.strip() for v in values.values())
        intro = "paper.check_and_sign" if has_values else "paper.blank_aid"
        intro_block = text_block(slip_tr(intro, LANG), TextStyle(LANG, 14, bold=True), cw - 12)
        frame = PlacedRect(0, 0, cw, intro_block.height + 10, line_width=1.5)
        flow.add(Block(intro_block.height + 10, [frame, *intro_block.shifted(6, 5)]), gap_after=10)
        for field in paper.fields:
            value = values.get(field.key)
            flow.add(_field_block(field, value.strip() if value else None, cw), gap_after=6)
    except MissingGlyphError as exc:
        raise PaperError(str(exc)) from exc
    return flow.finish(_staff(paper.title))


def render_paper(
    guide: ProcedureGuide, values: Mapping[str, str] | None, printed_on: dt.date
) -> bytes:
    """The paper fallback as PDF bytes: pre-filled from ``values``, or a blank filling aid."""
    return draw(layout_paper(guide, values, printed_on))
