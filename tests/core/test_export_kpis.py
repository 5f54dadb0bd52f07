"""The internal bundle's previous-month column comes from SQL aggregates; they must equal the
row sums. (A publication counts the previous month's rows themselves, so that its column is
built from exactly what that month's own publication was: tests/core/test_export_bundle.py.)"""

from __future__ import annotations

import datetime as dt

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.columns import DURATION_BAND_BOUNDS
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.export.summary import kpi_summary, month_bounds, summarise
from dxdesk.core.paths import forms_dir
from dxdesk.core.store import Store

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
            from_rows = summarise(store.queries.procedure_attempt_batches(start, last, sites))
            from_sql = kpi_summary(store.queries.kpi_counts(start, last, sites))
            for name in KPI_FIELDS:
                assert getattr(from_sql, name) == getattr(from_rows, name), (sites, name)
            assert +from_sql.outcomes == +from_rows.outcomes, sites
            assert from_sql.handoff_return_count == from_rows.handoff_return_count, sites
            # The outcome tables from one grouped query, as the previous-month column uses them
            from_sql.add_dimension_counts(
                store.queries.dimension_outcome_counts(start, last, sites, DURATION_BAND_BOUNDS)
            )
            assert +from_sql.by_dimension == +from_rows.by_dimension, sites
        assert from_rows.attempts == 0  # the unknown site really selected nothing
