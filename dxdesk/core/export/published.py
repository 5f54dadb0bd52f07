"""The published tables of a month, from one suppression pattern for every file that shows them.

A publication is one set of tables: the outcome sheets (procedure, age band, device, language,
channel, duration band and site, each by outcome, sharing their outcome totals), blockers,
hand-offs and the class sheets (by site, with the city's totals). summary.xlsx, report.pdf and
the CSV tables all take their numbers, and what to hide, from one ``Publication``; a KPI of the
report is either an entry of a table (shown or hidden as it is there) or a rate of entries
that are all shown, so the report never prints what the workbook hides.

The pattern: primary suppression of every count 1..k-1, then ``disclosure.protect`` hides more
until the solver finds no hidden entry that all the published numbers together narrow. The
site sheet is the hierarchy: city = sum of sites, in the same pattern as the city's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dxdesk.core.export import disclosure
from dxdesk.core.export.class_summary import (
    AGE_COLUMNS,
    RESULT_COLUMNS,
    SATISFACTION_COLUMNS,
    ClassSummary,
)
from dxdesk.core.export.columns import AGE_70_PLUS, OUTCOMES
from dxdesk.core.export.summary import MonthSummary
from dxdesk.core.export.suppression import SECONDARY_MARK, SuppressedTable, suppress

# (sheet key, dimension) of the outcome sheets, in sheet order.
OUTCOME_SHEETS: tuple[tuple[str, str], ...] = (
    ("procedure", "procedure_id"),
    ("age_band", "age_band"),
    ("device", "device"),
    ("help_language", "help_language"),
    ("channel", "channel"),
    ("duration_band", "duration_band"),
    ("site", "site_id"),
)
SHEET_ORDER: tuple[str, ...] = (
    "procedure", "blockers", "age_band", "device", "help_language", "channel", "duration_band",
    "handoff", "site", "class_menu", "class_results", "class_age", "class_satisfaction",
    "class_staffing",
)  # fmt: skip
STAFFING_COLUMNS = ("classes", "warning_ratio", "warning_no_trained_tutor")
NONE = "—"


@dataclass
class Publication:
    """Every table of one publication with its rows' ids, and the report's KPI columns."""

    k: int
    tables: dict[str, SuppressedTable] = field(default_factory=dict)
    rows: dict[str, list[str]] = field(default_factory=dict)
    relations: list[disclosure.Relation] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)
    class_kpis: list[tuple[str, str]] = field(default_factory=list)
    classes: int = 0  # classes held (a page of the report says "no classes" at 0)
    previous: Publication | None = None  # the previous month's, for the KPI column

    def table(self, key: str) -> tuple[list[str], SuppressedTable]:
        return self.rows[key], self.tables[key]

    def sheets(
        self, lang: str = "ja"
    ) -> list[tuple[str, str, list[str], list[str], SuppressedTable]]:
        """(sheet key, row dimension label, row labels, column labels, table) in sheet order."""
        from dxdesk.core.classes import CLASS_AGE_BANDS, RESULTS, shipped_class_menu
        from dxdesk.core.export.labels import dimension_label, outcome_label, value_label
        from dxdesk.core.i18n import tr

        outcomes = [outcome_label(o, lang) for o in OUTCOMES]
        dims = dict(OUTCOME_SHEETS)
        site_label = dimension_label("site_id", lang)
        names = {t.id: t.title(lang) for t in shipped_class_menu().topics}
        out = []
        for key in SHEET_ORDER:
            ids, table = self.table(key)
            if key in dims:
                dim = dims[key]
                labels = ids if dim == "site_id" else [value_label(dim, v, lang) for v in ids]
                out.append((key, dimension_label(dim, lang), labels, outcomes, table))
            elif key == "blockers":
                out.append((key, dimension_label("blocker", lang),
                            [value_label("blocker", b, lang) for b in ids], outcomes, table))  # fmt: skip
            elif key == "handoff":
                out.append((key, dimension_label("procedure_id", lang),
                            [value_label("procedure_id", p, lang) for p in ids],
                            [tr("export.handoff.issued", lang=lang),
                             tr("export.handoff.returned", lang=lang)], table))  # fmt: skip
            elif key == "class_menu":
                out.append((key, dimension_label("class_topic", lang),
                            [names.get(t, t) for t in ids],
                            [tr("export.class.classes", lang=lang),
                             tr("export.class.learners", lang=lang)], table))  # fmt: skip
            else:
                columns = {
                    "class_results": [tr(f"classes.result.{r}", lang=lang) for r in RESULTS],
                    "class_age": [tr(f"classes.age.{b}", lang=lang) for b in CLASS_AGE_BANDS],
                    "class_satisfaction": [
                        tr("classes.entry.satisfaction_level", lang=lang, level=i)
                        for i in range(1, 6)
                    ],
                    "class_staffing": [
                        tr("export.class.classes", lang=lang),
                        tr("classes.staffing.short.ratio", lang=lang),
                        tr("classes.staffing.short.no_trained_tutor", lang=lang),
                    ],
                }[key]
                out.append((key, site_label, ids, columns, table))
        return out


def outcome_tables(
    summary: MonthSummary, k: int, solver: bool = True
) -> dict[str, tuple[list[str], SuppressedTable]]:
    """Every published dimension by outcome (with the site sheet under ``site_id``), as the
    whole publication's pattern hides them."""
    pub = build_publication(summary, ClassSummary(), k=k, solver=solver)
    return {dim: pub.table(key) for key, dim in OUTCOME_SHEETS}


