"""The anonymous session store: one SQLite file (``dxdesk.sqlite3``) in the data directory.

WAL mode with ``synchronous=FULL``: every session event is on disk before ``record`` returns,
so a power cut or a killed process loses nothing the clerk saw confirmed. Each event is kept
(``session_events``) so an interrupted visit can be rebuilt; the per-attempt rows the export
reads (``procedure_attempts``, ``attempt_blockers``) are updated in the same transaction.
No column holds personal data; the only free text is a note that passed the privacy guard.

:class:`Store` is a small façade, as Anki's ``Collection``: it opens the file once
(:mod:`.connection`) and hands it to one part per concern, each owning its SQL —
``store.sessions`` (record, resume, today), ``store.queries`` (what an export reads),
``store.imports`` (other sites' rows), ``store.classes`` (class records),
``store.retention`` (purge into monthly counts), ``store.maintenance`` (check, meta) and
``store.today`` (the today panel's counts). A part's module loads when the part is first used,
so the main window's first paint does not wait for what recording or exporting needs.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from dxdesk.core.contract import (  # noqa: F401  (re-exported: the CSV contract)
    CLASS_COUNT_COLUMNS,
    CLASS_CSV_COLUMNS,
    SESSIONS_CSV_COLUMNS,
)
from dxdesk.core.store.connection import Database, connect, connections_open
from dxdesk.core.store.errors import ClassRowError, ImportRowError, StoreError, storage_problem
from dxdesk.core.store.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SQLITE_HEADER,
    STORE_FILE,
    STREAM_BATCH,
)
from dxdesk.core.store.today import TodayCounts, TodaySummary

if TYPE_CHECKING:
    from dxdesk.core.events import SessionEvent
    from dxdesk.core.session import SupportSession
    from dxdesk.core.store.classes import ClassRecords
    from dxdesk.core.store.imports import RowImport
    from dxdesk.core.store.maintenance import Maintenance, StoreCheck
    from dxdesk.core.store.queries import ExportQueries
    from dxdesk.core.store.retention import NOTE_TABLES, PurgeCounts, Retention
    from dxdesk.core.store.sessions import OpenSession, SessionLog

# Re-exported names whose module loads on first use (see the docstring).
_LAZY = {
    "OpenSession": "sessions", "StoreCheck": "maintenance", "NOTE_TABLES": "retention",
    "PurgeCounts": "retention",
}  # fmt: skip


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CLASS_COUNT_COLUMNS", "CLASS_CSV_COLUMNS", "MIGRATIONS", "SCHEMA_VERSION", "SESSIONS_CSV_COLUMNS",
    "NOTE_TABLES", "SQLITE_HEADER", "STORE_FILE", "STREAM_BATCH", "ClassRowError", "ImportRowError",
    "OpenSession", "connect", "connections_open", "storage_problem", "PurgeCounts", "Store", "StoreCheck", "StoreError", "TodaySummary",
]  # fmt: skip


class Store:
    """Open with :meth:`open`; pass it as the recorder of a :class:`SupportSession`."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.path = database.path
        self.today = TodayCounts(database)

    @functools.cached_property
    def sessions(self) -> SessionLog:
        from dxdesk.core.store.sessions import SessionLog

        return SessionLog(self.database, recorder=self)

    @functools.cached_property
    def queries(self) -> ExportQueries:
        from dxdesk.core.store.queries import ExportQueries

        return ExportQueries(self.database)

    @functools.cached_property
    def imports(self) -> RowImport:
        from dxdesk.core.store.imports import RowImport

        return RowImport(self.database)

    @functools.cached_property
    def classes(self) -> ClassRecords:
        from dxdesk.core.store.classes import ClassRecords

        return ClassRecords(self.database)

    @functools.cached_property
    def retention(self) -> Retention:
        from dxdesk.core.store.retention import Retention

        return Retention(self.database)

    @functools.cached_property
    def maintenance(self) -> Maintenance:
        from dxdesk.core.store.maintenance import Maintenance

        return Maintenance(self.database)

    @classmethod
    def open(cls, data_dir: str | Path, *, create: bool = True) -> Store:
        return cls(Database.open(data_dir, create=create))

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.database.schema_version

    def record(self, session: SupportSession, event: SessionEvent) -> None:
        """The session's recorder: commit ``event`` and the rows it changes, durably."""
        self.sessions.record(session, event)
