"""Retention: row-level visit and class data older than ``retention_months`` is purged.

Before anything is deleted it is counted into monthly aggregates (``monthly_aggregates``,
``monthly_class_aggregates``) that are kept, in the same transaction as the delete; the purge
is logged with counts only (``purge_log``). Whole months are purged: with 24 months on
2026-11-23, everything dated before 2024-11-01 goes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dxdesk.core.store import Store

DEFAULT_MONTHS = 24


@dataclass(frozen=True)
class PurgeResult:
    before_month: str  # YYYY-MM: rows dated before its first day were (or would be) purged
    sessions: int
    attempts: int
    classes: int
    events: int
    blockers: int
    dry_run: bool

    @property
    def nothing_to_do(self) -> bool:
        return not (self.sessions or self.classes)


def cutoff(today: dt.date, months: int) -> dt.date:
    """The first day of the oldest month kept: ``months`` whole months before today's month."""
    if months < 1:
        raise ValueError(f"retention must keep at least 1 month, not {months}")
    index = today.year * 12 + (today.month - 1) - months
    return dt.date(index // 12, index % 12 + 1, 1)


def purge_expired(
    store: Store, months: int = DEFAULT_MONTHS, today: dt.date | None = None, *,
    dry_run: bool = False,
) -> PurgeResult:  # fmt: skip
    """Purge (or, with ``dry_run``, only count) the rows older than the retention period."""
    before = cutoff(today or dt.date.today(), months)
    counts = (
        store.retention.purge_counts(before) if dry_run else store.retention.purge_before(before)
    )
    return PurgeResult(
        before_month=before.isoformat()[:7],
        sessions=counts.sessions,
        attempts=counts.attempts,
        classes=counts.classes,
        events=counts.events,
        blockers=counts.blockers,
        dry_run=dry_run,
    )


LAST_CHECK_KEY = "retention_checked_on"


def purge_if_due(store: Store, months: int, today: dt.date | None = None) -> PurgeResult | None:
    """The app's daily run: purge expired rows once per day; None when today's run already happened."""
    today = today or dt.date.today()
    if store.maintenance.meta(LAST_CHECK_KEY) == today.isoformat():
        return None
    result = purge_expired(store, months, today)
    store.maintenance.set_meta(LAST_CHECK_KEY, today.isoformat())
    return result
