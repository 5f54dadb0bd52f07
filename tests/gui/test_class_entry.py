"""Smartphone classes through the real widgets: quick entry, live tally, and the export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSpinBox

from dxdesk.core.classes import ClassRecord, shipped_class_menu
from dxdesk.core.export import export_month
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.store import Store
from dxdesk.gui.class_entry import QuickEntry
from dxdesk.gui.class_tally import ClassTally


@pytest.fixture(autouse=True)
def japanese_ui():
    set_ui_language("ja")
    yield
    set_ui_language("ja")


@pytest.fixture
def store(data_dir: Path):
    save_settings(data_dir, SiteSettings(site_id="kita-venue", site_name="北区民センター"))
    with Store.open(data_dir) as s:
        yield s


def spin(w, name: str) -> QSpinBox:
    found = w.findChild(QSpinBox, name)
    assert found is not None, name
    return found


def button(w, name: str) -> QPushButton:
    found = w.findChild(QPushButton, name)
    assert found is not None, name
    return found


def class_rows(store) -> list[dict]:
    return list(store.queries.class_record_rows(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))


def test_record_a_class_through_the_widgets_and_find_it_in_the_export(qtbot, store, data_dir,
                                                                       tmp_path) -> None:  # fmt: skip
    entry = QuickEntry(store, "kita-venue")
    qtbot.addWidget(entry)
    entry.show()
    entry.date.setDate(dt.date(2026, 5, 12))
    qtbot.mouseClick(button(entry, "topic_mynaportal"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(entry, "topic_maps"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(entry, "count_tutorsPlus"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(entry, "count_trained_tutorsPlus"), Qt.MouseButton.LeftButton)
    # Learners typed as digits; ages and results with +/- and arrow keys.
    learners = spin(entry, "count_learners")
    learners.setFocus()
    learners.selectAll()
    qtbot.keyClicks(learners, "5")
    assert spin(entry, "count_learners_age_unknown").value() == 5  # not yet sorted by age
    staffing = entry.findChild(QLabel, "staffingWarning")
    assert staffing.isVisibleTo(entry) and "2 人必要" in staffing.text()
    for _ in range(3):
        qtbot.mouseClick(button(entry, "count_learners_70_74Plus"), Qt.MouseButton.LeftButton)
    qtbot.keyClick(spin(entry, "count_learners_80plus"), Qt.Key.Key_Up)
    assert spin(entry, "count_learners_age_unknown").value() == 1
    reached = spin(entry, "count_results_reached")
    reached.setFocus()
    reached.selectAll()
    qtbot.keyClicks(reached, "4")
    problems = entry.findChild(QLabel, "classProblems")
    assert "結果別の合計（4 人）" in problems.text()
    qtbot.mouseClick(button(entry, "count_results_notPlus"), Qt.MouseButton.LeftButton)
    assert not problems.isVisibleTo(entry)
    entry.findChild(QLineEdit, "classNote").setText("プロジェクターの調子が悪かった")
    qtbot.keyClick(reached, Qt.Key.Key_Return)  # Enter saves, warning and all

    status = entry.findChild(QLabel, "classStatus").text()
    assert "保存しました" in status and "人員体制の注意" in status
    (row,) = class_rows(store)
    assert row["menu"] == "maps;mynaportal" and row["learners"] == 5
    assert row["learners_70_74"] == 3 and row["learners_80plus"] == 1
    assert row["results_reached"] == 4 and row["results_not"] == 1
    assert row["staffing_warning"] == "ratio" and row["date"] == "2026-05-12"
    assert spin(entry, "count_learners").value() == 0  # ready for the next class
    assert spin(entry, "count_tutors").value() == 1

    bundle = export_month(store, "2026-05", tmp_path / "out", site_id="kita-venue")
    with zipfile.ZipFile(bundle) as zf:
        raw = zf.read("classes.csv")
        manifest = zf.read("manifest.json").decode()
    assert raw.startswith(b"\xef\xbb\xbf")
    (exported,) = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert exported["class_id"] == row["class_id"] and exported["menu"] == "maps;mynaportal"
    assert exported["staffing_warning"] == "ratio" and "note" not in exported
    assert "プロジェクター" not in raw.decode("utf-8-sig")
    assert '"classes.csv": 1' in manifest


def test_a_bad_note_or_no_topic_is_named_and_nothing_saved(qtbot, store) -> None:
    entry = QuickEntry(store, "kita-venue")
    qtbot.addWidget(entry)
    qtbot.mouseClick(button(entry, "saveClass"), Qt.MouseButton.LeftButton)
    assert "一つ以上選んでください" in entry.findChild(QLabel, "classProblems").text()
    qtbot.mouseClick(button(entry, "topic_etax"), Qt.MouseButton.LeftButton)
    entry.findChild(QLineEdit, "classNote").setText("連絡先 090-1234-5678")
    qtbot.mouseClick(button(entry, "saveClass"), Qt.MouseButton.LeftButton)
    assert "電話番号" in entry.findChild(QLabel, "classProblems").text()
    assert class_rows(store) == []


def test_live_tally_keys_save_every_tap_and_finish_fills_quick_entry(qtbot, store) -> None:
    entry = QuickEntry(store, "kita-venue")
    qtbot.addWidget(entry)
    qtbot.mouseClick(button(entry, "topic_line-sns"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(entry, "count_tutorsPlus"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(entry, "count_trained_tutorsPlus"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(entry, "liveTally"), Qt.MouseButton.LeftButton)
    tally = entry.tally
    qtbot.addWidget(tally)
    assert tally.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    tally.show()
    qtbot.waitExposed(tally)
    tally.activateWindow()
    for key in (Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_1):
        qtbot.keyClick(tally, key)
    assert "5 人" in tally.findChild(QLabel, "tallyCount").text()
    (row,) = class_rows(store)  # saved after every tap: a crash now loses nothing
    assert (row["results_reached"], row["results_partly"], row["results_not"]) == (3, 1, 1)
    assert row["learners"] == 5 and row["menu"] == "line-sns"
    qtbot.keyClick(tally, Qt.Key.Key_Backspace)  # the last "1" was a mistake
    (row,) = class_rows(store)
    assert row["results_reached"] == 2 and row["learners"] == 4
    qtbot.mouseClick(button(tally, "tallyPartly"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(tally, "tallyFinish"), Qt.MouseButton.LeftButton)

    assert spin(entry, "count_learners").value() == 5
    assert spin(entry, "count_results_partly").value() == 2
    assert spin(entry, "count_learners_age_unknown").value() == 5
    qtbot.mouseClick(button(entry, "count_learners_75_79Plus"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(entry, "saveClass"), Qt.MouseButton.LeftButton)
    (row,) = class_rows(store)  # the same class, updated: not a second record
    assert row["learners_75_79"] == 1 and row["learners_age_unknown"] == 4
    assert row["staffing_warning"] == "ratio"


def test_screenshots(qtbot, store, screenshot_folder) -> None:
    folder = screenshot_folder  # DXDESK_SCREENSHOTS=1 refreshes resources/screenshots
    record = ClassRecord("kita-venue", dt.date(2026, 5, 12), "10:00", 90,
                         ("mynaportal", "myna-insurance-benefit-account"), tutors=1,
                         trained_tutors=1, assistants=0, learners=6)  # fmt: skip
    record.ages.update({"70-74": 2, "75-79": 3, "unknown": 1})
    record.results.update({"reached": 4, "partly": 2})
    entry = QuickEntry(store, "kita-venue", shipped_class_menu(), record)
    qtbot.addWidget(entry)
    entry.resize(1180, 760)
    entry.show()
    qtbot.waitExposed(entry)
    entry.grab().save(str(folder / "class-quick-entry.png"))
    tally = ClassTally(store, record, shipped_class_menu())
    qtbot.addWidget(tally)
    tally.show()
    tally.tap("reached")
    tally.grab().save(str(folder / "class-tally.png"))
    assert (folder / "class-quick-entry.png").stat().st_size > 10_000


def test_every_count_shows_its_digits_in_both_themes(qtbot, store, app_look) -> None:
    """A styled spin box keeps room for arrow buttons it does not show; in the shipped themes
    the count boxes once had a one-pixel-wide text field and the numbers vanished."""
    entry = QuickEntry(store, "kita-venue")
    qtbot.addWidget(entry)
    entry.resize(1180, 760)
    entry.show()
    qtbot.waitExposed(entry)
    spins = [s for s in entry.findChildren(QSpinBox) if s.objectName().startswith("count_")]
    assert len(spins) > 10
    for spin in spins:
        spin.setValue(min(spin.maximum(), 88))
        edit = spin.lineEdit()
        needed = edit.fontMetrics().horizontalAdvance(spin.text())
        assert edit.width() >= needed, (spin.objectName(), edit.width(), needed, app_look)
    for box in (entry.date, entry.start):  # the spin boxes that keep their arrows
        edit = box.lineEdit()
        assert edit.width() >= edit.fontMetrics().horizontalAdvance(box.text()), box.objectName()


def test_handouts_print_from_the_class_topics(qtbot, store, screenshot_folder) -> None:
    """The A4 sheet of the chosen topics, then one slip per learner with its own code."""
    from pypdf import PdfReader

    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.handoff import is_valid_handoff_code
    from dxdesk.core.paths import forms_dir
    from dxdesk.gui import tasks

    settings = SiteSettings(site_id="kita-venue", site_name="北区 滝野川会館",
                            counter_phone="03-0000-0000", counter_hours="平日 9:00〜17:00")  # fmt: skip
    entry = QuickEntry(store, "kita-venue", catalog=load_catalog(forms_dir()), settings=settings)
    qtbot.addWidget(entry)
    bare = QuickEntry(store, "kita-venue")
    qtbot.addWidget(bare)
    assert bare.print_button.isHidden()  # no catalog or settings: nothing to print with
    tasks.use_immediate_runner()
    try:
        dialog = entry.open_handouts()  # a child of the entry, which owns and deletes it
        assert dialog.pdf is None and not dialog.print_button.isEnabled()  # no topic chosen yet
        dialog.close()
        for topic in ("mynaportal", "power-buttons"):
            entry.topic_buttons[topic].click()
        entry.counters["learners"].set_value(3)
        dialog = entry.open_handouts()
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(dialog.pdf)).pages)
        menu = shipped_class_menu()
        for topic in ("mynaportal", "power-buttons"):
            assert menu.topic(topic).title("ja").replace(" ", "") in text.replace(" ", "")
        assert dialog.language.count() == 9  # the sheet: any of the nine resident languages
        dialog.resize(900, 860)
        dialog.grab().save(str(screenshot_folder / "class-handout.png"))

        dialog.kind.setCurrentIndex(1)  # one slip per learner, for the guided topic
        assert dialog.topic.currentData() == "mynaportal" and dialog.learners.value() == 3
        assert dialog.language.count() == 9
        reader = PdfReader(io.BytesIO(dialog.pdf))
        codes = {word for p in reader.pages for word in p.extract_text().split()
                 if is_valid_handoff_code(word)}  # fmt: skip
        assert len(codes) == 3 and len(reader.pages) in (3, 6)  # 3 slips, one or two pages each
        dialog.format.setCurrentIndex(dialog.format.findData("a6"))  # every A6 slip is a card
        assert dialog.page_count == 6 and dialog.two_sided()
        dialog.learners.setValue(4)  # the preview follows the count; nothing stale prints
        assert not dialog.print_button.isEnabled()
        qtbot.waitUntil(lambda: dialog.page_count == 8, timeout=5000)
        assert dialog.print_button.isEnabled() and dialog.two_sided()
    finally:
        tasks.use_immediate_runner(False)
