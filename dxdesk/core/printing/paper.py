"""The paper fallback (書かない窓口 style): an A4 form pre-filled with what the clerk typed.

Values live in memory only: they go into the returned PDF bytes and nowhere else (no temp
file, no log line, not even the PDF's metadata).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from contextvars import ContextVar

from dxdesk.core.catalog import PaperField, ProcedureGuide
from dxdesk.core.i18n import RESIDENT_LANGUAGES, slip_tr
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
from dxdesk.core.printing.slip_texts import format_date

LANG = "ja"  # the form goes to the city office: Japanese always, the resident's language beside
BODY = 12.0
VALUE_SIZE = 14.0
LINE_PITCH = 10 * MM  # room to write by hand (official forms often give 8-9 mm)
SIGNATURE_HEIGHT = 20 * MM
MARGIN = 15 * MM
COLUMN_GAP = 8 * MM


TRUE_MARKS = frozenset({"1", "true", "yes", "on", "x", "✓", "✔", "○", "〇", "レ", "はい", "済"})
FALSE_MARKS = frozenset({"", "0", "false", "no", "off", "いいえ", "×"})

# the resident's language of the form being laid out (per thread: previews render off the GUI
# thread)
_form_lang: ContextVar[str] = ContextVar("paper_form_lang", default=LANG)


def _staff(text: Mapping[str, str] | None) -> str:
    """Japanese for the office, and below it the resident's language when the guide has it."""
    text = text or {}
    own = text.get(_form_lang.get()) if _form_lang.get() != LANG else None
    if _form_lang.get() == "ja-easy" and not own:
        return text.get(LANG, "")
    return f"{text.get(LANG, '')}\n{own}" if own else text.get(LANG, "")


def _both(key: str, **params) -> str:
    """A printed string in Japanese, and in the resident's language after it."""
    ja = slip_tr(key, LANG, **params)
    return ja if _form_lang.get() == LANG else f"{ja}\n{slip_tr(key, _form_lang.get(), **params)}"


def _lines_block(text: str, style_for, width: float) -> Block:
    """Japanese first, then the resident's language: side by side when both fit one line."""
    parts = text.split("\n")
    lang = _form_lang.get()
    if len(parts) == 2:
        first, second = style_for(LANG), style_for(lang)
        gap = first.size
        w1, w2 = first.width(parts[0]), second.width(parts[1])
        if w1 + gap + w2 <= width:
            left = text_block(parts[0], first, width)
            right = text_block(parts[1], second, width - w1 - gap)
            return Block(max(left.height, right.height),
                         [*left.items, *right.shifted(w1 + gap, 0)])  # fmt: skip
    from dxdesk.core.printing.layout import stack

    blocks = [(text_block(part, style_for(LANG if n == 0 else lang), width), 0.0)
              for n, part in enumerate(parts)]  # fmt: skip
    return stack(blocks)


def checked(field: PaperField, value: str | None) -> bool:
    """A check box's value: ○, レ, x, on, はい ... tick it; an unknown mark is an error."""
    mark = (value or "").strip().lower()
    if mark in TRUE_MARKS:
        return True
    if mark in FALSE_MARKS:
        return False
    raise PaperError(
        f"field '{field.key}' is a check box: '{value}' is not a mark; use one of "
        f"{' '.join(sorted(TRUE_MARKS))} to tick it, or leave it empty"
    )


_ERA_STARTS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019,
               "M": 1868, "T": 1912, "S": 1926, "H": 1989, "R": 2019}  # fmt: skip
_ERA_DATE = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*[年.]\s*(\d{1,2})\s*[月.]\s*(\d{1,2})\s*日?$"
)
_WESTERN_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(text: str) -> dt.date | None:
    """1948-04-03, 1948/4/3, 1948年4月3日, 昭和23年4月3日 or S23.4.3; None if none of them."""
    text = unicodedata.normalize("NFKC", text).strip().upper()
    try:
        if match := _WESTERN_DATE.match(text):
            return dt.date(*map(int, match.groups()))
        if match := _ERA_DATE.match(text):
            era, year, month, day = match.groups()
            era = {
                "明治": "明治",
                "大正": "大正",
                "昭和": "昭和",
                "平成": "平成",
                "令和": "令和",
            }.get(era, era)
            first = _ERA_STARTS[era]
            day_ = dt.date(first + (1 if year == "元" else int(year)) - 1, int(month), int(day))
            return day_
    except ValueError:
        return None
    return None


def _date_value(field: PaperField, value: str) -> str:
    """A date as written on Japanese forms (和暦), with the resident's convention beside it."""
    day = parse_date(value)
    if day is None:
        raise PaperError(
            f"field '{field.key}' is a date: '{value}' is not a date (write 1948-04-03 or "
            "昭和23年4月3日)"
        )
    ja = format_date(day, LANG)
    lang = _form_lang.get()
    own = format_date(day, lang) if lang not in (LANG, "ja-easy") else ""
    return f"{ja}（{day.year}年）" + (f"  {own}" if own else "")


