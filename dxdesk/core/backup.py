"""Automatic backups of the session store, and restoring one.

A backup is a consistent copy of ``dxdesk.sqlite3`` made with SQLite's online backup API through
its own read connection, so it is safe while the app is writing (WAL). One copy per day is kept
in ``<data_dir>/backups/dxdesk-YYYY-MM-DD.sqlite3`` (the newest ``KEEP_DAILY``); the app takes
today's copy after its window is painted when it is missing. A copy is checked with
``PRAGMA integrity_check`` before it is kept, so a damaged store never rotates the good copies out.

Restoring refuses while another dxdesk holds the data directory, checks the backup's integrity
and schema first, keeps the replaced store as ``dxdesk.sqlite3.replaced`` and swaps the file
in with one atomic rename.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dxdesk.core.i18n import tr
from dxdesk.core.instance_lock import InstanceLock, InstanceLockError
from dxdesk.core.store import (
    SCHEMA_VERSION,
    STORE_FILE,
    StoreError,
    connect,
    connections_open,
    storage_problem,
)

BACKUP_DIR = "backups"
KEEP_DAILY = 7
REPLACED_SUFFIX = ".replaced"
_DAILY = re.compile(r"^dxdesk-(\d{4}-\d{2}-\d{2})\.sqlite3$")
_REQUIRED_TABLES = frozenset({"sessions", "procedure_attempts", "session_events"})


class BackupError(Exception):
    """A backup cannot be taken or restored; the message names the file and what to do."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    integrity: list[str]
    schema_version: int | None
    problem: str | None = None  # a reason the file cannot be restored, in the UI language
    readable: bool = True  # False: it could not be read now (busy, I/O); not proven damaged

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    day: dt.date
    size: int


def backup_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / BACKUP_DIR


def daily_backup_path(data_dir: str | Path, day: dt.date) -> Path:
    return backup_dir(data_dir) / f"dxdesk-{day.isoformat()}.sqlite3"


