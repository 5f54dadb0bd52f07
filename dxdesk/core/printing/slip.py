"""The QR hand-off slip: what was done today, what is left, and the online route as a QR code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dxdesk.core.catalog import ProcedureGuide, SlipText
from dxdesk.core.handoff import is_valid_handoff_code
from dxdesk.core.i18n import RESIDENT_LANGUAGES, slip_tr
from dxdesk.core.printing.errors import SlipError
from dxdesk.core.printing.fonts import MissingGlyphError
from dxdesk.core.printing.layout import (
    MM,
    Block,
    Document,
    Flow,
    PlacedLine,
    PlacedQR,
    TextStyle,
    draw,
    qr_matrix,
    stack,
    text_block,
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
    "a6": SlipFormat("a6", 105, 148, 7, 28, 25, (12, 11, 10.5), 16, True),
    "a5": SlipFormat("a5", 148, 210, 12, 35, 25, (13, 12), 18, True),
    "receipt80": SlipFormat("receipt80", 80, None, 4, 38, 25, (12,), 16, False),
}
HEADING_SIZE = 14
FOOTER_ROOM = 7 * MM  # kept free above the bottom margin of a slip of several pages
SURVEY_KEY = "survey_url_template"


def format_date(day: dt.date, lang: str) -> str:
    return slip_tr("slip.date", lang, y=day.year, m=day.month, d=day.day)


def route_url(guide: ProcedureGuide, settings: SiteSettings) -> str:
    """The online route's URL; a city-specific route needs its site setting."""
    route = guide.online_route
    if route.url:
        return route.url
    url = settings.city_url(route.setting or "")
    if not url:
        raise SlipError(
            f"guide '{guide.id}' sends residents to the site setting '{route.setting}', which "
            f"is not set; set it first (dxdesk settings set {route.setting}=https://...)",
            setting=route.setting,
        )
    return url


def _counter_details(settings: SiteSettings) -> None:
    for name in ("site_name", "counter_phone", "counter_hours"):
        if not getattr(settings, name).strip():
            raise SlipError(
                f"the site setting '{name}' is empty; a slip never prints a placeholder. "
                f"Set it first (dxdesk settings set {name}=...)",
                setting=name,
            )


def slip_text_for(guide: ProcedureGuide, lang: str) -> tuple[SlipText, bool]:
    """The guide's slip text in ``lang``, else in やさしい日本語; True when it fell back."""
    if lang in guide.slip:
        return guide.slip[lang], False
    for fallback in ("ja-easy", "ja"):
        if fallback in guide.slip:
            return guide.slip[fallback], True
    raise SlipError(f"guide '{guide.id}' has no slip text in any language")


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
    _counter_details(settings)
    survey_template = settings.city_url(SURVEY_KEY) or ""
    survey_url = (
        survey_template.replace("{code}", handoff_code) if "{code}" in survey_template else None
    )
    spec = SLIP_FORMATS[fmt]
    # One page at the largest type that fits; else a card: what to do on the front, the QR,
    # code and contact on the back; else (a very long guide) the smallest type on as many
    # pages as it takes, the hand-off band never split and every page numbered.
    # A card whose front still overflows lists what was done today in one paragraph.
    attempts = [(body, False, False) for body in spec.body_sizes]
    if spec.height_mm is not None:
        attempts += [(body, True, False) for body in spec.body_sizes]
        if len(done_today) > 1:
            attempts += [(body, True, True) for body in spec.body_sizes]
    tb = _Blocks()
    try:
        for body, band_overleaf, compact in attempts:
            doc = _build(guide, settings, lang, spec, body, url, survey_url, handoff_code,
                         done_today, printed_on, band_overleaf, tb, band_overleaf,
                         compact)  # fmt: skip
            if len(doc.pages) == (2 if band_overleaf else 1):
                return doc
        return _build(guide, settings, lang, spec, spec.body_sizes[-1], url, survey_url,
                      handoff_code, done_today, printed_on, False, tb, True, True)  # fmt: skip
    except MissingGlyphError as exc:
        raise SlipError(str(exc)) from exc


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


def _qr_row(
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
    band_overleaf: bool, tb: _Blocks, paged: bool, compact_done: bool = False,
) -> Document:  # fmt: skip
    width = spec.width_mm * MM
    # A slip of several pages carries a footer on each; its room is kept inside the margins
    # (A6's 7 mm margin alone is about what a printer cannot reach).
    reserve = FOOTER_ROOM if paged else 0.0
    flow = Flow(width, spec.height_mm * MM if spec.height_mm else None, spec.margin_mm * MM,
                reserve)  # fmt: skip
    cw = flow.content_width
    text, fell_back = slip_text_for(guide, lang)
    text_lang = "ja-easy" if fell_back else lang
    title = TextStyle(text_lang, spec.title_size, bold=True)
    heading = TextStyle(lang, HEADING_SIZE, bold=True)
    normal = TextStyle(lang, body)
    guide_body = TextStyle(text_lang, body)
    gap = body * 0.6

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

    if done_today:
        if compact_done:  # one paragraph: ✓ a  ✓ b  ✓ c, each ✓ kept with its item
            done = [tb("  ".join(f"✓\u00a0{item}" for item in done_today), normal, cw)]
        else:
            done = [tb(item, normal, cw, prefix="✓", indent=body * 1.4) for item in done_today]
        section(slip_tr("slip.done_today", lang), done)
    steps = [tb(step, guide_body, cw, prefix=f"{n}.", indent=body * 1.6)
             for n, step in enumerate(text.steps, start=1)]  # fmt: skip
    section(slip_tr("slip.remaining", lang), steps)
    if text.prepare:
        things = [
            tb(thing, guide_body, cw, prefix="・", indent=body * 1.4) for thing in text.prepare
        ]
        section(slip_tr("slip.prepare", lang), things)
    if spec.height_mm is None:  # a receipt roll: everything in one column, any length
        _column_ending(flow, lang, spec, body, url, survey_url, code, settings, printed_on)
    else:  # a sheet: the route, code and contact as one band that is never split
        if band_overleaf:  # the back names the procedure too, should it be a second sheet
            flow.page_break()
            flow.add(tb(text.title, heading, cw), gap_after=gap)
        else:
            flow.add(Block(gap, [PlacedLine(0, gap / 2, cw, gap / 2)]))
        flow.add(_handoff_band(lang, spec, body, url, survey_url, code, settings, printed_on, cw,
                                tb))  # fmt: skip
    from dxdesk.core.catalog import plain_text

    doc = flow.finish(plain_text(text.title))
    if len(doc.pages) > 1:
        _number_pages(doc, lang, spec, code)
    return doc


