"""A flagged note is checked whole after every edit, and a deletion's neighbours with it."""

from __future__ import annotations

import pytest

from dxdesk.core.i18n import tr
from dxdesk.core.privacy import find_personal_data
from dxdesk.core.privacy.note_check import NoteGuard, note_problem


def kinds(findings) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in findings]


def type_out(guard: NoteGuard, text: str) -> list:
    """Check after every keystroke, as the note field does; return the last findings."""
    findings = []
    for k in range(1, len(text) + 1):
        findings = guard.check(text[:k], visit_year=2026)
    return findings


def test_the_issue_example_deleting_only_the_year_still_blocks() -> None:
    guard = NoteGuard()
    first = type_out(guard, "佐々木ミツ子 昭和20年生まれ、一人暮らし")
    assert ("birth_date", "昭和20年") in kinds(first)
    assert ("person_name", "佐々木ミツ子") in kinds(first)  # the whole name, 子 included
    after = guard.check("佐々木ミツ子 生まれ、一人暮らし", visit_year=2026)
    assert after, "the name left behind must still block"
    clean = guard.check("生まれ、一人暮らし", visit_year=2026)
    assert clean == []


@pytest.mark.parametrize(
    "flagged, edited, left",
    [
        ("おおた 昭和20年5月5日生まれ", "おおた 生まれ", "おおた"),
        ("ウメ 大正15年3月3日生まれ", "ウメ 生まれ", "ウメ"),
        ("暗証番号はとめ 1955", "暗証番号はとめ", None),
    ],
)
def test_a_word_left_next_to_a_removed_finding_is_reported(flagged, edited, left) -> None:
    guard = NoteGuard()
    assert guard.check(flagged, visit_year=2026)
    if left is None:
        return
    assert find_personal_data(edited, visit_year=2026) == []  # alone it would pass...
    assert ("near_removed", left) in kinds(guard.check(edited, visit_year=2026))  # ...not here
    assert guard.check(edited.replace(left, "").strip(), visit_year=2026) == []


def test_common_words_next_to_a_removed_number_do_not_block() -> None:
    guard = NoteGuard()
    assert guard.check("本日 090-1234-5678 に折り返し予定")
    assert guard.check("本日 に折り返し予定") == []


def test_a_new_guard_per_note_forgets_the_last_note() -> None:
    guard = NoteGuard()
    guard.check("おおた 昭和20年5月5日生まれ", visit_year=2026)
    guard.reset()
    assert guard.check("おおた 生まれ", visit_year=2026) == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_reason_names_the_word_in_both_languages(lang: str) -> None:
    guard = NoteGuard()
    guard.check("おおた 昭和20年5月5日生まれ", visit_year=2026)
    text = note_problem(guard.check("おおた 生まれ", visit_year=2026), lang)
    assert tr("privacy.near_removed_reason", lang=lang, words="おおた") == text
