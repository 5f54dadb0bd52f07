"""Retention purge on a real store: old rows go, monthly counts stay equal, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter

import pytest

from dxdesk.cli import main as cli_main
from dxdesk.core import i18n
from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.export.kpis import month_summary
from dxdesk.core.paths import forms_dir
from dxdesk.core.retention import cutoff, purge_expired
from dxdesk.core.session import SupportSession
from dxdesk.core.store import CLASS_COUNT_COLUMNS, STORE_FILE, PurgeCounts, Store, StoreError
from tests.core.test_store_classes import _record

JST = dt.timezone(dt.timedelta(hours=9))
TODAY = dt.date(2026, 11, 23)
OLD = ["2024-08", "2024-09", "2024-10"]  # purged with 24 months on TODAY
RECENT = ["2024-11", "2026-10"]  # kept
SITES = ["kita-ward-1", "minami-ward-2"]
ROW_TABLES = ("sessions", "procedure_attempts", "attempt_blockers", "session_events",
              "class_records")  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


def _visit(store, catalog, start: dt.datetime, *, finish: bool = True) -> SupportSession:
    moments = iter(start + dt.timedelta(minutes=3 * i) for i in range(200))
    s = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=lambda: next(moments))
    s.add_procedure("convenience-store-certificates")
    s.set_context(device="counter_terminal", age_band="80plus", help_language="ja")
    s.mark_blocker("other", note="読み取り機が故障")
    if finish:
        s.set_outcome("paper_fallback")
        s.confirm_hygiene(logged_out=True, browser_closed=True, card_returned=True)
        s.finish()
    return s


def _fill(store, catalog) -> None:
    for month in [*OLD, *RECENT]:
        store.imports.import_procedure_attempt_rows(
            demo_rows(
                catalog, sessions=120, months=[month], sites=SITES, seed=int(month.replace("-", ""))
            )
        )
        for day in (3, 17):
            store.classes.save_class_record(
                _record(date=f"{month}-{day:02d}", menu="basics-power;line")
            )
    _visit(store, catalog, dt.datetime(2024, 9, 30, 16, 0, tzinfo=JST))
    _visit(
        store, catalog, dt.datetime(2024, 10, 2, 10, 0, tzinfo=JST), finish=False
    )  # never closed
    _visit(store, catalog, dt.datetime(2026, 11, 2, 10, 0, tzinfo=JST))


def _dump(path) -> dict[str, list]:
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    dump = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}"))) for t in tables}
    db.close()
    return dump


def _rows(store, first: str, last: str) -> list[dict]:
    start = dt.date.fromisoformat(f"{first}-01")
    end = dt.date.fromisoformat(f"{last}-28") + dt.timedelta(days=4)
    return list(
        store.queries.procedure_attempt_rows(start, end.replace(day=1) - dt.timedelta(days=1))
    )


def test_cutoff_keeps_whole_months():
    assert cutoff(TODAY, 24) == dt.date(2024, 11, 1)
    assert cutoff(dt.date(2026, 1, 1), 1) == dt.date(2025, 12, 1)
    assert cutoff(dt.date(2026, 3, 31), 14) == dt.date(2025, 1, 1)
    with pytest.raises(ValueError):
        cutoff(TODAY, 0)


def test_old_rows_vanish_recent_ones_stay_and_the_aggregates_equal_the_counts(data_dir, catalog):
    with Store.open(data_dir) as store:
        _fill(store, catalog)
        old_summary = {m: month_summary(store, m) for m in OLD}
        old_classes = list(
            store.queries.class_record_rows(dt.date(2000, 1, 1), dt.date(2024, 10, 31))
        )
        recent_rows = _rows(store, RECENT[0], "2026-11")
        recent_classes = list(store.queries.class_record_rows(dt.date(2024, 11, 1), TODAY))
        expected = store.retention.purge_counts(dt.date(2024, 11, 1))

        result = purge_expired(store, 24, TODAY)

        assert (result.before_month, result.dry_run) == ("2024-11", False)
        assert (result.sessions, result.attempts, result.classes) == (
            expected.sessions, expected.attempts, expected.classes)  # fmt: skip
        assert result.sessions == 3 * 120 + 2 and result.classes == 6
        # Old rows are gone from every row-level table; recent ones are untouched.
        assert _rows(store, "2000-01", "2024-10") == []
        assert (
            list(store.queries.class_record_rows(dt.date(2000, 1, 1), dt.date(2024, 10, 31))) == []
        )
        assert store.retention.purge_counts(dt.date(2024, 11, 1)) == PurgeCounts(0, 0, 0, 0, 0)
        assert _rows(store, RECENT[0], "2026-11") == recent_rows
        assert list(store.queries.class_record_rows(dt.date(2024, 11, 1), TODAY)) == recent_classes
        assert store.sessions.interrupted_sessions() == []  # the old open visit went too
        assert store.maintenance.check().ok

        aggregates = store.retention.monthly_aggregate_rows("2000-01", "2099-12")
        class_aggregates = store.retention.monthly_class_aggregate_rows("2000-01", "2099-12")
    assert {a["month"] for a in aggregates} == set(OLD)
    for month, summary in old_summary.items():
        rows = [a for a in aggregates if a["month"] == month]
        closed = [a for a in rows if a["outcome"]]  # the export counts closed visits only
        totals = [a for a in closed if a["dimension"] == ""]
        assert sum(a["attempts"] for a in totals) == summary.attempts
        assert sum(a["sessions"] for a in totals) == summary.sessions
        assert sum(a["session_minutes"] for a in totals) == summary.session_minutes
        assert Counter({o: n for o, n in summary.outcomes.items() if n}) == Counter(
            {a["outcome"]: 0 for a in totals}) + _count(totals, "outcome")  # fmt: skip
        for dim in ("procedure_id",):
            got = _count(totals, dim, key=lambda a: (a["procedure_id"], a["outcome"]))
            want = Counter({(v, o): n for (d, v, o), n in summary.by_dimension.items()
                            if d == dim and n})  # fmt: skip
            assert got == want
        for dim in ("age_band", "device", "help_language"):
            got = _count([a for a in closed if a["dimension"] == dim], dim,
                         key=lambda a: (a["value"], a["outcome"]))  # fmt: skip
            want = Counter({(v, o): n for (d, v, o), n in summary.by_dimension.items()
                            if d == dim and n})  # fmt: skip
            assert got == want, dim
        got = _count([a for a in closed if a["dimension"] == "blocker"], "blocker",
                     key=lambda a: (a["value"], a["outcome"]))  # fmt: skip
        assert got == Counter({k: n for k, n in summary.blockers.items() if n})
        assert sum(a["handoffs_issued"] for a in totals) == sum(summary.handoffs_issued.values())
        assert sum(a["handoff_returns"] for a in totals) == sum(summary.handoff_returns.values())
        assert sum(a["hygiene_checks"] for a in totals) == summary.hygiene_checks
        assert sum(a["hygiene_confirmed"] for a in totals) == summary.hygiene_confirmed
        # Every dimension adds up to the total.
        for dim in ("age_band", "device", "help_language", "hour", "ended", "duration_min"):
            part = [a for a in rows if a["dimension"] == dim]
            for measure in ("sessions", "attempts", "session_minutes", "attempt_minutes"):
                assert sum(a[measure] for a in part) == sum(
                    a[measure] for a in rows if a["dimension"] == ""), (dim, measure)  # fmt: skip
    # The never-closed visit of 2024-10 is counted, with an empty outcome.
    never_closed = [a for a in aggregates if a["month"] == "2024-10" and a["outcome"] == ""
                    and a["dimension"] == ""]  # fmt: skip
    assert sum(a["sessions"] for a in never_closed) == 1
    # Classes: the month totals equal the sums of the purged records, per topic too.
    for month in OLD:
        records = [r for r in old_classes if r["date"].startswith(month)]
        total = next(a for a in class_aggregates if a["month"] == month and a["topic_id"] == "")
        assert total["classes"] == len(records) == 2
        for column in CLASS_COUNT_COLUMNS:
            assert total[column] == sum(r[column] for r in records), column
        topics = {a["topic_id"]: a["classes"] for a in class_aggregates if a["month"] == month}
        assert topics == {"": 2, "basics-power": 2, "line": 2}


def _count(rows, _name, key=lambda a: a["outcome"]) -> Counter:
    counts: Counter = Counter()
    for a in rows:
        counts[key(a)] += a["attempts"]
    return +counts


def test_a_failure_inside_the_purge_leaves_everything_as_it_was(data_dir, catalog):
    with Store.open(data_dir) as store:
        _fill(store, catalog)
        # The very last statement of the purge fails (a real SQLite error, as a full disk would).
        store.database.connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON purge_log BEGIN SELECT RAISE(ABORT, 'x'); END"
        )
        before = _dump(data_dir / STORE_FILE)
        with pytest.raises(StoreError):
            purge_expired(store, 24, TODAY)
        assert _dump(data_dir / STORE_FILE) == before
        assert store.retention.monthly_aggregate_rows("2000-01", "2099-12") == []
        store.database.connection.execute("DROP TRIGGER refuse")
        assert purge_expired(store, 24, TODAY).sessions == 3 * 120 + 2  # it works once it can


def test_a_dry_run_counts_and_changes_nothing(data_dir, catalog):
    with Store.open(data_dir) as store:
        _fill(store, catalog)
        before = _dump(data_dir / STORE_FILE)
        result = purge_expired(store, 24, TODAY, dry_run=True)
        assert result.dry_run and result.sessions == 3 * 120 + 2 and result.classes == 6
        assert _dump(data_dir / STORE_FILE) == before


def test_the_purge_log_holds_counts_only_and_a_second_purge_adds_nothing(data_dir, catalog):
    with Store.open(data_dir) as store:
        _fill(store, catalog)
        first = purge_expired(store, 24, TODAY)
        aggregates = store.retention.monthly_aggregate_rows("2000-01", "2099-12")
        second = purge_expired(store, 24, TODAY)
        assert second.nothing_to_do and not first.nothing_to_do
        assert store.retention.monthly_aggregate_rows("2000-01", "2099-12") == aggregates
        log = store.retention.purge_log()
        columns = [r[1] for r in store.database.connection.execute("PRAGMA table_info(purge_log)")]
    assert columns == ["purged_at", "before_month", "sessions_purged", "attempts_purged",
                       "classes_purged"]  # fmt: skip
    assert [(e["before_month"], e["sessions_purged"], e["classes_purged"]) for e in log] == [
        ("2024-11", first.sessions, first.classes), ("2024-11", 0, 0)]  # fmt: skip
    assert all(dt.datetime.fromisoformat(e["purged_at"]) for e in log)
    # The aggregates hold no id, code or note of any visit.
    text = repr(aggregates)
    with Store.open(data_dir) as store:
        assert "読み取り機" not in text and "imported" not in text
        for table in ("monthly_aggregates", "monthly_class_aggregates", "purge_log"):
            names = {r[1] for r in store.database.connection.execute(f"PRAGMA table_info({table})")}
            assert not names & {"session_id", "class_id", "note", "handoff_code",
                                "return_of_code", "step_id"}, table  # fmt: skip


def _kept_sessions(store, month: str) -> int:
    return sum(a["sessions"] for a in store.retention.monthly_aggregate_rows(month, month)
               if a["dimension"] == "")  # fmt: skip


def test_a_purged_month_is_never_counted_twice_but_a_late_site_is_added(data_dir, catalog):
    again = list(demo_rows(catalog, sessions=120, months=["2024-09"], sites=SITES, seed=202409))
    late = list(demo_rows(catalog, sessions=30, months=["2024-09"], sites=["nishi-ward-3"],
                          seed=99))  # fmt: skip
    with Store.open(data_dir) as store:
        _fill(store, catalog)  # the same rows as ``again``: imported before the purge
        purge_expired(store, 24, TODAY)
        sessions = _kept_sessions(store, "2024-09")
        classes = store.retention.monthly_class_aggregate_rows("2024-09", "2024-09")
        # The same bundle imported once more after the purge: its sites' month is already
        # in the kept counts, so nothing of it is stored (and no later purge adds it again).
        assert store.imports.import_procedure_attempt_rows(again) == (0, len(again))
        assert store.imports.import_class_record_rows(
            [_record(date="2024-09-03", menu="basics-power;line")]
        ) == (0, 1)
        assert purge_expired(store, 24, TODAY).nothing_to_do
        assert _kept_sessions(store, "2024-09") == sessions
        assert store.retention.monthly_class_aggregate_rows("2024-09", "2024-09") == classes
        # A site whose month never arrived before the purge is added to the kept counts.
        assert store.imports.import_procedure_attempt_rows(late)[0] == len(late)
        assert purge_expired(store, 24, TODAY).sessions == 30
        assert _kept_sessions(store, "2024-09") == sessions + 30


def test_cli_purge_and_dry_run(data_dir, catalog, capsys, monkeypatch):
    monkeypatch.setattr(i18n, "_current_ui_language", "ja")  # --lang en must not leak
    with Store.open(data_dir) as store:  # dated long ago: purged whatever today is
        store.imports.import_procedure_attempt_rows(
            demo_rows(catalog, sessions=10, months=["2001-05"], sites=SITES, seed=1)
        )
        store.classes.save_class_record(_record(date="2001-05-10"))
    assert cli_main(["--lang", "en", "retention", "purge", "--months", "24", "--dry-run"]) == 0
    assert "10 visits" in capsys.readouterr().out
    with Store.open(data_dir) as store:
        assert store.retention.purge_counts(dt.date(2001, 6, 1)).sessions == 10
    assert cli_main(["--lang", "en", "retention", "purge"]) == 0  # settings' 24 months
    out = capsys.readouterr().out
    assert "10 visits" in out and "1 classes" in out and "purged" in out
    with Store.open(data_dir) as store:
        assert store.retention.purge_counts(dt.date(2001, 6, 1)) == PurgeCounts(0, 0, 0, 0, 0)
        assert len(store.retention.purge_log()) == 1
    assert cli_main(["--lang", "en", "retention", "purge", "--months", "500"]) == 2
    assert "1 to 120" in capsys.readouterr().err


def test_the_app_purges_at_most_once_a_day(data_dir, catalog):
    from dxdesk.core.retention import purge_if_due

    with Store.open(data_dir) as store:
        _fill(store, catalog)
        first = purge_if_due(store, 24, TODAY)
        assert first is not None and first.sessions > 0
        assert purge_if_due(store, 24, TODAY) is None  # already done today
        store.imports.import_procedure_attempt_rows(  # a site whose old month arrives late
            demo_rows(catalog, sessions=5, months=[OLD[0]], sites=["nishi-ward-3"], seed=7)
        )
        again = purge_if_due(store, 24, TODAY + dt.timedelta(days=1))  # the next day runs again
        assert again is not None and again.sessions == 5
        assert len(store.retention.purge_log()) == 2
