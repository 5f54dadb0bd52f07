"""A month's counts are remembered (``store/memo.py``) and never reused once anything they
read has changed: after every kind of write, remembered counts equal counts made afresh."""

from __future__ import annotations

import datetime as dt
import marshal
import sqlite3
import zlib

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.export.summary import month_summary
from dxdesk.core.paths import forms_dir
from dxdesk.core.store import STORE_FILE, Store
from tests.core.test_retention import JST, SITES, _visit

MONTH, OTHER = "2024-10", "2024-11"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


@pytest.fixture
def store(tmp_path, catalog):
    with Store.open(tmp_path) as store:
        for month, seed in ((MONTH, 1), (OTHER, 2)):
            store.imports.import_procedure_attempt_rows(
                demo_rows(catalog, sessions=60, months=[month], sites=SITES, seed=seed)
            )
        yield store


def _sql(store, sql: str, params=()) -> None:
    """A change made outside dxdesk's code (a script, a future writer that knows no memo)."""
    db = sqlite3.connect(store.path, isolation_level=None)
    db.execute(sql, params)
    db.close()


def _afresh(store, month: str):
    """The month's counts with nothing remembered."""
    _sql(store, "DELETE FROM month_counts_memo")
    return month_summary(store, month)


def _memo_rows(store) -> list[tuple]:
    db = sqlite3.connect(store.path)
    rows = db.execute("SELECT month, changes FROM month_counts_memo ORDER BY 1").fetchall()
    db.close()
    return rows


def _an_ended_session(store, month: str) -> str:
    db = sqlite3.connect(store.path)
    (sid,) = db.execute(
        "SELECT s.session_id FROM sessions s JOIN attempt_blockers b USING (session_id)"
        " WHERE s.ended IS NOT NULL AND s.date LIKE ? ORDER BY 1 LIMIT 1",
        [f"{month}-%"],
    ).fetchone()
    db.close()
    return sid


def test_counts_are_remembered_and_reused_while_the_month_is_unchanged(store) -> None:
    first = month_summary(store, MONTH)
    assert [m for m, _ in _memo_rows(store)] == [MONTH]
    # Spoil the remembered rows (no trigger watches the memo itself): the next count reads
    # them, which shows it is the memo that answers, not a new scan.
    _sql(store, "UPDATE month_counts_memo SET rows = ?", [zlib.compress(marshal.dumps([]))])
    assert month_summary(store, MONTH).attempts == 0
    assert first.attempts > 0
    assert _afresh(store, MONTH) == first


def _end_a_visit(store, catalog) -> None:
    _visit(store, catalog, dt.datetime(2024, 10, 30, 16, 0, tzinfo=JST))


def _abandon_an_interrupted_visit(store, catalog) -> None:
    visit = _visit(store, catalog, dt.datetime(2024, 10, 31, 10, 0, tzinfo=JST), finish=False)
    store.sessions.abandon_interrupted(visit.session_id)


def _import_more(store, catalog) -> None:
    store.imports.import_procedure_attempt_rows(
        demo_rows(catalog, sessions=5, months=[MONTH], sites=["late-site"], seed=9)
    )


def _purge_the_month(store, catalog) -> None:
    store.retention.purge_before(dt.date(2024, 11, 1))


def _change_an_outcome(store, catalog) -> None:
    sid = _an_ended_session(store, MONTH)
    _sql(store, "UPDATE procedure_attempts SET outcome = 'referred' WHERE session_id = ?", [sid])


def _add_a_blocker(store, catalog) -> None:
    sid = _an_ended_session(store, MONTH)
    _sql(store, "INSERT INTO attempt_blockers (session_id, attempt_no, blocker_id)"
                " VALUES (?, 1, 'memo-test')", [sid])  # fmt: skip


def _remove_blockers(store, catalog) -> None:
    _sql(store, "DELETE FROM attempt_blockers WHERE session_id = ?",
         [_an_ended_session(store, MONTH)])  # fmt: skip


def _change_an_age_band(store, catalog) -> None:
    sid = _an_ended_session(store, MONTH)
    _sql(store, "UPDATE sessions SET age_band = '60-64' WHERE session_id = ?", [sid])


def _move_a_visit_to_the_other_month(store, catalog) -> None:
    sid = _an_ended_session(store, MONTH)
    _sql(store, "UPDATE sessions SET date = ? WHERE session_id = ?", [f"{OTHER}-02", sid])


