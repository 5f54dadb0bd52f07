"""The main window's first screen drawn from what the last start kept, before the catalog loads.

The kept screen must be the very screen the catalog draws, go stale exactly when the catalog's
copy does (or the language, the settings or a review date changes), and a clerk's keys before
the catalog arrives must work as they do after.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTextBrowser, QTreeWidget

from dxdesk.core import active_catalog
from dxdesk.core.catalog import load_catalog
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.gui import first_screen as fs
from dxdesk.gui.app import build_main_window

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from catalog_fixtures import sourced_guide, write_guide  # noqa: E402


@pytest.fixture(autouse=True)
def own_cache(monkeypatch, tmp_path: Path):
    """A cache of this test's own: no screen kept by another test, none left behind."""
    monkeypatch.setenv("DXDESK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(active_catalog, "_city_forms_override", None)
    set_ui_language("ja")
    yield
    set_ui_language("ja")


@pytest.fixture
def city_site(data_dir: Path, tmp_path: Path) -> SiteSettings:
    """A site with a city folder: an overriding guide (marked) and a broken one (a problem)."""
    city = tmp_path / "city"
    guide = yaml.safe_load((forms_dir() / "guides" / "pin-reset.yaml").read_text("utf-8"))
    guide["version"] += 1
    guide["title"]["ja"] = "暗証番号の再設定（北区の窓口）"
    write_guide(city, guide)
    write_guide(city, sourced_guide(id="city-broken", category="no-such-category"))
    settings = SiteSettings(site_id="kita-1", site_name="北区役所", city_forms_dir=str(city))
    save_settings(data_dir, settings)
    return settings


def drawn(win) -> dict:
    """Everything the first screen shows of the catalog, read off the widgets."""
    tree = win.findChild(QTreeWidget, "procedureList")
    heads = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    current = tree.currentItem()
    return {
        "tree": [(h.text(0), [(h.child(j).text(0), h.child(j).data(0, Qt.ItemDataRole.UserRole),
                               h.child(j).toolTip(0)) for j in range(h.childCount())])
                 for h in heads],
        "current": current.data(0, Qt.ItemDataRole.UserRole) if current else None,
        "detail": win.findChild(QTextBrowser, "guideDetail").toHtml(),
        "tab": win.tabs.tabText(win.tabs.indexOf(win.problems_tab)),
        "intro": win.problems_intro.text(),
        "layers": win.catalog_layers.text(),
        "problems": [win.problems.item(i).text() for i in range(win.problems.count())],
        "label": win.catalog_label.text(),
        "title": win.windowTitle(),
    }  # fmt: skip


def start(qtbot, data_dir: Path, lang: str | None = None):
    win, warnings = build_main_window(data_dir, lang)
    qtbot.addWidget(win)
    return win, warnings


def test_the_kept_screen_is_the_screen_the_catalog_draws(qtbot, data_dir, city_site) -> None:
    first, warnings = start(qtbot, data_dir)
    assert first.first_screen is None  # nothing kept yet: drawn from the catalog
    first.check_first_screen()  # after the first paint: kept for the next start
    second, second_warnings = start(qtbot, data_dir)
    assert second.first_screen is not None
    assert second.context._catalog is None  # drawn without the catalog
    assert drawn(second) == drawn(first)
    assert second_warnings == warnings and "ガイドの問題" in warnings[0]
    assert any(title.startswith("［市］ ") for _, rows in drawn(second)["tree"]
               for title, _, _ in rows)  # fmt: skip
    second.check_first_screen()  # the catalog arrives: nothing to redraw
    assert second.context._catalog is not None
    assert drawn(second) == drawn(first)


def test_a_kept_screen_goes_stale_with_what_it_depends_on(qtbot, data_dir, city_site) -> None:
    first, _ = start(qtbot, data_dir)
    first.check_first_screen()
    forms = forms_dir()
    assert fs.kept_first_screen(data_dir, city_site, "ja", forms) is not None
    assert fs.kept_first_screen(data_dir, city_site, "en", forms) is None  # another language
    other = SiteSettings(site_id="kita-1", site_name="北区役所", city_forms_dir=city_site.city_forms_dir,
                         counter_phone="03-0000-0000")  # fmt: skip
    assert fs.kept_first_screen(data_dir, other, "ja", forms) is None  # another setting
    # a guide of the city folder edited: the catalog's copy and the screen go stale together
    city_guide = Path(city_site.city_forms_dir) / "pin-reset.yaml"
    stamp = city_guide.stat().st_mtime_ns
    os.utime(city_guide, ns=(stamp + 10**9, stamp + 10**9))
    assert fs.kept_first_screen(data_dir, city_site, "ja", forms) is None
    rebuilt, _ = start(qtbot, data_dir)
    assert rebuilt.first_screen is None and rebuilt.context._catalog is not None


def test_a_kept_screen_holds_until_a_review_falls_due(qtbot, data_dir) -> None:
    settings = SiteSettings(site_id="kita-1", site_name="北区役所")
    save_settings(data_dir, settings)
    first, _ = start(qtbot, data_dir)
    first.check_first_screen()
    kept = fs.kept_first_screen(data_dir, settings, "ja")
    today = dt.date.today()
    assert kept is not None and kept["drawn_on"] == today.isoformat()
    # the first day on which a guide's overdue mark changes, worked out by the guides themselves
    catalog = load_catalog(forms_dir())
    marks = {g.id for g in catalog.guides.values() if g.review_overdue(today)}
    day = today
    while day < today + dt.timedelta(days=800):
        day += dt.timedelta(days=1)
        if {g.id for g in catalog.guides.values() if g.review_overdue(day)} != marks:
            break
    assert kept["good_until"] == day.isoformat()
    for drawn_on, good_until, usable in [
        (today, today + dt.timedelta(days=1), True),
        (today, today, False),  # the due day has come
        (today + dt.timedelta(days=1), dt.date.max, False),  # the clock was turned back
    ]:
        changed = {**kept, "drawn_on": drawn_on.isoformat(), "good_until": good_until.isoformat()}
        fs.keep_first_screen(data_dir, settings, changed)
        assert (fs.kept_first_screen(data_dir, settings, "ja") is not None) is usable


def test_keys_before_the_catalog_arrives(qtbot, data_dir) -> None:
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    first, _ = start(qtbot, data_dir)
    first.check_first_screen()
    first.context.store.close()
    win, _ = start(qtbot, data_dir)
    win.show()
    assert win.context._catalog is None
    search = win.findChild(QLineEdit, "procedureSearch")
    search.insert("こんびにこうふ")  # typing at once: the catalog is loaded for the search
    assert win.context._catalog is not None
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert "マルチコピー機" in win.findChild(QTextBrowser, "guideDetail").toPlainText()

    win.context.store.close()
    third, _ = start(qtbot, data_dir)
    assert third.context._catalog is None
    third.start_action.trigger()  # Ctrl+N before the catalog arrived: a visit starts
    assert third.session_screen is not None
    assert third.context.store.sessions.interrupted_sessions()  # recorded, open
    third.session_screen.deleteLater()
    third.context.store.close()


def test_a_stale_kept_screen_is_redrawn_and_replaced(qtbot, data_dir) -> None:
    settings = SiteSettings(site_id="kita-1", site_name="北区役所")
    save_settings(data_dir, settings)
    first, _ = start(qtbot, data_dir)
    first.check_first_screen()
    right = drawn(first)
    kept = fs.kept_first_screen(data_dir, settings, "ja")
    stale = {**kept, "rows": [("古い分類", [("古いガイド", "old-guide", "ふるい")])],
             "problems_tab": "古い", "detail": "<p>古い</p>", "first": "old-guide"}  # fmt: skip
    fs.keep_first_screen(data_dir, settings, stale)
    win, _ = start(qtbot, data_dir)
    assert drawn(win)["tree"] == [("古い分類", [("古いガイド", "old-guide", "ふるい")])]
    win.check_first_screen()
    assert drawn(win) == right
    assert fs.kept_first_screen(data_dir, settings, "ja") == kept
