"""A small flow layout for slips and paper forms: blocks of wrapped text, QR codes and boxes.

The layout is computed first (positions from the top of the page, in points) and drawn after,
so a receipt's length can be measured before its page exists, and tests can inspect every run
of text with the font it is drawn in.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from dxdesk.core.catalog import ruby_segments
from dxdesk.core.printing.fonts import (
    LATIN_SCRIPT_LANGUAGES,
    Run,
    font_file,
    run_width,
    split_runs,
)
from dxdesk.core.printing.shaping import draw_shaped

MM = 72 / 25.4
RUBY_SCALE = 0.5
LINE_SPACING = 1.5  # the 1.5-2.0x rule for older readers (50-100 % of the size between lines)
RUBY_LINE_SPACING = 2.0  # room for readings above the base text

# Punctuation that must not start a line (kinsoku) and that must not end one.
_NO_LINE_START = set(
    "、。，．,.)）」』】〕！？!?：:；;ー・％%～〜ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ"
)
_NO_LINE_END = set("（(「『【〔～〜")


@dataclass(frozen=True)
class PlacedText:
    x: float
    y: float  # baseline, from the top of the page
    size: float
    run: Run
    ruby: bool = False


@dataclass(frozen=True)
class PlacedRect:
    x: float
    y: float  # top edge, from the top of the page
    width: float
    height: float
    fill: bool = False
    line_width: float = 0.8


@dataclass(frozen=True)
class PlacedLine:
    x1: float
    y1: float
    x2: float
    y2: float
    line_width: float = 0.6


@dataclass(frozen=True)
class PlacedQR:
    x: float
    y: float  # top edge
    size: float
    matrix: tuple[tuple[bool, ...], ...]
    data: str


Item = PlacedText | PlacedRect | PlacedLine | PlacedQR


@dataclass
class Page:
    width: float
    height: float
    items: list[Item] = field(default_factory=list)


@dataclass
class Document:
    title: str
    pages: list[Page]
    overflow: bool = False  # something runs past a page's bottom margin

    def texts(self) -> list[PlacedText]:
        return [i for p in self.pages for i in p.items if isinstance(i, PlacedText)]

    def qr_codes(self) -> list[PlacedQR]:
        return [i for p in self.pages for i in p.items if isinstance(i, PlacedQR)]


@dataclass
class _Unit:
    """An unbreakable piece of a line: a CJK character, a word, or a base text with reading."""

    pieces: list[tuple[str, str | None]]
    width: float = 0.0
    parts: list[_Unit] | None = None  # a phrase: the units it may still break into


@dataclass
class Block:
    """Items laid out relative to the block's top-left corner, placed later by the Flow."""

    height: float
    items: list[Item] = field(default_factory=list)

    def shifted(self, dx: float, dy: float) -> list[Item]:
        out: list[Item] = []
        for item in self.items:
            if isinstance(item, PlacedLine):
                out.append(
                    PlacedLine(
                        item.x1 + dx, item.y1 + dy, item.x2 + dx, item.y2 + dy, item.line_width
                    )
                )
            else:
                out.append(type(item)(**{**item.__dict__, "x": item.x + dx, "y": item.y + dy}))
        return out


def stack(parts: list[tuple[Block, float]], x: float = 0.0) -> Block:
    """Blocks one under the other (each with the gap after it), as one block at ``x``."""
    items: list[Item] = []
    y = 0.0
    for block, gap_after in parts:
        items += block.shifted(x, y)
        y += block.height + gap_after
    return Block(y, items)


_OPENING_CONTEXT = set(" \t\n([{\u00a0/-")


def typographic_quotes(text: str) -> str:
    """Straight quotes as the printed “ ” ‘ ’ (an apostrophe is ’) in Latin-script text."""
    out: list[str] = []
    for n, char in enumerate(text):
        opening = n == 0 or text[n - 1] in _OPENING_CONTEXT
        if char == '"':
            char = "\u201c" if opening else "\u201d"
        elif char == "'":
            char = "\u2018" if opening else "\u2019"
        out.append(char)
    return "".join(out)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3000 <= code <= 0x30FF  # punctuation, hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9" or "\uff10" <= char <= "\uff19"


