"""One pass over a month's procedure attempts: the counts behind summary.xlsx, report.pdf and
the dashboard. Rows are consumed as they stream; nothing holds the month in a list."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dxdesk.core.export.columns import (
    AGE_70_PLUS,
    AGE_BANDS,
    DEVICES,
    DURATION_BAND_LABELS,
    OUTCOMES,
    duration_band,
)

# The dimensions crossed with the outcome in the published tables.
DIMENSIONS: tuple[str, ...] = (
    "procedure_id",
    "age_band",
    "device",
    "help_language",
    "channel",
    "duration_band",
)


@dataclass
class MonthSummary:
    """Counts of one month's attempts (any number of sites)."""

    attempts: int = 0
    sessions: int = 0
    session_minutes: int = 0
    outcomes: Counter = field(default_factory=Counter)
    # (dimension, value, outcome) -> attempts
    by_dimension: Counter = field(default_factory=Counter)
    # (blocker, outcome) -> attempts that met the blocker
    blockers: Counter = field(default_factory=Counter)
    # procedure -> hand-off codes issued / codes brought back this month
    handoffs_issued: Counter = field(default_factory=Counter)
    handoff_returns: Counter = field(default_factory=Counter)
    sessions_70_plus: int = 0
    sessions_age_known: int = 0
    hygiene_checks: int = 0
    hygiene_confirmed: int = 0
    sites: set[str] = field(default_factory=set)

    def add(self, row: dict) -> None:
        outcome = row["outcome"]
        self.attempts += 1
        self.outcomes[outcome] += 1
        self.sites.add(row["site_id"])
        by = self.by_dimension
        by["procedure_id", row["procedure_id"], outcome] += 1
        by["age_band", row["age_band"], outcome] += 1
        by["device", row["device"], outcome] += 1
        by["help_language", row["help_language"] or "unknown", outcome] += 1
        by["channel", row["channel"], outcome] += 1
        by["duration_band", duration_band(int(row["duration_min"])), outcome] += 1
        if row["blockers"]:
            for blocker in row["blockers"].split(";"):
                self.blockers[blocker, outcome] += 1
        if row["handoff_code"]:
            self.handoffs_issued[row["procedure_id"]] += 1
        if row["return_of_code"]:
            self.handoff_returns[row["procedure_id"]] += 1
        if int(row["attempt_no"]) == 1:  # one row per session carries the session's facts
            self.sessions += 1
            self.session_minutes += int(row["session_duration_min"])
            if row["age_band"] != "unknown":
                self.sessions_age_known += 1
                self.sessions_70_plus += row["age_band"] in AGE_70_PLUS
            if row["hygiene_confirmed"] != "":
                self.hygiene_checks += 1
                self.hygiene_confirmed += row["hygiene_confirmed"] == "1"

    # ----------------------------------------------------------------- KPIs

    def rate(self, outcome: str) -> float | None:
        return self.outcomes[outcome] / self.attempts if self.attempts else None

    @property
    def completion_rate(self) -> float | None:
        return self.rate("completed_online")

    @property
    def handoff_rate(self) -> float | None:
        return self.rate("handed_off")

    @property
    def share_70_plus(self) -> float | None:
        return self.sessions_70_plus / self.sessions_age_known if self.sessions_age_known else None

    @property
    def mean_session_minutes(self) -> float | None:
        return self.session_minutes / self.sessions if self.sessions else None

    @property
    def handoff_return_count(self) -> int:
        return sum(self.handoff_returns.values())

    def top_blockers(self, n: int = 5) -> list[tuple[str, int]]:
        totals: Counter = Counter()
        for (blocker, _outcome), count in self.blockers.items():
            totals[blocker] += count
        return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    # ----------------------------------------------------------------- tables

    def values_of(self, dimension: str) -> list[str]:
        seen = {value for (dim, value, _o) in self.by_dimension if dim == dimension}
        order = {
            "age_band": AGE_BANDS,
            "device": DEVICES,
            "duration_band": DURATION_BAND_LABELS,
        }.get(dimension)
        if order:
            return [v for v in order if v in seen] + sorted(seen - set(order))
        return sorted(seen)

    def outcome_table(self, dimension: str) -> tuple[list[str], list[list[int]]]:
        """(row labels, counts by row × OUTCOMES) for one dimension."""
        labels = self.values_of(dimension)
        counts = [[self.by_dimension[dimension, v, o] for o in OUTCOMES] for v in labels]
        return labels, counts

    def blocker_table(self) -> tuple[list[str], list[list[int]]]:
        labels = sorted({b for (b, _o) in self.blockers})
        return labels, [[self.blockers[b, o] for o in OUTCOMES] for b in labels]

    def handoff_table(self) -> tuple[list[str], list[list[int]]]:
        labels = sorted(set(self.handoffs_issued) | set(self.handoff_returns))
        return labels, [[self.handoffs_issued[p], self.handoff_returns[p]] for p in labels]


def kpi_summary(counts: dict) -> MonthSummary:
    """A summary holding only the KPI counts (``Store.kpi_counts``): enough for the report's
    previous-month column, without streaming that month's rows through Python."""
    summary = MonthSummary(
        attempts=counts["attempts"], sessions=counts["sessions"],
        session_minutes=counts["session_minutes"], outcomes=Counter(counts["outcomes"]),
        sessions_70_plus=counts["sessions_70_plus"], sessions_age_known=counts["sessions_age_known"],
        hygiene_checks=counts["hygiene_checks"], hygiene_confirmed=counts["hygiene_confirmed"],
    )  # fmt: skip
    if counts["handoff_returns"]:
        summary.handoff_returns["*"] = counts["handoff_returns"]  # the report uses the total only
    return summary


def summarise(rows: Iterable[dict]) -> MonthSummary:
    summary = MonthSummary()
    for row in rows:
        summary.add(row)
    return summary


def tee_into(summary: MonthSummary, rows: Iterable[dict]) -> Iterator[dict]:
    """Pass rows through while counting them into ``summary`` (one pass for CSV and counts)."""
    for row in rows:
        summary.add(row)
        yield row


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """'YYYY-MM' -> (first day, first day of the next month); end is exclusive."""
    try:
        start = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"month {month!r}: write it as YYYY-MM, e.g. 2026-10") from None
    end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, end


def previous_month(month: str) -> str:
    start, _ = month_bounds(month)
    prev = start - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"
