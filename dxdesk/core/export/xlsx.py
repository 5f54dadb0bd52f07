"""summary.xlsx: the month's suppressed tables, one sheet each, with native Excel charts."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from dxdesk.core.export import published
from dxdesk.core.export.class_summary import ClassSummary
from dxdesk.core.export.summary import MonthSummary
from dxdesk.core.export.suppression import SuppressedTable
from dxdesk.core.i18n import tr


def summary_tables(
    summary: MonthSummary, k: int, lang: str = "ja", publication=None
) -> list[tuple[str, str, list[str], list[str], SuppressedTable]]:
    """(sheet key, row dimension label, row labels, column labels, suppressed table) per
    sheet of the visits, as the publication's one pattern hides them."""
    pub = publication or published.build_publication(summary, ClassSummary(), k=k)
    return [s for s in pub.sheets(lang) if not s[0].startswith("class_")]


def class_tables(
    classes: ClassSummary, k: int, lang: str = "ja", publication=None
) -> list[tuple[str, str, list[str], list[str], SuppressedTable]]:
    """The class sheets, in the same shape as ``summary_tables``."""
    pub = publication or published.build_publication(MonthSummary(), classes, k=k)
    return [s for s in pub.sheets(lang) if s[0].startswith("class_")]


def write_summary_xlsx(
    summary: MonthSummary,
    *,
    k: int,
    period: str,
    sites: Sequence[str],
    is_demo: bool,
    lang: str = "ja",
    classes: ClassSummary | None = None,
    publication: published.Publication | None = None,
) -> bytes:
    """The workbook: one sheet per table of ``publication`` (built here when not given)."""
    pub = publication or published.build_publication(summary, classes or ClassSummary(), k=k)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": "dxdesk summary", "comments": f"{period} {' '.join(sites)}"})
    bold = book.add_format({"bold": True, "font_name": "BIZ UDゴシック"})
    title_fmt = book.add_format({"bold": True, "font_size": 14, "font_name": "BIZ UDゴシック"})
    header = book.add_format(
        {
            "bold": True,
            "bg_color": "#DDE7F0",
            "border": 1,
            "text_wrap": True,
            "font_name": "BIZ UDゴシック",
        }
    )
    cell = book.add_format({"border": 1, "font_name": "BIZ UDゴシック"})
    hidden = book.add_format(
        {
            "border": 1,
            "align": "right",
            "font_color": "#7A4B00",
            "bg_color": "#FFF3D6",
            "font_name": "BIZ UDゴシック",
        }
    )
    note_fmt = book.add_format({"italic": True, "font_name": "BIZ UDゴシック"})
    demo_fmt = book.add_format({"bold": True, "font_color": "#B00020"})
    total_label = tr("export.total", lang=lang)
    sheets = pub.sheets(lang)
    for sheet_key, dim_label, row_labels, col_labels, table in sheets:
        ws = book.add_worksheet(tr(f"export.sheet.{sheet_key}", lang=lang)[:31])
        title = tr(
            "export.sheet.title",
            lang=lang,
            title=tr(f"export.sheet.{sheet_key}", lang=lang),
            period=period,
            sites=", ".join(sites),
        )
        ws.write(0, 0, title, title_fmt)
        ws.write(1, 0, tr("export.sheet.note", lang=lang, k=k), note_fmt)
        if is_demo:
            ws.write(2, 0, tr("export.demo_mark", lang=lang), demo_fmt)
        top = 4
        ws.write(top, 0, dim_label, header)
        for j, label in enumerate(col_labels):
            ws.write(top, 1 + j, label, header)
        if table.has_row_totals:
            ws.write(top, 1 + len(col_labels), total_label, header)
        for i, label in enumerate(row_labels):
            ws.write(top + 1 + i, 0, label, cell)
            for j in range(len(col_labels)):
                _put(ws, top + 1 + i, 1 + j, table.shown(i, j), cell, hidden)
            if table.has_row_totals:
                _put(ws, top + 1 + i, 1 + len(col_labels), table.shown_row_total(i), cell, hidden)
        last = top + len(row_labels)
        if table.has_col_totals:
            ws.write(last + 1, 0, total_label, bold)
            for j in range(len(col_labels)):
                _put(ws, last + 1, 1 + j, table.shown_col_total(j), cell, hidden)
            if table.has_row_totals:
                _put(ws, last + 1, 1 + len(col_labels), table.shown_grand_total(), cell, hidden)
        # column A holds the whole procedure name (CJK characters count about double)
        widest = max([_display_width(label) for label in [dim_label, *row_labels]] or [0])
        ws.set_column(0, 0, min(70, max(24, widest + 2)), None)
        ws.set_column(1, len(col_labels) + 1, 13)
        _print_setup(ws, top, lang)
        if row_labels:  # below its table, so a printed page never cuts it off beside it
            _chart(book, ws, sheet_key, top, last, col_labels, last + 3)
    book.close()
    return buffer.getvalue()


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _print_setup(ws, header_row: int, lang: str) -> None:
    """Every sheet prints on A4 landscape, one page wide, with its header row and labels
    repeated on every page and page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    ws.repeat_rows(header_row)
    ws.repeat_columns(0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")
    ws.center_horizontally()


def _put(ws, row: int, col: int, value: int | str, cell, hidden) -> None:
    if isinstance(value, str):  # "<k": text so that no chart or sum can use a hidden count
        ws.write_string(row, col, value, hidden)
    else:
        ws.write_number(row, col, value, cell)


def _chart(book, ws, sheet_key: str, top: int, last: int, col_labels, at_row: int) -> None:
    """A stacked bar per row (by outcome); hidden cells are text and so are left out."""
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    name = ws.get_name()
    for j in range(len(col_labels)):
        chart.add_series(
            {
                "name": [name, top, 1 + j],
                "categories": [name, top + 1, 0, last, 0],
                "values": [name, top + 1, 1 + j, last, 1 + j],
            }
        )
    chart.set_title({"name": ws.get_name(), "name_font": {"name": "BIZ UDゴシック"}})
    chart.set_legend({"position": "bottom", "font": {"name": "BIZ UDゴシック"}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "BIZ UDゴシック"}})
    chart.set_size({"width": 720, "height": max(300, 28 * (last - top) + 140)})
    ws.insert_chart(xl_rowcol_to_cell(at_row, 0), chart)
