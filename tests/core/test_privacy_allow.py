"""Public numbers are not personal data: national hotlines, the guides', the counter's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxdesk.core.privacy import find_personal_data
from dxdesk.core.privacy.allow import (
    NATIONAL_HOTLINES,
    allow_site_numbers,
    guide_numbers,
    numbers_in_guides,
)


@pytest.fixture(autouse=True)
def _no_site_numbers():
    allow_site_numbers()
    yield
    allow_site_numbers()


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_personal_data(text, visit_year=2026)]


@pytest.mark.parametrize(
    "note",
    [
        "総合フリーダイヤル 0120-95-0178 を案内",
        "０１２０－９５－０１７８に電話するよう案内",
        "〇一二〇・九五・〇一七八",
        "0120\u200b95\u200b0178",
        "0 1 2 0 9 5 0 1 7 8",
        "ねんきんダイヤル 0570-05-1165",
    ],
)
def test_national_hotlines_in_any_form_are_public(note: str) -> None:
    assert found(note) == []


def test_a_personal_number_beside_a_hotline_is_still_found() -> None:
    assert found("0120-95-0178 を案内、本人の携帯は090-1234-5678") == [("phone", "090-1234-5678")]


def test_every_hotline_has_a_source() -> None:
    for digits, what, source, checked in NATIONAL_HOTLINES:
        assert digits.isdigit() and len(digits) in (10, 11) and what
        assert source.startswith("https://") and checked[:2] == "20"


def test_the_counter_phone_from_the_site_settings_is_public() -> None:
    note = "窓口の電話 03-3908-1111 を案内"
    assert found(note) == [("phone", "03-3908-1111")]
    allow_site_numbers("０３（３９０８）１１１１")
    assert found(note) == []
    assert found("本人宅 03-3908-2222") == [("phone", "03-3908-2222")]


def test_numbers_written_in_a_guide_are_public(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "say:\n  ja: わからないときは 0120-123-456 にお電話ください\n", encoding="utf-8"
    )
    assert numbers_in_guides(tmp_path) == {"0120123456"}


def test_the_shipped_guides_are_read() -> None:
    from dxdesk.core.paths import forms_dir

    assert guide_numbers() == numbers_in_guides(forms_dir() / "guides")
