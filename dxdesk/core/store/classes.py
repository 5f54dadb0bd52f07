"""Smartphone-class records (スマホ教室): counts only, saved after every change."""

from __future__ import annotations

from dxdesk.core.contract import CLASS_CSV_COLUMNS
from dxdesk.core.i18n import tr
from dxdesk.core.session import local_now
from dxdesk.core.store.connection import Database
from dxdesk.core.store.errors import ClassRowError


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
        from dxdesk.core.store.rows import class_row_problem  # pydantic: not at start-up

        row, problem = class_row_problem(record, allowed_extra=("note",))
        if problem is not None:
            key = "store.class.columns" if "missing" in problem else "store.class.bad_value"
            raise ClassRowError(tr(key, **problem), problem["column"])
        note = record.get("note")
        note = None if note is None else str(note).strip() or None
        if note is not None:
            from dxdesk.core.privacy import ensure_no_personal_data  # compiled on first use

            ensure_no_personal_data(note, "class_note", visit_year=int(row.date[:4]))
        columns = [*CLASS_CSV_COLUMNS, "note", "recorded_at"]
        values = [*row.as_dict().values(), note, local_now().isoformat()]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "class_id")
        with self.db.write() as db:
            db.execute(
                f"INSERT INTO class_records ({', '.join(columns)}, origin)"
                f" VALUES ({', '.join('?' * len(columns))}, 'local')"
                f" ON CONFLICT (class_id) DO UPDATE SET {updates}",
                values,
            )