def blocker_table(
    summary: MonthSummary, k: int, solver: bool = True
) -> tuple[list[str], SuppressedTable]:
    """Blockers by outcome, with row totals only (one attempt can meet several blockers)."""
    return build_publication(summary, ClassSummary(), k=k, solver=solver).table("blockers")


def _tables(summary: MonthSummary, classes: ClassSummary, k: int) -> Publication:
    from dxdesk.core.classes import shipped_class_menu

    pub = Publication(k)
    n_out = len(OUTCOMES)

    def add(key: str, ids: list[str], counts, **kw) -> None:
        pub.rows[key] = list(ids)
        pub.tables[key] = suppress(counts, k, **kw)

    for key, dim in OUTCOME_SHEETS:
        if dim == "site_id":
            ids, counts = summary.site_table()
        else:
            ids, counts = summary.outcome_table(dim)
        add(key, ids, counts, width=n_out)
    add("blockers", *summary.blocker_table(), col_totals=False, width=n_out)
    add("handoff", *summary.handoff_table(), row_totals=False, width=2)
    add("class_menu", *classes.topic_table(shipped_class_menu().ids), row_totals=False,
        col_totals=False, width=2)  # fmt: skip
    for key, columns in (("class_results", RESULT_COLUMNS), ("class_age", AGE_COLUMNS),
                         ("class_satisfaction", SATISFACTION_COLUMNS)):  # fmt: skip
        add(key, *classes.site_table(columns), width=len(columns))
    add("class_staffing", *classes.site_table(STAFFING_COLUMNS), row_totals=False,
        width=len(STAFFING_COLUMNS))  # fmt: skip
    return pub


