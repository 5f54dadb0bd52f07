"""A month kept only as the retention purge's aggregates exports, shows on the dashboard and
is published exactly as it was before its rows were purged (issue 14's bug: it exported no
counts at all)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export import export_month
from dxdesk.core.export.class_summary import month_classes
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.export.kpis import dashboard_figures
from dxdesk.core.export.summary import month_summary
from dxdesk.core.paths import forms_dir
from dxdesk.core.retention import purge_expired
from dxdesk.core.store import Store
from tests.core.test_retention import JST, SITES, _visit
from tests.core.test_store_classes import _record

MONTH, PREVIOUS = "2024-10", "2024-09"
TODAY = dt.date(2026, 11, 23)  # 24 months kept: everything before 2024-11 goes


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


def _fill(store, catalog) -> None:
    for month, seed in ((PREVIOUS, 1), (MONTH, 2), ("2024-11", 3)):
        store.imports.import_procedure_attempt_rows(
            demo_rows(catalog, sessions=150, months=[month], sites=SITES, seed=seed)
        )
        for day, changes in (
            (3, {}),  # too few staff: a ratio warning
            (10, {"trained_tutors": 0, "learners": 3, "learners_80plus": 0, "results_not": 0,
                  "learners_75_79": 0, "satisfaction_5": 2}),  # no trained tutor
            (17, {"trained_tutors": 0, "learners": 14, "learners_70_74": 11}),  # both
            (24, {"assistants": 2, "menu": "line", "site_id": SITES[1]}),  # none
        ):  # fmt: skip
            store.classes.save_class_record(
                _record(date=f"{month}-{day:02d}", **{"site_id": SITES[0], **changes})
            )
    _visit(store, catalog, dt.datetime(2024, 10, 30, 16, 0, tzinfo=JST))  # a clerk's own visit
    _visit(store, catalog, dt.datetime(2024, 10, 31, 10, 0, tzinfo=JST), finish=False)  # open


def _publication_tables(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("tables/")}


def _report_text(path) -> str:
    with zipfile.ZipFile(path) as zf:
        pdf = PdfReader(io.BytesIO(zf.read("report.pdf")))
    return "\n".join(page.extract_text() for page in pdf.pages)


def _exports(store, out) -> dict:
    internal = export_month(store, MONTH, out, site_id=SITES[0], all_sites=True, k=3)
    publication = export_month(store, MONTH, out, site_id=SITES[0], all_sites=True,
                               publish=True)  # fmt: skip
    figures = dashboard_figures(store, MONTH)
    with zipfile.ZipFile(internal) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    return {
        "summary": month_summary(store, MONTH),
        "one site": month_summary(store, MONTH, [SITES[1]]),
        "previous": month_summary(store, PREVIOUS),
        "classes": month_classes(store, MONTH),
        "previous classes": month_classes(store, PREVIOUS, [SITES[0]]),
        "sites": manifest["sites"],
        "report": _report_text(internal),
        "tables": _publication_tables(publication),
        "published report": _report_text(publication),
        "dashboard": (figures.current, figures.previous, figures.trend, figures.classes),
    }


def test_a_purged_month_exports_the_same_counts_as_before_the_purge(
    no_keyring, data_dir, tmp_path, catalog
):
    with Store.open(data_dir) as store:
        _fill(store, catalog)
        before = _exports(store, tmp_path / "before")
        assert before["summary"].attempts > 100 and before["classes"].warnings["ratio"] >= 2
        assert before["tables"] and before["sites"] == SITES

        result = purge_expired(store, 24, TODAY)
        assert result.sessions > 300 and result.classes == 8
        assert list(store.queries.procedure_attempt_rows(dt.date(2024, 9, 1),
                                                         dt.date(2024, 10, 31))) == []  # fmt: skip
        after = _exports(store, tmp_path / "after")

    for name, value in before.items():
        assert after[name] == value, name


def test_the_kept_warning_kinds_are_the_staffing_codes():
    from dxdesk.core.classes import STAFFING_CODES
    from dxdesk.core.store.schema import CLASS_WARNING_MEASURES

    assert tuple(f"warning_{code}" for code in STAFFING_CODES) == CLASS_WARNING_MEASURES
