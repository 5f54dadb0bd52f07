"""Recording visits: each event committed with the rows it changes; resume and the today panel."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from dataclasses import dataclass

from dxdesk.core.catalog import Catalog
from dxdesk.core.contract import SHARED_TERMINAL
from dxdesk.core.events import (
    Abandoned,
    BlockerMarked,
    EventRow,
    SessionEvent,
    Started,
    UnknownEventError,
    event_from_row,
)
from dxdesk.core.i18n import tr
from dxdesk.core.session import (
    CHANNEL,
    SessionError,
    SessionRecorder,
    SupportSession,
    local_now,
    whole_minutes,
)
from dxdesk.core.store.connection import Database
from dxdesk.core.store.errors import StoreError
from dxdesk.core.store.today import TodayCounts, TodaySummary


@dataclass(frozen=True)
class OpenSession:
    """A visit that was neither finished nor abandoned (the app stopped in the middle)."""

    session_id: str
    site_id: str
    started_at: dt.datetime
    last_event_at: dt.datetime
    procedures: tuple[str, ...]
    last_step_id: str | None


class SessionLog:
    """The visits of this counter: recorded event by event, resumed, summed up for today."""

    def __init__(self, db: Database, recorder: SessionRecorder) -> None:
        self.db = db
        self.recorder = recorder  # the store façade: sessions record through it

    def record(self, session: SupportSession, event: SessionEvent) -> None:
        """Commit one session event and the rows it changes, durably, before returning."""
        row = event.to_row()
        _guard_event_note(event, row)  # the session guards it; the store checks again
        with self.db.write() as db:
            if isinstance(event, Started):
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
                (session.session_id, event.seq, event.at.isoformat(), row.kind,
                 row.attempt_no, row.step_id, row.value, row.detail, row.note),
            )  # fmt: skip
            self._write_session_row(db, session)
            for attempt in session.attempts_changed_by(event):
                self._write_attempt_rows(db, session, attempt, blockers=event.BLOCKERS)

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
        return SupportSession.start(catalog, site_id, recorder=self.recorder, clock=clock)

    def interrupted_sessions(self) -> list[OpenSession]:
        """Visits of this counter that were neither finished nor abandoned, oldest first."""
        rows = self.db.query(
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
        rows = self.db.query(
            "SELECT seq, at, kind, attempt_no, step_id, value, detail, note FROM session_events"
            " WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        try:
            return [
                event_from_row(seq, dt.datetime.fromisoformat(at), EventRow(*columns))
                for seq, at, *columns in rows
            ]
        except UnknownEventError as exc:
            raise StoreError(
                tr("store.error.cannot_resume", session_id=session_id, detail=exc), self.db.path
            ) from exc

    def load_session(self, session_id: str, catalog: Catalog, *, clock=local_now) -> SupportSession:
        """Rebuild an interrupted visit at its last committed step, recording into this store."""
        rows = self.db.query(
            "SELECT site_id, ended, origin FROM sessions WHERE session_id = ?", (session_id,)
        )
        if not rows:
            raise StoreError(tr("store.error.no_session", session_id=session_id), self.db.path)
        site_id, ended, origin = rows[0]
        if ended is not None or origin != "local":
            raise StoreError(tr("store.error.session_closed", session_id=session_id), self.db.path)
        try:
            return SupportSession.replay(
                catalog, session_id, site_id, self.session_events(session_id),
                recorder=self.recorder, clock=clock,
            )  # fmt: skip
        except (SessionError, KeyError, IndexError, ValueError) as exc:
            raise StoreError(
                tr("store.error.cannot_resume", session_id=session_id, detail=exc), self.db.path
            ) from exc

    def abandon_interrupted(self, session_id: str) -> None:
        """Close an interrupted visit as abandoned at its last recorded moment (no catalog needed)."""
        with self.db.write() as db:
            row = db.execute(
                "SELECT started_at, device, hygiene_confirmed, ended, origin FROM sessions"
                " WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                raise StoreError(tr("store.error.no_session", session_id=session_id), self.db.path)
            started_at, device, hygiene, ended, origin = row
            if ended is not None or origin != "local":
                raise StoreError(
                    tr("store.error.session_closed", session_id=session_id), self.db.path
                )
            seq, last_at = db.execute(
                "SELECT max(seq), max(at) FROM session_events WHERE session_id = ?", (session_id,)
            ).fetchone()
            end = dt.datetime.fromisoformat(last_at or started_at)
            db.execute(
                "INSERT INTO session_events (session_id, seq, at, kind) VALUES (?, ?, ?, ?)",
                (session_id, (seq or 0) + 1, end.isoformat(), Abandoned.KIND),
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

    def today_summary(self, day: dt.date) -> TodaySummary:
        """Counts for the main window (see :class:`.today.TodayCounts`)."""
        return TodayCounts(self.db).summary(day)

    def recent_sessions(self, limit: int = 20) -> list[tuple]:
        """(session_id, date, hour, site_id, ended, procedures) of the latest local visits."""
        return self.db.query(
            "SELECT s.session_id, s.date, s.hour, s.site_id, coalesce(s.ended, ''),"
            " (SELECT group_concat(procedure_id, ' ') FROM procedure_attempts a"
            "   WHERE a.session_id = s.session_id)"
            " FROM sessions s WHERE s.origin = 'local' ORDER BY s.started_at DESC LIMIT ?",
            (limit,),
        )


def _hygiene_flag(device: str, confirmed: bool) -> str:
    if device != SHARED_TERMINAL:
        return ""
    return "1" if confirmed else "0"


def _guard_event_note(event: SessionEvent, row: EventRow) -> None:
    """The text this event brings in (a session or blocker note) passes the privacy guard.

    Only the event's own note: session.note and the blockers' notes come from earlier events,
    which passed when they were recorded (a stricter guard must not lock an open session).
    """
    if row.note:
        field = "blocker_note" if isinstance(event, BlockerMarked) else "session_note"
        _guard_note_text(row.note, field)


@functools.lru_cache(maxsize=1024)
def _guard_note_text(note: str, field: str) -> None:
    from dxdesk.core.privacy import ensure_no_personal_data  # compiled on first use

    ensure_no_personal_data(note, field)