def _column_ending(
    flow: Flow, lang: str, spec: SlipFormat, body: float, url: str, survey_url: str | None,
    code: str, settings: SiteSettings, printed_on: dt.date,
) -> None:  # fmt: skip
    cw, gap = flow.content_width, body * 0.6
    normal, small = TextStyle(lang, body), TextStyle(lang, max(10.5, body - 1))
    flow.add(_qr_row(url, spec.qr_mm, slip_tr("slip.scan_qr", lang), url, normal, cw,
                     spec.qr_beside_text, small), gap_after=gap)  # fmt: skip
    if survey_url:
        flow.add(_qr_row(survey_url, spec.survey_qr_mm, slip_tr("slip.survey_caption", lang),
                         None, normal, cw, True, small), gap_after=gap)  # fmt: skip
    flow.add(Block(gap, [PlacedLine(0, gap / 2, cw, gap / 2)]))
    flow.add(text_block(slip_tr("slip.contact", lang), TextStyle(lang, body, bold=True), cw))
    flow.add(text_block(settings.site_name, normal, cw))
    flow.add(text_block(slip_tr("slip.phone", lang, phone=settings.counter_phone), normal, cw))
    flow.add(text_block(slip_tr("slip.hours", lang, hours=settings.counter_hours), normal, cw))
    flow.space(gap)
    code_line = f"{slip_tr('slip.handoff_code', lang)}  {code}"
    flow.add(text_block(code_line, TextStyle(lang, HEADING_SIZE + 2, bold=True), cw))
    flow.add(text_block(slip_tr("slip.handoff_hint", lang), normal, cw))
    date_text = slip_tr("slip.printed_on", lang, date=format_date(printed_on, lang))
    flow.add(text_block(date_text, small, cw))


def _handoff_band(
    lang: str, spec: SlipFormat, body: float, url: str, survey_url: str | None, code: str,
    settings: SiteSettings, printed_on: dt.date, width: float, tb: _Blocks,
) -> Block:  # fmt: skip
    """The QR codes on the left; beside them what the QR does, its URL, the hand-off code and
    the counter's contact: one block, so they always land on the same page."""
    normal, small = TextStyle(lang, body), TextStyle(lang, max(10.5, body - 1))
    qr, gap = spec.qr_mm * MM, 3 * MM
    left = max(qr, spec.survey_qr_mm * MM)
    x, column = left + gap, width - left - gap
    items: list = [PlacedQR(0.0, 0.0, qr, qr_matrix(url), url)]
    y_left = qr
    if survey_url:
        survey = spec.survey_qr_mm * MM
        y_left += gap
        items.append(PlacedQR(0.0, y_left, survey, qr_matrix(survey_url), survey_url))
        caption = tb(slip_tr("slip.survey_caption", lang), small, left)
        items += caption.shifted(0, y_left + survey)
        y_left += survey + caption.height
    column_block = stack([
        (tb(slip_tr("slip.scan_qr", lang), normal, column), 0.0),
        (tb(url, small, column, break_anywhere=True), body * 0.6),
        (tb(f"{slip_tr('slip.handoff_code', lang)}  {code}",
                    TextStyle(lang, HEADING_SIZE + 2, bold=True), column), 0.0),
        (tb(slip_tr("slip.handoff_hint", lang), normal, column), body * 0.6),
        (tb(slip_tr("slip.contact", lang), TextStyle(lang, body, bold=True), column), 0.0),
        (tb(settings.site_name, normal, column), 0.0),
        (tb(slip_tr("slip.phone", lang, phone=settings.counter_phone), normal, column), 0.0),
        (tb(slip_tr("slip.hours", lang, hours=settings.counter_hours), normal, column), 0.0),
        (tb(slip_tr("slip.printed_on", lang, date=format_date(printed_on, lang)), small,
                    column), 0.0),
    ], x)  # fmt: skip
    return Block(max(y_left, column_block.height), items + column_block.items)


def _number_pages(doc: Document, lang: str, spec: SlipFormat, code: str) -> None:
    """A slip that needs two sheets (or both sides) says so, with the code on every page."""
    margin = spec.margin_mm * MM
    style = TextStyle(lang, 10.5)
    total = len(doc.pages)
    for n, page in enumerate(doc.pages, start=1):
        text = f"{slip_tr('slip.handoff_code', lang)} {code}   {n}/{total}"
        footer = text_block(text, style, page.width - 2 * margin, align="right")
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
