"""A store of every older schema version, holding data, opens upgraded with its data intact."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from dxdesk.core.store import MIGRATIONS, SCHEMA_VERSION, STORE_FILE, Store

DAY = "2026-10-05"
FINISHED = "a" * 32
OPEN = "b" * 32


def _old_store(data_dir: Path, version: int) -> dict[str, list[tuple]]:
    """A store file at ``version`` with a finished visit, an open one and (from v2) a class."""
    db = sqlite3.connect(data_dir / STORE_FILE, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    for number in range(version):
        for statement in MIGRATIONS[number]:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    for sid, ended in ((FINISHED, "finished"), (OPEN, None)):
        db.execute(
            "INSERT INTO sessions (session_id, origin, site_id, channel, date, hour, started_at,"
            " ended_at, ended, session_duration_min, age_band, device, help_language)"
            " VALUES (?, 'local', 'kita-1', 'counter', ?, 10, ?, ?, ?, ?, '75-79',"
            " 'own-smartphone', 'ja')",
            (sid, DAY, f"{DAY}T10:00:00", f"{DAY}T10:20:00" if ended else None, ended,
             20 if ended else None),
        )  # fmt: skip
        db.execute(
            "INSERT INTO procedure_attempts (session_id, attempt_no, procedure_id, guide_version,"
            " started_at, ended_at, outcome, steps_reached, last_step_id, duration_min)"
            " VALUES (?, 1, 'pin-reset', 1, ?, ?, ?, 2, 'who-came', ?)",
            (sid, f"{DAY}T10:01:00", f"{DAY}T10:19:00" if ended else None,
             "referred" if ended else None, 18 if ended else None),
        )  # fmt: skip
        db.execute(
            "INSERT INTO session_events (session_id, seq, at, kind, attempt_no, step_id)"
            " VALUES (?, 1, ?, 'procedure_started', 1, 'which-pin')",
            (sid, f"{DAY}T10:01:00"),
        )
    db.execute(
        "INSERT INTO attempt_blockers (session_id, attempt_no, blocker_id, step_id, marked_at)"
        " VALUES (?, 1, 'pin-locked', 'which-pin', ?)",
        (FINISHED, f"{DAY}T10:05:00"),
    )
    if version >= 2:
        db.execute(
            "INSERT INTO class_records (class_id, site_id, date, hour, start_time, duration_min,"
            " menu, tutors, trained_tutors, learners, learners_75_79, origin, recorded_at)"
            " VALUES ('c1', 'kita-1', ?, 14, '14:00', 90, 'mynumber-apply', 1, 1, 3, 3,"
            " 'local', ?)",
            (DAY, f"{DAY}T15:30:00"),
        )
    if version >= 3:  # a month purged into kept counts (by the purge of that version)
        db.execute(
            "INSERT INTO monthly_aggregates (month, site_id, channel, procedure_id, outcome,"
            " dimension, value, sessions, attempts, session_minutes)"
            " VALUES ('2024-05', 'kita-1', 'counter', 'pin-reset', 'referred', '', '', 2, 3, 40)"
        )
        db.execute(
            "INSERT INTO monthly_class_aggregates (month, site_id, topic_id, classes, learners,"
            " learners_75_79, results_reached, staffing_warnings)"
            " VALUES ('2024-05', 'kita-1', '', 2, 9, 9, 9, 1)"
        )
    before = {
        table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    db.close()
    return before


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_an_older_store_with_data_is_upgraded_in_place(data_dir: Path, version: int) -> None:
    before = _old_store(data_dir, version)
    assert sum(len(rows) for rows in before.values()) > 0
    with Store.open(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        db = store.database.connection
        for table, rows in before.items():
            width = len(rows[0]) if rows else 0
            after = [r[:width] for r in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
            assert after == rows, f"{table} changed in the upgrade from v{version}"
        day = dt.date.fromisoformat(DAY)
        exported = list(store.queries.procedure_attempt_rows(day, day))
        assert [(r["session_id"], r["procedure_id"], r["outcome"]) for r in exported] == [
            (FINISHED, "pin-reset", "referred")
        ]
        assert [s.session_id for s in store.sessions.interrupted_sessions()] == [OPEN]
        classes = list(store.queries.class_record_rows(day, day))
        assert len(classes) == (1 if version >= 2 else 0)
        if version >= 3:  # the kept month still counts; its warnings by kind were not kept
            from dxdesk.core.export.class_summary import month_classes
            from dxdesk.core.export.summary import month_summary

            kept = month_summary(store, "2024-05")
            assert (kept.sessions, kept.attempts, kept.session_minutes) == (2, 3, 40)
            assert +kept.by_site == {("kita-1", "referred"): 3}
            classes = month_classes(store, "2024-05")
            assert (classes.classes, classes.learners, classes.classes_with_warning) == (2, 9, 1)
            assert not classes.warnings  # unknown by kind (NULL), not made up
    with Store.open(data_dir) as again:  # upgrading is done once; the second open changes nothing
        assert again.schema_version == SCHEMA_VERSION