def _links(pub: Publication) -> list[disclosure.Relation]:
    """What a reader knows ties the tables together, besides each table's own lines."""
    from dxdesk.core.export.disclosure import at_most, equal, sum_at_least

    t = pub.tables
    rels: list[disclosure.Relation] = []
    n_out = len(OUTCOMES)
    first = "procedure"
    P = t[first].n_rows
    # Every attempt has one value of each dimension: the outcome sheets share their totals.
    for key, _dim in OUTCOME_SHEETS[1:]:
        for j in range(n_out + 1):
            rels.append(equal((first, P, j), [(key, t[key].n_rows, j)]))
    # Attempts that met a blocker are at most the attempts of that outcome, and of all.
    for b in range(t["blockers"].n_rows):
        for j in range(n_out):
            rels.append(at_most(("blockers", b, j), (first, P, j)))
        rels.append(at_most(("blockers", b, n_out), (first, P, n_out)))
    # Hand-offs issued or brought back for a procedure are at most its attempts.
    proc_row = {p: i for i, p in enumerate(pub.rows[first])}
    for i, p in enumerate(pub.rows["handoff"]):
        if p not in proc_row:  # a KPI-only summary keeps the returns' total, not per procedure
            continue
        for j in range(2):
            rels.append(at_most(("handoff", i, j), (first, proc_row[p], n_out)))
    H = t["handoff"].n_rows
    for j in range(2):
        rels.append(at_most(("handoff", H, j), (first, P, n_out)))
    # Classes: each site's learners by result and by age band are the same learners; those who
    # rated the class are some of them; warnings are some of the classes.
    R, A, S = t["class_results"], t["class_age"], t["class_satisfaction"]
    for s in range(R.n_rows):
        rels.append(equal(("class_results", s, R.n_cols), [("class_age", s, A.n_cols)]))
        rels.append(at_most(("class_satisfaction", s, S.n_cols), ("class_results", s, R.n_cols)))
        for j in (1, 2):
            rels.append(at_most(("class_staffing", s, j), ("class_staffing", s, 0)))
    rels.append(equal(("class_results", R.n_rows, R.n_cols), [("class_age", A.n_rows, A.n_cols)]))
    rels.append(
        at_most(("class_satisfaction", S.n_rows, S.n_cols), ("class_results", R.n_rows, R.n_cols))
    )
    # Each topic's classes and learners are some of all; every class teaches a topic.
    M, C = t["class_menu"], t["class_staffing"]
    for i in range(M.n_rows):
        rels.append(at_most(("class_menu", i, 0), ("class_staffing", C.n_rows, 0)))
        rels.append(at_most(("class_menu", i, 1), ("class_results", R.n_rows, R.n_cols)))
    if M.n_rows:
        rels.append(sum_at_least([("class_menu", i, 0) for i in range(M.n_rows)],
                                 ("class_staffing", C.n_rows, 0)))  # fmt: skip
        rels.append(sum_at_least([("class_menu", i, 1) for i in range(M.n_rows)],
                                 ("class_results", R.n_rows, R.n_cols)))  # fmt: skip
    return rels


def _pattern(summary: MonthSummary, classes: ClassSummary, k: int, solver: bool) -> Publication:
    pub = _tables(summary, classes, k)
    if solver:
        pub.relations = disclosure.protect(pub.tables, _links(pub), k)
    else:  # the internal bundle's working copy: lines and shared totals only
        pub.relations = disclosure.line_relations(pub.tables) + _links(pub)
        disclosure.propagate(pub.tables, pub.relations)
    return pub


class _Shown:
    """Counts and rates as published: below k a count is "<k" and a rate is not given."""

    def __init__(self, k: int) -> None:
        self.k = k

    def count(self, n: int) -> str:
        return f"<{self.k}" if 0 < n < self.k else f"{n:,}"

    def rate(self, part: int, base: int) -> str:
        if base == 0:
            return NONE
        if base < self.k or 0 < part < self.k:
            return f"<{self.k}" if 0 < part < self.k else NONE
        return f"{100 * part / base:.1f}%"

    def mean(self, total: int, base: int) -> str:
        return NONE if base < max(self.k, 1) else f"{total / base:.1f}"


def _entry(table: SuppressedTable, r: int, c: int) -> str:
    shown = table.shown(r, c)
    return shown if isinstance(shown, str) else f"{shown:,}"


def _rate_of_entries(table: SuppressedTable, parts: list[tuple[int, int]], base: tuple[int, int],
                     minus: list[tuple[int, int]] = ()) -> str:  # fmt: skip
    """sum(parts) / (base - sum(minus)) when every entry involved is shown; else "—"."""
    if any(table.is_hidden(*e) for e in [*parts, base, *minus]):
        return NONE
    denominator = table.value(*base) - sum(table.value(*e) for e in minus)
    if denominator <= 0:
        return NONE
    return f"{100 * sum(table.value(*e) for e in parts) / denominator:.1f}%"


