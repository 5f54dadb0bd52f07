"""The store's file, its tables (one migration per schema version) and the kept monthly measures."""

from __future__ import annotations

from dxdesk.core.contract import CLASS_COUNT_COLUMNS

STORE_FILE = "dxdesk.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"
STREAM_BATCH = 1000  # rows fetched at a time by exports (about 2 MB of Python objects)
# The read-only snapshot an export streams from maps up to this much of the store file (address
# space and the OS file cache, not Python memory): its joins probe the attempts all over the
# file, and a read() system call per page cost about a quarter of a month's export.
STREAM_MMAP_BYTES = 1 << 30
BUSY_TIMEOUT_S = 10.0  # an export or import in another thread may hold the write lock briefly

# Counts kept per month when row-level data is purged (retention); see retention.AGGREGATE_SESSIONS.
AGGREGATE_MEASURES: tuple[str, ...] = (
    "sessions", "attempts", "attempt_minutes", "session_minutes", "handoffs_issued",
    "handoff_returns", "hygiene_checks", "hygiene_confirmed",
)  # fmt: skip
AGGREGATE_DIMENSIONS: tuple[str, ...] = (
    "age_band", "device", "help_language", "hour", "ended", "duration_min", "blocker",
)  # fmt: skip
# Classes with each kind of staffing warning (classes.STAFFING_CODES; a test ties them): NULL
# in the months a purge kept before schema 4, which counted only classes with any warning.
CLASS_WARNING_MEASURES: tuple[str, ...] = ("warning_no_trained_tutor", "warning_ratio")
CLASS_AGGREGATE_MEASURES: tuple[str, ...] = (
    "classes", "duration_min", *CLASS_COUNT_COLUMNS, "staffing_warnings", *CLASS_WARNING_MEASURES,
)  # fmt: skip


def _of(table: str) -> str:
    return ", ".join(COUNTED_COLUMNS[table])


def _bump(month: str) -> str:
    return (
        f"INSERT INTO month_changes (month, changes) VALUES ({month}, 1)"
        " ON CONFLICT (month) DO UPDATE SET changes = changes + 1;"
    )


def _bump_of_session(row: str) -> str:
    """Count a change of the month of {row}'s visit, if that visit is ended."""
    return (
        "INSERT INTO month_changes (month, changes) SELECT substr(date, 1, 7), 1 FROM sessions"
        f" WHERE session_id = {row}.session_id AND ended IS NOT NULL"
        " ON CONFLICT (month) DO UPDATE SET changes = changes + 1;"
    )


# The columns a month's counts read (``store/month_counts.py``; a test ties them to its
# statement): only a change to one of them can change a month's counts, so a live visit's
# steps (``steps_reached``, ``last_step_id``) and a note's blanking run no trigger.
COUNTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "sessions": (
        "session_id", "site_id", "channel", "date", "hour", "ended", "session_duration_min",
        "age_band", "device", "help_language", "return_of_code", "hygiene_confirmed",
    ),
    "procedure_attempts": (
        "session_id", "attempt_no", "procedure_id", "outcome", "duration_min", "handoff_code",
    ),
    "attempt_blockers": ("session_id", "attempt_no", "blocker_id"),
}  # fmt: skip


def _month_change_triggers() -> list[str]:
    """Triggers that count every change to what a month's counts read: its ended visits,
    their attempts and blockers, and the counts a purge kept of it (``month_changes``)."""
    month = "substr({r}.date, 1, 7)"
    triggers = [
        # INSERT OR REPLACE deletes a visit of the same id without its delete trigger (unless
        # a connection turns recursive_triggers on), and the new row may be of another month.
        "CREATE TRIGGER sessions_counted_replace BEFORE INSERT ON sessions"
        f" BEGIN {_bump_of_session('NEW')} END",
        "CREATE TRIGGER sessions_counted_insert AFTER INSERT ON sessions"
        f" WHEN NEW.ended IS NOT NULL BEGIN {_bump(month.format(r='NEW'))} END",
        f"CREATE TRIGGER sessions_counted_update AFTER UPDATE OF {_of('sessions')} ON sessions"
        " WHEN OLD.ended IS NOT NULL OR NEW.ended IS NOT NULL"
        f" BEGIN {_bump(month.format(r='OLD'))} {_bump(month.format(r='NEW'))} END",
        "CREATE TRIGGER sessions_counted_delete AFTER DELETE ON sessions"
        f" WHEN OLD.ended IS NOT NULL BEGIN {_bump(month.format(r='OLD'))} END",
    ]
    for table in ("procedure_attempts", "attempt_blockers"):
        triggers += [
            f"CREATE TRIGGER {table}_counted_insert AFTER INSERT ON {table}"
            f" BEGIN {_bump_of_session('NEW')} END",
            f"CREATE TRIGGER {table}_counted_update AFTER UPDATE OF {_of(table)} ON {table}"
            f" BEGIN {_bump_of_session('OLD')} {_bump_of_session('NEW')} END",
            f"CREATE TRIGGER {table}_counted_delete AFTER DELETE ON {table}"
            f" BEGIN {_bump_of_session('OLD')} END",
        ]
    triggers += [
        "CREATE TRIGGER monthly_aggregates_counted_insert AFTER INSERT ON monthly_aggregates"
        f" BEGIN {_bump('NEW.month')} END",
        "CREATE TRIGGER monthly_aggregates_counted_update AFTER UPDATE ON monthly_aggregates"
        f" BEGIN {_bump('OLD.month')} {_bump('NEW.month')} END",
        "CREATE TRIGGER monthly_aggregates_counted_delete AFTER DELETE ON monthly_aggregates"
        f" BEGIN {_bump('OLD.month')} END",
    ]
    return triggers


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
    [
        # A purged month's class sheets need the staffing warnings by kind (NULL before).
        *(
            f"ALTER TABLE monthly_class_aggregates ADD COLUMN {m} INTEGER"
            for m in CLASS_WARNING_MEASURES
        ),
    ],  # fmt: skip
    [
        # How often each month's counted data has changed (see memo.py): a month's counts are
        # remembered with this number and reused only while it is the same. Triggers keep it,
        # so no writer (the wizard, an import, a purge, a script) can forget to. Only ended
        # visits are counted; a live visit's steps change nothing here.
        """CREATE TABLE month_changes (
            month TEXT PRIMARY KEY,
            changes INTEGER NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE month_counts_memo (
            month TEXT NOT NULL,
            query TEXT NOT NULL,
            changes INTEGER NOT NULL,
            rows BLOB NOT NULL,
            PRIMARY KEY (month, query)
        ) WITHOUT ROWID""",
        *_month_change_triggers(),
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
