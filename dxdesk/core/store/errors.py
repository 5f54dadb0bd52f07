"""What the store raises: every message names the file (or row) and says what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dxdesk.core.i18n import tr


class StoreError(Exception):
    """The store cannot be used; the message names the file and says what to do."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class ClassRowError(StoreError):
    """A class row the store refuses (the column names the field); nothing was stored.

    Not :class:`dxdesk.core.classes.ClassRecordError`, which lists what the class form got wrong.
    """

    def __init__(self, message: str, column: str | None) -> None:
        super().__init__(message)
        self.column = column


class ImportRowError(StoreError):
    """A row to import is malformed; nothing of the batch was stored."""

    def __init__(self, message: str, row_number: int, column: str | None) -> None:
        super().__init__(message)
        self.row_number = row_number
        self.column = column


def db_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    """A busy store or a full disk is not a damaged store: say which it is."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreError(tr("store.error.busy", path=path), path)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in text:
        return StoreError(tr("store.error.disk_full", path=path), path)
    return corrupt(path, exc)


def corrupt(path: Path, detail: object) -> StoreError:
    return StoreError(tr("store.error.corrupt", path=path, detail=detail), path)