def _units(text: str, break_anywhere: bool) -> list[_Unit]:
    units: list[_Unit] = []
    glue_next = False
    for base, reading in ruby_segments(unicodedata.normalize("NFC", text)):
        if reading is not None:
            units.append(_Unit([(base, reading)]))
            glue_next = False
            continue
        word = ""
        for char in base:
            if glue_next and units and not word:
                units[-1].pieces.append((char, None))
                # a number glued to a bracket keeps its digits and counter: （15歳 never （1/5歳
                glue_next = char in _NO_LINE_END or (_is_digit(char) and not break_anywhere)
                continue
            if char in _NO_LINE_START and (units or word):
                if word:
                    word += char
                else:
                    units[-1].pieces.append((char, None))
                glue_next = char in _NO_LINE_END  # a range mark (～) holds both its ends
                continue
            if break_anywhere or _is_cjk(char):
                if word and _is_digit(word[-1]) and not break_anywhere:
                    # a number keeps its counter: 4けた, 11月, 3回 never break apart
                    units.append(_Unit([(word, None), (char, None)]))
                    word = ""
                    glue_next = char in _NO_LINE_END
                    continue
                if word:
                    units.append(_Unit([(word, None)]))
                    word = ""
                units.append(_Unit([(char, None)]))
                glue_next = char in _NO_LINE_END
                continue
            word += char
            if char == " ":
                units.append(_Unit([(word, None)]))
                word = ""
        if word:
            units.append(_Unit([(word, None)]))
    return units


def _phrases(units: list[_Unit]) -> list[_Unit]:
    """やさしい日本語 is written with a space between phrases: it breaks at those spaces and
    after 。 and 、 only (a phrase longer than the line still breaks inside, by character,
    with kinsoku)."""
    phrases: list[_Unit] = []
    current: list[_Unit] = []
    for unit in units:
        current.append(unit)
        last = unit.pieces[-1][0]
        if last.endswith((" ", "\u3000", "。", "、")):  # so are a sentence's and a clause's
            phrases.append(_Unit([p for u in current for p in u.pieces], parts=current))
            current = []
    if current:
        phrases.append(_Unit([p for u in current for p in u.pieces], parts=current))
    return phrases


class TextStyle:
    def __init__(self, lang: str, size: float, bold: bool = False) -> None:
        self.lang, self.size, self.bold = lang, size, bold

    def runs(self, text: str) -> list[Run]:
        return split_runs(text, self.lang, bold=self.bold)

    def width(self, text: str, size: float | None = None) -> float:
        return _text_width(text, self.lang, self.bold, size or self.size)


@lru_cache(maxsize=8192)
def _text_width(text: str, lang: str, bold: bool, size: float) -> float:
    """Width of ``text`` (memoised: a slip is laid out up to three times with the same pieces)."""
    return sum(run_width(r, size) for r in split_runs(text, lang, bold=bold))


def _measure(unit: _Unit, style: TextStyle) -> float:
    total = 0.0
    for base, reading in unit.pieces:
        w = style.width(base)
        if reading:
            w = max(w, style.width(reading, style.size * RUBY_SCALE))
        total += w
    return total


