"""Synthetic support sessions for demonstrations and load tests (``dxdesk demo-data``).

Drawn from the shipped catalog so procedure ids, step ids and blockers are real; shaped by the
facts in DOMAIN.md (over 70 % of visitors 70+, weekday office hours). The store is marked demo
and every bundle it exports says so; a demo bundle is refused by a store of real data.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence

from dxdesk.core.catalog import Catalog
from dxdesk.core.export.columns import SESSION_COLUMNS
from dxdesk.core.export.summary import month_bounds
from dxdesk.core.handoff import new_handoff_code

AGE_WEIGHTS = {
    "unknown": 4, "under60": 6, "60-64": 6, "65-69": 12, "70-74": 26, "75-79": 26, "80plus": 20,
}  # fmt: skip
DEVICE_WEIGHTS = {
    "own_android": 38, "own_iphone": 30, "counter_terminal": 18, "own_other": 2, "none": 8,
    "unknown": 4,
}  # fmt: skip
OUTCOME_WEIGHTS = {
    "completed_online": 52, "handed_off": 20, "paper_fallback": 8, "referred": 7,
    "not_completed": 9, "abandoned": 4,
}  # fmt: skip
LANGUAGE_WEIGHTS = {"ja": 80, "ja-easy": 6, "unknown": 5, "zh": 3, "vi": 2, "en": 2, "ko": 1,
                    "tl": 0.5, "ne": 0.3, "pt": 0.2}  # fmt: skip


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_months(months: int, last: str) -> list[str]:
    start, _ = month_bounds(last)
    out = []
    y, m = start.year, start.month
    for _ in range(months):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def demo_rows(
    catalog: Catalog,
    *,
    sessions: int,
    months: Sequence[str],
    sites: Sequence[str],
    seed: int = 0,
) -> Iterator[dict]:
    """Yield sessions.csv rows for ``sessions`` visits spread over months and sites."""
    guides = sorted(catalog.guides.values(), key=lambda g: g.id)
    if not guides:
        raise ValueError("the catalog has no guides to draw demo sessions from")
    blocker_ids = (
        [b.id for b in catalog.taxonomy.blockers if b.id != "other"] if catalog.taxonomy else []
    )
    rng = random.Random(seed)
    days_by_month = {}
    for month in months:
        start, end = month_bounds(month)
        days = [start + dt.timedelta(d) for d in range((end - start).days)]
        days_by_month[month] = [d for d in days if d.weekday() < 5]  # counters open on weekdays
    issued: list[str] = []
    for n in range(sessions):
        month = months[n * len(months) // sessions]  # even spread, months in order
        site = sites[rng.randrange(len(sites))]
        day = rng.choice(days_by_month[month])
        age = _pick(rng, AGE_WEIGHTS)
        device = _pick(rng, DEVICE_WEIGHTS)
        language = _pick(rng, LANGUAGE_WEIGHTS)
        returning = issued and rng.random() < 0.08
        return_code = issued.pop(rng.randrange(len(issued))) if returning else ""
        attempts = 1 if rng.random() < 0.8 else 2
        durations = [max(1, int(rng.lognormvariate(2.6, 0.5))) for _ in range(attempts)]
        session_id = uuid.UUID(int=rng.getrandbits(128), version=4).hex
        outcomes = [_pick(rng, OUTCOME_WEIGHTS) for _ in range(attempts)]
        if "abandoned" in outcomes[:-1]:  # only the last attempt of a visit can be abandoned
            outcomes = [o if o != "abandoned" else "not_completed" for o in outcomes[:-1]] + [
                outcomes[-1]
            ]
        ended = "abandoned" if outcomes[-1] == "abandoned" else "finished"
        hour = rng.choice((9, 9, 10, 10, 10, 11, 11, 13, 13, 14, 14, 15, 16))
        hygiene = ("1" if rng.random() < 0.97 else "0") if device == "counter_terminal" else ""
        for attempt_no, outcome in enumerate(outcomes, start=1):
            guide = rng.choice(guides)
            steps = guide.steps
            reached = len(steps) if outcome == "completed_online" else rng.randint(1, len(steps))
            pool = [b for b in guide.blockers if b in blocker_ids] or blocker_ids
            met = (
                sorted(set(rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2))))))
                if outcome != "completed_online" and pool and rng.random() < 0.85
                else []
            )
            code = new_handoff_code() if outcome == "handed_off" else ""
            if code:
                issued.append(code)
            row = {
                "session_id": session_id,
                "attempt_no": attempt_no,
                "site_id": site,
                "channel": "counter",
                "date": day.isoformat(),
                "hour": hour,
                "procedure_id": guide.id,
                "guide_version": guide.version,
                "outcome": outcome,
                "blockers": ";".join(met),
                "steps_reached": reached,
                "last_step_id": steps[reached - 1].id,
                "duration_min": durations[attempt_no - 1],
                "session_duration_min": sum(durations),
                "age_band": age,
                "device": device,
                "help_language": language,
                "handoff_code": code,
                "return_of_code": return_code,
                "hygiene_confirmed": hygiene,
                "ended": ended,
            }
            assert tuple(row) == SESSION_COLUMNS
            yield row


def fill_demo_store(
    store, catalog: Catalog, *, sessions: int, months: int, sites: int, seed: int, last_month: str
) -> tuple[int, int]:
    """Mark the store demo and add synthetic sessions; returns (inserted, skipped)."""
    site_ids = [f"demo-site-{i + 1:02d}" for i in range(sites)]
    store.set_meta("is_demo", "1")
    return store.import_procedure_attempt_rows(
        demo_rows(
            catalog,
            sessions=sessions,
            months=demo_months(months, last_month),
            sites=site_ids,
            seed=seed,
        )
    )
