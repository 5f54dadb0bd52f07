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


# Illustrative shape, not measured: how busy a counter is by calendar month (tax season in
# February and March, moving season in March and April, quiet in August and December) ...
MONTH_WEIGHTS = {1: 0.9, 2: 1.15, 3: 1.35, 4: 1.2, 5: 0.95, 6: 0.9, 7: 0.95, 8: 0.8, 9: 0.9,
                 10: 1.0, 11: 1.0, 12: 0.85}  # fmt: skip
# ... and which procedures bring people in: the card, マイナ保険証 and マイナポータル most; a guide
# not listed here weighs 1.
PROCEDURE_WEIGHTS = {
    "health-insurance-registration": 6, "mynaportal-registration": 5, "pin-reset": 5,
    "mynumber-card-smartphone-application": 4, "public-benefit-account": 3,
    "certificate-renewal": 3, "convenience-store-certificates": 3,
    "sign-password-convenience-reset": 2, "smartphone-certificate-android": 2,
    "smartphone-certificate-iphone": 2, "moving-onestop": 1.5, "etax-smartphone": 1,
}  # fmt: skip
# Months in which a procedure is in season, and by how much.
PROCEDURE_SEASONS = {"etax-smartphone": ({2, 3}, 6.0), "moving-onestop": ({3, 4}, 3.0)}


def month_allocation(sessions: int, months: Sequence[str]) -> list[int]:
    """How many of ``sessions`` fall in each month: proportional to MONTH_WEIGHTS, rounded so
    that they add up exactly (largest remainder), the same for the same arguments."""
    weights = [MONTH_WEIGHTS[int(m[5:7])] for m in months]
    total = sum(weights)
    exact = [sessions * w / total for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(months)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: sessions - sum(counts)]:
        counts[i] += 1
    return counts


def _procedure_weights(guides: Sequence, month: str) -> list[float]:
    number = int(month[5:7])
    out = []
    for g in guides:
        weight = PROCEDURE_WEIGHTS.get(g.id, 1.0)
        in_season, factor = PROCEDURE_SEASONS.get(g.id, (set(), 1.0))
        out.append(weight * (factor if number in in_season else 1.0))
    return out


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
    month_of = [m for m, k in zip(months, month_allocation(sessions, months), strict=True)
                for _ in range(k)]  # months in order  # fmt: skip
    mix = {m: _procedure_weights(guides, m) for m in months}
    for n in range(sessions):
        month = month_of[n]
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
            guide = rng.choices(guides, weights=mix[month])[0]
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
    store,
    catalog: Catalog,
    *,
    sessions: int,
    months: int,
    sites: int,
    seed: int,
    last_month: str,
    classes_per_site_month: int = 4,
) -> tuple[int, int]:
    """Mark the store demo and add synthetic sessions and classes at the same sites; returns
    (attempt rows inserted, skipped). Class rows are counted by ``fill_demo_classes``."""
    site_ids = [f"demo-site-{i + 1:02d}" for i in range(sites)]
    store.maintenance.set_meta("is_demo", "1")
    month_list = demo_months(months, last_month)
    result = store.imports.import_procedure_attempt_rows(
        demo_rows(catalog, sessions=sessions, months=month_list, sites=site_ids, seed=seed)
    )
    if classes_per_site_month > 0:
        store.imports.import_class_record_rows(
            demo_class_rows(per_site_month=classes_per_site_month, months=month_list,
                            sites=site_ids, seed=seed)
        )  # fmt: skip
    return result


# Menu shares of 全国展開型 classes (財務省 FY2023): applied My Number topics lead.
TOPIC_WEIGHTS = {
    "myna-insurance-benefit-account": 21, "mynumber-card-application": 15, "mynaportal": 10,
    "power-buttons": 9, "phone-camera": 8, "internet": 8, "maps": 7, "line-sns": 10,
    "etax": 3, "online-medical": 2, "smartphone-certificate": 4, "disaster-app": 3,
}  # fmt: skip
CLASS_AGE_WEIGHTS = {
    "under60": 3, "60-64": 6, "65-69": 14, "70-74": 28, "75-79": 27, "80plus": 17, "unknown": 5,
}  # fmt: skip


def demo_class_rows(
    *, per_site_month: int, months: Sequence[str], sites: Sequence[str], seed: int = 0
) -> Iterator[dict]:
    """classes.csv rows: a few classes per venue and month, validated like a volunteer's."""
    from dxdesk.core.classes import RESULTS, ClassRecord, shipped_class_menu

    menu = shipped_class_menu()
    rng = random.Random(seed + 7919)
    for month in months:
        start, end = month_bounds(month)
        days = [start + dt.timedelta(d) for d in range((end - start).days)]
        days = [d for d in days if d.weekday() < 5]
        for site in sites:
            for _ in range(per_site_month):
                # 地域連携型 classes average 6 learners; some are small drop-in sessions.
                learners = max(1, min(12, round(rng.gauss(6.0, 2.5))))
                topics = {_pick(rng, TOPIC_WEIGHTS) for _ in range(rng.choice((1, 1, 2)))}
                tutors = rng.choice((1, 1, 1, 2))
                record = ClassRecord(
                    site_id=site, date=rng.choice(days),
                    start_time=rng.choice(("10:00", "10:00", "13:30", "14:00")),
                    duration_min=rng.choice((60, 90, 90, 120)), menu=tuple(sorted(topics)),
                    tutors=tutors, trained_tutors=tutors if rng.random() < 0.93 else 0,
                    assistants=rng.choice((0, 1, 1, 2)), learners=learners,
                    class_id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                )  # fmt: skip
                for _ in range(learners):
                    record.ages[_pick(rng, CLASS_AGE_WEIGHTS)] += 1
                    result = rng.choices(RESULTS, weights=(66, 24, 10))[0]
                    record.results[result] += 1
                if rng.random() < 0.6:  # satisfaction asked in most classes
                    asked = rng.randint(max(1, learners - 2), learners)
                    levels = rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 10, 35, 52), k=asked)
                    record.satisfaction = tuple(levels.count(i) for i in range(1, 6))  # type: ignore[assignment]
                row = record.checked(menu).to_row()
                yield {k: v for k, v in row.items() if k not in ("note", "origin", "recorded_at")}
