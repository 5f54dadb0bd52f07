"""A month's counts, remembered until that month's data changes.

Counting a month re-reads every one of its visits (about a second for 100,000 attempts), and
an export counts two months (the report's previous-month column), a publication the same two,
the dashboard a year. Once a month is over its data rarely changes, so the rows of its counting
statement are kept in ``month_counts_memo`` with the month's number of changes
(``month_changes``, kept by triggers on every table the counts read: schema migration 5), and
reused only while that number is the same. The memo is read on the same snapshot as the
number, so remembered rows are always those the statement would return now.

A memo is derived data: a store without one counts as before, and a memo that cannot be
written (a read-only or full disk, a busy store) is simply not kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import sqlite3
import zlib
from collections.abc import Sequence
from typing import Any

from dxdesk.core.store.connection import Database, connect
from dxdesk.core.store.errors import StoreError, db_error

log = logging.getLogger(__name__)
MEMO_WAIT_MS = 100  # how long a memo waits for another writer before it is not kept


def query_key(sql: str, params: Sequence[Any]) -> str:
    """What identifies a counting statement: its text and parameters (any change to how a month
    is counted, in a later version of dxdesk too, is another key). The rows are kept with
    marshal (the fastest of the standard formats for plain rows), whose format may change
    with Python's version: that is part of the key."""
    key = json.dumps([sql, list(params), marshal.version])  # the rows' format, too
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def month_changes(reader: sqlite3.Connection, month: str) -> int:
    row = reader.execute("SELECT changes FROM month_changes WHERE month = ?", [month]).fetchone()
    return row[0] if row else 0


def counted_rows(db: Database, month: str, sql: str, params: Sequence[Any]) -> list[Sequence]:
    """The rows of the counting statement ``sql`` over ``month``: remembered ones while the
    month is unchanged, else the statement's, then remembered."""
    key = query_key(sql, params)
    with db.snapshot() as reader:
        try:
            changes = month_changes(reader, month)
            kept = reader.execute(
                "SELECT rows FROM month_counts_memo WHERE month = ? AND query = ? AND changes = ?",
                [month, key, changes],
            ).fetchone()
            if kept is not None:
                try:
                    return marshal.loads(zlib.decompress(kept[0]))
                except (ValueError, EOFError, TypeError, zlib.error):
                    pass  # not readable (another Python's marshal format): counted again
            rows = reader.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise db_error(db.path, exc) from exc
    remember(db, month, key, changes, rows)
    return rows


def remember(db: Database, month: str, key: str, changes: int, rows: list[Sequence]) -> None:
    """Keep ``rows`` as the counts of ``month`` after ``changes`` changes (and forget those
    of earlier states of the month, which can never be read again)."""
    blob = zlib.compress(marshal.dumps(rows), 1)
    # Its own connection, which waits for no other writer: a memo is never worth holding up
    # the clerk's connection (and its lock) or the count that asked for it.
    try:
        writer = connect(db.path, create=False)
    except StoreError as exc:
        log.info("month counts of %s not remembered: %s", month, exc)
        return
    try:
        writer.execute(f"PRAGMA busy_timeout = {MEMO_WAIT_MS}")
        writer.execute("PRAGMA synchronous = NORMAL")  # derived data: durable is not needed
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "DELETE FROM month_counts_memo WHERE month = ? AND changes < ?", [month, changes]
        )
        # An entry of the same state is replaced too: it may be one that could not be read.
        writer.execute(
            "INSERT INTO month_counts_memo (month, query, changes, rows) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (month, query) DO UPDATE SET changes = excluded.changes,"
            " rows = excluded.rows WHERE excluded.changes >= month_counts_memo.changes",
            [month, key, changes, blob],
        )
        writer.execute("COMMIT")
    except sqlite3.Error as exc:  # busy, read-only, full: counted again next time
        log.info("month counts of %s not remembered: %s", month, exc)
    finally:
        writer.close()
