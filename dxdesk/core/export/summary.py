"""One pass over a month's procedure attempts: the counts behind summary.xlsx, report.pdf and
the dashboard. Rows are consumed as they stream; nothing holds the month in a list."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from dxdesk.core.export.columns import (
    AGE_70_PLUS,
    AGE_BANDS,
    DEVICES,
    DURATION_BAND_LABELS,
    OUTCOMES,
    SESSION_COLUMNS,
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


def _column(name: str) -> int:
    return SESSION_COLUMNS.index(name)


def _with_outcome(name: str) -> itemgetter:
    return itemgetter(_column(name), _column("outcome"))


_OUTCOME = itemgetter(_column("outcome"))
_SITE_OUTCOME = _with_outcome("site_id")
_ATTEMPT_NO = _column("attempt_no")
# The dimensions counted as they are; help_language and duration_band need a value mapped.
_DIMENSION_KEYS = tuple(
    (name, _with_outcome(name)) for name in ("procedure_id", "age_band", "device", "channel")
)
_LANGUAGE_OUTCOME = _with_outcome("help_language")
_DURATION_OUTCOME = _with_outcome("duration_min")
_BLOCKERS_OUTCOME = _with_outcome("blockers")
_PROCEDURE = _column("procedure_id")
_HANDOFF_CODE = _column("handoff_code")
_RETURN_OF_CODE = _column("return_of_code")
_SESSION_MINUTES = itemgetter(_column("session_duration_min"))
_AGE_HYGIENE = itemgetter(_column("age_band"), _column("hygiene_confirmed"))


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
    # (site, outcome) -> attempts: the site sheet (city = sum of sites)
    by_site: Counter = field(default_factory=Counter)

    def add_batch(self, rows: Sequence[tuple]) -> None:
        """Count a batch of sessions.csv tuples (``SESSION_COLUMNS`` order, as the store gives).

        Each count is one C-level pass over the batch (``Counter`` over ``itemgetter``); the
        batch's few distinct keys are then folded into the month's tables.
        """
        if not rows:
            return
        self.attempts += len(rows)
        self.outcomes.update(map(_OUTCOME, rows))
        self.by_site.update(map(_SITE_OUTCOME, rows))
        self.sites.update(site for site, _o in self.by_site)
        by = self.by_dimension
        for dimension, key in _DIMENSION_KEYS:
            for (value, outcome), n in Counter(map(key, rows)).items():
                by[dimension, value, outcome] += n
        for (value, outcome), n in Counter(map(_LANGUAGE_OUTCOME, rows)).items():
            by["help_language", value or "unknown", outcome] += n
        for (minutes, outcome), n in Counter(map(_DURATION_OUTCOME, rows)).items():
            by["duration_band", duration_band(int(minutes)), outcome] += n
        for (blockers, outcome), n in Counter(map(_BLOCKERS_OUTCOME, rows)).items():
            if blockers:
                for blocker in blockers.split(";"):
                    self.blockers[blocker, outcome] += n
        self.handoffs_issued.update(row[_PROCEDURE] for row in rows if row[_HANDOFF_CODE])
        self.handoff_returns.update(row[_PROCEDURE] for row in rows if row[_RETURN_OF_CODE])
        # One row per visit (its first attempt) carries the visit's own facts.
        firsts = [row for row in rows if row[_ATTEMPT_NO] == 1]
        self.sessions += len(firsts)
        self.session_minutes += sum(map(_SESSION_MINUTES, firsts))
        for (age_band, hygiene), n in Counter(map(_AGE_HYGIENE, firsts)).items():
            if age_band != "unknown":
                self.sessions_age_known += n
                if age_band in AGE_70_PLUS:
                    self.sessions_70_plus += n
            if hygiene != "":
                self.hygiene_checks += n
                if hygiene == "1":
                    self.hygiene_confirmed += n

    def add_dimension_counts(self, counts: Iterable[Sequence]) -> None:
        """Fold ``Store.dimension_outcome_counts`` (asked with ``DURATION_BAND_BOUNDS``) into the
        outcome tables, exactly as ``add_batch`` would have counted the same rows."""
        by = self.by_dimension
        for procedure, age_band, device, channel, language, band, outcome, n in counts:
            by["procedure_id", procedure, outcome] += n
            by["age_band", age_band, outcome] += n
            by["device", device, outcome] += n
            by["channel", channel, outcome] += n
            by["help_language", language or "unknown", outcome] += n
            by["duration_band", band, outcome] += n

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

    def site_table(self) -> tuple[list[str], list[list[int]]]:
        """(sites, attempts by site × OUTCOMES)."""
        labels = sorted({site for site, _o in self.by_site})
        return labels, [[self.by_site[s, o] for o in OUTCOMES] for s in labels]

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


def summarise(batches: Iterable[Sequence[tuple]]) -> MonthSummary:
    """The summary of batches of sessions.csv tuples (``Store.procedure_attempt_batches``)."""
    summary = MonthSummary()
    for batch in batches:
        summary.add_batch(batch)
    return summary


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
