"""The dashboard's figures, read from the Store through the export contract (no SQL here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dxdesk.core.export.class_summary import ClassSummary, month_classes
from dxdesk.core.export.summary import MonthSummary, month_summary, previous_month

__all__ = ["DashboardFigures", "MonthPoint", "current_month", "dashboard_figures", "month_classes",
           "month_summary"]  # fmt: skip


@dataclass(frozen=True)
class MonthPoint:
    month: str
    sessions: int
    attempts: int
    completion_rate: float | None
    handoff_rate: float | None


@dataclass(frozen=True)
class DashboardFigures:
    month: str
    current: MonthSummary
    previous: MonthSummary
    trend: list[MonthPoint]  # oldest first, ending with ``month``
    is_demo: bool
    classes: ClassSummary  # the smartphone classes of ``month``
    previous_classes: ClassSummary


def dashboard_figures(store, month: str, *, months: int = 6) -> DashboardFigures:
    """This month's summary, the previous month's, a ``months``-long trend, and both months'
    smartphone classes."""
    names = [month]
    for _ in range(months - 1):
        names.append(previous_month(names[-1]))
    names.reverse()
    summaries = {m: month_summary(store, m) for m in names}
    if previous_month(month) not in summaries:
        summaries[previous_month(month)] = month_summary(store, previous_month(month))
    trend = [
        MonthPoint(m, s.sessions, s.attempts, s.completion_rate, s.handoff_rate)
        for m, s in ((m, summaries[m]) for m in names)
    ]
    return DashboardFigures(
        month=month,
        current=summaries[month],
        previous=summaries[previous_month(month)],
        trend=trend,
        is_demo=store.maintenance.meta("is_demo") == "1",
        classes=month_classes(store, month),
        previous_classes=month_classes(store, previous_month(month)),
    )


def current_month(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return f"{today.year:04d}-{today.month:02d}"
