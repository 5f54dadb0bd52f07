"""Storing other sites' rows (a supervisor's import): all or nothing, in one transaction.

A row arrives as a dict (checked here, numbered in the order given) or as a row model that an
import already checked and numbered within its bundle (stored as it is: checked once).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from dxdesk.core.contract import CLASS_CSV_COLUMNS
from dxdesk.core.session import local_now
from dxdesk.core.store.connection import Database


class RowImport:
    """sessions.csv and classes.csv rows from another site's export into this store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def import_procedure_attempt_rows(self, rows: Iterable[dict]) -> tuple[int, int]:
        """Store rows from another export; returns (inserted, skipped as duplicates).

        One transaction: a malformed row raises ImportRowError and nothing is stored.
        """
        with self.db.write() as db:
            return self._insert_attempt_rows(db, rows)

    @staticmethod
    def _counted_site_months(db: sqlite3.Connection, table: str) -> set[tuple[str, str]]:
        """(month, site) pairs whose rows were purged into kept counts: rows of theirs that
        arrive again (the same bundle imported once more) must not be counted twice."""
        return {(m, s) for m, s in db.execute(f"SELECT DISTINCT month, site_id FROM {table}")}

    def _insert_attempt_rows(self, db: sqlite3.Connection, rows: Iterable[dict]) -> tuple[int, int]:
        inserted = skipped = 0
        counted = self._counted_site_months(db, "monthly_aggregates")
        from dxdesk.core.store.rows import AttemptRow, validated_attempt_row  # pydantic: lazily

        for number, raw in enumerate(rows, start=1):
            row = raw if isinstance(raw, AttemptRow) else validated_attempt_row(raw, number)
            if counted and (row.date[:7], row.site_id) in counted:
                skipped += 1
                continue
            key = (row.session_id, row.attempt_no)
            db.execute(
                "INSERT OR IGNORE INTO sessions (session_id, origin, site_id, channel, date,"
                " hour, ended, session_duration_min, age_band, device, help_language,"
                " return_of_code, hygiene_confirmed)"
                " VALUES (?, 'imported', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.session_id, row.site_id, row.channel, row.date, row.hour, row.ended,
                 row.session_duration_min, row.age_band, row.device, row.help_language,
                 row.return_of_code, row.hygiene_confirmed),
            )  # fmt: skip
            # An attempt already stored (same session and number) is left as it is: skipped.
            # Its session row was there too, so the INSERT OR IGNORE above changed nothing.
            stored = db.execute(
                "INSERT INTO procedure_attempts (session_id, attempt_no, procedure_id,"
                " guide_version, outcome, steps_reached, last_step_id, duration_min,"
                " handoff_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (session_id, attempt_no) DO NOTHING",  # a CHECK still refuses
                (*key, row.procedure_id, row.guide_version, row.outcome, row.steps_reached,
                 row.last_step_id, row.duration_min, row.handoff_code),
            ).rowcount  # fmt: skip
            if not stored:
                skipped += 1
                continue
            if row.blockers:
                db.executemany(
                    "INSERT INTO attempt_blockers (session_id, attempt_no, blocker_id)"
                    " VALUES (?, ?, ?)",
                    [(*key, b) for b in row.blocker_ids],
                )
            inserted += 1
        return inserted, skipped

    def import_class_record_rows(self, rows: Iterable[dict]) -> tuple[int, int]:
        """Store classes.csv rows from another export; returns (inserted, skipped by class_id).

        One transaction: a malformed row raises ImportRowError and nothing is stored.
        """
        with self.db.write() as db:
            return self._insert_class_rows(db, rows)

    def _insert_class_rows(self, db: sqlite3.Connection, rows: Iterable[dict]) -> tuple[int, int]:
        inserted = skipped = 0
        columns = [*CLASS_CSV_COLUMNS, "recorded_at"]
        sql = (
            f"INSERT INTO class_records ({', '.join(columns)}, origin)"
            f" VALUES ({', '.join('?' * len(columns))}, 'imported')"
        )
        now = local_now().isoformat()
        counted = self._counted_site_months(db, "monthly_class_aggregates")
        from dxdesk.core.store.rows import ClassRow, validated_class_row  # pydantic: lazily

        for number, raw in enumerate(rows, start=1):
            row = raw if isinstance(raw, ClassRow) else validated_class_row(raw, number)
            if counted and (row.date[:7], row.site_id) in counted:
                skipped += 1
                continue
            if db.execute(
                "SELECT 1 FROM class_records WHERE class_id = ?", (row.class_id,)
            ).fetchone():
                skipped += 1
                continue
            db.execute(sql, [*row.as_dict().values(), now])
            inserted += 1
        return inserted, skipped

    def import_rows(
        self, attempt_rows: Iterable[dict], class_rows: Iterable[dict]
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """A whole import (visits and classes) in ONE transaction: any bad row stores nothing.

        Returns ((attempts inserted, skipped), (classes inserted, skipped)).
        """
        with self.db.write() as db:
            attempts = self._insert_attempt_rows(db, attempt_rows)
            classes = self._insert_class_rows(db, class_rows)
        return attempts, classes
