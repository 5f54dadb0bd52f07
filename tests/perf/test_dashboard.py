"""The dashboard's months on the 1,000,000-session store: counted afresh, then remembered.

Run on demand: ``uv run pytest -s tests/perf/test_dashboard.py``. The dashboard shows six months
and the one before them; each month is one grouped statement over its visits (about a second
each on this store), or its rows remembered while the month is unchanged (``store/memo.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

from dxdesk.core.export.kpis import dashboard_figures
from dxdesk.core.store import STORE_FILE, Store

from .test_export import LAST_MONTH, _forget_counts


def test_dashboard_first_and_again(big_store: Path, perf_record) -> None:
    _forget_counts(big_store / STORE_FILE)  # as after every month changed
    with Store.open(big_store) as store:
        t = time.perf_counter()
        first = dashboard_figures(store, LAST_MONTH)
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        again = dashboard_figures(store, LAST_MONTH)
        again_s = time.perf_counter() - t
    assert again == first
    print(f"\ndashboard of {LAST_MONTH}: first {first_s:.2f} s, again {again_s:.2f} s")
    perf_record(
        "dashboard, months remembered", again_s, first_s, "s", "the same, nothing remembered"
    )
