"""The QR hand-off slip: what was done today, what is left, and the online route as a QR code."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from dxdesk.core.catalog import ProcedureGuide, plain_text
from dxdesk.core.handoff import ALPHABET, is_valid_handoff_code
from dxdesk.core.i18n import RESIDENT_LANGUAGES, slip_tr
from dxdesk.core.printing.errors import SlipError
from dxdesk.core.printing.fonts import MissingGlyphError, run_width
from dxdesk.core.printing.layout import (
    MM,
    Block,
    Document,
    Flow,
    PlacedLine,
    PlacedQR,
    PlacedText,
    TextStyle,
    draw,
    qr_matrix,
    stack,
    text_block,
)
from dxdesk.core.printing.slip_texts import (  # noqa: F401  (re-exported for older imports)
    DoneToday,
    counter_hours,
    counter_name,
    done_today_texts,
    format_date,
    japanese_era,
    require_counter_details,
    route_url,
    slip_text_for,
    slip_warnings,
)
from dxdesk.core.settings import SiteSettings


@dataclass(frozen=True)
class SlipFormat:
    name: str
    width_mm: float
    height_mm: float | None  # None: continuous roll, height from the content
    margin_mm: float
    qr_mm: float
    survey_qr_mm: float
    body_sizes: tuple[float, ...]  # tried in order until the slip fits on one page
    title_size: float
    qr_beside_text: bool


SLIP_FORMATS: dict[str, SlipFormat] = {
    "a6": SlipFormat("a6", 105, 148, 7, 28, 22, (12,), 16, True),
    "a5": SlipFormat("a5", 148, 210, 12, 35, 25, (13, 12), 18, True),
    "receipt80": SlipFormat("receipt80", 80, None, 4, 25, 22, (12,), 14, True),
}
HEADING_SIZE = 14
FOOTER_SIZE = 10.5
# kept free above the bottom margin of a slip of several pages: one line of the footer
FOOTER_ROOM = FOOTER_SIZE * 1.5
# A receipt roll's top and bottom: the printer itself leaves the blank between its print head
# and its cutter (about 15 mm on an Epson TM-T88III, "Printing and Cutting Positions") above
# the first line and below the last, so the page keeps only a little more than a line's leading.
ROLL_END_MARGIN_MM = 2
SURVEY_KEY = "survey_url_template"


def layout_slip(
    guide: ProcedureGuide,
    settings: SiteSettings,
    lang: str,
    fmt: str,
    handoff_code: str,
    done_today: Sequence[str],
    printed_on: dt.date,
) -> Document:
    """Lay the slip out (no drawing yet); raises SlipError on anything that must not print."""
    if lang not in RESIDENT_LANGUAGES:
        raise SlipError(f"unknown language '{lang}'; choose one of {', '.join(RESIDENT_LANGUAGES)}")
    if fmt not in SLIP_FORMATS:
        raise SlipError(f"unknown slip format '{fmt}'; choose one of {', '.join(SLIP_FORMATS)}")
    if not is_valid_handoff_code(handoff_code):
        raise SlipError(f"'{handoff_code}' is not a valid hand-off code (see dxdesk.core.handoff)")
    url = route_url(guide, settings)
    require_counter_details(settings)
    survey_template = settings.city_url(SURVEY_KEY) or ""
    survey_url = (
        survey_template.replace("{code}", handoff_code) if "{code}" in survey_template else None
    )
    spec = SLIP_FORMATS[fmt]
    # Type never shrinks below 12 pt: one page at the largest size that fits; else a card that
    # moves what the resident needs least at home to the back — first the list of what was
    # done today, then the QR band (the QR, code, contact and survey stay together), then both;
    # the same with the done list as one paragraph; else (a very long guide) the text runs on
    # over as many pages as it takes, the band never split, every page numbered.
    plans = [_Plan()]
    if spec.height_mm is not None:
        plans += [_Plan(done_back=True)] if done_today else []
        plans += [_Plan(band_back=True)]
        plans += [_Plan(done_back=True, band_back=True)] if done_today else []
        if len(done_today) > 1:
            plans += [dataclasses.replace(p, compact_done=True) for p in plans]
        if survey_url:  # the band alone on the back, the survey QR at the foot of the front
            plans += [dataclasses.replace(p, band_back=True, survey_apart=True)
                      for p in plans if p.band_back]  # fmt: skip
    if spec.height_mm is not None and spec.title_size > HEADING_SIZE:
        # then the same with the title at heading size, before a card takes a third side
        plans += [dataclasses.replace(p, small_title=True) for p in plans]
    tb = _Blocks()
    try:
        for plan in plans:
            for body in spec.body_sizes:
                doc = _build(guide, settings, lang, spec, body, url, survey_url, handoff_code,
                             done_today, printed_on, plan, tb)  # fmt: skip
                if len(doc.pages) == plan.pages and not doc.overflow:
                    return doc
        # the text runs on; if the band with the survey QR is taller than the room left,
        # the survey QR goes apart, into the room left before the band
        compact = len(done_today) > 1
        tries = [_Plan(paged=True, compact_done=compact)]
        tries += [_Plan(paged=True, compact_done=compact, survey_apart=True)] if survey_url else []
        tries += [dataclasses.replace(p, small_title=True) for p in tries]
        docs = [_build(guide, settings, lang, spec, spec.body_sizes[-1], url, survey_url,
                       handoff_code, done_today, printed_on, p, tb) for p in tries]  # fmt: skip
        # fewest sheets; on a tie the first (the larger title)
        return min(docs, key=lambda d: (d.overflow, len(d.pages)))
    except MissingGlyphError as exc:
        raise SlipError(str(exc)) from exc


@dataclass(frozen=True)
class _Plan:
    """What goes on the back of a two-sided card (nothing: a one-page slip)."""

    done_back: bool = False
    band_back: bool = False  # the QR, the code, the contact and the survey, kept together
    compact_done: bool = False  # done today as one paragraph: ✓ a  ✓ b  ✓ c
    paged: bool = False  # as many pages as it takes
    survey_apart: bool = False  # the survey QR after the band rather than in it
    small_title: bool = False  # the title at heading size (14 pt) rather than the format's

    @property
    def pages(self) -> int:
        return 2 if (self.done_back or self.band_back) else 1


class _Blocks:
    """``text_block`` remembered for one slip: the attempts at one type size (one page, then
    front and back) share their wrapped paragraphs instead of wrapping them again."""

    def __init__(self) -> None:
        self._memo: dict[tuple, Block] = {}

    def __call__(self, text: str, style: TextStyle, width: float, **options) -> Block:
        key = (text, style.lang, style.size, style.bold, width, *sorted(options.items()))
        block = self._memo.get(key)
        if block is None:
            block = self._memo[key] = text_block(text, style, width, **options)
        return block


def hanging_indent(style: TextStyle, prefixes: Sequence[str]) -> float:
    """Room for the widest mark or number (1., 10., ✓) and a little space after it."""
    return max(style.width(p) for p in prefixes) + style.size * 0.35


def marked_items(
    items: Sequence[str], mark: str, style: TextStyle, width: float, tb: _Blocks,
    *, side_by_side: bool = False,
) -> list[Block]:  # fmt: skip
    """Items each after its mark (✓, ・), wrapped lines hanging under the text, one block per
    printed row. ``side_by_side`` puts a short item beside the one before it when it fits
    whole on the rest of the row; an item never starts on the last line of a wrapped one,
    so every item still begins at a mark the eye can find."""
    indent = hanging_indent(style, [mark])
    makers = [lambda w, item=item: tb(item, style, w, prefix=mark, indent=indent) for item in items]
    if not side_by_side:
        return [make(width) for make in makers]
    return packed(makers, width, style.size * 1.5, indent + style.size * 3)


def packed(makers: Sequence, width: float, gap: float, least: float) -> list[Block]:
    """Blocks made for a width (``make(width)``), packed into rows: one goes beside the one
    before when it fits there on one line (in at least ``least`` of room), else it starts a
    new row; nothing goes beside a block of several lines."""
    rows: list[Block] = []
    row: list[tuple[float, Block]] = []
    used = 0.0
    for make in makers:
        if row:
            room = width - used - gap
            if room >= least:
                block = make(room)
                if _line_count(block) == 1:
                    row.append((used + gap, block))
                    used += gap + _text_right(block)
                    continue
            rows.append(_row(row))
            row = []
        block = make(width)
        if _line_count(block) > 1:  # several lines: the next one starts a new row
            rows.append(block)
            used = 0.0
        else:
            row, used = [(0.0, block)], _text_right(block)
    if row:
        rows.append(_row(row))
    return rows


def _line_count(block: Block) -> int:
    return len({round(i.y, 2) for i in block.items if isinstance(i, PlacedText) and not i.ruby})


def _text_right(block: Block) -> float:
    return max(
        (i.x + run_width(i.run, i.size) for i in block.items if isinstance(i, PlacedText)),
        default=0.0,
    )


def _row(parts: list[tuple[float, Block]]) -> Block:
    """Blocks of one line side by side, their baselines aligned (one may carry furigana)."""
    if len(parts) == 1:
        return parts[0][1]

    def baseline(block: Block) -> float:
        return min(i.y for i in block.items if isinstance(i, PlacedText) and not i.ruby)

    top = max(baseline(b) for _, b in parts)
    items: list = []
    height = 0.0
    for x, block in parts:
        dy = top - baseline(block)
        items += block.shifted(x, dy)
        height = max(height, block.height + dy)
    return Block(height, items)


def qr_row(
    data: str, qr_mm: float, caption: str, text: str | None, style: TextStyle, width: float,
    beside: bool, small: TextStyle,
) -> Block:  # fmt: skip
    size = qr_mm * MM
    matrix = qr_matrix(data)
    if beside:
        gap = 3 * MM
        column = width - size - gap
        caption_block = text_block(caption, style, column)
        items = [PlacedQR(0.0, 0.0, size, matrix, data), *caption_block.shifted(size + gap, 0)]
        height = caption_block.height
        if text:
            url_block = text_block(text, small, column, break_anywhere=True)
            items += url_block.shifted(size + gap, height + 2)
            height += url_block.height + 2
        return Block(max(size, height), items)
    x = (width - size) / 2
    items = [PlacedQR(x, 0.0, size, matrix, data)]
    caption_block = text_block(caption, style, width, align="center")
    items += caption_block.shifted(0, size)
    height = size + caption_block.height
    if text:
        url_block = text_block(text, small, width, break_anywhere=True, align="center")
        items += url_block.shifted(0, height)
        height += url_block.height
    return Block(height, items)


def _build(
    guide: ProcedureGuide, settings: SiteSettings, lang: str, spec: SlipFormat, body: float,
    url: str, survey_url: str | None, code: str, done_today: Sequence[str], printed_on: dt.date,
    plan: _Plan, tb: _Blocks,
) -> Document:  # fmt: skip
    width = spec.width_mm * MM
    # A slip of several pages carries a footer on each; its room is kept inside the margins
    # (A6's 7 mm margin alone is about what a printer cannot reach).
    reserve = FOOTER_ROOM if plan.pages > 1 or plan.paged else 0.0
    roll = spec.height_mm is None
    flow = Flow(width, None if roll else spec.height_mm * MM, spec.margin_mm * MM, reserve,
                margin_y=ROLL_END_MARGIN_MM * MM if roll else None)  # fmt: skip
    cw = flow.content_width
    text, fell_back = slip_text_for(guide, lang)
    text_lang = "ja-easy" if fell_back else lang
    title = TextStyle(text_lang, HEADING_SIZE if plan.small_title else spec.title_size, bold=True)
    heading = TextStyle(lang, HEADING_SIZE, bold=True)
    normal = TextStyle(lang, body)
    guide_body = TextStyle(text_lang, body)
    # a receipt roll is paid for by the millimetre; a card has little room
    gap = body * (0.35 if roll else 0.5 if spec.width_mm < 120 else 0.6)

    flow.add(tb(text.title, title, cw), gap_after=gap)
    if fell_back:
        flow.add(tb("※ " + slip_tr("slip.fallback_easy_japanese", lang), normal, cw),
                 gap_after=gap)  # fmt: skip

    def section(title: str, items: list[Block]) -> None:
        """A heading and its items; the heading never ends a page without its first item."""
        head = tb(title, heading, cw)
        if not items:
            flow.add(head, gap_after=gap)
            return
        for block in (stack([(head, 0.0), (items[0], 0.0)]), *items[1:]):
            flow.add(block)
        flow.space(gap)

    def done_section() -> None:
        if done_today:
            done = marked_items(done_today, "✓", normal, cw, tb,
                                side_by_side=plan.compact_done or roll)  # fmt: skip
            section(slip_tr("slip.done_today", lang), done)

    def back_page() -> None:
        """The back names the procedure too, should it be printed on a second sheet."""
        flow.page_break()
        flow.add(tb(text.title, heading, cw), gap_after=gap)

    if not plan.done_back:
        done_section()
    indent = hanging_indent(guide_body, [f"{len(text.steps)}."])
    steps = [tb(step, guide_body, cw, prefix=f"{n}.", indent=indent)
             for n, step in enumerate(text.steps, start=1)]  # fmt: skip
    section(slip_tr("slip.remaining", lang), steps)
    if text.prepare:
        # on a receipt or a card short things share a row: ・カード  ・手数料
        small = roll or spec.width_mm < 120
        things = marked_items(text.prepare, "・", guide_body, cw, tb, side_by_side=small)
        section(slip_tr("slip.prepare", lang), things)
    # a sheet or a receipt roll: the QR beside its URL and code, the code and contact as one
    # band that is never split
    # on a card the print date goes into the page footer, beside the code and 1/2
    dated = None if (plan.pages > 1 or plan.paged) else printed_on
    in_band = None if plan.survey_apart else survey_url
    band = _handoff_band(lang, spec, body, url, in_band, code, settings, dated, cw,
                         tb)  # fmt: skip
    if survey_url and plan.survey_apart:  # in the room left before the band
        caption = tb(slip_tr("slip.survey_caption", lang), normal, cw - spec.survey_qr_mm * MM
                     - 3 * MM)  # fmt: skip
        size = spec.survey_qr_mm * MM
        flow.add(Block(max(size, caption.height),
                       [PlacedQR(0.0, 0.0, size, qr_matrix(survey_url), survey_url),
                        *caption.shifted(size + 3 * MM, 0)]), gap_after=gap)  # fmt: skip
    if plan.band_back:
        back_page()
        if plan.done_back:
            done_section()
    elif roll:  # the rule in the middle of the gap the last section leaves
        flow.add(Block(0.0, [PlacedLine(0, -gap / 2, cw, -gap / 2)]))
    else:
        flow.add(Block(gap, [PlacedLine(0, gap / 2, cw, gap / 2)]))
    flow.add(band)
    if plan.done_back and not plan.band_back:
        back_page()
        done_section()

    doc = flow.finish(plain_text(text.title))
    if len(doc.pages) > 1:
        _number_pages(doc, lang, spec, code, printed_on)
    return doc


def _handoff_band(
    lang: str, spec: SlipFormat, body: float, url: str, survey_url: str | None, code: str,
    settings: SiteSettings, printed_on: dt.date | None, width: float, tb: _Blocks,
) -> Block:  # fmt: skip
    """The QR code on the left, beside it what the QR does, its URL and the hand-off code;
    under them the counter's contact, and beside the contact the survey QR, captioned as a
    survey and well apart from the main QR: one block, so they always land on the same page."""
    normal = TextStyle(lang, body)  # nothing a resident reads is below 12 pt
    # the QR's own quiet zone (4 modules, 2-3 mm at 25 mm) already keeps text off it; on a
    # receipt 1 mm more is enough, on a sheet 3 mm
    qr, gap = spec.qr_mm * MM, (1 if spec.height_mm is None else 3) * MM
    x, column = qr + gap, width - qr - gap
    if column >= 70 * MM:  # wide enough: what the QR does, the URL, code and hint beside it
        column_block = stack([
            (tb(slip_tr("slip.scan_qr", lang), normal, column), 0.0),
            (tb(url, normal, column, break_anywhere=True), body * 0.6),
            (tb(f"{slip_tr('slip.handoff_code', lang)}  {code}",
                        TextStyle(lang, HEADING_SIZE + 2, bold=True), column), 0.0),
            (tb(slip_tr("slip.handoff_hint", lang), normal, column), 0.0),
        ], x)  # fmt: skip
        items: list = [PlacedQR(0.0, 0.0, qr, qr_matrix(url), url), *column_block.items]
        top = max(qr, column_block.height) + 4 * MM
    else:  # narrow (A6, a receipt): what the QR does beside it, the code and hint under it
        roll = spec.height_mm is None
        code_style = TextStyle(lang, HEADING_SIZE + 2, bold=True)
        code_text = f"{slip_tr('slip.handoff_code', lang)}  {code}"
        code_block = partial(tb, code_text, code_style)
        # (measured with the widest code, so that every code takes the same room)
        widest = max(ALPHABET, key=code_style.width)
        widest_code = "".join(c if c == "-" else widest for c in code)
        if (
            spec.height_mm is None
            and code_style.width(plain_text(code_text.replace(code, widest_code))) > width
        ):
            code_block = partial(_code_row, lang, code, code_block, tb)
        qr_x = 0.0
        if roll:  # the QR's quiet zone may lie in the side margin (white paper all the same)
            qr_x = -min(4 * qr / len(qr_matrix(url)), (spec.margin_mm - 1) * MM)
            x, column = qr_x + qr + gap, width - (qr_x + qr + gap)
        scan = tb(slip_tr("slip.scan_qr", lang), normal, column)
        pieces = [  # (block for a width, gap before it when under the QR)
            (partial(tb, url, normal, break_anywhere=True), 0.0),
            (code_block, 0.0 if roll else body * 0.3),  # a 16 pt line has room above it
            (partial(tb, slip_tr("slip.handoff_hint", lang), normal), 0.0),
        ]
        # on a receipt the print date may go beside the QR too, under what is there, when
        # that makes the band shorter (else it ends the contact)
        dates = [printed_on]
        if roll and printed_on:
            date_text = slip_tr("slip.printed_on", lang, date=format_date(printed_on, lang))
            dates.append(partial(tb, date_text, normal))
        bands = []
        for date in dates:
            # beside the QR, under what it does: whichever of the URL, code and hint leave
            # the shortest band (each keeps its order; the rest go under, at full width)
            arrangements = []
            for mask in range(2 ** len(pieces)):
                beside_parts: list[tuple[Block, float]] = [(scan, 0.0)]
                under_parts: list[tuple[Block, float]] = []
                for n, (make, gap_before) in enumerate(pieces):
                    if mask >> n & 1:
                        beside_parts.append((make(column), 0.0))
                    else:
                        if under_parts and gap_before:
                            under_parts[-1] = (under_parts[-1][0], gap_before)
                        under_parts.append((make(width), 0.0))
                if callable(date):
                    beside_parts.append((date(column), 0.0))
                arrangements.append((beside_parts, under_parts))

            def height(arrangement) -> float:
                beside_qr, under = stack(arrangement[0]), stack(arrangement[1])
                return max(qr, beside_qr.height) + under.height

            beside_qr, below = (stack(part) for part in min(arrangements, key=height))
            items = [PlacedQR(qr_x, 0.0, qr, qr_matrix(url), url), *beside_qr.shifted(x, 0)]
            # on a receipt what goes under the QR needs no more room than the QR's quiet zone
            # or the leading of the line above it gives, and the contact, which starts with a
            # bold label, only a little more
            under_at = max(qr, beside_qr.height) + (0 if roll else 2)
            items += below.shifted(0, under_at)
            top = under_at + below.height + (0.5 if roll else 2) * MM
            bands += _survey_widths(
                lang,
                spec,
                body,
                survey_url,
                settings,
                None if callable(date) else date,
                width,
                tb,
                items,
                top,
            )
        return min(bands, key=lambda b: b.height)
    return min(_survey_widths(lang, spec, body, survey_url, settings, printed_on, width, tb,
                              items, top), key=lambda b: b.height)  # fmt: skip


def _survey_widths(
    lang: str, spec: SlipFormat, body: float, survey_url: str | None, settings: SiteSettings,
    printed_on: dt.date | None, width: float, tb: _Blocks, items: list, top: float,
) -> list[Block]:  # fmt: skip
    """The survey column: the narrower of two widths unless the wider one (its caption in
    fewer lines) makes the band shorter."""
    return [
        _contact_and_survey(lang, spec, body, survey_url, settings, printed_on, width, tb,
                            items, top, max(spec.survey_qr_mm * MM, 32 * MM, min(46 * MM, share)))
        for share in (width * 0.36, width * 0.44)
    ]  # fmt: skip


def _code_row(lang: str, code: str, wrapped, tb: _Blocks, width: float) -> Block:
    """On a receipt, a code line too wide at 16 pt (Reference code / ZH9C-G2TE-Q) stays one
    line at heading size (14 pt) when it fits: the label in the slip's face, the code in the UD
    face whose Latin letters and digits are all one width, so every code takes the same room
    (the widest, WWWW-WWWW-W, would not fit in a proportional face); else ``wrapped(width)``."""
    label = tb(f"{slip_tr('slip.handoff_code', lang)}  ", TextStyle(lang, HEADING_SIZE, bold=True),
               width)  # fmt: skip
    code_style = TextStyle("ja", HEADING_SIZE, bold=True)
    left = _text_right(label)
    if _line_count(label) == 1 and left + code_style.width(code) <= width:
        return _row([(0.0, label), (left, tb(code, code_style, width - left))])
    return wrapped(width)


def _contact_and_survey(
    lang: str, spec: SlipFormat, body: float, survey_url: str | None, settings: SiteSettings,
    printed_on: dt.date | None, width: float, tb: _Blocks, above: list, top: float,
    survey_width: float,
) -> Block:  # fmt: skip
    normal = TextStyle(lang, body)
    gap = 3 * MM
    items = list(above)
    survey_block = None
    beside = bool(survey_url) and width - survey_width - gap >= 45 * MM
    contact_width = width - survey_width - gap if beside else width
    if survey_url and beside:
        survey = spec.survey_qr_mm * MM
        caption = tb(slip_tr("slip.survey_caption", lang), normal, survey_width)
        survey_block = Block(
            survey + caption.height,
            [PlacedQR((survey_width - survey) / 2, 0.0, survey, qr_matrix(survey_url),
                      survey_url), *caption.shifted(0, survey)],
        )  # fmt: skip
    lines = [
        (slip_tr("slip.contact", lang), TextStyle(lang, body, bold=True)),
        (counter_name(settings, lang), normal),
        (slip_tr("slip.phone", lang, phone=settings.counter_phone), normal),
        (slip_tr("slip.hours", lang, hours=counter_hours(settings, lang)), normal),
    ] + ([(slip_tr("slip.printed_on", lang, date=format_date(printed_on, lang)), normal)]
         if printed_on else [])  # fmt: skip
    makers = [lambda w, t=t, st=st: tb(t, st, w) for t, st in lines]
    # a short line shares its row (お問い合わせ 北区役所)
    contact = stack([(b, 0.0) for b in packed(makers, contact_width, body, body * 4)])
    items += contact.shifted(0, top)
    height = top + contact.height
    if survey_block:
        items.append(PlacedLine(contact_width + gap / 2, top, contact_width + gap / 2,
                                top + survey_block.height, 0.4))  # fmt: skip
        items += survey_block.shifted(contact_width + gap, top)
        height = max(height, top + survey_block.height)
    elif survey_url:  # narrow (a receipt): its own row under the contact, the caption beside
        survey = spec.survey_qr_mm * MM
        row_top = height + 3 * MM
        matrix = qr_matrix(survey_url)
        # as the main QR: its quiet zone in the side margin, 1 mm more before the caption
        qx = -min(4 * survey / len(matrix), (spec.margin_mm - 1) * MM)
        left = qx + survey + 1 * MM
        caption = tb(slip_tr("slip.survey_caption", lang), normal, width - left)
        items.append(PlacedLine(0, row_top - 1.5 * MM, width, row_top - 1.5 * MM, 0.4))
        items.append(PlacedQR(qx, row_top, survey, matrix, survey_url))
        items += caption.shifted(left, row_top)
        height = row_top + max(survey, caption.height)
    return Block(height, items)


def _number_pages(
    doc: Document, lang: str, spec: SlipFormat, code: str, printed_on: dt.date
) -> None:
    """A slip that needs two sheets (or both sides) says so, with the code and the print date
    on every page."""
    margin = spec.margin_mm * MM
    style = TextStyle(lang, FOOTER_SIZE)
    total = len(doc.pages)
    date = format_date(printed_on, lang)
    width = doc.pages[0].width - 2 * margin
    label = f"{slip_tr('slip.handoff_code', lang)} "

    if style.width(plain_text(f"{date}   {label}{code}   {total}/{total}")) > width:
        label = ""  # one line, inside the room kept for it: the code speaks for itself
    for n, page in enumerate(doc.pages, start=1):
        text = f"{date}   {label}{code}   {n}/{total}"
        footer = text_block(text, style, width, align="right")
        page.items.extend(footer.shifted(margin, page.height - margin - footer.height))


def render_slip(
    guide: ProcedureGuide,
    settings: SiteSettings,
    lang: str,
    fmt: str,
    handoff_code: str,
    done_today: Sequence[str],
    printed_on: dt.date,
) -> bytes:
    """The hand-off slip as PDF bytes (nothing is written to disk)."""
    return draw(layout_slip(guide, settings, lang, fmt, handoff_code, done_today, printed_on))
