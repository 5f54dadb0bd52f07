"""The export's reads: sessions.csv and classes.csv rows, streamed; grouped counts for reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from dxdesk.core.contract import AGE_70_PLUS, CLASS_CSV_COLUMNS, SESSIONS_CSV_COLUMNS, sql_list
from dxdesk.core.store.connection import Database, site_filter

_BLOCKERS = SESSIONS_CSV_COLUMNS.index("blockers")


class ExportQueries:
    """Read-only queries over ended visits and classes (each on its own snapshot connection)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def procedure_attempt_rows(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> Iterator[dict]:
        """sessions.csv rows of ended visits with start <= date <= end (both inclusive), as dicts."""
        for batch in self.procedure_attempt_batches(start, end, site_ids):
            for values in batch:
                yield dict(zip(SESSIONS_CSV_COLUMNS, values, strict=True))

    def procedure_attempt_batches(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> Iterator[list[tuple]]:
        """The same rows as ``procedure_attempt_rows``, as lists of tuples in
        ``SESSIONS_CSV_COLUMNS`` order (at most ``STREAM_BATCH`` at a time): an export writes and
        counts whole batches without building a dict per row."""
        sql = (
            "SELECT s.session_id, a.attempt_no, s.site_id, s.channel, s.date, s.hour,"
            " a.procedure_id, a.guide_version, a.outcome,"
            " coalesce((SELECT group_concat(blocker_id, ';') FROM attempt_blockers b"
            "   WHERE b.session_id = a.session_id AND b.attempt_no = a.attempt_no), ''),"
            " a.steps_reached, a.last_step_id, coalesce(a.duration_min, 0),"
            " coalesce(s.session_duration_min, 0), s.age_band, s.device, s.help_language,"
            " a.handoff_code, s.return_of_code, s.hygiene_confirmed, s.ended"
            " FROM procedure_attempts a JOIN sessions s USING (session_id)"
            " WHERE s.ended IS NOT NULL AND s.date BETWEEN ? AND ?"
        )
        params: list[Any] = [start.isoformat(), end.isoformat()]
        clause, sites = site_filter("s.site_id", site_ids)
        sql += clause
        params += sites
        sql += " ORDER BY s.date, s.hour, s.session_id, a.attempt_no"
        for batch in self.db.stream_batches(sql, params):
            # group_concat's order is unspecified: sort the few rows that met several blockers.
            for i in [i for i, row in enumerate(batch) if ";" in row[_BLOCKERS]]:
                row = batch[i]
                blockers = ";".join(sorted(row[_BLOCKERS].split(";")))
                batch[i] = (*row[:_BLOCKERS], blockers, *row[_BLOCKERS + 1 :])
            yield batch

    def dimension_outcome_counts(
        self,
        start: dt.date,
        end: dt.date,
        site_ids: list[str] | None,
        duration_bands: Sequence[tuple[int, int | None, str]],
    ) -> Iterator[tuple]:
        """Attempts per (procedure_id, age_band, device, channel, help_language, duration band,
        outcome), one SQL scan streamed: enough to rebuild a month's published outcome tables
        (the previous month's, for the report) without its rows. ``duration_bands`` are
        (low, high, label), the last one's high None; the same selection as
        ``procedure_attempt_rows``."""
        where = "s.ended IS NOT NULL AND s.date BETWEEN ? AND ?"
        params: list[Any] = []
        *bounded, (_lo, _none, last) = duration_bands  # the last band has no upper bound
        band = (
            "CASE" + " WHEN coalesce(a.duration_min, 0) < ? THEN ?" * len(bounded) + " ELSE ? END"
        )
        for _low, high, label in bounded:
            params += [high, label]
        params.append(last)
        params += [start.isoformat(), end.isoformat()]
        clause, sites = site_filter("s.site_id", site_ids)
        where += clause
        params += sites
        yield from self.db.stream(
            "SELECT a.procedure_id, s.age_band, s.device, s.channel, s.help_language,"
            f" {band}, a.outcome, count(*)"
            " FROM procedure_attempts a JOIN sessions s USING (session_id)"
            f" WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6, 7",
            params,
        )

    def kpi_counts(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> dict[str, Any]:
        """The month-level counts a report compares against, by SQL instead of a row stream.

        Same selection and meaning as ``procedure_attempt_rows`` summed up: ended visits with at
        least one procedure, ``start <= date <= end`` (a test keeps the two in step).
        """
        where = "s.ended IS NOT NULL AND s.date BETWEEN ? AND ?"
        params: list[Any] = [start.isoformat(), end.isoformat()]
        clause, sites = site_filter("s.site_id", site_ids)
        where += clause
        params += sites
        # One scan; a visit's own facts are counted on its first attempt row, as the summary does.
        first = "a.attempt_no = 1"
        # Its own read-only connection: safe from an export's worker thread, and the clerk's
        # connection stays free while it scans.
        per_outcome = list(self.db.stream(
            "SELECT a.outcome, count(*), sum(s.return_of_code != ''), sum(" + first + "),"
            " sum(CASE WHEN " + first + " THEN s.session_duration_min ELSE 0 END),"
            " sum(" + first + f" AND s.age_band IN {sql_list(AGE_70_PLUS)}),"
            " sum(" + first + " AND s.age_band != 'unknown'),"
            " sum(" + first + " AND s.hygiene_confirmed != ''),"
            " sum(" + first + " AND s.hygiene_confirmed = '1')"
            " FROM procedure_attempts a JOIN sessions s USING (session_id)"
            f" WHERE {where} GROUP BY a.outcome", params,
        ))  # fmt: skip
        outcomes = {row[0]: row[1] for row in per_outcome}
        totals = [sum(row[i] or 0 for row in per_outcome) for i in range(2, 9)]
        returns, sessions, minutes, seventy, known, checks, confirmed = totals
        return {
            "attempts": sum(outcomes.values()), "outcomes": outcomes, "sessions": sessions,
            "session_minutes": minutes, "sessions_70_plus": seventy, "sessions_age_known": known,
            "hygiene_checks": checks, "hygiene_confirmed": confirmed, "handoff_returns": returns,
        }  # fmt: skip

    def class_record_rows(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> Iterator[dict]:
        """classes.csv rows (no note, origin or recorded_at) with start <= date <= end."""
        sql = f"SELECT {', '.join(CLASS_CSV_COLUMNS)} FROM class_records WHERE date BETWEEN ? AND ?"
        params: list[Any] = [start.isoformat(), end.isoformat()]
        clause, sites = site_filter("site_id", site_ids)
        sql += clause
        params += sites
        sql += " ORDER BY date, start_time, site_id, class_id"
        for values in self.db.stream(sql, params):
            yield dict(zip(CLASS_CSV_COLUMNS, values, strict=True))

    def sites(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT DISTINCT site_id FROM sessions ORDER BY 1")]
