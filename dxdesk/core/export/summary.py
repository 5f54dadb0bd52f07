"""A month's counts as summary.xlsx, report.pdf and the dashboard read them: the store's one
definition (``dxdesk.core.store.month_counts``), labelled for the export's tables."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, fields

from dxdesk.core.export.columns import (
    AGE_BANDS,
    DEVICES,
    DURATION_BAND_LABELS,
    DURATION_BANDS,
    OUTCOMES,
    duration_band,
)
from dxdesk.core.store.month_counts import MonthCounts

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
class MonthSummary(MonthCounts):
    """A month's counts (``Store.queries.month_counts``) as the export labels them: durations
    in DURATION_BANDS, an unrecorded help language as 'unknown'; with the KPIs and tables."""

    @classmethod
    def of(cls, counts: MonthCounts) -> MonthSummary:
        summary = cls(**{f.name: getattr(counts, f.name) for f in fields(MonthCounts)})
        by: Counter = Counter()
        for (dimension, value, outcome), n in counts.by_dimension.items():
            if dimension == "duration_min":
                by["duration_band", duration_band(int(value or 0)), outcome] += n
            elif dimension == "help_language":
                by[dimension, value or "unknown", outcome] += n
            else:
                by[dimension, value, outcome] += n
        summary.by_dimension = by
        return summary

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


def month_summary(store, month: str, site_ids: list[str] | None = None) -> MonthSummary:
    """The month's counts (the store's one grouped query, on its own read-only connection;
    from the kept aggregates for a purged month), labelled as the export shows them."""
    starts = [low for low, _high in DURATION_BANDS]
    return MonthSummary.of(store.queries.month_counts(month, site_ids, starts))


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
