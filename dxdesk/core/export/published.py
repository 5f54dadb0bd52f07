"""The published tables of a month: each suppressed once, for summary.xlsx and report.pdf alike.

A chart in the report shows a margin of a sheet in the workbook (attempts per procedure are the
row totals of the procedure sheet, outcomes its column totals). Suppressing the chart's numbers
again on their own could hide different cells than the sheet does, and the two files read
together would then give away a hidden count. So both take their numbers, and what to hide,
from the same SuppressedTable.
"""

from __future__ import annotations

from dxdesk.core.export.columns import OUTCOMES
from dxdesk.core.export.summary import MonthSummary
from dxdesk.core.export.suppression import SuppressedTable, suppress


def outcome_table(
    summary: MonthSummary, dimension: str, k: int
) -> tuple[list[str], SuppressedTable]:
    """Values of ``dimension`` by outcome, with row and column totals."""
    values, counts = summary.outcome_table(dimension)
    return values, suppress(counts, k, width=len(OUTCOMES))


def blocker_table(summary: MonthSummary, k: int) -> tuple[list[str], SuppressedTable]:
    """Blockers by outcome, with row totals only: one attempt can meet several blockers, so a
    column total would count it twice."""
    values, counts = summary.blocker_table()
    return values, suppress(counts, k, row_totals=True, col_totals=False, width=len(OUTCOMES))
