"""The main window through its real widgets, offscreen."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QTabWidget, QTextBrowser, QTreeWidget

from dxdesk.core import catalog as catalog_module
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, load_settings, save_settings
from dxdesk.gui.app import build_main_window
from dxdesk.gui.settings_dialog import SiteSettingsDialog


@pytest.fixture(autouse=True)
def japanese_ui():
    set_ui_language("ja")
    yield
    set_ui_language("ja")


@pytest.fixture
def window(qtbot, data_dir: Path):
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    win, _warnings = build_main_window(data_dir)
    qtbot.addWidget(win)
    win.show()
    return win


def visible_titles(win) -> list[str]:
    tree = win.findChild(QTreeWidget, "procedureList")
    return [
        tree.topLevelItem(i).child(j).text(0)
        for i in range(tree.topLevelItemCount())
        for j in range(tree.topLevelItem(i).childCount())
    ]


def test_opens_in_japanese_with_the_catalog(window) -> None:
    assert window.windowTitle().startswith("dxdesk")
    assert "コンビニ交付（住民票の写しなどをコンビニで取る）" in visible_titles(window)
    detail = window.findChild(QTextBrowser, "guideDetail").toPlainText()
    assert "持ち物" in detail and "出典" in detail and "確認日" in detail


def test_search_by_kana_filters_and_enter_selects(window, qtbot) -> None:
    search = window.findChild(QLineEdit, "procedureSearch")
    search.insert("こんびにこうふ")  # Japanese arrives from the IME as committed text
    assert visible_titles(window) == ["コンビニ交付（住民票の写しなどをコンビニで取る）"]
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert "マルチコピー機" in window.findChild(QTextBrowser, "guideDetail").toPlainText()
    search.clear()
    qtbot.keyClicks(search, "zzzz-none")
    assert visible_titles(window) == []
    assert "選んでください" in window.findChild(QTextBrowser, "guideDetail").toPlainText()


def test_language_switch_to_english(window) -> None:
    window.language_action.trigger()
    assert "Certificates at a convenience store (kiosk issuance)" in visible_titles(window)
    assert "What to bring" in window.findChild(QTextBrowser, "guideDetail").toPlainText()
    assert window.findChild(QTabWidget, "mainTabs").tabText(0) == "Procedure guides"


def test_broken_guide_appears_in_problems_panel(
    qtbot, data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(forms_dir(), forms)
    (forms / "guides" / "broken-guide.yaml").write_text(
        "id: broken-guide\nversion: [1\n", encoding="utf-8"
    )
    monkeypatch.setattr("dxdesk.gui.app.forms_dir", lambda: forms)
    win, warnings = build_main_window(data_dir)
    qtbot.addWidget(win)
    panel = win.findChild(QListWidget, "problemsPanel")
    lines = [panel.item(i).text() for i in range(panel.count())]
    assert any(
        line.startswith(f"{forms / 'guides' / 'broken-guide.yaml'}:")
        and "YAML syntax error" in line
        for line in lines
    )
    assert "コンビニ交付（住民票の写しなどをコンビニで取る）" in visible_titles(win)
    assert warnings and "ガイドの問題" in warnings[0]
    # The real loader ran: it names the YAML line, and every good guide still loads.
    problem = next(line for line in lines if "broken-guide.yaml" in line)
    assert re.match(rf"{re.escape(str(forms / 'guides' / 'broken-guide.yaml'))}:[23]: ", problem)
    shipped = catalog_module.load_catalog(forms_dir())
    assert len(visible_titles(win)) == len(shipped.guides)


def test_first_run_dialog_validates_and_saves(qtbot, data_dir: Path) -> None:
    win, _ = build_main_window(data_dir)
    qtbot.addWidget(win)
    dialog = SiteSettingsDialog(load_settings(data_dir), first_run=True, parent=win)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "siteIdEdit").setText("Kita Ward")
    dialog.findChild(QLineEdit, "siteNameEdit").setText("北区役所 デジタル相談窓口")
    dialog.accept()
    assert dialog.result_settings is None
    assert "site_id" in dialog.error.text()
    dialog.findChild(QLineEdit, "siteIdEdit").setText("kita-1")
    dialog.findChild(QLineEdit, "url_facility_reservation_url").setText(
        "https://yoyaku.example.jp/"
    )
    dialog.accept()
    assert dialog.result_settings is not None
    assert win.apply_settings(dialog.result_settings)
    saved = load_settings(data_dir)
    assert saved.site_name == "北区役所 デジタル相談窓口"
    assert saved.city_url("facility_reservation_url") == "https://yoyaku.example.jp/"
    assert "北区役所" in win.site_label.text()


def test_dashboard_tab_opens_on_demand(window, qtbot) -> None:
    tabs = window.findChild(QTabWidget, "mainTabs")
    before = tabs.count()
    window.dashboard_action.trigger()
    assert tabs.count() == before + 1
    assert tabs.currentWidget() is window.dashboard
    # the figures arrive the first time too, not only after a refresh (an empty store: zeros)
    qtbot.waitUntil(lambda: window.dashboard.figures is not None, timeout=10000)
    assert window.dashboard.figures.current.sessions == 0
    assert window.dashboard.title.text()
    window.dashboard_action.trigger()  # a second press refreshes, it does not add a tab
    assert tabs.count() == before + 1


def test_settings_spin_boxes_keep_their_arrows_and_urls_fit(qtbot, app_look) -> None:
    """A styled spin box draws no arrows unless its buttons are placed; the URL fields get
    the room to show a whole address."""
    from PySide6.QtWidgets import QAbstractSpinBox

    dialog = SiteSettingsDialog(SiteSettings(), first_run=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    spins = dialog.findChildren(QAbstractSpinBox)
    assert spins
    for spin in spins:  # the text field leaves room for the up and down buttons
        assert spin.width() - spin.lineEdit().width() >= 20, (spin.objectName(), app_look)
    url = dialog.findChild(QLineEdit, "url_facility_reservation_url")
    assert url.width() >= url.fontMetrics().horizontalAdvance("https://yoyaku.example-city.jp/")
