"""The one way to open the store file: a SQLite connection in WAL mode, migrated, with one lock.

The GUI, its workers, backups and the CLI all open the store through :meth:`Database.open`;
the parts of the store (sessions, queries, imports, classes, retention, maintenance) share one
:class:`Database` and never hold a connection of their own, except the read-only snapshot
connection an export streams from.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dxdesk.core.i18n import tr
from dxdesk.core.store.errors import StoreError, db_error
from dxdesk.core.store.schema import (
    BUSY_TIMEOUT_S,
    MIGRATIONS,
    SCHEMA_VERSION,
    STORE_FILE,
    STREAM_BATCH,
    STREAM_MMAP_BYTES,
)


class Database:
    """The store's connection, its lock and the plumbing every part uses."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.connection = connection
        self.lock = threading.RLock()  # export runs off the GUI thread

    @classmethod
    def open(cls, data_dir: str | Path, *, create: bool = True) -> Database:
        data_dir = Path(data_dir)
        path = data_dir / STORE_FILE
        if not path.exists():
            if not create:
                raise StoreError(tr("store.error.missing", path=path), path)
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise db_error(path, exc) from exc
        db = connect(path)
        store = cls(path, db)
        try:
            store._prepare()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise db_error(path, exc) from exc
        except BaseException:
            db.close()
            raise
        return store

    def _prepare(self) -> None:
        db = self.connection
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(tr("store.error.no_wal", path=self.path, mode=mode), self.path)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                tr(
                    "store.error.newer_schema",
                    path=self.path,
                    found=version,
                    supported=SCHEMA_VERSION,
                ),  # fmt: skip
                self.path,
            )
        # No integrity check here: it reads the whole file (seconds on a big store). The full
        # check runs once a day in the background and on every backup (see backup.py).
        for number in range(version, SCHEMA_VERSION):
            self._migrate(number)

    def _migrate(self, number: int) -> None:
        with self.write():
            for statement in MIGRATIONS[number]:
                self.connection.execute(statement)
            self.connection.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        with self.lock:
            self.connection.close()

    @property
    def schema_version(self) -> int:
        return self.query("PRAGMA user_version")[0][0]

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: committed (durably) on success, rolled back on error."""
        with self.lock:
            try:
                self.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise db_error(self.path, exc) from exc
            try:
                yield self.connection
            except sqlite3.IntegrityError as exc:
                self.connection.execute("ROLLBACK")
                raise StoreError(
                    tr("store.error.event_rejected", path=self.path, detail=exc), self.path
                ) from exc
            except sqlite3.DatabaseError as exc:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise db_error(self.path, exc) from exc
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
            try:
                self.connection.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise db_error(self.path, exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.lock:
            try:
                return self.connection.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise db_error(self.path, exc) from exc

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        """Rows of a read-only query, fetched in batches so memory stays flat."""
        for batch in self.stream_batches(sql, params):
            yield from batch

    def stream_batches(self, sql: str, params: Sequence[Any] = ()) -> Iterator[list[tuple]]:
        """Rows of a read-only query, ``STREAM_BATCH`` at a time, so memory stays flat, on
        their own snapshot (see :meth:`snapshot`)."""
        with self.snapshot() as reader:
            yield from self.batches(reader, sql, params)

    def batches(
        self, reader: sqlite3.Connection, sql: str, params: Sequence[Any] = ()
    ) -> Iterator[list[tuple]]:
        """Rows of ``sql`` on ``reader`` (a :meth:`snapshot`), ``STREAM_BATCH`` at a time; a
        failure is a StoreError naming the store."""
        try:
            cursor = reader.execute(sql, params)
            batch = cursor.fetchmany(STREAM_BATCH)
        except sqlite3.DatabaseError as exc:
            raise db_error(self.path, exc) from exc
        while batch:
            yield batch
            try:
                batch = cursor.fetchmany(STREAM_BATCH)
            except sqlite3.DatabaseError as exc:
                raise db_error(self.path, exc) from exc

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A separate read-only connection reading one WAL snapshot: the clerk's connection
        (and its lock) stays free while an export walks a month off the GUI thread, and rows
        committed meanwhile are not half-seen."""
        reader = connect(self.path, read_only=True)
        try:
            try:
                # Pages read through a memory map, not one read() call each: a month's join
                # probes the attempts by session id all over the file (see STREAM_MMAP_BYTES).
                reader.execute(f"PRAGMA mmap_size={STREAM_MMAP_BYTES}")
                reader.execute("BEGIN")  # one snapshot for the whole walk
            except sqlite3.DatabaseError as exc:
                raise db_error(self.path, exc) from exc
            yield reader
        finally:
            reader.close()


def site_filter(column: str, site_ids: Sequence[str] | None) -> tuple[str, list[Any]]:
    """`` AND column IN (?, ...)`` and its parameters, or nothing when every site counts."""
    if site_ids is None:
        return "", []
    return f" AND {column} IN ({', '.join('?' * len(site_ids))})", list(site_ids)


class _StoreConnection(sqlite3.Connection):
    """A connection to a store file, known to this process until it is closed."""

    store_path: Path

    def close(self) -> None:
        with _OPEN_LOCK:
            _OPEN_CONNECTIONS.discard(self)
        super().close()


_OPEN_CONNECTIONS: weakref.WeakSet[_StoreConnection] = weakref.WeakSet()
_OPEN_LOCK = threading.Lock()  # workers open and close connections too


def connect(
    path: str | Path, *, read_only: bool = False, create: bool = True
) -> sqlite3.Connection:
    """The one way dxdesk opens a store file: the app, its workers, backups and the CLI.

    Nothing but SQLite ever opens the file: on POSIX, closing any other descriptor of it drops
    every lock this process holds on it (SQLite's too), and another process could then
    checkpoint and delete the WAL under the running app. A file that is not SQLite at all is
    found by SQLite itself (SQLITE_NOTADB) and named as such.
    """
    path = Path(path)
    mode = "ro" if read_only else ("rwc" if create else "rw")
    try:
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None,
            check_same_thread=False, timeout=BUSY_TIMEOUT_S, factory=_StoreConnection,
        )  # fmt: skip
    except sqlite3.Error as exc:
        raise db_error(path, exc) from exc
    db.store_path = path.resolve()
    with _OPEN_LOCK:
        _OPEN_CONNECTIONS.add(db)
    return db


def connections_open(path: str | Path) -> int:
    """How many connections of this process are open on the store file ``path``."""
    wanted = Path(path).resolve()
    with _OPEN_LOCK:
        return sum(1 for db in list(_OPEN_CONNECTIONS) if db.store_path == wanted)
