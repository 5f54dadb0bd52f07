"""The anonymous session store: one SQLite file (``dxdesk.sqlite3``) in the data directory.

WAL mode with ``synchronous=FULL``: every session event is on disk before ``record`` returns,
so a power cut or a killed process loses nothing the clerk saw confirmed. Each event is kept
(``session_events``) so an interrupted visit can be rebuilt; the per-attempt rows the export
reads (``procedure_attempts``, ``attempt_blockers``) are updated in the same transaction.
No column holds personal data; the only free text is a note that passed the privacy guard.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dxdesk.core.catalog import ID_PATTERN, Catalog
from dxdesk.core.handoff import is_valid_handoff_code
from dxdesk.core.i18n import tr
from dxdesk.core.session import (
    AGE_BANDS,
    ALL_OUTCOMES,
    CHANNEL,
    DEVICES,
    HELP_LANGUAGES,
    SHARED_TERMINAL,
    SessionError,
    SessionEvent,
    SupportSession,
    local_now,
    whole_minutes,
)
from dxdesk.core.settings import SITE_ID_PATTERN

STORE_FILE = "dxdesk.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"
STREAM_BATCH = 1000  # rows fetched at a time by exports (about 2 MB of Python objects)
BUSY_TIMEOUT_S = 10.0  # an export or import in another thread may hold the write lock briefly

# One row per procedure attempt, in this order (the cross-team sessions.csv contract).
SESSIONS_CSV_COLUMNS: tuple[str, ...] = (
    "session_id", "attempt_no", "site_id", "channel", "date", "hour", "procedure_id",
    "guide_version", "outcome", "blockers", "steps_reached", "last_step_id", "duration_min",
    "session_duration_min", "age_band", "device", "help_language", "handoff_code",
    "return_of_code", "hygiene_confirmed", "ended",
)  # fmt: skip
_BLOCKERS = SESSIONS_CSV_COLUMNS.index("blockers")
INT_COLUMNS = frozenset(
    {"attempt_no", "hour", "guide_version", "steps_reached", "duration_min", "session_duration_min"}
)
# Upper bounds of imported numbers: far above any real visit, far below a phone or card number.
INT_LIMITS = {"attempt_no": 99, "hour": 23, "guide_version": 9999, "steps_reached": 999,
              "duration_min": 1440, "session_duration_min": 1440}  # fmt: skip

# One row per class (スマホ教室 session), in this order (the cross-team classes.csv contract).
CLASS_COUNT_COLUMNS: tuple[str, ...] = (
    "tutors", "trained_tutors", "assistants", "learners",
    "learners_under60", "learners_60_64", "learners_65_69", "learners_70_74", "learners_75_79",
    "learners_80plus", "learners_age_unknown",
    "results_reached", "results_partly", "results_not",
    "satisfaction_1", "satisfaction_2", "satisfaction_3", "satisfaction_4", "satisfaction_5",
)  # fmt: skip
CLASS_CSV_COLUMNS: tuple[str, ...] = (
    "class_id", "site_id", "date", "hour", "start_time", "duration_min", "menu",
    *CLASS_COUNT_COLUMNS, "staffing_warning",
)  # fmt: skip
CLASS_INT_COLUMNS = frozenset({"hour", "duration_min", *CLASS_COUNT_COLUMNS})
CLASS_COUNT_LIMIT = 999  # people in one class; far below a phone, card or My Number
CLASS_INT_LIMITS = {"hour": 23, "duration_min": 1440}

# Counts kept per month when row-level data is purged (retention); see _AGGREGATE_SESSIONS.
AGGREGATE_MEASURES: tuple[str, ...] = (
    "sessions", "attempts", "attempt_minutes", "session_minutes", "handoffs_issued",
    "handoff_returns", "hygiene_checks", "hygiene_confirmed",
)  # fmt: skip
AGGREGATE_DIMENSIONS: tuple[str, ...] = (
    "age_band", "device", "help_language", "hour", "ended", "duration_min", "blocker",
)  # fmt: skip
CLASS_AGGREGATE_MEASURES: tuple[str, ...] = (
    "classes", "duration_min", *CLASS_COUNT_COLUMNS, "staffing_warnings",
)  # fmt: skip

# Each migration is a list of statements, applied in one transaction with its user_version.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        """CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            origin TEXT NOT NULL CHECK (origin IN ('local', 'imported')),
            site_id TEXT NOT NULL,
            channel TEXT NOT NULL DEFAULT 'counter',
            date TEXT NOT NULL,
            hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
            started_at TEXT,
            ended_at TEXT,
            ended TEXT CHECK (ended IN ('finished', 'abandoned')),
            session_duration_min INTEGER,
            age_band TEXT NOT NULL DEFAULT 'unknown',
            device TEXT NOT NULL DEFAULT 'unknown',
            help_language TEXT NOT NULL DEFAULT 'unknown',
            return_of_code TEXT NOT NULL DEFAULT '',
            hygiene_confirmed TEXT NOT NULL DEFAULT '' CHECK (hygiene_confirmed IN ('', '0', '1')),
            note TEXT
        )""",
        "CREATE INDEX sessions_by_date ON sessions (date, site_id)",
        "CREATE INDEX sessions_open ON sessions (origin) WHERE ended IS NULL",
        """CREATE TABLE procedure_attempts (
            session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
            attempt_no INTEGER NOT NULL CHECK (attempt_no >= 1),
            procedure_id TEXT NOT NULL,
            guide_version INTEGER NOT NULL,
            started_at TEXT,
            ended_at TEXT,
            outcome TEXT,
            steps_reached INTEGER NOT NULL DEFAULT 0,
            last_step_id TEXT NOT NULL DEFAULT '',
            duration_min INTEGER,
            handoff_code TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (session_id, attempt_no)
        )""",
        """CREATE TABLE attempt_blockers (
            session_id TEXT NOT NULL,
            attempt_no INTEGER NOT NULL,
            blocker_id TEXT NOT NULL,
            step_id TEXT,
            marked_at TEXT,
            note TEXT,
            PRIMARY KEY (session_id, attempt_no, blocker_id),
            FOREIGN KEY (session_id, attempt_no)
                REFERENCES procedure_attempts (session_id, attempt_no) ON DELETE CASCADE
        )""",
        """CREATE TABLE session_events (
            session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            attempt_no INTEGER,
            step_id TEXT,
            value TEXT,
            detail TEXT,
            note TEXT,
            PRIMARY KEY (session_id, seq)
        )""",
    ],
    [
        """CREATE TABLE class_records (
            class_id TEXT PRIMARY KEY,
            site_id TEXT NOT NULL,
            date TEXT NOT NULL,
            hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
            start_time TEXT NOT NULL,
            duration_min INTEGER NOT NULL CHECK (duration_min >= 0),
            menu TEXT NOT NULL DEFAULT '',
            tutors INTEGER NOT NULL DEFAULT 0 CHECK (tutors >= 0),
            trained_tutors INTEGER NOT NULL DEFAULT 0 CHECK (trained_tutors >= 0),
            assistants INTEGER NOT NULL DEFAULT 0 CHECK (assistants >= 0),
            learners INTEGER NOT NULL DEFAULT 0 CHECK (learners >= 0),
            learners_under60 INTEGER NOT NULL DEFAULT 0 CHECK (learners_under60 >= 0),
            learners_60_64 INTEGER NOT NULL DEFAULT 0 CHECK (learners_60_64 >= 0),
            learners_65_69 INTEGER NOT NULL DEFAULT 0 CHECK (learners_65_69 >= 0),
            learners_70_74 INTEGER NOT NULL DEFAULT 0 CHECK (learners_70_74 >= 0),
            learners_75_79 INTEGER NOT NULL DEFAULT 0 CHECK (learners_75_79 >= 0),
            learners_80plus INTEGER NOT NULL DEFAULT 0 CHECK (learners_80plus >= 0),
            learners_age_unknown INTEGER NOT NULL DEFAULT 0 CHECK (learners_age_unknown >= 0),
            results_reached INTEGER NOT NULL DEFAULT 0 CHECK (results_reached >= 0),
            results_partly INTEGER NOT NULL DEFAULT 0 CHECK (results_partly >= 0),
            results_not INTEGER NOT NULL DEFAULT 0 CHECK (results_not >= 0),
            satisfaction_1 INTEGER NOT NULL DEFAULT 0 CHECK (satisfaction_1 >= 0),
            satisfaction_2 INTEGER NOT NULL DEFAULT 0 CHECK (satisfaction_2 >= 0),
            satisfaction_3 INTEGER NOT NULL DEFAULT 0 CHECK (satisfaction_3 >= 0),
            satisfaction_4 INTEGER NOT NULL DEFAULT 0 CHECK (satisfaction_4 >= 0),
            satisfaction_5 INTEGER NOT NULL DEFAULT 0 CHECK (satisfaction_5 >= 0),
            staffing_warning TEXT NOT NULL DEFAULT '',
            note TEXT,
            origin TEXT NOT NULL CHECK (origin IN ('local', 'imported')),
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX class_records_by_date ON class_records (date, site_id)",
    ],
    [
        """CREATE TABLE monthly_aggregates (
            month TEXT NOT NULL,
            site_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            procedure_id TEXT NOT NULL,
            outcome TEXT NOT NULL,
            dimension TEXT NOT NULL,
            value TEXT NOT NULL,
            sessions INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            attempt_minutes INTEGER NOT NULL DEFAULT 0,
            session_minutes INTEGER NOT NULL DEFAULT 0,
            handoffs_issued INTEGER NOT NULL DEFAULT 0,
            handoff_returns INTEGER NOT NULL DEFAULT 0,
            hygiene_checks INTEGER NOT NULL DEFAULT 0,
            hygiene_confirmed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (month, site_id, channel, procedure_id, outcome, dimension, value)
        )""",
        """CREATE TABLE monthly_class_aggregates (
            month TEXT NOT NULL,
            site_id TEXT NOT NULL,
            topic_id TEXT NOT NULL,
            classes INTEGER NOT NULL DEFAULT 0,
            duration_min INTEGER NOT NULL DEFAULT 0,
            tutors INTEGER NOT NULL DEFAULT 0,
            trained_tutors INTEGER NOT NULL DEFAULT 0,
            assistants INTEGER NOT NULL DEFAULT 0,
            learners INTEGER NOT NULL DEFAULT 0,
            learners_under60 INTEGER NOT NULL DEFAULT 0,
            learners_60_64 INTEGER NOT NULL DEFAULT 0,
            learners_65_69 INTEGER NOT NULL DEFAULT 0,
            learners_70_74 INTEGER NOT NULL DEFAULT 0,
            learners_75_79 INTEGER NOT NULL DEFAULT 0,
            learners_80plus INTEGER NOT NULL DEFAULT 0,
            learners_age_unknown INTEGER NOT NULL DEFAULT 0,
            results_reached INTEGER NOT NULL DEFAULT 0,
            results_partly INTEGER NOT NULL DEFAULT 0,
            results_not INTEGER NOT NULL DEFAULT 0,
            satisfaction_1 INTEGER NOT NULL DEFAULT 0,
            satisfaction_2 INTEGER NOT NULL DEFAULT 0,
            satisfaction_3 INTEGER NOT NULL DEFAULT 0,
            satisfaction_4 INTEGER NOT NULL DEFAULT 0,
            satisfaction_5 INTEGER NOT NULL DEFAULT 0,
            staffing_warnings INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (month, site_id, topic_id)
        )""",
        """CREATE TABLE purge_log (
            purged_at TEXT NOT NULL,
            before_month TEXT NOT NULL,
            sessions_purged INTEGER NOT NULL,
            attempts_purged INTEGER NOT NULL,
            classes_purged INTEGER NOT NULL
        )""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The store cannot be used; the message names the file and says what to do."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class ClassRecordError(StoreError):
    """A class record to save is malformed (the column names the field); nothing was stored."""

    def __init__(self, message: str, column: str | None) -> None:
        super().__init__(message)
        self.column = column


class ImportRowError(StoreError):
    """A row to import is malformed; nothing of the batch was stored."""

    def __init__(self, message: str, row_number: int, column: str | None) -> None:
        super().__init__(message)
        self.row_number = row_number
        self.column = column


@dataclass(frozen=True)
class OpenSession:
    """A visit that was neither finished nor abandoned (the app stopped in the middle)."""

    session_id: str
    site_id: str
    started_at: dt.datetime
    last_event_at: dt.datetime
    procedures: tuple[str, ...]
    last_step_id: str | None


@dataclass(frozen=True)
class TodaySummary:
    day: dt.date
    finished_sessions: int
    abandoned_sessions: int
    open_sessions: int  # interrupted or in progress, any day: they need the clerk's attention
    by_outcome: dict[str, int] = field(default_factory=dict)  # procedure attempts per outcome

    @property
    def procedures(self) -> int:
        return sum(self.by_outcome.values())


@dataclass(frozen=True)
class PurgeCounts:
    """Row-level data dated before a month's first day (what a purge removes or removed)."""

    sessions: int
    attempts: int
    classes: int
    events: int
    blockers: int


@dataclass(frozen=True)
class StoreCheck:
    path: Path
    schema_version: int
    integrity: list[str]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"]


class Store:
    """Open with :meth:`open`; pass it as the recorder of a :class:`SupportSession`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock = threading.RLock()  # export runs off the GUI thread

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, data_dir: str | Path, *, create: bool = True) -> Store:
        data_dir = Path(data_dir)
        path = data_dir / STORE_FILE
        if not path.exists():
            if not create:
                raise StoreError(tr("store.error.missing", path=path), path)
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    tr("store.error.cannot_open", path=path, detail=exc.strerror), path
                ) from exc
        _check_header(path)
        try:
            db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
            )
        except sqlite3.Error as exc:
            raise StoreError(tr("store.error.cannot_open", path=path, detail=exc), path) from exc
        store = cls(path, db)
        try:
            store._prepare()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise _db_error(path, exc) from exc
        except BaseException:
            db.close()
            raise
        return store

    def _prepare(self) -> None:
        db = self._db
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
        problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise _corrupt(self.path, "; ".join(problems))
        for number in range(version, SCHEMA_VERSION):
            self._migrate(number)

    def _migrate(self, number: int) -> None:
        with self._write():
            for statement in MIGRATIONS[number]:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._query("PRAGMA user_version")[0][0]

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: committed (durably) on success, rolled back on error."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise _db_error(self.path, exc) from exc
            try:
                yield self._db
            except sqlite3.IntegrityError as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(
                    tr("store.error.event_rejected", path=self.path, detail=exc), self.path
                ) from exc
            except sqlite3.DatabaseError as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise _db_error(self.path, exc) from exc
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise _db_error(self.path, exc) from exc

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise _db_error(self.path, exc) from exc

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        """Rows of a read-only query, fetched in batches so memory stays flat."""
        for batch in self._stream_batches(sql, params):
            yield from batch

    def _stream_batches(self, sql: str, params: Sequence[Any] = ()) -> Iterator[list[tuple]]:
        """Rows of a read-only query, ``STREAM_BATCH`` at a time, so memory stays flat.

        A separate read-only connection reads one WAL snapshot: the clerk's connection (and
        its lock) stays free while an export walks a month off the GUI thread, and rows
        committed meanwhile are not half-seen.
        """
        try:
            reader = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                check_same_thread=False, timeout=BUSY_TIMEOUT_S,
            )  # fmt: skip
        except sqlite3.Error as exc:
            raise StoreError(
                tr("store.error.cannot_open", path=self.path, detail=exc), self.path
            ) from exc
        try:
            try:
                reader.execute("BEGIN")  # one snapshot for the whole walk
                cursor = reader.execute(sql, params)
                batch = cursor.fetchmany(STREAM_BATCH)
            except sqlite3.DatabaseError as exc:
                raise _db_error(self.path, exc) from exc
            while batch:
                yield batch
                try:
                    batch = cursor.fetchmany(STREAM_BATCH)
                except sqlite3.DatabaseError as exc:
                    raise _db_error(self.path, exc) from exc
        finally:
            reader.close()

    # ------------------------------------------------------------------ recording sessions

    def record(self, session: SupportSession, event: SessionEvent) -> None:
        """Commit one session event and the rows it changes, durably, before returning."""
        with self._write() as db:
            if event.kind == "start":
                started = event.at
                db.execute(
                    "INSERT INTO sessions (session_id, origin, site_id, channel, date, hour,"
                    " started_at) VALUES (?, 'local', ?, ?, ?, ?, ?)",
                    (session.session_id, session.site_id, CHANNEL,
                     started.date().isoformat(), started.hour, started.isoformat()),
                )  # fmt: skip
            db.execute(
                "INSERT INTO session_events (session_id, seq, at, kind, attempt_no, step_id,"
                " value, detail, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session.session_id, event.seq, event.at.isoformat(), event.kind,
                 event.attempt_no, event.step_id, event.value, event.detail, event.note),
            )  # fmt: skip
            self._write_session_row(db, session)
            if event.kind in ("finish", "abandon"):
                changed = session.attempts
            elif event.attempt_no and event.kind != "select":
                changed = [session.attempts[event.attempt_no - 1]]
            else:
                changed = []
            for attempt in changed:
                self._write_attempt_rows(
                    db,
                    session,
                    attempt,
                    blockers=event.kind in ("blocker", "unblock", "answer", "back"),
                )

    def _write_session_row(self, db: sqlite3.Connection, session: SupportSession) -> None:
        ended_at = session.ended_at
        duration = (
            whole_minutes(session.started_at, ended_at) if ended_at and session.started_at else None
        )
        db.execute(
            "UPDATE sessions SET ended_at = ?, ended = ?, session_duration_min = ?, age_band = ?,"
            " device = ?, help_language = ?, return_of_code = ?, hygiene_confirmed = ?, note = ?"
            " WHERE session_id = ?",
            (ended_at.isoformat() if ended_at else None, session.ended, duration,
             session.age_band, session.device, session.help_language,
             session.return_of_code or "", _hygiene_flag(session.device,
                                                          session.hygiene_confirmed),
             session.note, session.session_id),
        )  # fmt: skip

    def _write_attempt_rows(
        self, db: sqlite3.Connection, session: SupportSession, attempt, *, blockers: bool
    ) -> None:
        ended_at = attempt.outcome_at
        db.execute(
            "INSERT INTO procedure_attempts (session_id, attempt_no, procedure_id, guide_version,"
            " started_at, ended_at, outcome, steps_reached, last_step_id, duration_min,"
            " handoff_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (session_id, attempt_no) DO UPDATE SET ended_at = excluded.ended_at,"
            " outcome = excluded.outcome, steps_reached = excluded.steps_reached,"
            " last_step_id = excluded.last_step_id, duration_min = excluded.duration_min,"
            " handoff_code = excluded.handoff_code",
            (session.session_id, attempt.attempt_no, attempt.procedure_id, attempt.guide_version,
             attempt.started_at.isoformat(), ended_at.isoformat() if ended_at else None,
             attempt.outcome, attempt.steps_reached, attempt.current_step_id or "",
             whole_minutes(attempt.started_at, ended_at) if ended_at else None,
             attempt.handoff_code or ""),
        )  # fmt: skip
        if blockers:
            db.execute(
                "DELETE FROM attempt_blockers WHERE session_id = ? AND attempt_no = ?",
                (session.session_id, attempt.attempt_no),
            )
            db.executemany(
                "INSERT INTO attempt_blockers (session_id, attempt_no, blocker_id, step_id,"
                " marked_at, note) VALUES (?, ?, ?, ?, ?, ?)",
                [(session.session_id, attempt.attempt_no, mark.blocker_id, mark.step_id,
                  mark.at.isoformat(), mark.note) for mark in attempt.blockers.values()],
            )  # fmt: skip

    def start_session(self, catalog: Catalog, site_id: str, *, clock=local_now) -> SupportSession:
        """A new visit recorded in this store (shorthand for SupportSession.start)."""
        return SupportSession.start(catalog, site_id, recorder=self, clock=clock)

    # ------------------------------------------------------------------ interrupted visits

    def interrupted_sessions(self) -> list[OpenSession]:
        """Visits of this counter that were neither finished nor abandoned, oldest first."""
        rows = self._query(
            "SELECT s.session_id, s.site_id, s.started_at,"
            " (SELECT max(at) FROM session_events e WHERE e.session_id = s.session_id),"
            " (SELECT group_concat(procedure_id, ' ') FROM"
            "   (SELECT procedure_id FROM procedure_attempts a"
            "    WHERE a.session_id = s.session_id ORDER BY attempt_no)),"
            " (SELECT last_step_id FROM procedure_attempts a WHERE a.session_id = s.session_id"
            "   ORDER BY attempt_no DESC LIMIT 1)"
            " FROM sessions s WHERE s.ended IS NULL AND s.origin = 'local'"
            " ORDER BY s.started_at"
        )
        return [
            OpenSession(
                session_id=sid,
                site_id=site,
                started_at=dt.datetime.fromisoformat(started),
                last_event_at=dt.datetime.fromisoformat(last or started),
                procedures=tuple((procs or "").split()),
                last_step_id=last_step or None,
            )
            for sid, site, started, last, procs, last_step in rows
        ]

    def session_events(self, session_id: str) -> list[SessionEvent]:
        rows = self._query(
            "SELECT seq, at, kind, attempt_no, step_id, value, detail, note FROM session_events"
            " WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [
            SessionEvent(
                seq, dt.datetime.fromisoformat(at), kind, attempt_no, step, value, detail, note
            )  # fmt: skip
            for seq, at, kind, attempt_no, step, value, detail, note in rows
        ]

    def load_session(self, session_id: str, catalog: Catalog, *, clock=local_now) -> SupportSession:
        """Rebuild an interrupted visit at its last committed step, recording into this store."""
        rows = self._query(
            "SELECT site_id, ended, origin FROM sessions WHERE session_id = ?", (session_id,)
        )
        if not rows:
            raise StoreError(tr("store.error.no_session", session_id=session_id), self.path)
        site_id, ended, origin = rows[0]
        if ended is not None or origin != "local":
            raise StoreError(tr("store.error.session_closed", session_id=session_id), self.path)
        try:
            return SupportSession.replay(
                catalog, session_id, site_id, self.session_events(session_id),
                recorder=self, clock=clock,
            )  # fmt: skip
        except (SessionError, KeyError, IndexError, ValueError) as exc:
            raise StoreError(
                tr("store.error.cannot_resume", session_id=session_id, detail=exc), self.path
            ) from exc

    def abandon_interrupted(self, session_id: str) -> None:
        """Close an interrupted visit as abandoned at its last recorded moment (no catalog needed)."""
        with self._write() as db:
            row = db.execute(
                "SELECT started_at, device, hygiene_confirmed, ended, origin FROM sessions"
                " WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                raise StoreError(tr("store.error.no_session", session_id=session_id), self.path)
            started_at, device, hygiene, ended, origin = row
            if ended is not None or origin != "local":
                raise StoreError(tr("store.error.session_closed", session_id=session_id), self.path)
            seq, last_at = db.execute(
                "SELECT max(seq), max(at) FROM session_events WHERE session_id = ?", (session_id,)
            ).fetchone()
            end = dt.datetime.fromisoformat(last_at or started_at)
            db.execute(
                "INSERT INTO session_events (session_id, seq, at, kind) VALUES (?, ?, ?, 'abandon')",
                (session_id, (seq or 0) + 1, end.isoformat()),
            )
            attempts = db.execute(
                "SELECT attempt_no, started_at FROM procedure_attempts"
                " WHERE session_id = ? AND outcome IS NULL",
                (session_id,),
            ).fetchall()
            for attempt_no, attempt_start in attempts:
                db.execute(
                    "UPDATE procedure_attempts SET outcome = 'abandoned', ended_at = ?,"
                    " duration_min = ? WHERE session_id = ? AND attempt_no = ?",
                    (end.isoformat(), whole_minutes(dt.datetime.fromisoformat(attempt_start), end),
                     session_id, attempt_no),
                )  # fmt: skip
            db.execute(
                "UPDATE sessions SET ended = 'abandoned', ended_at = ?, session_duration_min = ?,"
                " hygiene_confirmed = ? WHERE session_id = ?",
                (end.isoformat(), whole_minutes(dt.datetime.fromisoformat(started_at), end),
                 hygiene if device == SHARED_TERMINAL else "", session_id),
            )  # fmt: skip

    # ------------------------------------------------------------------ today panel

    def today_summary(self, day: dt.date) -> TodaySummary:
        """Counts for the main window: this counter's visits on ``day`` and open visits."""
        iso = day.isoformat()
        ended = dict(
            self._query(
                "SELECT ended, count(*) FROM sessions WHERE origin = 'local' AND date = ?"
                " AND ended IS NOT NULL GROUP BY ended",
                (iso,),
            )
        )
        by_outcome = dict.fromkeys(ALL_OUTCOMES, 0)
        for outcome, count in self._query(
            "SELECT a.outcome, count(*) FROM procedure_attempts a JOIN sessions s USING (session_id)"
            " WHERE s.origin = 'local' AND s.date = ? AND s.ended IS NOT NULL GROUP BY a.outcome",
            (iso,),
        ):
            by_outcome[outcome] = count
        open_count = self._query(
            "SELECT count(*) FROM sessions WHERE origin = 'local' AND ended IS NULL"
        )[0][0]
        return TodaySummary(
            day=day,
            finished_sessions=ended.get("finished", 0),
            abandoned_sessions=ended.get("abandoned", 0),
            open_sessions=open_count,
            by_outcome=by_outcome,
        )

    # ------------------------------------------------------------------ export contract

    def procedure_attempt_rows(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> Iterator[dict]:
        """sessions.csv rows of ended visits with start <= date <= end (both inclusive), as dicts."""
        for batch in self.procedure_attempt_batches(start, end, site_ids):
            for values in batch:
                yield dict(zip(SESSIONS_CSV_COLUMNS, values, strict=True))

    def procedure_attempt_batches(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> Iterator[list[tuple]]:
        """The same rows as ``procedure_attempt_rows``, as lists of tuples in
        ``SESSIONS_CSV_COLUMNS`` order (at most ``STREAM_BATCH`` at a time): an export writes and
        counts whole batches without building a dict per row."""
        sql = (
            "SELECT s.session_id, a.attempt_no, s.site_id, s.channel, s.date, s.hour,"
            " a.procedure_id, a.guide_version, a.outcome,"
            " coalesce((SELECT group_concat(blocker_id, ';') FROM attempt_blockers b"
            "   WHERE b.session_id = a.session_id AND b.attempt_no = a.attempt_no), ''),"
            " a.steps_reached, a.last_step_id, coalesce(a.duration_min, 0),"
            " coalesce(s.session_duration_min, 0), s.age_band, s.device, s.help_language,"
            " a.handoff_code, s.return_of_code, s.hygiene_confirmed, s.ended"
            " FROM procedure_attempts a JOIN sessions s USING (session_id)"
            " WHERE s.ended IS NOT NULL AND s.date BETWEEN ? AND ?"
        )
        params: list[Any] = [start.isoformat(), end.isoformat()]
        if site_ids is not None:
            sql += f" AND s.site_id IN ({', '.join('?' * len(site_ids))})"
            params.extend(site_ids)
        sql += " ORDER BY s.date, s.hour, s.session_id, a.attempt_no"
        for batch in self._stream_batches(sql, params):
            # group_concat's order is unspecified: sort the few rows that met several blockers.
            for i in [i for i, row in enumerate(batch) if ";" in row[_BLOCKERS]]:
                row = batch[i]
                blockers = ";".join(sorted(row[_BLOCKERS].split(";")))
                batch[i] = (*row[:_BLOCKERS], blockers, *row[_BLOCKERS + 1 :])
            yield batch

    def dimension_outcome_counts(
        self,
        start: dt.date,
        end: dt.date,
        site_ids: list[str] | None,
        duration_bands: Sequence[tuple[int, int | None, str]],
    ) -> Iterator[tuple]:
        """Attempts per (procedure_id, age_band, device, channel, help_language, duration band,
        outcome), one SQL scan streamed: enough to rebuild a month's published outcome tables
        (the previous month's, for the report) without its rows. ``duration_bands`` are
        (low, high, label), the last one's high None; the same selection as
        ``procedure_attempt_rows``."""
        where = "s.ended IS NOT NULL AND s.date BETWEEN ? AND ?"
        params: list[Any] = []
        *bounded, (_lo, _none, last) = duration_bands  # the last band has no upper bound
        band = (
            "CASE" + " WHEN coalesce(a.duration_min, 0) < ? THEN ?" * len(bounded) + " ELSE ? END"
        )
        for _low, high, label in bounded:
            params += [high, label]
        params.append(last)
        params += [start.isoformat(), end.isoformat()]
        if site_ids is not None:
            where += f" AND s.site_id IN ({', '.join('?' * len(site_ids))})"
            params.extend(site_ids)
        yield from self._stream(
            "SELECT a.procedure_id, s.age_band, s.device, s.channel, s.help_language,"
            f" {band}, a.outcome, count(*)"
            " FROM procedure_attempts a JOIN sessions s USING (session_id)"
            f" WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6, 7",
            params,
        )

    def kpi_counts(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> dict[str, Any]:
        """The month-level counts a report compares against, by SQL instead of a row stream.

        Same selection and meaning as ``procedure_attempt_rows`` summed up: ended visits with at
        least one procedure, ``start <= date <= end`` (a test keeps the two in step).
        """
        where = "s.ended IS NOT NULL AND s.date BETWEEN ? AND ?"
        params: list[Any] = [start.isoformat(), end.isoformat()]
        if site_ids is not None:
            where += f" AND s.site_id IN ({', '.join('?' * len(site_ids))})"
            params.extend(site_ids)
        # One scan; a visit's own facts are counted on its first attempt row, as the summary does.
        first = "a.attempt_no = 1"
        # Its own read-only connection: safe from an export's worker thread, and the clerk's
        # connection stays free while it scans.
        per_outcome = list(self._stream(
            "SELECT a.outcome, count(*), sum(s.return_of_code != ''), sum(" + first + "),"
            " sum(CASE WHEN " + first + " THEN s.session_duration_min ELSE 0 END),"
            " sum(" + first + " AND s.age_band IN ('70-74', '75-79', '80plus')),"
            " sum(" + first + " AND s.age_band != 'unknown'),"
            " sum(" + first + " AND s.hygiene_confirmed != ''),"
            " sum(" + first + " AND s.hygiene_confirmed = '1')"
            " FROM procedure_attempts a JOIN sessions s USING (session_id)"
            f" WHERE {where} GROUP BY a.outcome", params,
        ))  # fmt: skip
        outcomes = {row[0]: row[1] for row in per_outcome}
        totals = [sum(row[i] or 0 for row in per_outcome) for i in range(2, 9)]
        returns, sessions, minutes, seventy, known, checks, confirmed = totals
        return {
            "attempts": sum(outcomes.values()), "outcomes": outcomes, "sessions": sessions,
            "session_minutes": minutes, "sessions_70_plus": seventy, "sessions_age_known": known,
            "hygiene_checks": checks, "hygiene_confirmed": confirmed, "handoff_returns": returns,
        }  # fmt: skip

    def import_procedure_attempt_rows(self, rows: Iterable[dict]) -> tuple[int, int]:
        """Store rows from another export; returns (inserted, skipped as duplicates).

        One transaction: a malformed row raises ImportRowError and nothing is stored.
        """
        with self._write() as db:
            return self._insert_attempt_rows(db, rows)

    @staticmethod
    def _counted_site_months(db: sqlite3.Connection, table: str) -> set[tuple[str, str]]:
        """(month, site) pairs whose rows were purged into kept counts: rows of theirs that
        arrive again (the same bundle imported once more) must not be counted twice."""
        return {(m, s) for m, s in db.execute(f"SELECT DISTINCT month, site_id FROM {table}")}

    def _insert_attempt_rows(self, db: sqlite3.Connection, rows: Iterable[dict]) -> tuple[int, int]:
        inserted = skipped = 0
        counted = self._counted_site_months(db, "monthly_aggregates")
        for number, raw in enumerate(rows, start=1):
            row = _validated_row(raw, number)
            if counted and (row["date"][:7], row["site_id"]) in counted:
                skipped += 1
                continue
            key = (row["session_id"], row["attempt_no"])
            db.execute(
                "INSERT OR IGNORE INTO sessions (session_id, origin, site_id, channel, date,"
                " hour, ended, session_duration_min, age_band, device, help_language,"
                " return_of_code, hygiene_confirmed)"
                " VALUES (?, 'imported', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row["session_id"], row["site_id"], row["channel"], row["date"], row["hour"],
                 row["ended"], row["session_duration_min"], row["age_band"], row["device"],
                 row["help_language"], row["return_of_code"], row["hygiene_confirmed"]),
            )  # fmt: skip
            # An attempt already stored (same session and number) is left as it is: skipped.
            # Its session row was there too, so the INSERT OR IGNORE above changed nothing.
            stored = db.execute(
                "INSERT INTO procedure_attempts (session_id, attempt_no, procedure_id,"
                " guide_version, outcome, steps_reached, last_step_id, duration_min,"
                " handoff_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (session_id, attempt_no) DO NOTHING",  # a CHECK still refuses
                (*key, row["procedure_id"], row["guide_version"], row["outcome"],
                 row["steps_reached"], row["last_step_id"], row["duration_min"],
                 row["handoff_code"]),
            ).rowcount  # fmt: skip
            if not stored:
                skipped += 1
                continue
            if row["blockers"]:
                db.executemany(
                    "INSERT INTO attempt_blockers (session_id, attempt_no, blocker_id)"
                    " VALUES (?, ?, ?)",
                    [(*key, b) for b in row["blockers"]],
                )
            inserted += 1
        return inserted, skipped

    # ------------------------------------------------------------------ class records

    def save_class_record(self, record: dict) -> None:
        """Insert or update (by ``class_id``) one class, durably, in one transaction.

        ``record`` holds the classes.csv columns and optionally ``note``; a live tally calls
        this after every change. The note passes the privacy guard here as well.
        """
        if not isinstance(record, dict):
            raise ClassRecordError(tr("store.class.not_a_record"), None)
        unknown = [k for k in record if k not in CLASS_CSV_COLUMNS and k != "note"]
        missing = [c for c in CLASS_CSV_COLUMNS if c not in record]
        if unknown or missing:
            raise ClassRecordError(
                tr("store.class.columns", missing=", ".join(missing) or "-",
                   extra=", ".join(map(str, unknown)) or "-"),
                (missing or unknown)[0],
            )  # fmt: skip
        problem, row = _check_class_row(record)
        if problem:
            column, expected = problem
            raise ClassRecordError(
                tr("store.class.bad_value", column=column, value=record[column],
                   expected=expected),
                column,
            )  # fmt: skip
        note = record.get("note")
        note = None if note is None else str(note).strip() or None
        if note is not None:
            from dxdesk.core.privacy import ensure_no_personal_data  # compiled on first use

            ensure_no_personal_data(note, "class_note", visit_year=int(row["date"][:4]))
        columns = [*CLASS_CSV_COLUMNS, "note", "recorded_at"]
        values = [*(row[c] for c in CLASS_CSV_COLUMNS), note, local_now().isoformat()]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "class_id")
        with self._write() as db:
            db.execute(
                f"INSERT INTO class_records ({', '.join(columns)}, origin)"
                f" VALUES ({', '.join('?' * len(columns))}, 'local')"
                f" ON CONFLICT (class_id) DO UPDATE SET {updates}",
                values,
            )

    def class_record_rows(
        self, start: dt.date, end: dt.date, site_ids: list[str] | None = None
    ) -> Iterator[dict]:
        """classes.csv rows (no note, origin or recorded_at) with start <= date <= end."""
        sql = f"SELECT {', '.join(CLASS_CSV_COLUMNS)} FROM class_records WHERE date BETWEEN ? AND ?"
        params: list[Any] = [start.isoformat(), end.isoformat()]
        if site_ids is not None:
            sql += f" AND site_id IN ({', '.join('?' * len(site_ids))})"
            params.extend(site_ids)
        sql += " ORDER BY date, start_time, site_id, class_id"
        for values in self._stream(sql, params):
            yield dict(zip(CLASS_CSV_COLUMNS, values, strict=True))

    def import_class_record_rows(self, rows: Iterable[dict]) -> tuple[int, int]:
        """Store classes.csv rows from another export; returns (inserted, skipped by class_id).

        One transaction: a malformed row raises ImportRowError and nothing is stored.
        """
        with self._write() as db:
            return self._insert_class_rows(db, rows)

    def _insert_class_rows(self, db: sqlite3.Connection, rows: Iterable[dict]) -> tuple[int, int]:
        inserted = skipped = 0
        columns = [*CLASS_CSV_COLUMNS, "recorded_at"]
        sql = (
            f"INSERT INTO class_records ({', '.join(columns)}, origin)"
            f" VALUES ({', '.join('?' * len(columns))}, 'imported')"
        )
        now = local_now().isoformat()
        counted = self._counted_site_months(db, "monthly_class_aggregates")
        for number, raw in enumerate(rows, start=1):
            row = _validated_class_row(raw, number)
            if counted and (row["date"][:7], row["site_id"]) in counted:
                skipped += 1
                continue
            if db.execute(
                "SELECT 1 FROM class_records WHERE class_id = ?", (row["class_id"],)
            ).fetchone():
                skipped += 1
                continue
            db.execute(sql, [*(row[c] for c in CLASS_CSV_COLUMNS), now])
            inserted += 1
        return inserted, skipped

    def import_rows(
        self, attempt_rows: Iterable[dict], class_rows: Iterable[dict]
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """A whole import (visits and classes) in ONE transaction: any bad row stores nothing.

        Returns ((attempts inserted, skipped), (classes inserted, skipped)).
        """
        with self._write() as db:
            attempts = self._insert_attempt_rows(db, attempt_rows)
            classes = self._insert_class_rows(db, class_rows)
        return attempts, classes

    def sites(self) -> list[str]:
        return [r[0] for r in self._query("SELECT DISTINCT site_id FROM sessions ORDER BY 1")]

    def meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )

    # ------------------------------------------------------------------ retention

    def purge_counts(self, before: dt.date) -> PurgeCounts:
        """How many rows a purge of everything dated before ``before`` would remove."""
        with self._lock:
            try:
                return self._purge_counts_in(self._db, _month_start(before).isoformat())
            except sqlite3.DatabaseError as exc:
                raise _db_error(self.path, exc) from exc

    def purge_before(self, before: dt.date, *, purged_at: dt.datetime | None = None) -> PurgeCounts:
        """Count every row dated before ``before`` (a month's first day) into the monthly
        aggregates, delete the row-level data and log the counts: one transaction, so a
        failure anywhere leaves the store as it was.
        """
        start = _month_start(before)
        if start != before:
            raise ValueError(f"a purge ends at a month's first day, not {before.isoformat()}")
        iso = start.isoformat()
        purged_at = purged_at or local_now()
        old = "SELECT session_id FROM sessions WHERE date < ?"
        with self._lock:
            # Deleted rows are overwritten on disk, not just unlinked (they held visit details).
            self._db.execute("PRAGMA secure_delete = ON")
            try:
                with self._write() as db:
                    counts = self._purge_counts_in(db, iso)
                    db.execute(_AGGREGATE_SESSIONS, (iso,))
                    self._aggregate_classes(db, iso)
                    db.execute(f"DELETE FROM attempt_blockers WHERE session_id IN ({old})", (iso,))
                    db.execute(f"DELETE FROM session_events WHERE session_id IN ({old})", (iso,))
                    db.execute(
                        f"DELETE FROM procedure_attempts WHERE session_id IN ({old})", (iso,)
                    )
                    db.execute("DELETE FROM sessions WHERE date < ?", (iso,))
                    db.execute("DELETE FROM class_records WHERE date < ?", (iso,))
                    db.execute(
                        "INSERT INTO purge_log (purged_at, before_month, sessions_purged,"
                        " attempts_purged, classes_purged) VALUES (?, ?, ?, ?, ?)",
                        (purged_at.isoformat(timespec="seconds"), iso[:7], counts.sessions,
                         counts.attempts, counts.classes),
                    )  # fmt: skip
            finally:
                self._db.execute("PRAGMA secure_delete = OFF")
            # Old page images in the WAL go too, unless a reader still needs them.
            with suppress(sqlite3.DatabaseError):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts

    def _purge_counts_in(self, db: sqlite3.Connection, iso: str) -> PurgeCounts:
        old = "SELECT session_id FROM sessions WHERE date < ?"

        def count(sql: str) -> int:
            return db.execute(sql, (iso,)).fetchone()[0]

        return PurgeCounts(
            sessions=count("SELECT count(*) FROM sessions WHERE date < ?"),
            attempts=count(f"SELECT count(*) FROM procedure_attempts WHERE session_id IN ({old})"),
            classes=count("SELECT count(*) FROM class_records WHERE date < ?"),
            events=count(f"SELECT count(*) FROM session_events WHERE session_id IN ({old})"),
            blockers=count(f"SELECT count(*) FROM attempt_blockers WHERE session_id IN ({old})"),
        )

    def _aggregate_classes(self, db: sqlite3.Connection, iso: str) -> None:
        sums: dict[tuple[str, str, str], list[int]] = {}
        cursor = db.execute(
            "SELECT substr(date, 1, 7), site_id, menu, staffing_warning, duration_min,"
            f" {', '.join(CLASS_COUNT_COLUMNS)} FROM class_records WHERE date < ?",
            (iso,),
        )
        for month, site_id, menu, warning, *numbers in cursor:
            values = [1, *numbers, 1 if warning else 0]
            for topic in ["", *(t for t in menu.split(";") if t)]:
                total = sums.setdefault((month, site_id, topic), [0] * len(values))
                for i, v in enumerate(values):
                    total[i] += v
        columns = ["month", "site_id", "topic_id", *CLASS_AGGREGATE_MEASURES]
        db.executemany(
            f"INSERT INTO monthly_class_aggregates ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))})"
            " ON CONFLICT (month, site_id, topic_id) DO UPDATE SET "
            + ", ".join(f"{m} = {m} + excluded.{m}" for m in CLASS_AGGREGATE_MEASURES),
            [(*key, *values) for key, values in sorted(sums.items())],
        )

    def monthly_aggregate_rows(self, first_month: str, last_month: str) -> list[dict]:
        """Kept counts of purged months (``YYYY-MM``, both inclusive), as dicts."""
        columns = ["month", "site_id", "channel", "procedure_id", "outcome", "dimension",
                   "value", *AGGREGATE_MEASURES]  # fmt: skip
        rows = self._query(
            f"SELECT {', '.join(columns)} FROM monthly_aggregates WHERE month BETWEEN ? AND ?"
            " ORDER BY month, site_id, channel, procedure_id, outcome, dimension, value",
            (first_month, last_month),
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def monthly_class_aggregate_rows(self, first_month: str, last_month: str) -> list[dict]:
        """Kept class counts of purged months; ``topic_id`` '' is the month's total."""
        columns = ["month", "site_id", "topic_id", *CLASS_AGGREGATE_MEASURES]
        rows = self._query(
            f"SELECT {', '.join(columns)} FROM monthly_class_aggregates"
            " WHERE month BETWEEN ? AND ? ORDER BY month, site_id, topic_id",
            (first_month, last_month),
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def purge_log(self) -> list[dict]:
        """Every purge so far, oldest first: when, up to which month, and counts only."""
        columns = ["purged_at", "before_month", "sessions_purged", "attempts_purged",
                   "classes_purged"]  # fmt: skip
        rows = self._query(f"SELECT {', '.join(columns)} FROM purge_log ORDER BY rowid")
        return [dict(zip(columns, r, strict=True)) for r in rows]

    # ------------------------------------------------------------------ maintenance

    def check(self) -> StoreCheck:
        """Full integrity check, schema version and row counts (``dxdesk store check``)."""
        integrity = [r[0] for r in self._query("PRAGMA integrity_check")]
        fk = self._query("PRAGMA foreign_key_check")
        if fk:
            integrity = [*(i for i in integrity if i != "ok"),
                         *(f"foreign key: {table} rowid {rowid}" for table, rowid, *_ in fk)]  # fmt: skip
        counts = {
            "sessions_local": self._query(
                "SELECT count(*) FROM sessions WHERE origin = 'local'")[0][0],
            "sessions_imported": self._query(
                "SELECT count(*) FROM sessions WHERE origin = 'imported'")[0][0],
            "sessions_open": self._query(
                "SELECT count(*) FROM sessions WHERE ended IS NULL AND origin = 'local'")[0][0],
            "procedure_attempts": self._query("SELECT count(*) FROM procedure_attempts")[0][0],
            "attempt_blockers": self._query("SELECT count(*) FROM attempt_blockers")[0][0],
            "session_events": self._query("SELECT count(*) FROM session_events")[0][0],
            "class_records": self._query("SELECT count(*) FROM class_records")[0][0],
            "monthly_aggregates": self._query("SELECT count(*) FROM monthly_aggregates")[0][0],
            "purges": self._query("SELECT count(*) FROM purge_log")[0][0],
        }  # fmt: skip
        return StoreCheck(self.path, self.schema_version, integrity, counts)

    def recent_sessions(self, limit: int = 20) -> list[tuple]:
        """(session_id, date, hour, site_id, ended, procedures) of the latest local visits."""
        return self._query(
            "SELECT s.session_id, s.date, s.hour, s.site_id, coalesce(s.ended, ''),"
            " (SELECT group_concat(procedure_id, ' ') FROM procedure_attempts a"
            "   WHERE a.session_id = s.session_id)"
            " FROM sessions s WHERE s.origin = 'local' ORDER BY s.started_at DESC LIMIT ?",
            (limit,),
        )


# ---------------------------------------------------------------------- helpers


def _hygiene_flag(device: str, confirmed: bool) -> str:
    if device != SHARED_TERMINAL:
        return ""
    return "1" if confirmed else "0"


def _check_header(path: Path) -> None:
    """A file that is not SQLite at all gets a clear message before SQLite sees it."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(
            tr("store.error.cannot_open", path=path, detail=exc.strerror), path
        ) from exc
    if header and header != SQLITE_HEADER:
        raise StoreError(tr("store.error.not_a_store", path=path), path)


def _db_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    """A busy store or a full disk is not a damaged store: say which it is."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreError(tr("store.error.busy", path=path), path)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in text:
        return StoreError(tr("store.error.disk_full", path=path), path)
    return _corrupt(path, exc)


def _corrupt(path: Path, detail: object) -> StoreError:
    return StoreError(tr("store.error.corrupt", path=path, detail=detail), path)


_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
_IDENT = re.compile(ID_PATTERN)
_CHANNEL = re.compile(r"^[a-z][a-z_]{0,19}$")


def _validated_row(raw: object, number: int) -> dict[str, Any]:
    """Check one sessions.csv row; values may be str (from a CSV) or int."""
    if not isinstance(raw, dict):
        raise ImportRowError(tr("store.import.not_a_row", row=number), number, None)
    missing = extra = []
    if raw.keys() != _CSV_COLUMN_SET:
        missing = [c for c in SESSIONS_CSV_COLUMNS if c not in raw]
        extra = [c for c in raw if c not in SESSIONS_CSV_COLUMNS]
    if missing or extra:
        raise ImportRowError(
            tr(
                "store.import.columns",
                row=number,
                missing=", ".join(missing) or "-",
                extra=", ".join(map(str, extra)) or "-",
            ),  # fmt: skip
            number,
            (missing or extra)[0],
        )

    def bad(column: str, expected: str) -> ImportRowError:
        return ImportRowError(
            tr(
                "store.import.bad_value",
                row=number,
                column=column,
                value=raw[column],
                expected=expected,
            ),  # fmt: skip
            number,
            column,
        )

    row: dict[str, Any] = {}
    for column in SESSIONS_CSV_COLUMNS:
        value = raw[column]
        if column in INT_COLUMNS:
            value = _plain_int(value)
            if value is None or value > INT_LIMITS[column]:
                raise bad(column, f"an integer up to {INT_LIMITS[column]}")
        else:
            value = "" if value is None else str(value).strip()
        row[column] = value

    # Checked in column order; _EXPECTED says what a failing column must hold.
    checks = (
        ("session_id", _SESSION_ID.match(row["session_id"])),
        ("attempt_no", row["attempt_no"] >= 1),
        ("site_id", SITE_ID_PATTERN.match(row["site_id"])),
        ("channel", _CHANNEL.match(row["channel"])),
        ("date", _is_iso_date(row["date"])),
        ("hour", 0 <= row["hour"] <= 23),
        ("procedure_id", _IDENT.match(row["procedure_id"])),
        ("guide_version", row["guide_version"] >= 1),
        ("outcome", row["outcome"] in ALL_OUTCOMES),
        ("steps_reached", row["steps_reached"] >= 0),
        ("last_step_id", not row["last_step_id"] or _IDENT.match(row["last_step_id"])),
        ("duration_min", row["duration_min"] >= 0),
        ("session_duration_min", row["session_duration_min"] >= 0),
        ("age_band", row["age_band"] in AGE_BANDS),
        ("device", row["device"] in DEVICES),
        ("help_language", row["help_language"] in HELP_LANGUAGES),
        ("handoff_code", not row["handoff_code"] or is_valid_handoff_code(row["handoff_code"])),
        ("return_of_code",
         not row["return_of_code"] or is_valid_handoff_code(row["return_of_code"])),
        ("hygiene_confirmed", row["hygiene_confirmed"] in ("", "0", "1")),
        ("ended", row["ended"] in ("finished", "abandoned")),
    )  # fmt: skip
    for column, ok in checks:
        if not ok:
            raise bad(column, _EXPECTED[column])
    blockers = [b for b in row["blockers"].split(";") if b]
    if any(not _IDENT.match(b) for b in blockers) or len(set(blockers)) != len(blockers):
        raise bad("blockers", "blocker ids joined by ';'")
    for column in _SESSION_ID_TEXT:
        if not _identity_free(row[column]):
            raise bad(column, "an id that is not personal data")
    row["blockers"] = sorted(blockers)
    return row


_CSV_COLUMN_SET = frozenset(SESSIONS_CSV_COLUMNS)
# What a sessions.csv column must hold, for the message when a row does not.
_EXPECTED: dict[str, str] = {
    "session_id": "32 hex digits",
    "attempt_no": "1 or more",
    "site_id": "a site id like kita-ward-1",
    "channel": "a channel such as counter",
    "date": "a date YYYY-MM-DD",
    "hour": "0-23",
    "procedure_id": "a guide id",
    "guide_version": "1 or more",
    "outcome": " | ".join(ALL_OUTCOMES),
    "steps_reached": "0 or more",
    "last_step_id": "a step id or empty",
    "duration_min": "0 or more",
    "session_duration_min": "0 or more",
    "age_band": " | ".join(AGE_BANDS),
    "device": " | ".join(DEVICES),
    "help_language": " | ".join(HELP_LANGUAGES),
    "handoff_code": "a hand-off code or empty",
    "return_of_code": "a hand-off code or empty",
    "hygiene_confirmed": "1, 0 or empty",
    "ended": "finished | abandoned",
}


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


_CLASS_ID = _SESSION_ID
_SESSION_ID_TEXT = ("site_id", "channel", "procedure_id", "blockers", "last_step_id")


def _plain_int(value: object) -> int | None:
    """A non-negative integer written with ASCII digits only (a CSV cell or an int), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else None


@functools.lru_cache(maxsize=4096)
def _identity_free(text: str) -> bool:
    """An id-shaped value (site, guide, topic) may still be a phone or My Number: refuse it."""
    from dxdesk.core.privacy import find_personal_data  # compiled on first use

    return not find_personal_data(text.replace(";", " "))


_START_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_WARNING = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _check_class_row(raw: dict) -> tuple[tuple[str, str] | None, dict[str, Any]]:
    """Normalise one classes.csv row: (None, row) or ((column, expected), partial row)."""
    row: dict[str, Any] = {}
    for column in CLASS_CSV_COLUMNS:
        value = raw[column]
        if column in CLASS_INT_COLUMNS:
            value = _plain_int(value)
            limit = CLASS_INT_LIMITS.get(column, CLASS_COUNT_LIMIT)
            if value is None or value > limit:
                return (column, f"an integer from 0 to {limit}"), row
        else:
            value = "" if value is None else str(value).strip()
        row[column] = value
    menu = [m for m in row["menu"].split(";") if m]
    warnings = [w for w in row["staffing_warning"].split(";") if w]
    checks: list[tuple[str, bool, str]] = [
        ("class_id", bool(_CLASS_ID.match(row["class_id"])), "32 hex digits"),
        ("site_id", bool(SITE_ID_PATTERN.match(row["site_id"])), "a site id like kita-ward-1"),
        ("date", _is_iso_date(row["date"]), "a date YYYY-MM-DD"),
        ("hour", row["hour"] <= 23, "0-23"),
        ("start_time", bool(_START_TIME.match(row["start_time"]))
         and int(row["start_time"][:2]) == row["hour"], "HH:MM within the hour"),
        ("menu", all(_IDENT.match(m) for m in menu) and len(set(menu)) == len(menu),
         "topic ids joined by ';'"),
        ("staffing_warning", all(_WARNING.match(w) for w in warnings)
         and len(set(warnings)) == len(warnings), "empty or codes joined by ';'"),
    ]  # fmt: skip
    for column, ok, expected in checks:
        if not ok:
            return (column, expected), row
    for column in ("site_id", "menu", "staffing_warning"):
        if not _identity_free(row[column]):
            return (column, "ids that are not personal data"), row
    row["menu"] = ";".join(sorted(menu))
    row["staffing_warning"] = ";".join(sorted(warnings))
    return None, row


def _validated_class_row(raw: object, number: int) -> dict[str, Any]:
    """Check one classes.csv row to import; values may be str (from a CSV) or int."""
    if not isinstance(raw, dict):
        raise ImportRowError(tr("store.import.not_a_row", row=number), number, None)
    missing = [c for c in CLASS_CSV_COLUMNS if c not in raw]
    extra = [c for c in raw if c not in CLASS_CSV_COLUMNS]
    if missing or extra:
        raise ImportRowError(
            tr("store.import.class_columns", row=number, missing=", ".join(missing) or "-",
               extra=", ".join(map(str, extra)) or "-"),
            number,
            (missing or extra)[0],
        )  # fmt: skip
    problem, row = _check_class_row(raw)
    if problem:
        column, expected = problem
        raise ImportRowError(
            tr("store.import.bad_value", row=number, column=column, value=raw[column],
               expected=expected),
            number,
            column,
        )  # fmt: skip
    return row


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Every session dated before ? counted per (month, site, channel, procedure, outcome), once as
# a total (dimension '') and once per value of each dimension. One row per procedure attempt
# (a visit with no procedure gives one row with procedure_id ''); the visit's own facts
# (sessions, session_minutes, hygiene) count on its first row, as the export summary does.
_AGGREGATE_SESSIONS = """
WITH r AS (
    SELECT s.session_id, a.attempt_no, substr(s.date, 1, 7) AS month, s.site_id, s.channel,
        coalesce(a.procedure_id, '') AS procedure_id, coalesce(a.outcome, '') AS outcome,
        s.age_band, s.device, s.help_language, s.hour, s.ended, a.duration_min,
        (a.attempt_no IS NULL OR a.attempt_no = 1) AS first,
        (a.attempt_no IS NOT NULL) AS attempt,
        coalesce(s.session_duration_min, 0) AS session_min,
        (coalesce(a.handoff_code, '') <> '') AS handoff,
        (a.attempt_no IS NOT NULL AND s.return_of_code <> '') AS returned,
        s.hygiene_confirmed
    FROM sessions s LEFT JOIN procedure_attempts a ON a.session_id = s.session_id
    WHERE s.date < ?
)
INSERT INTO monthly_aggregates (month, site_id, channel, procedure_id, outcome, dimension, value,
    sessions, attempts, attempt_minutes, session_minutes, handoffs_issued, handoff_returns,
    hygiene_checks, hygiene_confirmed)
SELECT month, site_id, channel, procedure_id, outcome, dimension, value,
    sum(first), sum(attempt), sum(CASE WHEN attempt THEN coalesce(duration_min, 0) ELSE 0 END),
    sum(CASE WHEN first THEN session_min ELSE 0 END), sum(handoff), sum(returned),
    sum(first AND hygiene_confirmed <> ''), sum(first AND hygiene_confirmed = '1')
FROM (
    SELECT r.*, '' AS dimension, '' AS value FROM r
    UNION ALL SELECT r.*, 'age_band', age_band FROM r
    UNION ALL SELECT r.*, 'device', device FROM r
    UNION ALL SELECT r.*, 'help_language', help_language FROM r
    UNION ALL SELECT r.*, 'hour', CAST(hour AS TEXT) FROM r
    UNION ALL SELECT r.*, 'ended', coalesce(ended, '') FROM r
    UNION ALL SELECT r.*, 'duration_min', CASE WHEN attempt THEN coalesce(CAST(duration_min AS TEXT), '') ELSE '' END FROM r
    UNION ALL SELECT r.*, 'blocker', b.blocker_id FROM r JOIN attempt_blockers b
      ON b.session_id = r.session_id AND b.attempt_no = r.attempt_no
) AS d
GROUP BY month, site_id, channel, procedure_id, outcome, dimension, value
ON CONFLICT (month, site_id, channel, procedure_id, outcome, dimension, value) DO UPDATE SET
    sessions = sessions + excluded.sessions, attempts = attempts + excluded.attempts,
    attempt_minutes = attempt_minutes + excluded.attempt_minutes,
    session_minutes = session_minutes + excluded.session_minutes,
    handoffs_issued = handoffs_issued + excluded.handoffs_issued,
    handoff_returns = handoff_returns + excluded.handoff_returns,
    hygiene_checks = hygiene_checks + excluded.hygiene_checks,
    hygiene_confirmed = hygiene_confirmed + excluded.hygiene_confirmed
"""
