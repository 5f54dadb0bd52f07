"""Normalisation before any recogniser runs, with a map back to the original offsets.

A clerk's note reaches the guard as typed or pasted: full-width digits (０９０), half-width kana,
zero-width spaces, soft hyphens and joiners from a copied text, numbers in kanji (〇九〇の一二三四)
or spaced out digit by digit (0 9 0 - 1 2 3 4). Every recogniser works on one of two views of
the note, and every character of a view remembers the span of the original it came from, so the
GUI marks exactly what the clerk typed:

- the *text view*: NFKC, format characters (Unicode category Cf) removed, dashes between ASCII
  letters or digits made ``-``. Names and places are read here (一郎 stays 一郎).
- the *number view*: the text view with kanji numerals (〇一二…九, 十 in simple forms) turned
  into ASCII digits. Identifiers are read here.

:func:`digit_runs` then collapses digits separated by spaces or punctuation into one run.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DASHES = frozenset("-‐‑‒–—―−ー﹣")
_KANJI_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}


@dataclass(frozen=True)
class View:
    """Normalised text; ``starts[i]:ends[i]`` is where its i-th char came from in the original."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``self.text[start:end]``."""
        return self.starts[start], self.ends[end - 1]


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def text_view(text: str) -> View:
    """NFKC per cluster (a base char plus its combining marks), without format characters."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        # Half-width kana voicing marks (ﾞﾟ) and combining marks compose with the char before.
        while j < n and (unicodedata.combining(text[j]) or text[j] in "\uff9e\uff9f"):
            j += 1
        for ch in unicodedata.normalize("NFKC", text[i:j]):
            if unicodedata.category(ch) == "Cf":  # ZWSP, ZWJ, ZWNJ, soft hyphen, BOM, WJ
                continue
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    # A dash between ASCII letters or digits is a hyphen (０９０ー１２３４, ｔａｒｏーｙ＠...).
    for k in range(1, len(out) - 1):
        if out[k] in _DASHES and _is_ascii_alnum(out[k - 1]) and _is_ascii_alnum(out[k + 1]):
            out[k] = "-"
    return View("".join(out), tuple(starts), tuple(ends))


_KANJI_NUMBER_RE = re.compile(r"[〇零一二三四五六七八九十]+")
# A dash between kanji numerals is a hyphen too (〇九〇ー一二三四).
_NUMERAL_DASH_RE = re.compile(
    r"(?<=[0-9〇零一二三四五六七八九])[ー−―‐](?=[0-9〇零一二三四五六七八九])"
)


def _kanji_number(run: str) -> str | None:
    """ASCII digits for a run of kanji numerals, or None when it is not a plain number.

    Digit by digit (〇九〇 -> 090) when there is no 十; 十 in its simple forms (十 10,
    十五 15, 二十 20, 二十三 23). 一人, 三つ etc. become 1人, 3つ: harmless in a view that only
    identifier recognisers read.
    """
    if set(run) <= {"〇", "零"}:
        return None  # 〇〇〇〇 hides a value, 〇〇市 a name: not a number
    if "十" not in run:
        return "".join(_KANJI_DIGIT[c] for c in run)
    tens, sep, ones = run.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return str(
        (int(_KANJI_DIGIT[tens]) if tens else 1) * 10 + (int(_KANJI_DIGIT[ones]) if ones else 0)
    )


def number_view(view: View) -> View:
    """The text view with kanji numerals as ASCII digits (each digit maps to its source)."""
    text = _NUMERAL_DASH_RE.sub("-", view.text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _KANJI_NUMBER_RE.finditer(text):
        for k in range(pos, m.start()):
            out.append(text[k])
            starts.append(view.starts[k])
            ends.append(view.ends[k])
        digits = _kanji_number(m.group(0))
        if digits is None or len(digits) != len(m.group(0)):
            # 二十三 -> 23: the digits share the span of the whole numeral.
            digits = digits or m.group(0)
            s, e = view.span(m.start(), m.end())
            for ch in digits:
                out.append(ch)
                starts.append(s)
                ends.append(e)
        else:
            for k, ch in zip(range(m.start(), m.end()), digits, strict=True):
                out.append(ch)
                starts.append(view.starts[k])
                ends.append(view.ends[k])
        pos = m.end()
    for k in range(pos, len(text)):
        out.append(text[k])
        starts.append(view.starts[k])
        ends.append(view.ends[k])
    return View("".join(out), tuple(starts), tuple(ends))


# Digits joined by at most three separators: spaces, dashes, dots, slashes, underscores,
# commas, の, brackets (0 9 0 - 1 2 3 4, 090の1234の5678, 03(3333)4444, 070 / 1234 / 5678).
_SEPARATOR = r"[ \-./_,、・･の()\[\]]"
_DIGIT_RUN_RE = re.compile(rf"(?<![0-9])[0-9]+(?:{_SEPARATOR}{{1,3}}[0-9]+)*")
_GROUP_RE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class DigitRun:
    """Digits joined by separators: the groups (start, end) in the view, in order."""

    start: int
    end: int
    groups: tuple[tuple[int, int], ...]

    def digits(self, text: str, first: int = 0, last: int | None = None) -> str:
        groups = self.groups[first : len(self.groups) if last is None else last]
        return "".join(text[s:e] for s, e in groups)


def digit_runs(text: str) -> list[DigitRun]:
    """Every maximal run of digit groups joined by separators in ``text`` (a number view)."""
    runs = []
    for m in _DIGIT_RUN_RE.finditer(text):
        groups = tuple(
            (m.start() + g.start(), m.start() + g.end()) for g in _GROUP_RE.finditer(m.group(0))
        )
        runs.append(DigitRun(m.start(), m.end(), groups))
    return runs
