"""report.pdf: an A4 Japanese monthly report (ReportLab, BIZ UDゴシック, suppressed counts)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dxdesk.core.export import published
from dxdesk.core.export.class_summary import ClassSummary
from dxdesk.core.export.columns import OUTCOMES
from dxdesk.core.export.labels import outcome_label, procedure_order, value_label
from dxdesk.core.export.summary import MonthSummary
from dxdesk.core.export.suppression import SuppressedTable
from dxdesk.core.i18n import tr
from dxdesk.core.printing.fonts import UD_GOTHIC, registered_face

FONT = f"{UD_GOTHIC}-Regular"
FONT_BOLD = f"{UD_GOTHIC}-Bold"
INK = colors.HexColor("#1F2A36")
ACCENT = colors.HexColor("#2F6DA3")
MUTED = colors.HexColor("#DDE7F0")


def _register_fonts() -> None:
    """The report's faces come from the one font registry the slips use."""
    registered_face(UD_GOTHIC, "Regular")
    registered_face(UD_GOTHIC, "Bold")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=12, leading=18, textColor=INK, wordWrap="CJK"
    )
    return {
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=20, leading=28),
        "sub": ParagraphStyle("sub", base, fontSize=11, leading=16),
        "h": ParagraphStyle(
            "h",
            base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=20,
            spaceBefore=10,
            spaceAfter=4,
            textColor=ACCENT,
        ),
        "body": base,
        "note": ParagraphStyle("note", base, fontSize=10.5, leading=15, alignment=TA_LEFT),
        "demo": ParagraphStyle(
            "demo",
            base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=20,
            textColor=colors.HexColor("#B00020"),
            borderColor=colors.HexColor("#B00020"),
            borderWidth=1.5,
            borderPadding=6,
            spaceBefore=6,
            spaceAfter=10,
        ),
    }


def _table(rows: list[list[str]], widths: Sequence[float], *, header: bool = True) -> Table:
    t = Table(rows, colWidths=widths, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 11),
        ("LEADING", (0, 0), (-1, -1), 15),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9AA8B5")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style += [("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("BACKGROUND", (0, 0), (-1, 0), MUTED)]
    t.setStyle(TableStyle(style))
    return t


def procedure_bars(
    ids: list[str], table: SuppressedTable, lang: str
) -> tuple[list[str], list[int], list[str | None]]:
    """Labels, attempts and hidden marks per procedure, in the app's order: the row totals of
    the procedure sheet exactly as summary.xlsx publishes them."""
    rows = {p: i for i, p in enumerate(ids)}
    order = [rows[p] for p in procedure_order(ids)]
    return (
        [_short(value_label("procedure_id", ids[i], lang), 18) for i in order],
        [table.value(i, table.n_cols) for i in order],
        [table.mark(i, table.n_cols) for i in order],
    )


BARS_PER_CHART = 24  # a taller chart would not fit on an A4 page


def blocker_bars(
    summary: MonthSummary, k: int, lang: str, n: int = 8, publication=None
) -> tuple[list[str], list[int], list[str | None]]:
    """The ``n`` blockers met most: the blocker sheet's row totals, ordered by what is shown
    (a hidden total last, by id: its place must not tell its size)."""
    pub = publication or published.build_publication(summary, ClassSummary(), k=k)
    ids, table = pub.table("blockers")
    totals = [table.value(i, table.n_cols) for i in range(len(ids))]
    hidden = [table.is_hidden(i, table.n_cols) for i in range(len(ids))]
    top = sorted(range(len(ids)), key=lambda i: (hidden[i], 0 if hidden[i] else -totals[i], ids[i]))
    top = top[:n]
    return (
        [_short(value_label("blocker", ids[i], lang)) for i in top],
        [totals[i] for i in top],
        [table.mark(i, table.n_cols) for i in top],
    )


def _chart_section(
    heading: str, st, labels: list[str], values: list[int], marks: list[str | None]
) -> list:
    """The heading with its chart; a long list (a city's own guides added to the catalog)
    continues in further charts of at most BARS_PER_CHART bars."""
    parts = [
        _bar_chart(labels[i : i + BARS_PER_CHART], values[i : i + BARS_PER_CHART],
                   marks[i : i + BARS_PER_CHART])
        for i in range(0, len(labels), BARS_PER_CHART)
    ]  # fmt: skip
    return [KeepTogether([Paragraph(heading, st["h"]), parts[0]]), *parts[1:]]


