"""A month's counts, defined once: what a month's tables, KPIs and report read
(``ExportQueries.month_counts``) and what a retention purge keeps of a month
(``monthly_aggregates``) are grouped queries over the same rows and measures, with rows of the
same shape, folded by one ``MonthCounts.add_rows``: a purged month counts as it did before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from dxdesk.core.contract import AGE_70_PLUS, AGE_BANDS, DEVICES, HELP_LANGUAGES
from dxdesk.core.store.schema import AGGREGATE_DIMENSIONS, AGGREGATE_MEASURES

# A row of counts: this key, then AGGREGATE_MEASURES (the columns of monthly_aggregates).
COUNT_KEY: tuple[str, ...] = (
    "month", "site_id", "channel", "procedure_id", "outcome", "dimension", "value",
)  # fmt: skip
# The dimensions a month's tables and KPIs read (dimension '' is the total of each key); a
# purge keeps all of AGGREGATE_DIMENSIONS.
COUNTED_DIMENSIONS: tuple[str, ...] = (
    "age_band", "device", "help_language", "duration_min", "blocker",
)  # fmt: skip

# One row per procedure attempt of the sessions matching {where} (over ``s``, the sessions
# table); a visit with no procedure gives one row with procedure_id and outcome ''. A visit not
# yet ended has outcome '' on every attempt: the export counts ended visits only, so outcome ''
# is exactly what it leaves out (and a purge keeps it all the same).
_ROWS = """
WITH r AS (
    SELECT substr(s.date, 1, 7) AS month, s.site_id, s.channel,
        coalesce(a.procedure_id, '') AS procedure_id,
        CASE WHEN s.ended IS NULL THEN '' ELSE coalesce(a.outcome, '') END AS outcome,
        s.session_id, a.attempt_no, s.age_band, s.device, s.help_language, s.hour, s.ended,
        a.duration_min,
        (a.attempt_no IS NULL OR a.attempt_no = 1) AS first,
        (a.attempt_no IS NOT NULL) AS attempt,
        coalesce(s.session_duration_min, 0) AS session_min,
        (coalesce(a.handoff_code, '') <> '') AS handoff,
        (a.attempt_no IS NOT NULL AND s.return_of_code <> '') AS returned,
        s.hygiene_confirmed
    FROM sessions s LEFT JOIN procedure_attempts a ON a.session_id = s.session_id
    WHERE {where}
)"""
# Each of AGGREGATE_MEASURES, summed over rows of r. A visit's own facts (sessions,
# session_minutes, hygiene) count on its first row, as the export always did.
_MEASURE = {
    "sessions": "first",
    "attempts": "attempt",
    "attempt_minutes": "CASE WHEN attempt THEN coalesce(duration_min, 0) ELSE 0 END",
    "session_minutes": "CASE WHEN first THEN session_min ELSE 0 END",
    "handoffs_issued": "handoff",
    "handoff_returns": "returned",
    "hygiene_checks": "(first AND hygiene_confirmed <> '')",
    "hygiene_confirmed": "(first AND hygiene_confirmed = '1')",
}
assert tuple(_MEASURE) == AGGREGATE_MEASURES
_SUMS = ", ".join(f"sum({m})" for m in _MEASURE.values())
_KEY = "month, site_id, channel, procedure_id, outcome"
_BLOCKER_JOIN = (
    "JOIN attempt_blockers b ON b.session_id = r.session_id AND b.attempt_no = r.attempt_no"
)
# Each dimension's value on a row of r ('blocker' is the join above).
_VALUE = {
    "age_band": "age_band",
    "device": "device",
    "help_language": "help_language",
    "hour": "CAST(hour AS TEXT)",
    "ended": "coalesce(ended, '')",
    "duration_min": "CASE WHEN attempt THEN coalesce(CAST(duration_min AS TEXT), '') ELSE '' END",
}
assert set(AGGREGATE_DIMENSIONS) == {*_VALUE, "blocker"} >= set(COUNTED_DIMENSIONS)


def kept_counts_sql(where: str) -> str:
    """What a retention purge keeps: the sessions matching ``where`` counted per COUNT_KEY,
    once as a total (dimension '') and once per value of each of AGGREGATE_DIMENSIONS, with
    every measure; its columns are COUNT_KEY and AGGREGATE_MEASURES."""
    arms = ["SELECT r.*, '' AS dimension, '' AS value FROM r"]
    for name in AGGREGATE_DIMENSIONS:
        value = "b.blocker_id FROM r " + _BLOCKER_JOIN if name == "blocker" else _VALUE[name]
        arms.append(f"SELECT r.*, '{name}', {value}" + ("" if name == "blocker" else " FROM r"))
    union = "\n    UNION ALL ".join(arms)
    return (
        _ROWS.format(where=where)
        + f"\nSELECT {_KEY}, dimension, value, {_SUMS} FROM (\n    {union}\n) AS d"
        + f"\nGROUP BY {_KEY}, dimension, value"
    )


@dataclass(frozen=True)
class MonthCountsQuery:
    """What a month's tables read, as one statement of two grouped scans rather than one scan
    per dimension (SQLite sorts every row of every arm): the totals per key with the attempts
    (by age band, also the visits) of each vocabulary value side by side, then the blockers.
    Its rows are COUNT_KEY + AGGREGATE_MEASURES + one column per value; ``rows`` unfolds them
    into the shape of ``kept_counts_sql``, so that ``kept`` (a SELECT of kept aggregates, with
    ``kept_columns`` after their measures) can be added by UNION ALL."""

    sql: str  # its parameters: those of ``where``, then ``params``
    params: tuple
    cells: tuple[tuple[str, str, str], ...]  # (dimension, value, measure) of each value column

    @classmethod
    def build(cls, where: str, duration_starts: Sequence[int]) -> MonthCountsQuery:
        """``duration_starts``: the first minute of each duration band, ascending from 0; a
        band's attempts come back under dimension 'duration_min' with its first minute."""
        cells: list[tuple[str, str, str]] = []
        columns: list[str] = []
        params: list[object] = []
        for dimension, values in (("age_band", AGE_BANDS), ("device", DEVICES),
                                  ("help_language", HELP_LANGUAGES)):  # fmt: skip
            for value in values:
                for measure in (
                    ("attempts", "sessions") if dimension == "age_band" else ("attempts",)
                ):
                    # an unrecorded help language ('' in early bundles) counts as unknown
                    same = [value, ""] if value == "unknown" else [value]
                    test = f"{dimension} IN ({', '.join('?' * len(same))})"
                    columns.append(f"sum(CASE WHEN {test} THEN {_MEASURE[measure]} ELSE 0 END)")
                    params += same
                    cells.append((dimension, value, measure))
        starts = list(duration_starts)
        for low, high in zip(starts, [*starts[1:], None], strict=True):
            test = "coalesce(duration_min, 0) >= ?"
            params.append(low)
            if high is not None:
                test += " AND coalesce(duration_min, 0) < ?"
                params.append(high)
            columns.append(f"sum(CASE WHEN {test} THEN attempt ELSE 0 END)")
            cells.append(("duration_min", str(low), "attempts"))
        # The blockers of r's attempts: by site and outcome only, with their attempts, all that
        # a month's blocker table reads. r is read twice, so SQLite builds it once (its join
        # is not done again for the blockers: about a tenth of the statement's time).
        attempts = ", ".join("count(*)" if m == "attempts" else "0" for m in AGGREGATE_MEASURES)
        zeros = ", ".join("0" * len(columns))
        sql = (
            _ROWS.format(where=where)
            + f"\nSELECT {_KEY}, '', '', {_SUMS}, {', '.join(columns)} FROM r GROUP BY {_KEY}"
            + "\nUNION ALL SELECT month, site_id, '', '', outcome, 'blocker', b.blocker_id,"
            + f" {attempts}, {zeros} FROM r {_BLOCKER_JOIN} GROUP BY 1, 2, 5, 7"
        )
        return cls(sql, tuple(params), tuple(cells))

    @property
    def kept_columns(self) -> str:
        return ", ".join("0" * len(self.cells))

    def rows(self, rows: Iterable[Sequence]) -> Iterator[Sequence]:
        """COUNT_KEY + AGGREGATE_MEASURES rows of this query's rows."""
        width = len(COUNT_KEY) + len(AGGREGATE_MEASURES)
        position = {m: AGGREGATE_MEASURES.index(m) for m in ("attempts", "sessions")}
        for row in rows:
            yield row[:width]
            if row[5] != "":  # a dimension's row: no value columns
                continue
            per_value: dict[tuple[str, str], list[int]] = {}
            for (dimension, value, measure), count in zip(self.cells, row[width:], strict=True):
                if count:
                    sums = per_value.setdefault((dimension, value), [0] * len(AGGREGATE_MEASURES))
                    sums[position[measure]] = count
            for (dimension, value), sums in per_value.items():
                yield (*row[:5], dimension, value, *sums)


