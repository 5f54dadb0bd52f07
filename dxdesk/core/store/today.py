"""The today panel's counts: this counter's visits on a day and the visits still open.

Apart from :mod:`.sessions` so that the main window's first paint reads them without loading
what recording needs (the session model and its events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dxdesk.core.contract import ALL_OUTCOMES
from dxdesk.core.store.connection import Database


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


class TodayCounts:
    """``store.today``: what the main window shows under "today"."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def summary(self, day: dt.date) -> TodaySummary:
        """Counts for the main window: this counter's visits on ``day`` and open visits."""
        iso = day.isoformat()
        ended = dict(
            self.db.query(
                "SELECT ended, count(*) FROM sessions WHERE origin = 'local' AND date = ?"
                " AND ended IS NOT NULL GROUP BY ended",
                (iso,),
            )
        )
        by_outcome = dict.fromkeys(ALL_OUTCOMES, 0)
        for outcome, count in self.db.query(
            "SELECT a.outcome, count(*) FROM procedure_attempts a JOIN sessions s USING (session_id)"
            " WHERE s.origin = 'local' AND s.date = ? AND s.ended IS NOT NULL GROUP BY a.outcome",
            (iso,),
        ):
            by_outcome[outcome] = count
        open_count = self.db.query(
            "SELECT count(*) FROM sessions WHERE origin = 'local' AND ended IS NULL"
        )[0][0]
        return TodaySummary(
            day=day,
            finished_sessions=ended.get("finished", 0),
            abandoned_sessions=ended.get("abandoned", 0),
            open_sessions=open_count,
            by_outcome=by_outcome,
        )
