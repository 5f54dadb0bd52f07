"""The small things a clerk meets: an empty search says so, the guide tab after a visit, whole
numbers on the dashboard's axes, class figures at once, the add list, the checklist warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QRadioButton

from dxdesk.core.i18n import set_ui_language, tr
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.gui import tasks
from dxdesk.gui.app import build_main_window


@pytest.fixture
def window(qtbot, data_dir: Path):
    set_ui_language("ja")
    tasks.use_immediate_runner()
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    win, _ = build_main_window(data_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.use_immediate_runner(False)
    if win.class_entry is not None:
        win.class_entry.close()
    win.context.store.close()


def test_an_empty_search_says_so_and_hides_the_guide(window, qtbot) -> None:
    window.browser.select("pin-reset")
    assert "暗証番号" in window.detail.toPlainText()
    window.browser.search.setText("ぜんぜんないことば")
    empty = window.findChild(QLabel, "searchEmpty")
    assert empty.isVisible() and "見つかりません" in empty.text()
    assert window.detail.toPlainText().strip() == tr("main.no_guide")
    window.browser.search.setText("コンビニ")  # katakana finds the hiragana reading too
    assert not empty.isVisible()
    window.browser.search.setFocus()
    qtbot.keyClick(window.browser.search, Qt.Key.Key_Down)  # ↓ goes into the results
    assert QApplication.focusWidget() is window.browser.tree
    assert window.browser.selected_guide() is not None


@pytest.mark.parametrize(("largest", "step", "top"), [(1, 1, 2), (2, 1, 3), (6, 2, 8), (27, 10, 30),
                                                       (140, 50, 150)])  # fmt: skip
def test_dashboard_axes_count_in_whole_numbers(largest, step, top) -> None:
    from dxdesk.gui.dashboard import _whole_numbers

    axis = QValueAxis()
    _whole_numbers(axis, largest)
    assert axis.tickInterval() == step and axis.max() == top and axis.min() == 0
    assert axis.tickType() == QValueAxis.TickType.TicksDynamic and axis.labelFormat() == "%d"


def test_share_70_plus_says_of_known_ages(window) -> None:
    window.show_dashboard()
    caption = window.dashboard.tiles["share_70_plus"].caption.text()
    assert caption == "70歳以上（年齢が分かる人のうち）"


def test_class_figures_follow_a_save(window) -> None:
    window.show_dashboard()
    assert window.dashboard.figures.classes.classes == 0
    window.open_classes()
    entry = window.class_entry
    entry.topic_buttons["power-buttons"].setChecked(True)
    entry.counters["tutors"].set_value(1)
    entry.counters["trained_tutors"].set_value(1)
    entry.counters["learners"].set_value(3)
    entry.counters["results_reached"].set_value(3)
    saved = entry.save()
    assert saved, entry.problems.text()
    assert window.dashboard.figures.classes.classes == 1  # without 最新にする


def test_add_list_follows_the_catalog_and_leaves_out_the_visit(window, qtbot, monkeypatch) -> None:
    window.start_session()
    screen = window.session_screen
    screen.start_browser.select("pin-reset")
    screen.begin()
    offered = {}

    def get_item(_parent, _title, _label, items, *_args):
        offered["items"] = list(items)
        return "", False

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    screen.add_procedure_dialog()
    tree_titles = [window.browser.tree.topLevelItem(i).child(j).text(0)
                   for i in range(window.browser.tree.topLevelItemCount())
                   for j in range(window.browser.tree.topLevelItem(i).childCount())]  # fmt: skip
    pin_reset = window.context.catalog.guide("pin-reset")
    title = pin_reset.title["ja"]
    assert title not in offered["items"]
    assert offered["items"] == [t for t in tree_titles if t != title]


def test_the_checklist_warning_goes_when_all_three_are_ticked(window) -> None:
    window.start_session()
    screen = window.session_screen
    screen.device_combo.setCurrentIndex(screen.device_combo.findData("counter_terminal"))
    screen.start_browser.select("pin-reset")
    screen.begin()
    screen.show_outcome_page()
    screen.findChild(QRadioButton, "outcome_1_handed_off").click()
    screen.finish()  # refused: nothing ticked
    message = screen.findChild(QLabel, "sessionMessage")
    assert message.isVisible()
    for check in screen.hygiene_checks.values():
        check.setChecked(True)
    assert not message.isVisible()
    screen.finish()
    assert window.session_screen is None
    assert window.tabs.currentIndex() == 0  # the guides, not ガイドの問題


def test_every_top_level_action_has_a_shortcut_shown_in_a_menu(window, qtbot) -> None:
    actions = [window.start_action, window.display_action, window.dashboard_action,
               window.classes_action, window.settings_action, window.language_action,
               window.find_action]  # fmt: skip
    in_menus = {a for menu in (window.session_menu, window.view_menu) for a in menu.actions()}
    for action in actions:
        assert not action.shortcut().isEmpty(), action.objectName()
        assert action in in_menus, action.objectName()
    assert len({a.shortcut().toString() for a in actions}) == len(actions)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.start_action.trigger()  # Ctrl+N lands in the first field
    assert QApplication.focusWidget() is window.session_screen.age_combo
