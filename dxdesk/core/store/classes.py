"""Smartphone-class records (スマホ教室): counts only, saved after every change."""

from __future__ import annotations

from dxdesk.core.contract import CLASS_CSV_COLUMNS
from dxdesk.core.i18n import tr
from dxdesk.core.session import local_now
from dxdesk.core.store.connection import Database
from dxdesk.core.store.errors import ClassRowError
from dxdesk.core.store.rows import check_class_row


class ClassRecords:
    """This counter's class records."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save_class_record(self, record: dict) -> None:
        """Insert or update (by ``class_id``) one class, durably, in one transaction.

        ``record`` holds the classes.csv columns and optionally ``note``; a live tally calls
        this after every change. The note passes the privacy guard here as well.
        """
        if not isinstance(record, dict):
            raise ClassRowError(tr("store.class.not_a_record"), None)
        unknown = [k for k in record if k not in CLASS_CSV_COLUMNS and k != "note"]
        missing = [c for c in CLASS_CSV_COLUMNS if c not in record]
        if unknown or missing:
            raise ClassRowError(
                tr("store.class.columns", missing=", ".join(missing) or "-",
                   extra=", ".join(map(str, unknown)) or "-"),
                (missing or unknown)[0],
            )  # fmt: skip
        problem, row = check_class_row(record)
        if problem:
            column, expected = problem
            raise ClassRowError(
                tr("store.class.bad_value", column=column, value=record[column],
                   expected=expected),
                column,
            )  # fmt: skip
        note = record.get("note")
        note = None if note is None else str(note).strip() or None
        if note is not None:
            from dxdesk.core.privacy import ensure_no_personal_data  # compiled on first use

            ensure_no_personal_data(note, "class_note", visit_year=int(row["date"][:4]))
        columns = [*CLASS_CSV_COLUMNS, "note", "recorded_at"]
        values = [*(row[c] for c in CLASS_CSV_COLUMNS), note, local_now().isoformat()]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "class_id")
        with self.db.write() as db:
            db.execute(
                f"INSERT INTO class_records ({', '.join(columns)}, origin)"
                f" VALUES ({', '.join('?' * len(columns))}, 'local')"
                f" ON CONFLICT (class_id) DO UPDATE SET {updates}",
                values,
            )