def _field_block(field: PaperField, value: str | None, width: float) -> Block:
    heading = _lines_block(_staff(field.label), lambda lang: TextStyle(lang, BODY, bold=True),
                           width)  # fmt: skip
    # a check box carries its own label beside the box
    items = [] if field.kind == "check" else list(heading.items)
    y = 0.0 if field.kind == "check" else heading.height
    if field.help:
        note = _lines_block(_staff(field.help), lambda lang: TextStyle(lang, BODY), width)
        items += note.shifted(0, y)
        y += note.height
    if field.signature:
        caption = _lines_block(_both("paper.signature"), lambda lang: TextStyle(lang, BODY),
                               width - 8)  # fmt: skip
        items.append(PlacedRect(0, y + 2, width, SIGNATURE_HEIGHT, line_width=1.2))
        items += caption.shifted(4, y + 4)
        return Block(y + SIGNATURE_HEIGHT + 4, items)
    if field.kind in ("choice", "check"):
        if field.kind == "check":
            options = [(_staff(field.label), checked(field, value))]
        else:
            options = [(choice, value == choice) for choice in field.choices]
        row = _boxes(options, width)
        items += row.shifted(0, y)
        return Block(y + row.height + 4, items)
    if value:
        if field.kind == "date":
            value = _date_value(field, value)
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


def _boxes(options: list[tuple[str, bool]], width: float) -> Block:
    """Tick boxes with their labels side by side, wrapping onto a new row when the next would
    not fit (one row for 本人 / 法定代理人 / 任意代理人 instead of three)."""
    style = TextStyle(LANG, BODY)
    box, line, gap = BODY * 0.9, BODY * 1.6, BODY * 1.5
    items: list = []
    x = y = 0.0
    row = line
    for label, chosen in options:
        natural = box + 6 + max(style.width(part) for part in label.split("\n"))
        if x > 0 and x + natural > width:
            x, y, row = 0.0, y + row + BODY * 0.3, line
        text = _lines_block(label, lambda lang: TextStyle(lang, BODY), width - x - box - 6)
        items.append(PlacedRect(x, y + (line - box) / 2, box, box, fill=chosen))
        items += text.shifted(x + box + 6, y)
        row = max(row, text.height)
        x += min(natural, width) + gap
    return Block(y + row, items)


def _check_grid(fields: list[PaperField], values: Mapping[str, str], width: float) -> Block:
    """Consecutive stand-alone tick boxes in two columns when every label fits half the width."""
    options = [(_staff(f.label), checked(f, values.get(f.key))) for f in fields]
    column = (width - BODY) / 2
    box = BODY * 0.9

    def too_wide(label: str) -> bool:
        return any(TextStyle(_form_lang.get() if n else LANG, BODY).width(part) > column - box - 6
                   for n, part in enumerate(label.split("\n")))  # fmt: skip

    if any(too_wide(label) for label, _ in options):
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
    guide: ProcedureGuide, values: Mapping[str, str] | None, printed_on: dt.date,
    lang: str = LANG,
) -> Document:  # fmt: skip
    """The form in Japanese (for the office) with the resident's language beside every printed
    string; the staff note never prints."""
    if lang not in RESIDENT_LANGUAGES:
        raise PaperError(
            f"unknown language '{lang}'; choose one of {', '.join(RESIDENT_LANGUAGES)}"
        )
    token = _form_lang.set(lang)
    try:
        return _layout_paper(guide, values, printed_on)
    finally:
        _form_lang.reset(token)


def _layout_paper(
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
    for key, value in values.items():  # strict: an unknown mark or choice is an error
        field = known[key]
        if field.kind == "check":
            checked(field, value)
        elif field.kind == "choice" and value.strip() and value.strip() not in field.choices:
            raise PaperError(
                f"field '{key}': '{value}' is not one of its choices ({' / '.join(field.choices)})"
            )
        elif field.kind == "date" and value.strip():
            _date_value(field, value)
    signed = [k for k in values if known[k].signature and values[k]]
    if signed:
        raise PaperError(
            f"field {', '.join(signed)} is a signature: the resident writes it by hand"
        )
    flow = Flow(210 * MM, 297 * MM, MARGIN)
    cw = flow.content_width
    try:
        flow.add(_lines_block(_staff(paper.title), lambda lang: TextStyle(lang, 20, bold=True),
                              cw), gap_after=6)  # fmt: skip
        where = slip_tr("paper.where", LANG, where=(paper.where or {}).get(LANG, ""))
        if _form_lang.get() != LANG:
            own_where = (paper.where or {}).get(_form_lang.get()) or (paper.where or {}).get(
                LANG, ""
            )
            where += "\n" + slip_tr("paper.where", _form_lang.get(), where=own_where)
        flow.add(_lines_block(where, lambda lang: TextStyle(lang, 14, bold=True), cw))
        # paper.note is for staff (the form's name differs by city...): never printed
        date = slip_tr("paper.printed_on", LANG, date=format_date(printed_on, LANG))
        if _form_lang.get() != LANG:
            date += "  " + slip_tr(
                "paper.printed_on", _form_lang.get(), date=format_date(printed_on, _form_lang.get())
            )
        flow.add(text_block(date, TextStyle(_form_lang.get(), BODY), cw), gap_after=4)
        has_values = any(v.strip() for v in values.values())
        intro = "paper.check_and_sign" if has_values else "paper.blank_aid"
        intro_block = _lines_block(_both(intro), lambda lang: TextStyle(lang, 14, bold=True),
                                   cw - 12)  # fmt: skip
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
    return flow.finish((paper.title or {}).get(LANG, ""))


def render_paper(
    guide: ProcedureGuide, values: Mapping[str, str] | None, printed_on: dt.date,
    lang: str = LANG,
) -> bytes:  # fmt: skip
    """The paper fallback as PDF bytes: pre-filled from ``values``, or a blank filling aid."""
    return draw(layout_paper(guide, values, printed_on, lang))
