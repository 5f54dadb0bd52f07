"""Demo data looks like a counter's year: seasonal volume, a realistic procedure mix."""

from __future__ import annotations

from collections import Counter

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.demo import demo_months, demo_rows, month_allocation
from dxdesk.core.paths import forms_dir


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


def test_demo_sessions_follow_the_seasons_and_add_up(catalog) -> None:
    """Demo months are not all alike: March (tax and moving season) is busier than August, e-Tax
    comes in February and March, and the counts add up to exactly what was asked."""
    months = demo_months(12, "2026-10")
    assert sum(month_allocation(1001, months)) == 1001
    rows = list(demo_rows(catalog, sessions=6000, months=months, sites=["kita-ward-1"], seed=1))
    visits = Counter(r["date"][:7] for r in rows if r["attempt_no"] == 1)
    assert visits == dict(zip(months, month_allocation(6000, months), strict=True))
    assert visits["2026-03"] > 1.5 * visits["2026-08"]
    etax = Counter(r["date"][:7] for r in rows if r["procedure_id"] == "etax-smartphone")
    assert etax["2026-03"] > 3 * etax["2026-08"]
    mix = Counter(r["procedure_id"] for r in rows)
    assert mix["health-insurance-registration"] > 3 * mix["city-e-application"]
