"""Disclosure control: primary and secondary suppression on merged tables."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from dxdesk.core.export.suppression import suppress

tables = st.integers(1, 6).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(0, 30) | st.integers(0, 3), min_size=cols, max_size=cols),
        min_size=1,
        max_size=7,
    )
)


def _lines_ok(table) -> None:
    """No line has exactly one hidden entry, unless that entry is a 0 (a hidden zero of a line
    whose total is below k: a line gives it back as 0, which tells of no one)."""
    for cells, total in table.lines():
        hidden = [e for e in (*cells, total) if e in table.hidden]
        assert len(hidden) != 1 or table.value(*hidden[0]) == 0, (
            f"line {cells} + {total} has exactly one suppressed entry"
        )


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(1, 12))
def test_no_published_line_has_exactly_one_suppressed_entry(counts, k):
    _lines_ok(suppress(counts, k))


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(1, 12), st.booleans(), st.booleans())
def test_primary_cells_hidden_and_zeros_shown(counts, k, rows, cols):
    table = suppress(counts, k, row_totals=rows, col_totals=cols)
    _lines_ok(table)
    for i, row in enumerate(counts):
        for j, v in enumerate(row):
            if 0 < v < k:
                assert table.shown(i, j) == f"<{k}"
            if v == 0:
                assert table.shown(i, j) == 0
    for i, j in table.hidden:
        assert table.value(i, j) > 0
        # "<k" is a true statement about the count; every other hidden count shows "x"
        assert table.shown(i, j) == (f"<{k}" if table.value(i, j) < k else "x")


def test_secondary_suppression_example():
    # Row 0 has one small cell: the next-smallest nonzero cell in the row must go too.
    table = suppress([[1, 5, 9], [4, 6, 8]], k=3)
    assert table.shown(0, 0) == "<3"
    assert table.shown(0, 1) == "x"  # secondary: 5 is not below 3, so it must not say "<3"
    assert (0, 1) not in table.primary
    # column 0 and column 1 now need a second hidden cell each: row 1's cells there
    assert table.shown(1, 0) == "x" and table.shown(1, 1) == "x"
    assert table.shown(0, 2) == 9 and table.shown_grand_total() == 33


def test_lone_nonzero_cell_hides_its_total():
    table = suppress([[2, 0], [7, 8]], k=3)
    # row 0: the 2 is the only nonzero cell, so the row total (2) is primary anyway
    assert table.shown_row_total(0) == "<3"
    _lines_ok(table)


def test_without_margins_only_primary():
    table = suppress([[1], [5], [0]], k=3, row_totals=False, col_totals=False)
    assert table.hidden == {(0, 0)}
    assert table.shown(1, 0) == 5 and table.shown(2, 0) == 0


def test_publish_threshold_ten():
    table = suppress([[9, 10, 50]], k=10, row_totals=False, col_totals=True)
    assert table.shown(0, 0) == "<10"
    assert table.shown(0, 1) == 10


def test_empty_table_keeps_its_width():
    table = suppress([], k=3, width=4)
    assert [table.shown_col_total(j) for j in range(4)] == [0, 0, 0, 0]
    assert table.shown_grand_total() == 0


# --- the report and the workbook publish the same cells ------------------------------------

_PROCEDURES = ["pin-reset", "mynaportal-registration", "moving-onestop", "etax-smartphone"]
_OUTCOMES = ["completed_online", "handed_off"]


@functools.cache
def _template() -> dict:
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.export.demo import demo_rows
    from dxdesk.core.paths import forms_dir

    catalog = load_catalog(forms_dir())
    return next(demo_rows(catalog, sessions=1, months=["2026-10"], sites=["k-1"]))


def _summary(counts: list[list[int]]):
    """A month whose procedure x outcome counts are ``counts`` (rows: _PROCEDURES)."""
    from tests.core.test_export_summary import summary_of_rows

    template = _template()
    rows = [
        {**template, "procedure_id": p, "outcome": o}
        for p, row in zip(_PROCEDURES, counts, strict=True)
        for o, n in zip(_OUTCOMES, row, strict=True)
        for _ in range(n)
    ]
    return summary_of_rows(rows)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 8), min_size=2, max_size=2), min_size=4, max_size=4))
def test_the_report_shows_no_count_the_workbook_hides(counts):
    """Read together, summary.xlsx and report.pdf must not give a hidden count away: each bar
    and KPI of the report shows exactly what the procedure sheet shows for the same total."""
    from dxdesk.core.export import published
    from dxdesk.core.export.class_summary import ClassSummary
    from dxdesk.core.export.columns import OUTCOMES
    from dxdesk.core.export.labels import procedure_order
    from dxdesk.core.export.report import procedure_bars
    from dxdesk.core.export.xlsx import summary_tables

    summary = _summary(counts)
    pub = published.build_publication(summary, ClassSummary(), k=3, solver=False)
    sheet = next(t for t in summary_tables(summary, 3, publication=pub) if t[0] == "procedure")[4]
    ids, table = pub.table("procedure")
    _labels, values, marks = procedure_bars(ids, table, "ja")
    for p, value, mark in zip(procedure_order(ids), values, marks, strict=True):
        assert (mark or value) == sheet.shown_row_total(ids.index(p)), p
    _ages, age_table = pub.table("age_band")
    kpis = dict(pub.kpis)
    if any(age_table.is_hidden(i, age_table.n_cols) for i in range(age_table.n_rows)):
        assert kpis["share_70_plus"] == "—"  # else the bands could be added back up
    if sheet.is_hidden(sheet.n_rows, sheet.n_cols):
        assert kpis["attempts"] == sheet.shown_grand_total()
    for outcome, key in (("completed_online", "completion_rate"), ("handed_off", "handoff_rate")):
        j = OUTCOMES.index(outcome)
        if sheet.is_hidden(sheet.n_rows, j):  # a rate of a hidden total would give it away
            assert not kpis[key].endswith("%"), (outcome, kpis[key])


def test_the_reviewers_example_no_longer_leaks():
    # xlsx hides the third procedure's total (7) as "x"; the report used to print 7.
    summary = _summary([[0, 2], [0, 1], [7, 0], [2, 1]])
    from dxdesk.core.export import published
    from dxdesk.core.export.labels import procedure_order
    from dxdesk.core.export.report import procedure_bars

    ids, table = published.outcome_tables(summary, 3)["procedure_id"]
    _labels, values, marks = procedure_bars(ids, table, "ja")
    published_values = [m or v for v, m in zip(values, marks, strict=True)]
    shown = dict(zip(procedure_order(ids), published_values, strict=True))
    assert shown["moving-onestop"] == table.shown_row_total(ids.index("moving-onestop"))
    assert 7 not in shown.values()


def test_a_report_with_many_procedures_or_only_hidden_counts_still_renders():
    """A city may add its own guides: 40 procedures in a month continue over several charts
    (one chart of 40 bars did not fit an A4 page and stopped the export); a month of counts
    all below k draws no bars and no meaningless axis."""
    import io

    from pypdf import PdfReader

    from dxdesk.core.export.report import write_report_pdf
    from tests.core.test_export_summary import summary_of_rows

    for per_procedure in (5, 1):
        rows = [
            {**_template(), "procedure_id": f"city-guide-{i:02d}", "outcome": "completed_online"}
            for i in range(40)
            for _ in range(per_procedure)
        ]
        summary = summary_of_rows(rows)
        pdf = write_report_pdf(
            summary, summary, k=3, month="2026-10", prev_month="2026-09", sites=["k-1"],
            is_demo=False,
        )  # fmt: skip
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert all(f"city-guide-{i:02d}" in text for i in range(40)), per_procedure


def test_hidden_blockers_are_not_ordered_by_their_true_size():
    """Two blockers shown as '<3' keep the same place whichever of them is really larger."""
    from dxdesk.core.export.report import blocker_bars
    from tests.core.test_export_summary import summary_of_rows

    orders = []
    for first, second in ((1, 2), (2, 1)):
        rows = [
            {**_template(), "outcome": "not_completed", "blockers": blocker}
            for blocker, n in (("pin-forgotten", first), ("no-phone", second), ("pin-locked", 9))
            for _ in range(n)
        ]
        summary = summary_of_rows(rows)
        labels, _values, marks = blocker_bars(summary, 3, "ja")
        assert marks[0] is None and marks[1:] == ["<3", "<3"]
        orders.append(labels)
    assert orders[0] == orders[1]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_PROCEDURES),
            st.sampled_from(["completed_online", "handed_off", "referred"]),
            st.sampled_from(["60-64", "70-74", "75-79", "80plus"]),
            st.sampled_from(["own_android", "own_iphone", "counter_terminal"]),
        ),
        min_size=1,
        max_size=16,
    )
)
def test_sheets_that_share_totals_hide_the_same_totals(attempts):
    """The outcome sheets all end in the same row of totals (attempts per outcome). Hidden in
    one and shown in another, a total would give the first sheet's hidden cells back, so every
    sheet hides exactly the same totals."""
    from dxdesk.core.export import published
    from tests.core.test_export_summary import summary_of_rows

    rows = [
        {**_template(), "session_id": f"{n:032x}", "procedure_id": p, "outcome": o,
         "age_band": a, "device": d}
        for n, (p, o, a, d) in enumerate(attempts)
    ]  # fmt: skip
    summary = summary_of_rows(rows)
    margins = {
        dim: {j for j in range(table.n_cols + 1) if table.is_hidden(table.n_rows, j)}
        for dim, (_values, table) in published.outcome_tables(summary, 3, solver=False).items()
    }
    assert len({frozenset(m) for m in margins.values()}) == 1, margins
    for _values, table in published.outcome_tables(summary, 3, solver=False).values():
        _lines_ok(table)  # and each sheet still protects its own hidden cells
