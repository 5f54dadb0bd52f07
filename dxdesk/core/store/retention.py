"""Retention: months past the retention period are counted into monthly aggregates, then deleted."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import suppress
from dataclasses import dataclass

from dxdesk.core.contract import CLASS_COUNT_COLUMNS
from dxdesk.core.session import local_now
from dxdesk.core.store.connection import Database
from dxdesk.core.store.errors import db_error
from dxdesk.core.store.month_counts import COUNT_KEY, kept_counts_sql
from dxdesk.core.store.schema import (
    AGGREGATE_MEASURES,
    CLASS_AGGREGATE_MEASURES,
    CLASS_WARNING_MEASURES,
)


@dataclass(frozen=True)
class PurgeCounts:
    """Row-level data dated before a month's first day (what a purge removes or removed)."""

    sessions: int
    attempts: int
    classes: int
    events: int
    blockers: int


NOTE_TABLES = ("sessions", "session_events", "attempt_blockers", "class_records")


class Retention:
    """Purging old rows into kept monthly counts, and reading those counts back."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def purge_counts(self, before: dt.date) -> PurgeCounts:
        """How many rows a purge of everything dated before ``before`` would remove."""
        with self.db.lock:
            try:
                return self._purge_counts_in(self.db.connection, month_start(before).isoformat())
            except sqlite3.DatabaseError as exc:
                raise db_error(self.db.path, exc) from exc

    def purge_before(self, before: dt.date, *, purged_at: dt.datetime | None = None) -> PurgeCounts:
        """Count every row dated before ``before`` (a month's first day) into the monthly
        aggregates, delete the row-level data and log the counts: one transaction, so a
        failure anywhere leaves the store as it was.
        """
        start = month_start(before)
        if start != before:
            raise ValueError(f"a purge ends at a month's first day, not {before.isoformat()}")
        iso = start.isoformat()
        purged_at = purged_at or local_now()
        old = "SELECT session_id FROM sessions WHERE date < ?"
        with self.db.lock:
            # Deleted rows are overwritten on disk, not just unlinked (they held visit details).
            self.db.connection.execute("PRAGMA secure_delete = ON")
            try:
                with self.db.write() as db:
                    counts = self._purge_counts_in(db, iso)
                    db.execute(AGGREGATE_SESSIONS, (iso,))
                    self._aggregate_classes(db, iso)
                    db.execute(f"DELETE FROM attempt_blockers WHERE session_id IN ({old})", (iso,))
                    db.execute(f"DELETE FROM session_events WHERE session_id IN ({old})", (iso,))
                    db.execute(
                        f"DELETE FROM procedure_attempts WHERE session_id IN ({old})", (iso,)
                    )
                    db.execute("DELETE FROM sessions WHERE date < ?", (iso,))
                    db.execute("DELETE FROM class_records WHERE date < ?", (iso,))
                    # What the purged months counted before: their kept counts count now.
                    db.execute("DELETE FROM month_counts_memo WHERE month < ?", (iso[:7],))
                    db.execute(
                        "INSERT INTO purge_log (purged_at, before_month, sessions_purged,"
                        " attempts_purged, classes_purged) VALUES (?, ?, ?, ?, ?)",
                        (purged_at.isoformat(timespec="seconds"), iso[:7], counts.sessions,
                         counts.attempts, counts.classes),
                    )  # fmt: skip
            finally:
                self.db.connection.execute("PRAGMA secure_delete = OFF")
            # Old page images in the WAL go too, unless a reader still needs them.
            with suppress(sqlite3.DatabaseError):
                self.db.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts

    def _purge_counts_in(self, db: sqlite3.Connection, iso: str) -> PurgeCounts:
        old = "SELECT session_id FROM sessions WHERE date < ?"

        def count(sql: str) -> int:
            return db.execute(sql, (iso,)).fetchone()[0]

        return PurgeCounts(
            sessions=count("SELECT count(*) FROM sessions WHERE date < ?"),
            attempts=count(f"SELECT count(*) FROM procedure_attempts WHERE session_id IN ({old})"),
            classes=count("SELECT count(*) FROM class_records WHERE date < ?"),
            events=count(f"SELECT count(*) FROM session_events WHERE session_id IN ({old})"),
            blockers=count(f"SELECT count(*) FROM attempt_blockers WHERE session_id IN ({old})"),
        )

    def _aggregate_classes(self, db: sqlite3.Connection, iso: str) -> None:
        sums: dict[tuple[str, str, str], list[int]] = {}
        cursor = db.execute(
            "SELECT substr(date, 1, 7), site_id, menu, staffing_warning, duration_min,"
            f" {', '.join(CLASS_COUNT_COLUMNS)} FROM class_records WHERE date < ?",
            (iso,),
        )
        kinds = [m.removeprefix("warning_") for m in CLASS_WARNING_MEASURES]
        for month, site_id, menu, warning, *numbers in cursor:
            codes = warning.split(";")
            values = [1, *numbers, 1 if warning else 0, *(int(k in codes) for k in kinds)]
            for topic in ["", *(t for t in menu.split(";") if t)]:
                total = sums.setdefault((month, site_id, topic), [0] * len(values))
                for i, v in enumerate(values):
                    total[i] += v
        columns = ["month", "site_id", "topic_id", *CLASS_AGGREGATE_MEASURES]
        db.executemany(
            f"INSERT INTO monthly_class_aggregates ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))})"
            " ON CONFLICT (month, site_id, topic_id) DO UPDATE SET "
            + ", ".join(f"{m} = {m} + excluded.{m}" for m in CLASS_AGGREGATE_MEASURES),
            [(*key, *values) for key, values in sorted(sums.items())],
        )

    def blank_notes_before(self, day: dt.date) -> int:
        """Blank the notes of visits and classes dated before ``day`` in all four tables; the rows
        (and so every count) stay. Returns how many notes were blanked."""
        before = day.isoformat()
        old_sessions = "SELECT session_id FROM sessions WHERE date < ?"
        blanked = 0
        with self.db.write() as db:
            for table, where in (
                ("session_events", f"session_id IN ({old_sessions})"),
                ("attempt_blockers", f"session_id IN ({old_sessions})"),
                ("sessions", "date < ?"),
                ("class_records", "date < ?"),
            ):
                cursor = db.execute(
                    f"UPDATE {table} SET note = NULL WHERE note IS NOT NULL AND {where}", (before,)
                )
                blanked += cursor.rowcount
        return blanked

    def monthly_aggregate_rows(self, first_month: str, last_month: str) -> list[dict]:
        """Kept counts of purged months (``YYYY-MM``, both inclusive), as dicts."""
        columns = ["month", "site_id", "channel", "procedure_id", "outcome", "dimension",
                   "value", *AGGREGATE_MEASURES]  # fmt: skip
        rows = self.db.query(
            f"SELECT {', '.join(columns)} FROM monthly_aggregates WHERE month BETWEEN ? AND ?"
            " ORDER BY month, site_id, channel, procedure_id, outcome, dimension, value",
            (first_month, last_month),
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def monthly_class_aggregate_rows(self, first_month: str, last_month: str) -> list[dict]:
        """Kept class counts of purged months; ``topic_id`` '' is the month's total."""
        columns = ["month", "site_id", "topic_id", *CLASS_AGGREGATE_MEASURES]
        rows = self.db.query(
            f"SELECT {', '.join(columns)} FROM monthly_class_aggregates"
            " WHERE month BETWEEN ? AND ? ORDER BY month, site_id, topic_id",
            (first_month, last_month),
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def purge_log(self) -> list[dict]:
        """Every purge so far, oldest first: when, up to which month, and counts only."""
        columns = ["purged_at", "before_month", "sessions_purged", "attempts_purged",
                   "classes_purged"]  # fmt: skip
        rows = self.db.query(f"SELECT {', '.join(columns)} FROM purge_log ORDER BY rowid")
        return [dict(zip(columns, r, strict=True)) for r in rows]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Every session dated before ? counted by the one definition of a month's counts, added to
# what an earlier purge kept of the same month (a late site's rows).
AGGREGATE_SESSIONS = (
    f"INSERT INTO monthly_aggregates ({', '.join((*COUNT_KEY, *AGGREGATE_MEASURES))})"
    + kept_counts_sql("s.date < ?")
    + f" ON CONFLICT ({', '.join(COUNT_KEY)}) DO UPDATE SET "
    + ", ".join(f"{m} = {m} + excluded.{m}" for m in AGGREGATE_MEASURES)
)
