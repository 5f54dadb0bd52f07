"""Drill (issue 13, item 2): a typo in settings.json never purges visits the site keeps.

The site keeps 60 months; visits from 30 months ago are in the store. Before, a trailing comma
made the app fall back silently to the default 24 months and the daily run purged them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dxdesk.core.export.demo import demo_rows
from dxdesk.core.store import Store
from dxdesk.gui.app import build_main_window, start_daily_maintenance

pytestmark = pytest.mark.usefixtures("english")
SETTINGS = {"schema_version": 1, "site_id": "kita-1", "site_name": "北区役所",
            "counter_phone": "06-1234-5678", "retention_months": 60}  # fmt: skip


def months_ago(months: int) -> str:
    today = dt.date.today()
    index = today.year * 12 + today.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def old_visits(data_dir: Path, catalog) -> int:
    with Store.open(data_dir) as store:
        store.imports.import_procedure_attempt_rows(
            demo_rows(catalog, sessions=30, months=[months_ago(30)], sites=["kita-1"], seed=3)
        )
        return store.maintenance.check().counts["sessions_imported"]


def run_daily(qtbot, data_dir: Path) -> tuple[int, list[str]]:
    window, warnings = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    start_daily_maintenance(window)
    left = window.context.store.maintenance.check().counts["sessions_imported"]
    window.context.store.close()
    return left, warnings


def test_trailing_comma_keeps_the_sites_retention(qtbot, data_dir: Path, catalog) -> None:
    kept = old_visits(data_dir, catalog)
    text = json.dumps(SETTINGS, ensure_ascii=False, indent=2).replace("60\n}", "60,\n}")
    (data_dir / "settings.json").write_text(text, encoding="utf-8")
    left, warnings = run_daily(qtbot, data_dir)
    assert left == kept == 30  # 30 months old, kept for 60: not purged
    assert any("a comma after the last entry" in w for w in warnings)
    assert (data_dir / "settings.json").read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "broken",
    [
        '{"site_id": "kita-1", "retention_month": 60}',  # a typo'd key
        '{"site_id": "kita-1", "retention_months": "sixty"}',  # a bad value
        '{"site_id": "kita-1" "retention_months": 60}',  # not JSON at all
    ],
)
def test_a_retention_it_could_not_read_purges_nothing(
    qtbot, data_dir: Path, catalog, broken: str
) -> None:
    kept = old_visits(data_dir, catalog)
    (data_dir / "settings.json").write_text(broken, encoding="utf-8")
    left, warnings = run_daily(qtbot, data_dir)
    assert left == kept
    assert any("no old records are purged" in w for w in warnings) or any(
        "not valid JSON" in w for w in warnings
    )


def test_shift_jis_settings_open_the_app(qtbot, data_dir: Path) -> None:
    text = json.dumps(SETTINGS, ensure_ascii=False, indent=2)
    (data_dir / "settings.json").write_bytes(text.encode("cp932"))
    window, warnings = build_main_window(data_dir, "en")
    qtbot.addWidget(window)
    assert window.context.settings.site_name == "北区役所" and not warnings
    window.context.store.close()
