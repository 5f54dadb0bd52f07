"""summary.xlsx: the month's suppressed tables, one sheet each, with native Excel charts."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from dxdesk.core.export import published
from dxdesk.core.export.class_summary import (
    AGE_COLUMNS,
    RESULT_COLUMNS,
    SATISFACTION_COLUMNS,
    ClassSummary,
)
from dxdesk.core.export.columns import OUTCOMES
from dxdesk.core.export.labels import dimension_label, outcome_label, value_label
from dxdesk.core.export.summary import MonthSummary
from dxdesk.core.export.suppression import SuppressedTable, suppress
from dxdesk.core.i18n import tr

# (sheet key, dimension) in sheet order; blockers and hand-offs are built separately.
OUTCOME_SHEETS: tuple[tuple[str, str], ...] = (
    ("procedure", "procedure_id"),
    ("age_band", "age_band"),
    ("device", "device"),
    ("help_language", "help_language"),
    ("channel", "channel"),
    ("duration_band", "duration_band"),
)


def summary_tables(
    summary: MonthSummary, k: int, lang: str = "ja"
) -> list[tuple[str, str, list[str], list[str], SuppressedTable]]:
    """(sheet key, row dimension label, row labels, column labels, suppressed table) per sheet."""
    outcomes = [outcome_label(o, lang) for o in OUTCOMES]
    tables = []
    by_dimension = published.outcome_tables(summary, k)  # suppressed together
    for sheet, dim in OUTCOME_SHEETS:
        values, table = by_dimension[dim]
        labels = [value_label(dim, v, lang) for v in values]
        tables.append((sheet, dimension_label(dim, lang), labels, outcomes, table))
        if sheet == "procedure":
            b_values, b_table = published.blocker_table(summary, k)
            b_labels = [value_label("blocker", b, lang) for b in b_values]
            tables.append(
                ("blockers", dimension_label("blocker", lang), b_labels, outcomes, b_table)
            )
    h_values, h_counts = summary.handoff_table()
    # Returns are a subset of issues, not a share of a row total: no row totals.
    tables.append(
        (
            "handoff",
            dimension_label("procedure_id", lang),
            [value_label("procedure_id", p, lang) for p in h_values],
            [tr("export.handoff.issued", lang=lang), tr("export.handoff.returned", lang=lang)],
            suppress(h_counts, k, row_totals=False, col_totals=True, width=2),
        )
    )
    return tables


def class_tables(
    classes: ClassSummary, k: int, lang: str = "ja"
) -> list[tuple[str, str, list[str], list[str], SuppressedTable]]:
    """The class sheets, in the same shape as ``summary_tables`` (suppressed the same way)."""
    from dxdesk.core.classes import CLASS_AGE_BANDS, RESULTS, shipped_class_menu

    menu = shipped_class_menu()
    site_label = dimension_label("site_id", lang)
    tables = []
    topics, counts = classes.topic_table(menu.ids)
    names = {t.id: t.title(lang) for t in menu.topics}
    # A class may teach several topics: neither margin adds up to anything meaningful.
    tables.append(
        ("class_menu", dimension_label("class_topic", lang), [names.get(t, t) for t in topics],
         [tr("export.class.classes", lang=lang), tr("export.class.learners", lang=lang)],
         suppress(counts, k, row_totals=False, col_totals=False, width=2))
    )  # fmt: skip
    for key, columns, labels in (
        ("class_results", RESULT_COLUMNS, [tr(f"classes.result.{r}", lang=lang) for r in RESULTS]),
        ("class_age", AGE_COLUMNS, [tr(f"classes.age.{b}", lang=lang) for b in CLASS_AGE_BANDS]),
        ("class_satisfaction", SATISFACTION_COLUMNS,
         [tr("classes.entry.satisfaction_level", lang=lang, level=i) for i in range(1, 6)]),
    ):  # fmt: skip
        sites, counts = classes.site_table(columns)
        tables.append((key, site_label, sites, labels, suppress(counts, k, width=len(columns))))
    sites, counts = classes.site_table(
        ("classes", "warning_ratio", "warning_no_trained_tutor")
    )  # classes are not people, but the sheet follows the one publication rule
    tables.append(
        ("class_staffing", site_label, sites,
         [tr("export.class.classes", lang=lang), tr("classes.staffing.short.ratio", lang=lang),
          tr("classes.staffing.short.no_trained_tutor", lang=lang)],
         suppress(counts, k, row_totals=False, col_totals=True, width=3))
    )  # fmt: skip
    return tables


def write_summary_xlsx(
    summary: MonthSummary,
    *,
    k: int,
    period: str,
    sites: Sequence[str],
    is_demo: bool,
    lang: str = "ja",
    classes: ClassSummary | None = None,
) -> bytes:
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
    sheets = summary_tables(summary, k, lang)
    sheets += class_tables(classes or ClassSummary(), k, lang)
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
