"""Notes are kept only as long as they serve: after ``note_retention_days`` (default 90) the
free text of visits and classes is blanked in all four tables, while every row, and so every
count, stays. Less free text kept is less free text that could hold what the guard missed.
"""

from __future__ import annotations

import datetime as dt

from dxdesk.core.store import Store
from dxdesk.core.store.retention import NOTE_TABLES

DEFAULT_DAYS = 90

__all__ = ["DEFAULT_DAYS", "NOTE_TABLES", "blank_expired_notes", "notes_cutoff"]


def notes_cutoff(today: dt.date, days: int) -> dt.date:
    """Notes of visits and classes dated before this day are blanked."""
    if days < 1:
        raise ValueError(f"notes must be kept at least 1 day, not {days}")
    return today - dt.timedelta(days=days)


def blank_expired_notes(
    store: Store, days: int = DEFAULT_DAYS, today: dt.date | None = None
) -> int:
    """Blank the notes older than ``days``; returns how many notes were blanked."""
    return store.retention.blank_notes_before(notes_cutoff(today or dt.date.today(), days))
