"""The export's reads: sessions.csv and classes.csv rows, streamed; a month's counts for reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from dxdesk.core.contract import CLASS_CSV_COLUMNS, SESSIONS_CSV_COLUMNS
from dxdesk.core.store.connection import Database, site_filter
from dxdesk.core.store.memo import counted_rows
from dxdesk.core.store.month_counts import (
    COUNT_KEY,
    COUNTED_DIMENSIONS,
    MonthCounts,
    MonthCountsQuery,
)
from dxdesk.core.store.schema import AGGREGATE_MEASURES, CLASS_AGGREGATE_MEASURES

_BLOCKERS = SESSIONS_CSV_COLUMNS.index("blockers")
_DIMENSIONS_IN = "(" + ", ".join(f"'{d}'" for d in ("", *COUNTED_DIMENSIONS)) + ")"


# sessions.csv's values (SESSIONS_CSV_COLUMNS) of a procedure attempt ``a`` of a visit ``s``;
# a visit's blockers in the order of their index, which is the order of their ids.
_CSV_VALUES: tuple[str, ...] = (
    "s.session_id", "a.attempt_no", "s.site_id", "s.channel", "s.date", "s.hour",
    "a.procedure_id", "a.guide_version", "a.outcome",
    "coalesce((SELECT group_concat(blocker_id, ';') FROM (SELECT blocker_id"
    " FROM attempt_blockers b WHERE b.session_id = a.session_id"
    " AND b.attempt_no = a.attempt_no ORDER BY blocker_id)), '')",
    "a.steps_reached", "a.last_step_id", "coalesce(a.duration_min, 0)",
    "coalesce(s.session_duration_min, 0)", "s.age_band", "s.device", "s.help_language",
    "a.handoff_code", "s.return_of_code", "s.hygiene_confirmed", "s.ended",
)  # fmt: skip
assert len(_CSV_VALUES) == len(SESSIONS_CSV_COLUMNS)
_JOIN = " FROM procedure_attempts a JOIN sessions s USING (session_id)"
_ROWS_FROM = _JOIN + " WHERE s.ended IS NOT NULL AND s.date BETWEEN ? AND ?"


def _month_rows(start: dt.date, end: dt.date, site_ids: list[str] | None) -> tuple[str, list]:
    """FROM … ORDER BY of sessions.csv's rows of ended visits with start <= date <= end."""
    clause, sites = site_filter("s.site_id", site_ids)
    order = " ORDER BY s.date, s.hour, s.session_id, a.attempt_no"
    return _ROWS_FROM + clause + order, [start.isoformat(), end.isoformat(), *sites]


def _blockers_sorted(row: tuple) -> tuple:
    """The row with its blockers in order (group_concat does not promise an order)."""
    blockers = row[_BLOCKERS]
    if ";" not in blockers:
        return row
    return (*row[:_BLOCKERS], ";".join(sorted(blockers.split(";"))), *row[_BLOCKERS + 1 :])


def _written_as_csv(line: str) -> bool:
    """Whether SQLite's line is what csv.writer writes of the same values: no value needs
    quoting and the blockers are in order."""
    if line.count(",") != len(_CSV_VALUES) - 1 or '"' in line or "\n" in line or "\r" in line:
        return False
    if ";" not in line:
        return True
    blockers = line.split(",")[_BLOCKERS].split(";")
    return blockers == sorted(blockers)