def text_block(
    text: str,
    style: TextStyle,
    width: float,
    *,
    prefix: str | None = None,
    indent: float = 0.0,
    break_anywhere: bool = False,
    align: str = "left",
) -> Block:
    """Wrap ``text`` into ``width``; ``prefix`` (like '1.') hangs in the indent."""
    if style.lang in LATIN_SCRIPT_LANGUAGES and not break_anywhere:
        text = typographic_quotes(text)
    units = _units(text, break_anywhere)
    if style.lang == "ja-easy" and not break_anywhere:
        units = _phrases(units)
    has_ruby = any(r for u in units for _, r in u.pieces)
    for unit in units:
        unit.width = _measure(unit, style)
    avail = width - indent
    lines: list[list[_Unit]] = [[]]
    used = 0.0
    pending = list(units)
    if break_anywhere and not any(c.isspace() for c in text):  # a URL
        lines, pending = _url_lines(units, avail), []
    while pending:
        unit = pending.pop(0)
        if unit.parts and unit.width > avail:  # a phrase longer than a whole line
            for part in unit.parts:
                part.width = _measure(part, style)
            pending[:0] = unit.parts
            continue
        if lines[-1] and used + unit.width > avail:
            if unit.width > avail and len(unit.pieces) == 1 and unit.pieces[0][1] is None:
                # A word longer than the line (a long URL): break it by character.
                chars = _units(unit.pieces[0][0], break_anywhere=True)
                for c in chars:
                    c.width = _measure(c, style)
                    if lines[-1] and used + c.width > avail:
                        lines.append([])
                        used = 0.0
                    lines[-1].append(c)
                    used += c.width
                continue
            lines.append([])
            used = 0.0
        if not lines[-1] and unit.pieces[0][0] == " " and len(unit.pieces) == 1:
            continue
        lines[-1].append(unit)
        used += unit.width
    size = style.size
    line_height = size * (RUBY_LINE_SPACING if has_ruby else LINE_SPACING)
    ruby_size = size * RUBY_SCALE
    baseline_in_line = (
        (ruby_size * 1.25 + size * 0.9) if has_ruby else (line_height - size) / 2 + size * 0.88
    )
    items: list[Item] = []
    n_merged_end = -1.0
    for n, line in enumerate(lines):
        baseline = n * line_height + baseline_in_line
        line_width = sum(u.width for u in line)
        x = indent + (avail - line_width if align == "right" else 0)
        if align == "center":
            x = indent + (avail - line_width) / 2
        if n == 0 and prefix:
            for run in style.runs(prefix):
                items.append(PlacedText(0.0, baseline, size, run))
        for unit in line:
            for base, reading in unit.pieces:
                base_w = style.width(base)
                piece_w = base_w
                if reading:
                    read_w = style.width(reading, ruby_size)
                    piece_w = max(base_w, read_w)
                    rx = x + (piece_w - read_w) / 2
                    for run in style.runs(reading):
                        items.append(
                            PlacedText(rx, baseline - size * 0.95, ruby_size, run, ruby=True)
                        )
                        rx += run_width(run, ruby_size)
                bx = x + (piece_w - base_w) / 2
                for run in style.runs(base):
                    last = items[-1] if items else None
                    if (
                        not reading
                        and isinstance(last, PlacedText)
                        and not last.ruby
                        and last.run.font == run.font
                        and last.y == baseline
                        and n_merged_end == bx
                    ):
                        # one drawString per run of a line: fewer operators, clean text extraction
                        items[-1] = PlacedText(
                            last.x,
                            baseline,
                            size,
                            Run(last.run.text + run.text, run.font, run.lang),
                        )
                    else:
                        items.append(PlacedText(bx, baseline, size, run))
                    bx += run_width(run, size)
                    n_merged_end = bx if not reading else -1.0
                x += piece_w
    return Block(height=len(lines) * line_height, items=items)


_URL_BREAK_BEFORE = set("/.-_?#%~&=")
_URL_END = "/.#?&="  # marks that must not make a URL's last line alone


def _url_lines(units: list[_Unit], avail: float) -> list[list[_Unit]]:
    """A URL's characters in as few lines as breaking between any two characters takes, each
    line ending where a reader expects a break when that costs no line (after //, before a
    single / or . - _ ? # % ~ & =, after = and &), and never so that a line holds only what
    ends the URL (a lone "/" after …/apprec)."""
    text = "".join(u.pieces[0][0] for u in units)
    n = len(text)

    def allowed(i: int) -> bool:
        if not 0 < i < n or not text[i:].strip(_URL_END):
            return False
        if text[i] == "/":
            return text[i - 1] not in "/:"  # not inside https://
        if text[i - 1] == "/":
            return i >= 2 and text[i - 2] == "/"  # after https://
        return text[i] in _URL_BREAK_BEFORE or text[i - 1] in "=&"

    # the fewest lines, then the fewest breaks inside a word, then the fuller first lines
    prefix = [0.0]
    for unit in units:
        prefix.append(prefix[-1] + unit.width)
    best: list[tuple[int, int, int]] = [(0, 0, n)] * (n + 1)  # (lines, bad breaks, end)
    for i in range(n - 1, -1, -1):
        options = []
        for j in range(i + 1, n + 1):
            if j > i + 1 and prefix[j] - prefix[i] > avail:
                break
            if j < n and not text[j:].strip(_URL_END):
                continue  # never a line of only the URL's last marks
            lines, bad, _ = best[j]
            options.append((lines + 1, bad + (j < n and not allowed(j)), -j))
        lines, bad, end = min(options)
        best[i] = (lines, bad, -end)
    out: list[list[_Unit]] = []
    start = 0
    while start < n:
        out.append(units[start : best[start][2]])
        start = best[start][2]
    return out or [[]]


