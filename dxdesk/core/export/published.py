"""The published tables of a month: each suppressed once, for summary.xlsx and report.pdf alike.

A chart in the report shows a margin of a sheet in the workbook (attempts per procedure are the
row totals of the procedure sheet, outcomes its column totals). Suppressing the chart's numbers
again on their own could hide different cells than the sheet does, and the two files read
together would then give away a hidden count. So both take their numbers, and what to hide,
from the same SuppressedTable.
"""

from __future__ import annotations

from dxdesk.core.export.columns import OUTCOMES
from dxdesk.core.export.summary import DIMENSIONS, MonthSummary
from dxdesk.core.export.suppression import SuppressedTable, suppress


def outcome_tables(summary: MonthSummary, k: int) -> dict[str, tuple[list[str], SuppressedTable]]:
    """Every published dimension by outcome, with row and column totals, suppressed together.

    Every attempt has one value of each dimension, so the tables share their column totals
    (attempts per outcome) and grand total. A shared total hidden in one table is hidden in all
    (else another sheet would show it and give the hidden cells back), repeating until no table
    hides a shared total the others show."""
    raw = {dim: summary.outcome_table(dim) for dim in DIMENSIONS}
    shared: set[int] = set()  # column indices (len(OUTCOMES): the grand total) hidden somewhere
    while True:
        tables = {}
        for dim, (values, counts) in raw.items():
            n = len(values)
            tables[dim] = (values, suppress(counts, k, width=len(OUTCOMES),
                                            also_hidden={(n, j) for j in shared}))  # fmt: skip
        hidden = {j for _v, t in tables.values() for j in range(len(OUTCOMES) + 1)
                  if t.is_hidden(t.n_rows, j)}  # fmt: skip
        if hidden <= shared:
            return tables
        shared |= hidden


def blocker_table(summary: MonthSummary, k: int) -> tuple[list[str], SuppressedTable]:
    """Blockers by outcome, with row totals only: one attempt can meet several blockers, so a
    column total would count it twice."""
    values, counts = summary.blocker_table()
    return values, suppress(counts, k, row_totals=True, col_totals=False, width=len(OUTCOMES))