def _keep_counts_by_hand(store, catalog) -> None:
    _sql(store, "INSERT INTO monthly_aggregates (month, site_id, channel, procedure_id, outcome,"
                " dimension, value, attempts) VALUES (?, 'x', 'counter', 'pin-reset',"
                " 'referred', '', '', 4)", [MONTH])  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        _end_a_visit,
        _abandon_an_interrupted_visit,
        _import_more,
        _purge_the_month,
        _change_an_outcome,
        _add_a_blocker,
        _remove_blockers,
        _change_an_age_band,
        _move_a_visit_to_the_other_month,
        _keep_counts_by_hand,
    ],  # fmt: skip
    ids=lambda f: f.__name__.strip("_"),
)
def test_any_change_to_what_a_month_counts_is_seen(store, catalog, change) -> None:
    before = {m: month_summary(store, m) for m in (MONTH, OTHER)}  # both remembered
    changes = _changes(store, MONTH)
    change(store, catalog)
    assert _changes(store, MONTH) > changes
    after = {m: month_summary(store, m) for m in (MONTH, OTHER)}
    if change is not _purge_the_month:  # a purge keeps the month's counts as they were
        assert after[MONTH] != before[MONTH]
    for month in (MONTH, OTHER):
        assert after[month] == _afresh(store, month)


def _changes(store, month: str) -> int:
    db = sqlite3.connect(store.path)
    row = db.execute("SELECT changes FROM month_changes WHERE month = ?", [month]).fetchone()
    db.close()
    return row[0] if row else 0


def test_a_live_visit_s_steps_leave_the_month_s_counts_remembered(store, catalog) -> None:
    month_summary(store, MONTH)
    remembered = _memo_rows(store)
    visit = _visit(store, catalog, dt.datetime(2024, 10, 31, 10, 0, tzinfo=JST), finish=False)
    visit.add_procedure("pin-reset")
    assert _memo_rows(store) == remembered
    assert _changes(store, MONTH) == remembered[0][1]


def test_a_memo_that_cannot_be_written_only_costs_a_recount(store, tmp_path) -> None:
    """Another program holds the store's write lock: the count does not wait the store's busy
    time (10 s) for it; the memo is simply not kept."""
    import time

    blocker = sqlite3.connect(tmp_path / STORE_FILE, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        counts = month_summary(store, MONTH)
        waited = time.monotonic() - start
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert waited < 5  # the store's own busy wait is 10 s
    assert _memo_rows(store) == []
    assert counts == month_summary(store, MONTH)


def test_a_memo_that_cannot_be_read_is_counted_again_and_replaced(store) -> None:
    first = month_summary(store, MONTH)
    _sql(store, "UPDATE month_counts_memo SET rows = ?", [zlib.compress(b"\xff not marshal")])
    assert month_summary(store, MONTH) == first
    db = sqlite3.connect(store.path)
    blobs = [zlib.decompress(b) for (b,) in db.execute("SELECT rows FROM month_counts_memo")]
    db.close()
    assert blobs and all(b"not marshal" not in b for b in blobs)


def _replace_a_visit_with_one_of_the_other_month(store, catalog) -> None:
    """INSERT OR REPLACE deletes the old row without its delete trigger."""
    db = sqlite3.connect(store.path, isolation_level=None)
    sid = _an_ended_session(store, MONTH)
    row = db.execute("SELECT * FROM sessions WHERE session_id = ?", [sid]).fetchone()
    date = [d[0] for d in db.execute("SELECT * FROM sessions LIMIT 0").description].index("date")
    row = (*row[:date], f"{OTHER}-03", *row[date + 1 :])
    db.execute(f"INSERT OR REPLACE INTO sessions VALUES ({', '.join('?' * len(row))})", row)
    db.close()


def test_a_visit_replaced_by_one_of_another_month_is_seen(store, catalog) -> None:
    before = month_summary(store, MONTH)
    _replace_a_visit_with_one_of_the_other_month(store, catalog)
    after = month_summary(store, MONTH)
    assert after != before
    assert after == _afresh(store, MONTH)


def test_a_purge_forgets_what_the_purged_months_counted(store) -> None:
    month_summary(store, MONTH)
    month_summary(store, OTHER)
    store.retention.purge_before(dt.date(2024, 11, 1))
    assert [m for m, _ in _memo_rows(store)] == [OTHER]


def test_the_triggers_watch_every_column_the_counts_read() -> None:
    """A column the counting statement reads but no trigger watches would let remembered
    counts outlive a change to it."""
    import re

    from dxdesk.core.store.month_counts import MonthCountsQuery
    from dxdesk.core.store.schema import COUNTED_COLUMNS

    sql = MonthCountsQuery.build("s.ended IS NOT NULL AND s.date BETWEEN ? AND ?", [0, 10]).sql
    tables = {"s": "sessions", "a": "procedure_attempts", "b": "attempt_blockers"}
    read = {(tables[alias], column) for alias, column in re.findall(r"\b([sab])\.(\w+)", sql)}
    assert read and {t for t, _ in read} == set(tables.values())
    assert read <= {(t, c) for t, columns in COUNTED_COLUMNS.items() for c in columns}


def test_a_change_to_a_column_the_counts_do_not_read_keeps_the_memo(store) -> None:
    month_summary(store, MONTH)
    changes = _changes(store, MONTH)
    sid = _an_ended_session(store, MONTH)
    _sql(store, "UPDATE procedure_attempts SET steps_reached = 99 WHERE session_id = ?", [sid])
    _sql(store, "UPDATE attempt_blockers SET note = NULL WHERE session_id = ?", [sid])
    assert _changes(store, MONTH) == changes