def _bar_chart(labels: list[str], values: list[int], marks: list[str | None]) -> Drawing:
    """Horizontal bars; a hidden count has no bar, only its mark ("<k" or "x")."""
    hidden = [m is not None for m in marks]
    height = 30 + 22 * len(labels)
    d = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 62 * mm, 15
    chart.width, chart.height = 95 * mm, height - 25
    # A hidden count is missing data (None): no bar and no number, only its mark beside the axis.
    chart.data = [[None if h else v for v, h in zip(values, hidden, strict=True)]]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 10.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 10.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: f"{int(v):,}"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 10.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    if all(hidden):  # no bar to scale to: an axis of 0, 0.002 ... would mean nothing
        chart.valueAxis.visibleLabels = False
        chart.valueAxis.valueMax = 1
    d.add(chart)
    step = chart.height / max(len(labels), 1)
    for i, mark in enumerate(marks):
        if mark is not None:
            y = chart.y + chart.height - step * (i + 0.5) - 4
            d.add(String(chart.x + 4, y, mark, fontName=FONT, fontSize=10.5, fillColor=INK))
    return d


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _class_section(pub: published.Publication, st, month: str, prev_month: str, lang: str) -> list:
    """Class totals beside the counter's: KPIs against last month and learners per topic, each
    as the class sheets of the workbook show it."""
    prev = pub.previous
    if not pub.classes and not (prev and prev.classes):
        return [Paragraph(tr("report.classes.none", lang=lang), st["body"])]
    rows = [[tr("report.kpi.name", lang=lang), tr("report.kpi.this", lang=lang, month=month),
             tr("report.kpi.prev", lang=lang, month=prev_month)]]  # fmt: skip
    before = prev.class_kpis if prev else [(key, "—") for key, _v in pub.class_kpis]
    for (key, this), (_k, then) in zip(pub.class_kpis, before, strict=True):
        rows.append([tr(f"report.classes.kpi.{key}", lang=lang), this, then])
    out: list = [_table(rows, [95 * mm, 35 * mm, 40 * mm])]
    topics, table = pub.table("class_menu")
    if topics:
        from dxdesk.core.classes import shipped_class_menu

        names = {t.id: t.title(lang) for t in shipped_class_menu().topics}
        out.append(
            KeepTogether(
                [
                    Paragraph(tr("report.classes.topics", lang=lang), st["h"]),
                    _bar_chart([_short(names.get(t, t)) for t in topics],
                               [table.value(i, 1) for i in range(len(topics))],
                               [table.mark(i, 1) for i in range(len(topics))]),
                ]
            )
        )  # fmt: skip
    return out


def write_report_pdf(
    summary: MonthSummary,
    previous: MonthSummary,
    *,
    k: int,
    month: str,
    prev_month: str,
    sites: Sequence[str],
    is_demo: bool,
    lang: str = "ja",
    classes: ClassSummary | None = None,
    previous_classes: ClassSummary | None = None,
    publication: published.Publication | None = None,
) -> bytes:
    """The report: every number is an entry of ``publication`` (built here when not given) as
    summary.xlsx shows it, or a rate of entries that are all shown."""
    pub = publication or published.build_publication(
        summary, classes or ClassSummary(), previous, previous_classes or ClassSummary(), k=k
    )
    _register_fonts()
    st = _styles()
    story: list = [Paragraph(tr("report.title", lang=lang), st["title"])]
    story.append(
        Paragraph(
            tr(
                "report.subtitle",
                lang=lang,
                period=month,
                sites="、".join(sites) or "—",
                created=dt.date.today().isoformat(),
            ),
            st["sub"],
        )
    )
    if is_demo:
        story.append(Paragraph(tr("report.demo_banner", lang=lang), st["demo"]))

    story.append(Paragraph(tr("report.kpi.heading", lang=lang), st["h"]))
    rows = [
        [
            tr("report.kpi.name", lang=lang),
            tr("report.kpi.this", lang=lang, month=month),
            tr("report.kpi.prev", lang=lang, month=prev_month),
        ]
    ]
    # Every number below is an entry of the publication's tables, or a rate of shown entries.
    p_ids, p_table = pub.table("procedure")
    a_ids, a_table = pub.table("age_band")
    # The previous month's column shows what that month's own publication showed.
    before = pub.previous.kpis if pub.previous else [(key, "—") for key, _v in pub.kpis]
    for (key, this), (_k2, prev) in zip(pub.kpis, before, strict=True):
        rows.append([tr(f"report.kpi.{key}", lang=lang), this, prev])
    story.append(_table(rows, [95 * mm, 35 * mm, 40 * mm]))

    story.append(Paragraph(tr("report.outcomes.heading", lang=lang), st["h"]))
    # The outcomes are the procedure sheet's column totals.
    outcome_counts = [p_table.value(p_table.n_rows, j) for j in range(len(OUTCOMES))]
    outcome_marks = [p_table.mark(p_table.n_rows, j) for j in range(len(OUTCOMES))]
    story.append(
        _bar_chart([outcome_label(o, lang) for o in OUTCOMES], outcome_counts, outcome_marks)
    )
    story.append(Spacer(1, 4))
    story.append(Paragraph(tr("report.suppression_note", lang=lang, k=k), st["note"]))
    story.append(PageBreak())

    # Which procedures residents came for: the procedure sheet's row totals, every procedure of
    # the month in a fixed order (never by size, which would tell where a hidden count lies).
    if p_ids:
        story += _chart_section(tr("report.procedures.heading", lang=lang), st,
                                *procedure_bars(p_ids, p_table, lang))  # fmt: skip

    # The blockers met most: the blocker sheet's row totals, the eight largest.
    story.append(Paragraph(tr("report.blockers.heading", lang=lang), st["h"]))
    bars = blocker_bars(summary, k, lang, publication=pub)
    if bars[0]:
        story.append(_bar_chart(*bars))
    else:
        story.append(Paragraph(tr("report.blockers.none", lang=lang), st["body"]))

    if a_ids:
        story += (
            _chart_section(
                tr("report.age.heading", lang=lang), st,
                [value_label("age_band", v, lang) for v in a_ids],
                [a_table.value(i, a_table.n_cols) for i in range(len(a_ids))],
                [a_table.mark(i, a_table.n_cols) for i in range(len(a_ids))],
            )
        )  # fmt: skip

    story.append(Paragraph(tr("report.classes.heading", lang=lang), st["h"]))
    story += _class_section(pub, st, month, prev_month, lang)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 10.5)
        canvas.setFillColor(INK)
        text = tr("report.page", lang=lang, page=doc.page)
        if is_demo:
            text = f"{tr('export.demo_mark', lang=lang)}  {text}"
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, text)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=tr("report.title", lang=lang),
        author="dxdesk",
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