def _csv_line(reader: sqlite3.Connection, rowid: int) -> str:
    """The sessions.csv line of one attempt (by its rowid), written by the csv module."""
    values = reader.execute(
        f"SELECT {', '.join(_CSV_VALUES)}{_JOIN} WHERE a.rowid = ?", [rowid]
    ).fetchone()
    text = io.StringIO()
    csv.writer(text, lineterminator="").writerow(_blockers_sorted(values))
    return text.getvalue()


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
        ``SESSIONS_CSV_COLUMNS`` order (at most ``STREAM_BATCH`` at a time)."""
        where, params = _month_rows(start, end, site_ids)
        sql = f"SELECT {', '.join(_CSV_VALUES)}{where}"
        for batch in self.db.stream_batches(sql, params):
            yield [_blockers_sorted(row) for row in batch]

    def sessions_csv_lines(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> Iterator[tuple[str, list[str]]]:
        """The same rows as sessions.csv lines (without their line end), ``STREAM_BATCH`` at a
        time with the date of the batch's last row: (date, lines).

        SQLite writes each line, which saves the export building 21 Python values a row and
        the csv module joining them again. A line SQLite cannot write as the csv module would
        (a value with a comma, quote or line break, which dxdesk's ids never have, or
        blockers out of order) is written by the csv module from the row's values instead.
        Two kinds of value no dxdesk writer or import stores are left to printf, which writes
        them differently: a REAL of more than 15 significant digits where an integer belongs
        and a text with a NUL (cut there). Checking every row for them cost the stream a
        seventh of its time, and an import refuses such a row whichever way it is written.
        """
        where, params = _month_rows(start, end, site_ids)
        # One printf, not 20 concatenations (each copies the line so far): a third faster.
        # printf writes NULL as '' and numbers as the csv module does.
        line = f"printf('{','.join(['%s'] * len(_CSV_VALUES))}', {', '.join(_CSV_VALUES)})"
        with self.db.snapshot() as reader:
            sql = f"SELECT s.date, a.rowid, {line}{where}"
            for batch in self.db.batches(reader, sql, params):
                lines = [row[2] for row in batch]
                for i, text in enumerate(lines):
                    if not _written_as_csv(text):
                        lines[i] = _csv_line(reader, batch[i][1])
                yield batch[-1][0], lines

    def month_counts(
        self, month: str, site_ids: list[str] | None = None, duration_starts: Sequence[int] = (0,)
    ) -> MonthCounts:
        """The month's counts (``YYYY-MM``) for these sites (None: all), in one statement on its
        own read-only snapshot, or remembered while the month is unchanged (``memo``): its
        ended visits' attempts (``MonthCountsQuery``; durations in bands that start at
        ``duration_starts``), plus the counts a retention purge kept of the month (a late
        site's rows and the kept counts add up)."""
        clause, sites = site_filter("s.site_id", site_ids)
        query = MonthCountsQuery.build(
            "s.ended IS NOT NULL AND s.date BETWEEN ? AND ?" + clause, duration_starts
        )
        kept_clause, kept_sites = site_filter("site_id", site_ids)
        sql = (
            f"{query.sql}\nUNION ALL SELECT {', '.join(COUNT_KEY)}, {', '.join(AGGREGATE_MEASURES)},"
            f" {query.kept_columns} FROM monthly_aggregates"
            f" WHERE month = ? AND dimension IN {_DIMENSIONS_IN}{kept_clause}"
        )
        # Dates are ISO text: every day of the month sorts between these two.
        where = [f"{month}-01", f"{month}-31", *sites]
        params = [*where, *query.params, month, *kept_sites]
        counts = MonthCounts()
        # Its own read-only snapshot: safe from an export's worker thread, and the clerk's
        # connection stays free while it scans.
        counts.add_rows(query.rows(counted_rows(self.db, month, sql, params)))
        return counts

    def kept_attempts(self, month: str, site_ids: list[str] | None = None) -> int:
        """Attempts a retention purge kept of the month only as counts (no rows left), as
        ``month_counts`` adds them (an attempt with no outcome is not counted)."""
        clause, sites = site_filter("site_id", site_ids)
        rows = self.db.query(
            "SELECT coalesce(sum(attempts), 0) FROM monthly_aggregates"
            " WHERE month = ? AND dimension = '' AND outcome <> ''" + clause,
            [month, *sites],
        )
        return int(rows[0][0])

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

    def kept_class_counts(self, month: str, site_ids: list[str] | None = None) -> list[dict]:
        """The class counts a retention purge kept of the month (``YYYY-MM``), per site and
        topic (topic_id '' is the site's total); none for a month whose records are kept."""
        columns = ["site_id", "topic_id", *CLASS_AGGREGATE_MEASURES]
        clause, sites = site_filter("site_id", site_ids)
        rows = self.db.query(
            f"SELECT {', '.join(columns)} FROM monthly_class_aggregates WHERE month = ?{clause}"
            " ORDER BY site_id, topic_id",
            [month, *sites],
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def sites(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT DISTINCT site_id FROM sessions ORDER BY 1")]
