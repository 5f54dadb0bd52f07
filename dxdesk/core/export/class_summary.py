"""One pass over a month's class records: the counts behind the class sheets and report page."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from dxdesk.core.classes import AGE_COLUMN, CLASS_AGE_BANDS, RESULT_COLUMN, RESULTS, STAFFING_CODES
from dxdesk.core.contract import AGE_70_PLUS

AGE_70_PLUS_COLUMNS = tuple(AGE_COLUMN[b] for b in CLASS_AGE_BANDS if b in AGE_70_PLUS)


@dataclass
class ClassSummary:
    classes: int = 0
    learners: int = 0
    staff: int = 0
    learners_70_plus: int = 0
    learners_age_known: int = 0
    # site -> counts by column (results_*, learners_*, satisfaction_*, classes, warnings)
    by_site: dict[str, Counter] = field(default_factory=dict)
    # topic -> [classes, learners]; a class teaching two topics counts in both
    topics: Counter = field(default_factory=Counter)
    topic_learners: Counter = field(default_factory=Counter)
    results: Counter = field(default_factory=Counter)
    satisfaction: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    classes_with_warning: int = 0

    @property
    def sites(self) -> set[str]:
        return set(self.by_site)

    def add(self, row: dict) -> None:
        n = {k: int(v) for k, v in row.items() if k not in _TEXT}
        site = self.by_site.setdefault(row["site_id"], Counter())
        self.classes += 1
        self.learners += n["learners"]
        self.staff += n["tutors"] + n["assistants"]
        site["classes"] += 1
        for column in (*AGE_COLUMN.values(), *RESULT_COLUMN.values(),
                       *(f"satisfaction_{i}" for i in range(1, 6))):  # fmt: skip
            site[column] += n[column]
        for r in RESULTS:
            self.results[r] += n[RESULT_COLUMN[r]]
        for i in range(1, 6):
            self.satisfaction[i] += n[f"satisfaction_{i}"]
        self.learners_70_plus += sum(n[c] for c in AGE_70_PLUS_COLUMNS)
        self.learners_age_known += n["learners"] - n["learners_age_unknown"]
        for topic in filter(None, str(row["menu"]).split(";")):
            self.topics[topic] += 1
            self.topic_learners[topic] += n["learners"]
        codes = [c for c in str(row["staffing_warning"]).split(";") if c]
        for code in codes:
            self.warnings[code] += 1
            site[f"warning_{code}"] += 1
        self.classes_with_warning += bool(codes)

    def add_kept(self, row: dict) -> None:
        """Fold what a retention purge kept of one site's month (``Store.queries.
        kept_class_counts``): its total (topic_id '') or one topic's classes and learners."""
        if row["topic_id"]:
            self.topics[row["topic_id"]] += row["classes"]
            self.topic_learners[row["topic_id"]] += row["learners"]
            return
        site = self.by_site.setdefault(row["site_id"], Counter())
        self.classes += row["classes"]
        self.learners += row["learners"]
        self.staff += row["tutors"] + row["assistants"]
        site["classes"] += row["classes"]
        for column in (*AGE_COLUMN.values(), *RESULT_COLUMN.values(), *SATISFACTION_COLUMNS):
            site[column] += row[column]
        for r in RESULTS:
            self.results[r] += row[RESULT_COLUMN[r]]
        for i in range(1, 6):
            self.satisfaction[i] += row[f"satisfaction_{i}"]
        self.learners_70_plus += sum(row[c] for c in AGE_70_PLUS_COLUMNS)
        self.learners_age_known += row["learners"] - row["learners_age_unknown"]
        for code in STAFFING_CODES:
            n = row[f"warning_{code}"]  # None: purged before the kinds were kept
            if n:
                self.warnings[code] += n
                site[f"warning_{code}"] += n
        self.classes_with_warning += row["staffing_warnings"]

    def site_table(self, columns: Iterable[str]) -> tuple[list[str], list[list[int]]]:
        sites = sorted(self.by_site)
        cols = list(columns)
        return sites, [[self.by_site[s][c] for c in cols] for s in sites]

    def topic_table(self, order: Iterable[str]) -> tuple[list[str], list[list[int]]]:
        known = [t for t in order if t in self.topics]
        labels = known + sorted(set(self.topics) - set(known))
        return labels, [[self.topics[t], self.topic_learners[t]] for t in labels]


_TEXT = frozenset({"class_id", "site_id", "date", "start_time", "menu", "staffing_warning"})
AGE_COLUMNS = tuple(AGE_COLUMN[b] for b in CLASS_AGE_BANDS)
RESULT_COLUMNS = tuple(RESULT_COLUMN[r] for r in RESULTS)
SATISFACTION_COLUMNS = tuple(f"satisfaction_{i}" for i in range(1, 6))


def month_classes(store, month: str, site_ids: list[str] | None = None) -> ClassSummary:
    """The month's classes (``YYYY-MM``): its class records, and what a retention purge kept of
    them (a site's records imported after the purge and the kept counts add up)."""
    first = dt.date.fromisoformat(f"{month}-01")
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    summary = summarise_classes(store.queries.class_record_rows(first, last, site_ids))
    for row in store.queries.kept_class_counts(month, site_ids):
        summary.add_kept(row)
    return summary


def summarise_classes(rows: Iterable[dict]) -> ClassSummary:
    summary = ClassSummary()
    for row in rows:
        summary.add(row)
    return summary
