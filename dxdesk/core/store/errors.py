"""What the store raises: every message names the file (or row) and says what to do."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from dxdesk.core.i18n import tr


class StoreError(Exception):
    """The store cannot be used; the message names the file and says what to do."""

    def __init__(self, message: str, path: Path | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        # 'full', 'read_only', 'busy', 'not_a_store', 'damaged', 'io' or None (see storage_problem)
        self.kind = kind


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


def storage_problem(exc: BaseException) -> str | None:
    """What kind of storage failure ``exc`` is: 'full', 'read_only', 'busy', 'not_a_store',
    'damaged', 'io' (the disk or the file system failed), or None when it is none of these."""
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC or exc.errno == getattr(errno, "EDQUOT", -1):
            return "full"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "read_only"
        return "io"
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc).lower()
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return "full"
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN) or (
        "readonly" in text or "read-only" in text or "unable to open" in text
    ):
        return "read_only"
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return "busy"
    if primary == sqlite3.SQLITE_NOTADB or "not a database" in text:
        return "not_a_store"
    if primary == sqlite3.SQLITE_CORRUPT or "malformed" in text:
        return "damaged"
    if primary == sqlite3.SQLITE_IOERR or "disk i/o" in text:
        return "io"
    return None


def db_error(path: Path, exc: sqlite3.Error | OSError) -> StoreError:
    """A full disk, a read-only folder or a busy store is not a damaged store: say which it is.

    Only what SQLite itself reports as corrupt (or not a database) is called damaged.
    """
    kind = storage_problem(exc)
    if kind == "busy":
        return StoreError(tr("store.error.busy", path=path), path, kind)
    if kind == "full":
        return StoreError(tr("store.error.disk_full", path=path), path, kind)
    if kind == "read_only":
        return StoreError(tr("store.error.read_only", path=path), path, kind)
    if kind == "not_a_store":
        return StoreError(tr("store.error.not_a_store", path=path), path, kind)
    if kind == "io":
        return StoreError(tr("store.error.io", path=path, detail=exc), path, kind)
    if kind == "damaged":
        return corrupt(path, exc)
    detail = exc.strerror if isinstance(exc, OSError) else exc
    return StoreError(tr("store.error.cannot_open", path=path, detail=detail), path)


def corrupt(path: Path, detail: object) -> StoreError:
    return StoreError(tr("store.error.corrupt", path=path, detail=detail), path, "damaged")
