"""Public numbers that are not personal data: national hotlines, the guides', the counter's own.

A clerk writes "0120-95-0178 を案内" all day; flagging it teaches clerks to ignore the red
marks. A number is allowed when its digits (separators and kanji numerals read as in the
number view) equal one of:

- the national hotlines below, each with the page it was read from;
- any phone-shaped number in the shipped guides (``forms/guides/*.yaml``);
- the site's own numbers (the counter's phone from the site settings), registered by the app
  with :func:`allow_site_numbers`.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

from dxdesk.core.privacy.normalise import digit_runs, number_view, text_view

# (digits, what it is, source, checked on)
_CARD = "https://www.kojinbango-card.go.jp/tag/8/"
NATIONAL_HOTLINES: tuple[tuple[str, str, str, str], ...] = (
    ("0120950178", "マイナンバー総合フリーダイヤル", _CARD, "2026-12-04"),
    ("0120017826", "マイナンバー総合フリーダイヤル 外国語", _CARD, "2026-12-04"),
    ("0120017827", "マイナンバーカード 紛失・盗難 外国語", _CARD, "2026-12-04"),
    ("0570783578", "個人番号カードコールセンター", _CARD, "2026-12-04"),
    ("0570064738", "個人番号カードコールセンター 外国語", _CARD, "2026-12-04"),
    ("05038181250", "個人番号カードコールセンター IP電話から", _CARD, "2026-12-04"),
    ("0570051165", "ねんきんダイヤル", "https://www.nenkin.go.jp/section/tel/", "2026-12-04"),
    (
        "0570015901",
        "e-Tax・作成コーナー ヘルプデスク",
        "https://www.e-tax.nta.go.jp/",
        "2026-12-04",
    ),
)
_HOTLINE_DIGITS = frozenset(d for d, *_ in NATIONAL_HOTLINES)

_site_numbers: frozenset[str] = frozenset()
_lock = threading.Lock()


def phone_digits(text: str) -> set[str]:
    """The digits of every number in ``text`` that is 10 or 11 digits long when collapsed."""
    view = number_view(text_view(text))
    found = set()
    for run in digit_runs(view.text):
        digits = run.digits(view.text)
        if view.text[max(0, run.start - 3) : run.start].endswith(("+81", "+81 ")):
            digits = "0" + digits
        if 6 <= len(digits) <= 11:
            found.add(digits)
    return found


def numbers_in_guides(folder: Path) -> frozenset[str]:
    """The digits of every phone-shaped number written in the guides of ``folder``."""
    numbers: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"[0-9０-９〇]", line):
                numbers |= {d for d in phone_digits(line) if d.startswith("0") and len(d) >= 10}
    return frozenset(numbers)


@cache
def guide_numbers() -> frozenset[str]:
    """Phone-shaped numbers in the shipped guides (forms/guides/*.yaml), read once."""
    from dxdesk.core.paths import forms_dir

    try:
        return numbers_in_guides(forms_dir() / "guides")
    except FileNotFoundError:
        return frozenset()


def allow_site_numbers(*numbers: str) -> None:
    """Register the site's own public numbers (the counter's phone), replacing earlier ones."""
    global _site_numbers
    digits: set[str] = set()
    for number in numbers:
        if number:
            digits |= phone_digits(number)
    with _lock:
        _site_numbers = frozenset(digits)


def is_public_number(digits: str) -> bool:
    """Are these digits a public number (a hotline, a guide's number, the counter's own)?"""
    return digits in _site_numbers or digits in _HOTLINE_DIGITS or digits in guide_numbers()
