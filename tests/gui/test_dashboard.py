"""The dashboard offscreen: real Store, real charts, export and import through the dialogs."""

from __future__ import annotations

import json
import zipfile

import pytest
from PySide6.QtCore import Qt

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.demo import demo_months, fill_demo_store, month_allocation
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.store import Store
from dxdesk.gui import tasks
from dxdesk.gui.dashboard import DashboardWidget
from tests.drills.drills_support import table_dump

MONTH = "2026-10"


@pytest.fixture
def demo_data_dir(data_dir):
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区デジタル相談窓口"))
    with Store.open(data_dir) as store:
        fill_demo_store(
            store, load_catalog(forms_dir()), sessions=1800, months=6, sites=3, seed=5,
            last_month=MONTH,
        )  # fmt: skip
    return data_dir


def test_dashboard_shows_month_kpis_and_trend(qtbot, demo_data_dir, screenshot_folder):
    widget = DashboardWidget(demo_data_dir, MONTH)
    qtbot.addWidget(widget)
    widget.resize(1100, 640)
    widget.show()
    widget.refresh()  # off the GUI thread, through the real pool
    qtbot.waitUntil(lambda: widget.figures is not None, timeout=20000)
    per_month = month_allocation(1800, demo_months(6, MONTH))  # busier in spring, as in life
    assert len(set(per_month)) > 1 and sum(per_month) == 1800
    assert widget.figures.current.sessions == per_month[-1]
    assert widget.findChild(type(widget.title), "kpi_sessions_value").text() == str(per_month[-1])
    assert widget.demo_label.text()
    assert len(widget.figures.trend) == 6 and widget.figures.trend[-1].month == MONTH
    trend_series = widget.trend_view.chart().series()[0]
    assert [int(v) for v in [trend_series.barSets()[0].at(i) for i in range(6)]] == per_month
    axis = widget.trend_view.chart().axes(Qt.Orientation.Horizontal)[0]
    assert axis.categories() == ["5月", "6月", "7月", "8月", "9月", "10月"]
    assert "2026-05" in widget.trend_view.chart().title()
    # the classes of the month, from the same store: 4 per venue and month at 3 venues
    assert widget.figures.classes.classes == 12 and widget.figures.previous_classes.classes == 12
    learners = widget.findChild(type(widget.title), "kpi_classes_value").text()
    assert learners == f"{widget.figures.classes.learners:,}" and widget.figures.classes.learners
    qtbot.wait(50)
    widget.grab().save(str(screenshot_folder / "dashboard.png"))
    assert (screenshot_folder / "dashboard.png").stat().st_size > 10_000


def test_export_dialog_runs_off_the_gui_thread(qtbot, demo_data_dir, tmp_path, no_keyring):
    widget = DashboardWidget(demo_data_dir, MONTH)
    qtbot.addWidget(widget)
    dialog = widget.open_export_dialog()
    assert dialog.month_edit.text() == "2026-09"  # the last complete month before the dashboard's
    dialog.month_edit.setText(MONTH)
    dialog.start_button.click()  # no folder chosen: refused, nothing written anywhere
    assert "フォルダー" in dialog.status.text() and dialog.start_button.isEnabled()
    dialog.folder_edit.setText(str(tmp_path / "out"))
    dialog.all_sites.setChecked(True)
    seen: list[tuple[int, int]] = []  # the bar follows the export, not just a busy bar
    dialog.progress.valueChanged.connect(lambda v: seen.append((v, dialog.progress.maximum())))
    with qtbot.waitSignal(widget.exported, timeout=30000) as blocker:
        dialog.start_button.click()
        assert not dialog.start_button.isEnabled()  # busy while the task runs
    bundle = blocker.args[0]
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    assert manifest["is_demo"] is True and manifest["period"]["month"] == MONTH
    assert dialog.start_button.isEnabled()
    # the rows written, and (no keyring here) that it is unsigned, why and what to do
    assert any(total == 1000 and 0 < value < 1000 for value, total in seen), seen
    rows = manifest["rows"]["sessions.csv"]
    assert f"{rows} 行" in dialog.status.text() and "署名なし" in dialog.status.text()
    tasks.wait_for_tasks()


def test_import_dialog_reports_a_rejected_bundle(qtbot, demo_data_dir, tmp_path):
    tasks.use_immediate_runner()
    try:
        widget = DashboardWidget(demo_data_dir, MONTH)
        qtbot.addWidget(widget)
        bad = tmp_path / "bad.zip"
        bad.write_bytes(b"PK\x03\x04 not really a zip")
        dialog = widget.open_import_dialog()
        dialog.add_bundles([bad])
        before = table_dump(demo_data_dir)
        dialog.start_button.click()
        status = dialog.status.text()
        # The reason, not only the file name (which any rejection would repeat).
        assert f"{bad}: -: " in status
        assert "ZIPとして読めません" in status
        assert dialog.progress.value() == 0
        assert table_dump(demo_data_dir) == before
    finally:
        tasks.use_immediate_runner(False)