def _kpis(pub: Publication, s: MonthSummary, c: ClassSummary) -> None:
    """The report's KPI columns: entries of the tables, or rates of shown entries only."""
    shown = _Shown(pub.k)
    P = pub.tables["procedure"]
    G = (P.n_rows, P.n_cols)
    ages = pub.tables["age_band"]
    device_ids, devices = pub.table("device")
    handoff = pub.tables["handoff"]

    def outcome_rate(outcome: str) -> str:
        return _rate_of_entries(P, [(P.n_rows, OUTCOMES.index(outcome))], G)

    # Visits are not a table entry: shown only beside a shown attempts total (visits <= it).
    sessions = P.mark(*G) or shown.count(s.sessions)
    age_rows_shown = not any(ages.is_hidden(i, ages.n_cols) for i in range(ages.n_rows))
    # Shared-terminal visits are at most the attempts on the counter's terminal.
    terminal = [i for i, d in enumerate(device_ids) if d == "counter_terminal"]
    terminal_shown = not any(devices.is_hidden(i, devices.n_cols) for i in terminal)
    pub.kpis = [
        ("sessions", sessions),
        ("attempts", _entry(P, *G)),
        ("completion_rate", outcome_rate("completed_online")),
        ("handoff_rate", outcome_rate("handed_off")),
        ("paper_rate", outcome_rate("paper_fallback")),
        # Visits of 70+ are bounded by the age sheet's rows: only when all of them are shown.
        ("share_70_plus",
         shown.rate(s.sessions_70_plus, s.sessions_age_known) if age_rows_shown else NONE),
        ("mean_minutes",
         shown.mean(s.session_minutes, s.sessions) if not P.is_hidden(*G) else NONE),
        ("returns", _entry(handoff, handoff.n_rows, 1)),
        ("hygiene",
         shown.rate(s.hygiene_confirmed, s.hygiene_checks) if terminal_shown else NONE),
    ]  # fmt: skip
    R, A, S = (pub.tables[k] for k in ("class_results", "class_age", "class_satisfaction"))
    staffing = pub.tables["class_staffing"]
    classes_total = (staffing.n_rows, 0)
    learners = (R.n_rows, R.n_cols)
    from dxdesk.core.classes import CLASS_AGE_BANDS

    age_col = {b: j for j, b in enumerate(CLASS_AGE_BANDS)}
    seventy = [(A.n_rows, j) for j, col in enumerate(AGE_COLUMNS)
               if any(col.endswith(b.replace("-", "_")) for b in AGE_70_PLUS)]  # fmt: skip
    unknown = [(A.n_rows, age_col["unknown"])] if "unknown" in age_col else []
    mean_learners = NONE
    if not R.is_hidden(*learners) and not staffing.is_hidden(*classes_total) and c.classes:
        mean_learners = f"{c.learners / c.classes:.1f}"
    warnings_shown = not any(staffing.is_hidden(staffing.n_rows, j) for j in (1, 2))
    pub.class_kpis = [
        ("classes", _entry(staffing, *classes_total)),
        ("learners", _entry(R, *learners)),
        ("mean_learners", mean_learners),
        ("reached_rate", _rate_of_entries(R, [(R.n_rows, 0)], learners)),
        ("share_70_plus", _rate_of_entries(A, seventy, (A.n_rows, A.n_cols), unknown)),
        ("satisfied_rate", _rate_of_entries(S, [(S.n_rows, 3), (S.n_rows, 4)],
                                            (S.n_rows, S.n_cols))),
        # Classes with a warning lie between the larger warning total and their sum.
        ("staffing_warnings",
         f"{c.classes_with_warning:,}" if warnings_shown else SECONDARY_MARK),
    ]  # fmt: skip
    pub.classes = c.classes


def build_publication(
    summary: MonthSummary,
    classes: ClassSummary,
    previous: MonthSummary | None = None,
    previous_classes: ClassSummary | None = None,
    *,
    k: int,
    sites: list[str] | None = None,
    solver: bool = True,
) -> Publication:
    """The month's publication; with the previous month's summaries, its KPI column shows
    what that month's own publication showed (the same pattern, built the same way).

    ``solver=False`` (the internal bundle's working copy, which travels with the rows) skips
    the solver's audit: lines, small lines and shared totals only."""
    pub = _pattern(summary, classes, k, solver)
    _kpis(pub, summary, classes)
    if previous is not None:
        prev_classes = previous_classes or ClassSummary()
        prev = _pattern(previous, prev_classes, k, solver)
        _kpis(prev, previous, prev_classes)
        pub.previous = prev
    _ = sites  # the sites are the rows of the site sheets
    return pub
