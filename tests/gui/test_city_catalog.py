"""A city folder of guides in the real main window: marked guides, problems and notes listed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from PySide6.QtWidgets import QLabel, QListWidget, QTabWidget, QTreeWidget

from dxdesk.core import active_catalog
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.gui.app import build_main_window

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from catalog_fixtures import sourced_guide, write_guide  # noqa: E402


@pytest.fixture(autouse=True)
def japanese_ui(monkeypatch):
    monkeypatch.setattr(active_catalog, "_city_forms_override", None)
    set_ui_language("ja")
    yield
    set_ui_language("ja")


def titles(win) -> list[str]:
    tree = win.findChild(QTreeWidget, "procedureList")
    return [tree.topLevelItem(i).child(j).text(0) for i in range(tree.topLevelItemCount())
            for j in range(tree.topLevelItem(i).childCount())]  # fmt: skip


def test_city_folder_overrides_a_guide_in_the_window(qtbot, data_dir: Path, tmp_path: Path):
    city = tmp_path / "city"
    guide = yaml.safe_load((forms_dir() / "guides" / "pin-reset.yaml").read_text("utf-8"))
    guide["version"] += 1
    guide["title"]["ja"] = "暗証番号の再設定（北区の窓口）"
    write_guide(city, guide)
    broken = write_guide(city, sourced_guide(id="city-broken", category="no-such-category"))
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所",
                                         city_forms_dir=str(city)))  # fmt: skip
    win, warnings = build_main_window(data_dir)
    qtbot.addWidget(win)
    shown = titles(win)
    assert "［市］ 暗証番号の再設定（北区の窓口）" in shown
    assert not any(t.endswith("暗証番号を忘れた・ロックされた") for t in shown)
    panel = win.findChild(QListWidget, "problemsPanel")
    lines = [panel.item(i).text() for i in range(panel.count())]
    assert lines[0].startswith(f"{broken}:")
    assert "unknown category 'no-such-category'" in lines[0]
    layers = win.findChild(QLabel, "catalogLayers").text()
    assert f"市のフォルダ {city}: 1 件（うち同梱を置き換え 1 件）" in layers
    tabs = win.findChild(QTabWidget, "mainTabs")
    assert tabs.tabText(tabs.indexOf(win.problems_tab)).startswith("ガイドの問題 (1)")
    assert warnings and "ガイドの問題" in warnings[0]
    # the overridden shipped file's notes are gone; the city guide's own are listed
    assert not any(f"{forms_dir() / 'guides' / 'pin-reset.yaml'}:" in line for line in lines)
    assert any(
        line.startswith(f"【出典・履歴のきまり】 {city / 'pin-reset.yaml'}:") for line in lines
    )


def test_install_pack_from_the_menu(qtbot, data_dir: Path, tmp_path: Path, file_keyring):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from dxdesk.core import signing
    from dxdesk.core.catalog_pack import make_pack

    city = tmp_path / "city"
    write_guide(city, sourced_guide())
    pack = tmp_path / "pack.zip"
    make_pack(city, pack, site_id="city-hq", data_dir=tmp_path / "hq", forms=forms_dir())
    pem = tmp_path / "hq.pem"
    signing.export_public_key("city-hq", pem)
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    win, _ = build_main_window(data_dir)
    qtbot.addWidget(win)
    label = win.findChild(QLabel, "catalogLabel")
    assert label.text().startswith("カタログ: 同梱 dxdesk ")
    assert win.findChild(type(win.install_pack_action), "installPackAction") is not None

    # untrusted: refused (off the GUI thread) with a message naming the pack; the catalog stays
    seen: list[str] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, close_box)

    QTimer.singleShot(20, close_box)
    win.install_pack(str(pack))
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    assert seen[0].startswith(f"カタログパック {pack} の manifest.json:")
    assert "拠点「city-hq」の公開鍵が信頼する一覧にありません" in seen[0]
    assert "市のテスト手続き" not in " ".join(titles(win))

    trust = signing.TrustStore.load(data_dir)
    trust.add(*signing.read_public_key_file(pem))
    trust.save()
    win.install_pack(str(pack))
    qtbot.waitUntil(lambda: "［パック］ 市のテスト手続き" in titles(win), timeout=20000)
    assert label.text().startswith("カタログ: パック 版 1（city-hq）・")
    assert "インストールしました" in win.statusBar().currentMessage()


def test_city_folder_set_in_the_settings_dialog(qtbot, data_dir: Path, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLineEdit

    from dxdesk.core.settings import load_settings
    from dxdesk.gui.settings_dialog import SiteSettingsDialog

    city = tmp_path / "city"
    write_guide(city, sourced_guide())
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    win, _ = build_main_window(data_dir)
    qtbot.addWidget(win)
    assert "市のテスト手続き" not in " ".join(titles(win))
    dialog = SiteSettingsDialog(load_settings(data_dir), first_run=False, parent=win)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "cityFormsDirEdit").setText(str(city))
    dialog.accept()
    assert win.apply_settings(dialog.result_settings)
    assert load_settings(data_dir).city_forms_dir == str(city)
    assert "［市］ 市のテスト手続き" in titles(win)