_PER_ATTEMPT = ("age_band", "device", "help_language", "duration_min")


@dataclass
class MonthCounts:
    """Counts of one month's ended visits and their procedure attempts (any number of sites).

    Everything a month's tables, KPIs and report read; rows of ``month_counts_sql`` (or of
    ``monthly_aggregates``) folded by :meth:`add_rows`.
    """

    attempts: int = 0
    sessions: int = 0  # visits with at least one procedure attempt
    session_minutes: int = 0
    outcomes: Counter = field(default_factory=Counter)
    # (dimension, value, outcome) -> attempts, for procedure_id, channel, age_band, device,
    # help_language and duration_min (whole minutes as text, '' when not recorded)
    by_dimension: Counter = field(default_factory=Counter)
    # (blocker, outcome) -> attempts that met the blocker
    blockers: Counter = field(default_factory=Counter)
    # procedure -> hand-off codes issued / attempts of visits that brought a code back
    handoffs_issued: Counter = field(default_factory=Counter)
    handoff_returns: Counter = field(default_factory=Counter)
    sessions_70_plus: int = 0
    sessions_age_known: int = 0
    hygiene_checks: int = 0
    hygiene_confirmed: int = 0
    sites: set[str] = field(default_factory=set)
    # (site, outcome) -> attempts: the site sheet (city = sum of sites)
    by_site: Counter = field(default_factory=Counter)

    def add_rows(self, rows: Iterable[Sequence]) -> None:
        """Fold rows of COUNT_KEY + AGGREGATE_MEASURES (outcome '' is not counted: see
        ``month_counts_sql``)."""
        by = self.by_dimension
        for row in rows:
            _month, site, channel, procedure, outcome, dimension, value, *measures = row
            if not outcome:
                continue
            sessions, attempts, _minutes, session_minutes, issued, returns, checks, ok = measures
            if dimension == "":
                self.attempts += attempts
                self.outcomes[outcome] += attempts
                self.by_site[site, outcome] += attempts
                self.sites.add(site)
                by["procedure_id", procedure, outcome] += attempts
                by["channel", channel, outcome] += attempts
                self.sessions += sessions
                self.session_minutes += session_minutes
                if issued:
                    self.handoffs_issued[procedure] += issued
                if returns:
                    self.handoff_returns[procedure] += returns
                self.hygiene_checks += checks
                self.hygiene_confirmed += ok
            elif dimension == "blocker":
                self.blockers[value, outcome] += attempts
            elif dimension in _PER_ATTEMPT:
                by[dimension, value, outcome] += attempts
                if dimension == "age_band" and value != "unknown":
                    self.sessions_age_known += sessions
                    if value in AGE_70_PLUS:
                        self.sessions_70_plus += sessions
