"""The month's counts come from one grouped query (``Store.queries.month_counts``) for the
export, the report's previous-month column, the dashboard and the retention purge; they must
equal the sums of the rows, for every site selection."""

from __future__ import annotations

import datetime as dt

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.export.summary import month_bounds, month_summary
from dxdesk.core.paths import forms_dir
from dxdesk.core.store import Store
from tests.core.test_export_summary import summary_of_rows

KPI_FIELDS = ("attempts", "sessions", "session_minutes", "sessions_70_plus",
              "sessions_age_known", "hygiene_checks", "hygiene_confirmed")  # fmt: skip


def test_sql_kpis_equal_the_summary_of_the_rows(data_dir) -> None:
    catalog = load_catalog(forms_dir())
    with Store.open(data_dir) as store:
        for month, seed in (("2026-09", 1), ("2026-10", 2)):
            store.imports.import_procedure_attempt_rows(
                demo_rows(
                    catalog, sessions=400, months=[month], sites=["kita-1", "minami-2"], seed=seed
                )  # fmt: skip
            )
        start, end = month_bounds("2026-10")
        last = end - dt.timedelta(days=1)
        for sites in (None, ["kita-1"], ["nowhere"]):
            from_rows = summary_of_rows(
                list(store.queries.procedure_attempt_rows(start, last, sites))
            )
            from_sql = month_summary(store, "2026-10", sites)
            for name in KPI_FIELDS:
                assert getattr(from_sql, name) == getattr(from_rows, name), (sites, name)
            assert +from_sql.outcomes == +from_rows.outcomes, sites
            assert from_sql.handoff_return_count == from_rows.handoff_return_count, sites
            # The outcome tables from the same grouped query
            assert +from_sql.by_dimension == +from_rows.by_dimension, sites
            assert +from_sql.blockers == +from_rows.blockers, sites
            assert +from_sql.by_site == +from_rows.by_site, sites
            assert +from_sql.handoffs_issued == +from_rows.handoffs_issued, sites
        assert from_rows.attempts == 0  # the unknown site really selected nothing
