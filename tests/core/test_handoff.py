"""Hand-off codes: random, unambiguous, grouped, and a mistyped code is caught."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxdesk.core.handoff import (
    ALPHABET,
    CODE_LENGTH,
    HandoffCodeError,
    is_valid_handoff_code,
    new_handoff_code,
    normalise_handoff_code,
)
from dxdesk.core.i18n import set_ui_language, ui_language

CODE_SHAPE = r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]$"


@pytest.fixture(autouse=True)
def english_messages():
    """The messages below are read in English; they follow the interface language."""
    before = ui_language()
    set_ui_language("en")
    yield
    set_ui_language(before)


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_new_codes_are_grouped_valid_and_distinct() -> None:
    codes = [new_handoff_code() for _ in range(2000)]
    for code in codes:
        assert re.match(CODE_SHAPE, code), code
        assert is_valid_handoff_code(code)
        assert normalise_handoff_code(code) == code
    assert len(set(codes)) == len(codes)


def test_every_symbol_appears_in_random_codes() -> None:
    seen = set("".join(new_handoff_code() for _ in range(500)).replace("-", ""))
    assert seen == set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "k7qm3xpa{c}",
        " K7QM 3XPA {c} ",
        "ｋ７ｑｍ－３ｘｐａ－{c}",  # full-width, as typed with a Japanese IME
        "K7QM—3XPA—{c}",
        "K7QMー3XPAー{c}",  # katakana long-vowel mark used as a hyphen
        "К7QМ-3ХРА-{c}",  # Cyrillic look-alikes К М Х Р А
    ],
)
def test_normalise_accepts_typed_variants(typed: str) -> None:
    from dxdesk.core.handoff import _check_character

    check = _check_character("K7QM3XPA")
    assert normalise_handoff_code(typed.format(c=check.lower())) == f"K7QM-3XPA-{check}"


@given(st.data())
def test_any_single_substitution_is_caught(data: st.DataObject) -> None:
    code = new_handoff_code().replace("-", "")
    pos = data.draw(st.integers(0, CODE_LENGTH - 1))
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != code[pos]]))
    mistyped = code[:pos] + wrong + code[pos + 1 :]
    assert not is_valid_handoff_code(mistyped)
    with pytest.raises(HandoffCodeError, match="mistyped"):
        normalise_handoff_code(mistyped)


def test_every_neighbour_swap_is_caught() -> None:
    for _ in range(300):
        code = new_handoff_code().replace("-", "")
        for i in range(CODE_LENGTH - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not is_valid_handoff_code(swapped), (code, swapped)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "empty"),
        ("K7QM-3XPA", "9 characters"),
        ("K7QM-3XPA-RR", "9 characters"),
        ("K7QM-3XP0-R", "never contain 0"),
        ("K7QM-3XPI-L", "never contain I, L"),
        ("K7QM-3XP#-R", "'#' cannot appear"),
    ],
)
def test_bad_codes_get_a_clear_message(typed: str, message: str) -> None:
    with pytest.raises(HandoffCodeError, match=message):
        normalise_handoff_code(typed)
    assert not is_valid_handoff_code(typed)


@pytest.mark.parametrize("position", range(8))
def test_each_position_change_moves_the_check_character(position: int) -> None:
    from dxdesk.core.handoff import _check_character

    base = "ABCD2345"
    checks = {_check_character(base[:position] + c + base[position + 1 :]) for c in ALPHABET}
    assert len(checks) == len(ALPHABET)


def test_messages_follow_the_interface_language() -> None:
    set_ui_language("ja")
    with pytest.raises(HandoffCodeError, match="引き継ぎコードは 9 文字です"):
        normalise_handoff_code("K7QM-3XPA")
