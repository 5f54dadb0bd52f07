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
LINE_PITCH = 10 * MM  # room to write by hand (official forms often give 8-9 mm)
SIGNATURE_HEIGHT = 20 * MM
MARGIN = 15 * MM
COLUMN_GAP = 8 * MM


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
        if field.kind == "check":
            options = [(_staff(field.label), _truthy(value))]
        else:
            options = [(choice, value == choice) for choice in field.choices]
        row = _boxes(options, width)
        items += row.shifted(0, y)
        return Block(y + row.height + 4, items)
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


def _value(values: Mapping[str, str], field: PaperField) -> str | None:
    value = values.get(field.key)
    return value.strip() if value else None


def _half_width(field: PaperField, width: float) -> bool:
    """A date, a number or a short choice fits half the page: two in a row save a field's
    height."""
    if field.signature or field.help or field.lines != 1:
        return False
    if field.kind == "choice":
        column = (width - COLUMN_GAP) / 2
        return _boxes([(c, False) for c in field.choices], column).height <= BODY * 1.6
    return field.kind in ("date", "digits")


def _side_by_side(
    left: PaperField, right: PaperField, values: Mapping[str, str], width: float
) -> Block:
    column = (width - COLUMN_GAP) / 2
    first = _field_block(left, _value(values, left), column)
    second = _field_block(right, _value(values, right), column)
    items = [*first.items, *second.shifted(column + COLUMN_GAP, 0)]
    return Block(max(first.height, second.height), items)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "はい", "✓")


def _boxes(options: list[tuple[str, bool]], width: float) -> Block:
    """Tick boxes with their labels side by side, wrapping onto a new row when the next would
    not fit (one row for 本人 / 法定代理人 / 任意代理人 instead of three)."""
    style = TextStyle(LANG, BODY)
    box, line, gap = BODY * 0.9, BODY * 1.6, BODY * 1.5
    items: list = []
    x = y = 0.0
    row = line
    for label, chosen in options:
        natural = box + 6 + style.width(label)
        if x > 0 and x + natural > width:
            x, y, row = 0.0, y + row + BODY * 0.3, line
        text = text_block(label, style, width - x - box - 6)
        items.append(PlacedRect(x, y + (line - box) / 2, box, box, fill=chosen))
        items += text.shifted(x + box + 6, y)
        row = max(row, text.height)
        x += min(natural, width) + gap
    return Block(y + row, items)


def _check_grid(fields: list[PaperField], values: Mapping[str, str], width: float) -> Block:
    """Consecutive stand-alone tick boxes in two columns when every label fits half the width."""
    options = [(_staff(f.label), _truthy(values.get(f.key))) for f in fields]
    style = TextStyle(LANG, BODY)
    column = (width - BODY) / 2
    box = BODY * 0.9
    if any(style.width(label) > column - box - 6 for label, _ in options):
        rows = [_boxes([option], width) for option in options]
    else:
        rows = []
        for i in range(0, len(options), 2):
            left = _boxes([options[i]], column)
            items = list(left.items)
            if i + 1 < len(options):
                items += _boxes([options[i + 1]], column).shifted(column + BODY, 0)
            rows.append(Block(left.height, items))
    items, y = [], 0.0
    for row in rows:
        items += row.shifted(0, y)
        y += row.height
    return Block(y + 4, items)


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
    flow = Flow(210 * MM, 297 * MM, MARGIN)
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
        fields = list(paper.fields)
        while fields:
            field = fields.pop(0)
            if field.kind == "check" and not field.help:
                run = [field]
                while fields and fields[0].kind == "check" and not fields[0].help:
                    run.append(fields.pop(0))
                flow.add(_check_grid(run, values, cw), gap_after=6)
                continue
            if _half_width(field, cw) and fields and _half_width(fields[0], cw):
                flow.add(_side_by_side(field, fields.pop(0), values, cw), gap_after=6)
                continue
            flow.add(_field_block(field, _value(values, field), cw), gap_after=6)
    except MissingGlyphError as exc:
        raise PaperError(str(exc)) from exc
    return flow.finish(_staff(paper.title))


def render_paper(
    guide: ProcedureGuide, values: Mapping[str, str] | None, printed_on: dt.date
) -> bytes:
    """The paper fallback as PDF bytes: pre-filled from ``values``, or a blank filling aid."""
    return draw(layout_paper(guide, values, printed_on))