def list_backups(data_dir: str | Path) -> list[BackupInfo]:
    """The daily copies in the data directory, newest first."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _DAILY.match(path.name)
        if not match or not path.is_file():
            continue
        try:
            day = dt.date.fromisoformat(match.group(1))
        except ValueError:
            continue
        found.append(BackupInfo(path, day, path.stat().st_size))
    return sorted(found, key=lambda b: b.day, reverse=True)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - Windows cannot open a directory
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_database(source: Path, target: Path) -> None:
    """Online backup of ``source`` into a new single-file database ``target`` (fsynced)."""
    src = connect(source, create=False)  # reads only; a WAL store needs its -shm
    try:
        dst = connect(target)
        try:
            src.backup(dst)
            # The copy carries the WAL flag of its source; make it one self-contained file.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    with target.open("rb+") as fh:
        os.fsync(fh.fileno())


def take_backup(data_dir: str | Path, target: str | Path | None = None) -> Path:
    """Copy the store to ``target`` (default: today's daily file), verified; return the path.

    The copy is written under a temporary name and renamed into place only when its integrity
    check passes, so a half-written or damaged copy never carries a backup's name.
    """
    data_dir = Path(data_dir)
    store = data_dir / STORE_FILE
    if not store.is_file():
        raise BackupError(tr("backup.error.no_store", path=store), store)
    target = Path(target) if target else daily_backup_path(data_dir, dt.date.today())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise BackupError(
            tr("backup.error.write", path=target, detail=exc.strerror or exc), target
        ) from exc
    tmp = Path(tmp_name)
    try:
        try:
            _copy_database(store, tmp)
        except sqlite3.DatabaseError as exc:
            raise BackupError(tr("backup.error.source", path=store, detail=exc), store) from exc
        except OSError as exc:
            raise BackupError(
                tr("backup.error.write", path=target, detail=exc.strerror or exc), target
            ) from exc
        check = verify_backup(tmp)
        if not check.ok:
            raise BackupError(tr("backup.error.source", path=store, detail=check.problem), store)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def ensure_daily_backup(
    data_dir: str | Path, today: dt.date | None = None, keep: int = KEEP_DAILY
) -> Path | None:
    """Take today's copy if it is missing and drop copies beyond the newest ``keep``.

    Returns the new copy, or None when there was nothing to do (no store yet, or done today).
    """
    data_dir = Path(data_dir)
    today = today or dt.date.today()
    if not (data_dir / STORE_FILE).is_file():
        return None
    target = daily_backup_path(data_dir, today)
    made = None
    if not target.exists():
        made = take_backup(data_dir, target)
    for old in list_backups(data_dir)[keep:]:
        old.path.unlink(missing_ok=True)
    return made


def verify_backup(path: str | Path) -> BackupCheck:
    """Full integrity check and schema check of a backup (or any store file)."""
    path = Path(path)
    if not path.is_file():
        return BackupCheck(path, [], None, tr("backup.error.unreadable", path=path,
                                              detail="not found"))  # fmt: skip
    try:
        # Through SQLite only (never Python's open()): the path may be the live store.
        db = connect(path, read_only=True)
    except StoreError as exc:
        return BackupCheck(path, [], None, tr("backup.error.unreadable", path=path, detail=exc),
                           readable=False)  # fmt: skip
    try:
        try:
            integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        kind = storage_problem(exc)
        if kind == "not_a_store":
            return BackupCheck(path, [], None, tr("backup.error.not_sqlite", path=path))
        if kind in ("damaged", None):
            return BackupCheck(path, [str(exc)], None, tr("backup.error.damaged", path=path,
                                                          detail=exc))  # fmt: skip
        # Busy, read-only, an I/O failure: the file may be sound; it could not be read now.
        return BackupCheck(path, [], None, tr("backup.error.unreadable", path=path, detail=exc),
                           readable=False)  # fmt: skip
    if integrity != ["ok"]:
        return BackupCheck(path, integrity, version, tr("backup.error.damaged", path=path,
                                                        detail="; ".join(integrity[:3])))  # fmt: skip
    if version > SCHEMA_VERSION:
        return BackupCheck(path, integrity, version, tr("backup.error.newer", path=path,
                                                        found=version, supported=SCHEMA_VERSION))  # fmt: skip
    if version < 1 or not _REQUIRED_TABLES.issubset(tables):
        return BackupCheck(path, integrity, version, tr("backup.error.not_a_store", path=path))
    return BackupCheck(path, integrity, version)


def store_is_damaged(data_dir: str | Path) -> bool:
    """True when the store file exists and is not a sound SQLite database (a backup may help);
    False for a missing store, or one that is merely newer, busy or unwritable."""
    store = Path(data_dir) / STORE_FILE
    if not store.is_file():
        return False
    check = verify_backup(store)
    if not check.readable:
        return False
    return check.schema_version is None or check.integrity != ["ok"]


def newest_good_backup(data_dir: str | Path) -> BackupInfo | None:
    """The newest daily copy that passes :func:`verify_backup`."""
    for info in list_backups(data_dir):
        if verify_backup(info.path).ok:
            return info
    return None


def _replaced_name(store: Path) -> Path:
    candidate = store.with_name(store.name + REPLACED_SUFFIX)
    if not candidate.exists():
        return candidate
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return store.with_name(f"{store.name}.{stamp}{REPLACED_SUFFIX}")


def restore_backup(
    data_dir: str | Path, backup: str | Path, *, lock: InstanceLock | None = None
) -> Path | None:
    """Put ``backup`` in place of the store; return where the replaced store was kept.

    ``lock`` is the caller's own held instance lock (the app at start-up); without it the data
    directory is locked here, and a running dxdesk makes this refuse. The store in place (with
    its -wal file) is copied to ``dxdesk.sqlite3.replaced`` first; the backup is copied next to
    the store and renamed over it in one step, so a power cut leaves either the old or the new.
    """
    data_dir = Path(data_dir)
    backup = Path(backup)
    check = verify_backup(backup)
    if not check.ok:
        raise BackupError(check.problem or "", backup)
    own_lock = None
    if lock is None or not lock.held:
        own_lock = InstanceLock(data_dir)
        try:
            own_lock.acquire()
        except InstanceLockError as exc:
            raise BackupError(
                tr("backup.error.in_use", path=data_dir, detail=exc), data_dir
            ) from exc
    try:
        return _swap_in(data_dir, backup)
    finally:
        if own_lock is not None:
            own_lock.release()


def _swap_in(data_dir: Path, backup: Path) -> Path | None:
    store = data_dir / STORE_FILE
    if connections_open(store):
        # Copying the file with Python would drop this process's SQLite locks on it.
        raise BackupError(tr("backup.error.open_here", path=store), data_dir)
    wal = store.with_name(store.name + "-wal")
    shm = store.with_name(store.name + "-shm")
    fd, tmp_name = tempfile.mkstemp(dir=data_dir, prefix=f".{STORE_FILE}.restore.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    replaced: Path | None = None
    try:
        try:
            _copy_database(backup, tmp)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise BackupError(tr("backup.error.write", path=store, detail=exc), store) from exc
        if store.exists():
            replaced = _replaced_name(store)
            try:
                shutil.copyfile(store, replaced)
                if wal.exists():
                    shutil.copyfile(wal, replaced.with_name(replaced.name + "-wal"))
            except OSError as exc:
                replaced.unlink(missing_ok=True)
                raise BackupError(
                    tr("backup.error.write", path=replaced, detail=exc.strerror or exc), replaced
                ) from exc
        # A -wal left from the old store must never be replayed onto the restored one.
        for leftover in (wal, shm):
            leftover.unlink(missing_ok=True)
        os.replace(tmp, store)
        _fsync_dir(data_dir)
    finally:
        tmp.unlink(missing_ok=True)
    return replaced