@lru_cache(maxsize=64)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """QR modules with error correction M and the standard 4-module quiet zone (memoised: the
    mask search is the costliest part of a slip, and each layout attempt needs the same code)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())


class Flow:
    """Places blocks top to bottom; starts a new page when a block does not fit.

    With ``page_height=None`` the page is continuous (a receipt roll) and its height is
    computed from the content.
    """

    def __init__(
        self, width: float, page_height: float | None, margin: float, reserve_bottom: float = 0.0,
        margin_y: float | None = None,
    ) -> None:  # fmt: skip
        """``reserve_bottom`` keeps that much above the bottom margin free (for a page footer);
        ``margin_y`` is the top and bottom margin when it differs from the sides'."""
        self.width, self.page_height, self.margin = width, page_height, margin
        self.margin_y = margin if margin_y is None else margin_y
        self.reserve_bottom = reserve_bottom
        self.overflow = False
        self.content_width = width - 2 * margin
        self.pages: list[Page] = []
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append(Page(self.width, self.page_height or 0.0))
        self.cursor = self.margin_y

    def add(self, block: Block, *, gap_after: float = 0.0) -> None:
        if (
            self.page_height is not None
            and self.cursor + block.height > self.page_height - self.margin_y - self.reserve_bottom
            and self.cursor > self.margin_y
        ):
            self._new_page()
        self.pages[-1].items.extend(block.shifted(self.margin, self.cursor))
        self.cursor += block.height + gap_after
        if self.page_height is not None and self.cursor - gap_after > self.page_height - (
            self.margin_y + self.reserve_bottom + 0.01
        ):
            self.overflow = True  # taller than a whole page: it runs into the margin

    def page_break(self) -> None:
        """Go on at the top of a new page (on a page of fixed height)."""
        if self.page_height is not None:
            self._new_page()

    def space(self, points: float) -> None:
        self.cursor += points

    def finish(self, title: str) -> Document:
        if self.page_height is None:
            self.pages[-1].height = self.cursor + self.margin_y
        return Document(title, self.pages, overflow=self.overflow)


def draw(document: Document) -> bytes:
    """Draw a laid-out document with ReportLab; text as embedded font subsets, QR as vectors."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    first = document.pages[0]
    canvas = Canvas(buffer, pagesize=(first.width, first.height), invariant=True)
    canvas.setTitle(document.title)
    canvas.setCreator("dxdesk")
    for page in document.pages:
        canvas.setPageSize((page.width, page.height))
        h = page.height
        for item in page.items:
            if isinstance(item, PlacedText):
                if item.run.shaped:
                    draw_shaped(canvas, item.run.font, font_file(item.run.font), item.size,
                                item.x, h - item.y, item.run.shaping())  # fmt: skip
                else:
                    canvas.setFont(item.run.font, item.size)
                    canvas.drawString(item.x, h - item.y, item.run.text)
            elif isinstance(item, PlacedRect):
                canvas.setLineWidth(item.line_width)
                canvas.rect(
                    item.x, h - item.y - item.height, item.width, item.height,
                    stroke=1, fill=1 if item.fill else 0,
                )  # fmt: skip
            elif isinstance(item, PlacedLine):
                canvas.setLineWidth(item.line_width)
                canvas.line(item.x1, h - item.y1, item.x2, h - item.y2)
            elif isinstance(item, PlacedQR):
                _draw_qr(canvas, item, h)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_qr(canvas, qr: PlacedQR, page_height: float) -> None:
    """The QR as one filled path, in module units: one rectangle per horizontal run of dark
    modules (fewer seams when rasterised), integer coordinates scaled by one transform."""
    n = len(qr.matrix)
    ops: list[str] = []
    for r, row in enumerate(qr.matrix):
        y = n - 1 - r
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(f"{start} {y} {c - start} 1 re")
            else:
                c += 1
    module = qr.size / n
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.transform(module, 0, 0, module, qr.x, page_height - qr.y - qr.size)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()
