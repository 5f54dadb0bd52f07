"""The month's counts from the store's one grouped query must equal a plain count of the rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.columns import AGE_70_PLUS, duration_band
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.export.summary import MonthSummary, month_bounds, month_summary
from dxdesk.core.paths import forms_dir
from dxdesk.core.store import STREAM_BATCH, Store

MONTH = "2026-10"


def _reference(rows: list[dict]) -> dict:
    """The counts written out one row at a time, as a reader of the data dictionary would."""
    ref = {
        "attempts": 0, "sessions": 0, "session_minutes": 0, "outcomes": Counter(),
        "by_dimension": Counter(), "blockers": Counter(), "handoffs_issued": Counter(),
        "handoff_returns": Counter(), "sessions_70_plus": 0, "sessions_age_known": 0,
        "hygiene_checks": 0, "hygiene_confirmed": 0, "sites": set(), "by_site": Counter(),
    }  # fmt: skip
    for row in rows:
        outcome = row["outcome"]
        ref["attempts"] += 1
        ref["outcomes"][outcome] += 1
        ref["sites"].add(row["site_id"])
        ref["by_site"][row["site_id"], outcome] += 1
        for dim in ("procedure_id", "age_band", "device", "channel"):
            ref["by_dimension"][dim, row[dim], outcome] += 1
        ref["by_dimension"]["help_language", row["help_language"] or "unknown", outcome] += 1
        ref["by_dimension"]["duration_band", duration_band(row["duration_min"]), outcome] += 1
        for blocker in filter(None, row["blockers"].split(";")):
            ref["blockers"][blocker, outcome] += 1
        if row["handoff_code"]:
            ref["handoffs_issued"][row["procedure_id"]] += 1
        if row["return_of_code"]:
            ref["handoff_returns"][row["procedure_id"]] += 1
        if row["attempt_no"] == 1:
            ref["sessions"] += 1
            ref["session_minutes"] += row["session_duration_min"]
            if row["age_band"] != "unknown":
                ref["sessions_age_known"] += 1
                ref["sessions_70_plus"] += row["age_band"] in AGE_70_PLUS
            if row["hygiene_confirmed"]:
                ref["hygiene_checks"] += 1
                ref["hygiene_confirmed"] += row["hygiene_confirmed"] == "1"
    return ref


def summary_of_rows(rows: list[dict]) -> MonthSummary:
    """A month summary of sessions.csv rows made up by a test (no store): the reference count."""
    return MonthSummary(**_reference(rows))


def test_batched_summary_equals_the_row_by_row_count(data_dir) -> None:
    catalog = load_catalog(forms_dir())
    with Store.open(data_dir) as store:
        # More rows than one batch, so counts must carry across batch boundaries.
        store.imports.import_procedure_attempt_rows(
            demo_rows(
                catalog,
                sessions=2 * STREAM_BATCH,
                months=[MONTH],
                sites=["kita-1", "minami-2"],
                seed=7,
            )  # fmt: skip
        )
        start, end = month_bounds(MONTH)
        last = end - dt.timedelta(days=1)
        rows = list(store.queries.procedure_attempt_rows(start, last))
        batches = list(store.queries.procedure_attempt_batches(start, last))
        summary = month_summary(store, MONTH)

    assert len(batches) > 2 and all(len(b) <= STREAM_BATCH for b in batches)
    assert sum(map(len, batches)) == len(rows) > 2 * STREAM_BATCH
    several = [r["blockers"] for r in rows if ";" in r["blockers"]]
    assert several and all(b.split(";") == sorted(b.split(";")) for b in several)
    ref = _reference(rows)
    assert ref["handoffs_issued"] and ref["handoff_returns"] and ref["hygiene_checks"]
    for name, expected in ref.items():
        got = getattr(summary, name)
        if isinstance(expected, Counter):
            got, expected = +got, +expected  # drop zero entries on either side
        assert got == expected, name
