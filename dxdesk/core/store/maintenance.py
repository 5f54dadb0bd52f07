"""Keeping the store healthy: integrity and counts (``dxdesk store check``), the meta table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dxdesk.core.store.connection import Database


@dataclass(frozen=True)
class StoreCheck:
    path: Path
    schema_version: int
    integrity: list[str]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"]


class Maintenance:
    """Checks and small settings kept inside the store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def check(self) -> StoreCheck:
        """Full integrity check, schema version and row counts (``dxdesk store check``)."""
        integrity = [r[0] for r in self.db.query("PRAGMA integrity_check")]
        fk = self.db.query("PRAGMA foreign_key_check")
        if fk:
            integrity = [*(i for i in integrity if i != "ok"),
                         *(f"foreign key: {table} rowid {rowid}" for table, rowid, *_ in fk)]  # fmt: skip
        counts = {
            "sessions_local": self.db.query(
                "SELECT count(*) FROM sessions WHERE origin = 'local'")[0][0],
            "sessions_imported": self.db.query(
                "SELECT count(*) FROM sessions WHERE origin = 'imported'")[0][0],
            "sessions_open": self.db.query(
                "SELECT count(*) FROM sessions WHERE ended IS NULL AND origin = 'local'")[0][0],
            "procedure_attempts": self.db.query("SELECT count(*) FROM procedure_attempts")[0][0],
            "attempt_blockers": self.db.query("SELECT count(*) FROM attempt_blockers")[0][0],
            "session_events": self.db.query("SELECT count(*) FROM session_events")[0][0],
            "class_records": self.db.query("SELECT count(*) FROM class_records")[0][0],
            "monthly_aggregates": self.db.query("SELECT count(*) FROM monthly_aggregates")[0][0],
            "purges": self.db.query("SELECT count(*) FROM purge_log")[0][0],
        }  # fmt: skip
        return StoreCheck(self.db.path, self.db.schema_version, integrity, counts)

    def meta(self, key: str) -> str | None:
        rows = self.db.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db.write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )
