"""One pass over a month's class records: the counts behind the class sheets and report page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from dxdesk.core.classes import AGE_COLUMN, CLASS_AGE_BANDS, RESULT_COLUMN, RESULTS
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


def summarise_classes(rows: Iterable[dict]) -> ClassSummary:
    summary = ClassSummary()
    for row in rows:
        summary.add(row)
    return summary
