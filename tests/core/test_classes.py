"""Class records: the shipped menu, validation, the staffing rule and the store row."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.classes import (
    CLASS_ROW_COLUMNS,
    ClassMenuError,
    ClassRecord,
    ClassRecordError,
    load_class_menu,
    shipped_class_menu,
    staffing_message,
    staffing_warnings,
)
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir


@pytest.fixture(autouse=True)
def japanese():
    set_ui_language("ja")
    yield
    set_ui_language("ja")


def record(**changes) -> ClassRecord:
    base = ClassRecord(
        site_id="kita-venue", date=dt.date(2026, 5, 12), start_time="10:00", duration_min=90,
        menu=("maps", "mynaportal"), tutors=1, trained_tutors=1, assistants=1, learners=6,
    )  # fmt: skip
    base.ages.update({"70-74": 3, "80plus": 2, "unknown": 1})
    base.results.update({"reached": 4, "partly": 1, "not": 1})
    return base.copy(**changes)


def test_shipped_menu_follows_the_curriculum_and_its_guides_exist() -> None:
    menu = load_class_menu(forms_dir() / "class-menu.yaml", load_catalog(forms_dir()))
    kinds = {t.id: t.kind for t in menu.topics}
    for basic in ("power-buttons", "phone-camera", "internet", "maps", "line-sns"):
        assert kinds[basic] == "basic"
    for applied in (
        "mynumber-card-application",
        "mynaportal",
        "myna-insurance-benefit-account",
        "etax",
        "online-medical",
        "smartphone-certificate",
        "disaster-app",
    ):
        assert kinds[applied] == "applied"  # fmt: skip
    assert menu.topic("etax").guide == "etax-smartphone"
    assert all(t.label["ja"] and t.label["en"] and t.goal["ja"] for t in menu.topics)


def test_menu_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "class-menu.yaml"
    shutil.copy(forms_dir() / "class-menu.yaml", path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("kind: basic\n    label:\n      ja: 地図", "kind: basics\n"
                                 "    label:\n      ja: 地図"), encoding="utf-8")  # fmt: skip
    with pytest.raises(ClassMenuError) as err:
        load_class_menu(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "kind: basics" in t)
    assert f"{path}:{line}: 'topics.3.kind'" in str(err.value)

    path.write_text(text.replace("guide: etax-smartphone", "guide: no-such-guide"), "utf-8")
    with pytest.raises(ClassMenuError, match="unknown guide 'no-such-guide'") as err:
        load_class_menu(path, load_catalog(forms_dir()))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "no-such" in t)
    assert str(err.value).startswith(f"{path}:{line}:")

    path.write_text(text + "  - id: maps\n    kind: basic\n    label: {ja: x, en: y}\n"
                    "    goal: {ja: z}\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ClassMenuError, match="duplicate topic id 'maps'"):
        load_class_menu(path)


def test_a_good_record_passes_and_becomes_the_contract_row() -> None:
    r = record().checked(shipped_class_menu())
    row = r.to_row(recorded_at=dt.datetime(2026, 5, 12, 12, 0, tzinfo=dt.UTC))
    assert tuple(row) == CLASS_ROW_COLUMNS
    assert row["menu"] == "maps;mynaportal" and row["hour"] == 10
    assert row["learners_70_74"] == 3 and row["learners_80plus"] == 2
    assert row["learners_age_unknown"] == 1 and row["learners_under60"] == 0
    assert (row["results_reached"], row["results_partly"], row["results_not"]) == (4, 1, 1)
    assert row["staffing_warning"] == "" and row["origin"] == "local"
    assert row["satisfaction_1"] == 0 and row["recorded_at"].startswith("2026-05-12T12:00")
    again = ClassRecord.from_row({k: str(v) for k, v in row.items()})
    assert again == r


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"learners": 7}, "ages", "年代別の合計（6 人）が受講者数（7 人）"),
        ({"results": {"reached": 6, "partly": 1, "not": 0}}, "results", "結果別の合計（7 人）"),
        ({"satisfaction": (0, 0, 3, 2, 2)}, "satisfaction", "満足度の回答（7 人）"),
        ({"tutors": -1}, "tutors", "0〜999"),
        ({"trained_tutors": 2}, "trained_tutors", "研修を受けた講師（2 人）"),
        ({"menu": ("maps", "cooking")}, "menu", "cooking"),
        ({"menu": ()}, "menu", "一つ以上"),
        ({"start_time": "25:00"}, "start_time", "25:00"),
        ({"duration_min": 0}, "duration_min", "1〜600"),
        ({"note": "あ" * 201}, "note", "200 文字"),
        ({"note": "山田太郎さんが参加 090-1234-5678"}, "note", "電話番号"),
        ({"site_id": " "}, "site_id", "拠点ID"),
    ],
)
def test_each_bad_field_is_named(changes: dict, field: str, words: str) -> None:
    with pytest.raises(ClassRecordError) as err:
        record(**changes).checked(shipped_class_menu())
    fields = {p.field for p in err.value.problems}
    assert field in fields, err.value
    assert words in str(err.value)


def test_a_draft_may_have_no_menu_yet() -> None:
    assert record(menu=()).problems(shipped_class_menu(), draft=True) == []


@pytest.mark.parametrize(
    ("tutors", "trained", "assistants", "learners", "codes"),
    [
        (1, 1, 0, 4, []),
        (1, 1, 0, 5, ["ratio"]),
        (1, 1, 1, 8, []),
        (1, 1, 1, 9, ["ratio"]),
        (2, 0, 0, 3, ["no_trained_tutor"]),
        (0, 0, 0, 1, ["no_trained_tutor", "ratio"]),
        (0, 0, 3, 12, ["no_trained_tutor"]),
    ],
)
def test_staffing_rule(tutors, trained, assistants, learners, codes) -> None:
    r = ClassRecord("v", dt.date(2026, 5, 1), "13:30", menu=("maps",), tutors=tutors,
                    trained_tutors=trained, assistants=assistants, learners=learners)  # fmt: skip
    assert staffing_warnings(r) == codes


def test_staffing_warning_is_recorded_not_refused() -> None:
    r = record(assistants=0, learners=6)
    r.checked(shipped_class_menu())  # a warning never blocks the save
    assert r.to_row()["staffing_warning"] == "ratio"
    assert "2 人必要" in staffing_message(["ratio"], r)
    assert "2 needed" in staffing_message(["ratio"], r, lang="en")


def test_live_tally_keeps_the_sums_and_undo_takes_back() -> None:
    r = ClassRecord("v", dt.date(2026, 5, 1), "10:00", menu=(), tutors=1, trained_tutors=1)
    for result in ("reached", "reached", "partly", "not"):
        r.add_result(result)
    assert r.learners == 4 and r.ages["unknown"] == 4 and r.results["reached"] == 2
    assert r.problems(shipped_class_menu(), draft=True) == []
    r.ages.update({"unknown": 0, "75-79": 4})  # the volunteer sorted them by age afterwards
    r.remove_result("reached")
    assert r.learners == 3 and sum(r.ages.values()) == 3 and r.results["reached"] == 1
    with pytest.raises(ValueError, match="no learner"):
        r.remove_result("partly") or r.remove_result("partly")


def test_every_topic_has_its_label_and_goal_in_every_resident_language() -> None:
    """A learner's handout prints the topic and its goal in the learner's language."""
    from dxdesk.core.catalog import ruby_segments
    from dxdesk.core.i18n import RESIDENT_LANGUAGES

    missing = [
        (t.id, field, lang)
        for t in shipped_class_menu().topics
        for field, texts in (("label", t.label), ("goal", t.goal))
        for lang in RESIDENT_LANGUAGES
        if not (texts.get(lang) or "").strip()
    ]
    assert not missing, missing
    for t in shipped_class_menu().topics:  # やさしい日本語 reads every kanji with furigana
        for base, reading in ruby_segments(t.goal["ja-easy"] + t.label["ja-easy"]):
            if reading is None:
                assert not any("\u4e00" <= c <= "\u9fff" for c in base), (t.id, base)


def test_a_menu_text_in_an_unknown_language_is_refused(tmp_path: Path) -> None:
    text = (forms_dir() / "class-menu.yaml").read_text("utf-8")
    bad = tmp_path / "class-menu.yaml"
    bad.write_text(text.replace("      pt: ", "      xx: ", 1), "utf-8")
    with pytest.raises(ClassMenuError, match="xx"):
        load_class_menu(bad)
