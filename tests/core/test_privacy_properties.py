"""Property tests: personal data of every kind, typed half- or full-width inside a realistic
counter note, is found with the right kind and a span that covers it.

The strategies here are also what tests/core/privacy_rates.py measures detection rates with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxdesk.core.privacy import KINDS, find_personal_data, luhn_valid, my_number_check_digit

VISIT_YEAR = 2026
EXAMPLES_PER_KIND = 200

digit = st.sampled_from("0123456789")


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(digit, min_size=n, max_size=n)


# --- personal data, half-width ---------------------------------------------------------------


@st.composite
def my_numbers(draw: st.DrawFn) -> str:
    base = draw(digits(11))
    number = base + str(my_number_check_digit(base))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join((number[:4], number[4:8], number[8:]))


@st.composite
def phones(draw: st.DrawFn) -> str:
    shape = draw(
        st.sampled_from(["landline", "mobile", "tollfree", "intl", "bare", "parens", "area_parens"])
    )
    sep = draw(st.sampled_from(["-", " ", "", "."]))
    if shape in ("landline", "bare", "parens", "area_parens", "intl"):
        area_len = draw(st.integers(1, 4))
        area = draw(st.sampled_from("123456789")) + draw(digits(area_len - 1))
        parts = [area, draw(digits(5 - area_len)), draw(digits(4))]
        if shape == "intl" and draw(st.booleans()):
            parts[0] = draw(st.sampled_from(["70", "80", "90"]))
            parts[1:] = [draw(digits(4)), draw(digits(4))]
    elif shape == "mobile":
        parts = [draw(st.sampled_from(["090", "080", "070"])), draw(digits(4)), draw(digits(4))]
    else:
        parts = ["0120", draw(digits(3)), draw(digits(3))]
    if shape == "intl":
        return "+81" + sep + sep.join(parts)
    if shape == "bare":
        return "0" + "".join(parts)
    if shape == "parens":
        return f"0{parts[0]}({parts[1]}){parts[2]}"
    if shape == "area_parens":
        return f"(0{parts[0]}){parts[1]}-{parts[2]}"
    if parts[0] in ("090", "080", "070", "0120"):
        return sep.join(parts)
    return "0" + sep.join(parts)


@st.composite
def postal_codes(draw: st.DrawFn) -> str:
    code = draw(digits(3)) + "-" + draw(digits(4))
    if draw(st.booleans()):
        return (
            "〒"
            + draw(st.sampled_from(["", " "]))
            + code.replace("-", draw(st.sampled_from(["-", ""])))
        )
    return code


_local = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=10)


@st.composite
def emails(draw: st.DrawFn) -> str:
    local = draw(_local)
    if draw(st.booleans()):
        local += draw(st.sampled_from([".", "_", "-", "+"])) + draw(_local)
    domain = draw(
        st.sampled_from(
            [
                "example.jp",
                "mail.example.co.jp",
                "docomo.ne.jp",
                "ezweb.ne.jp",
                "i.softbank.jp",
                "gmail.com",
                "yahoo.co.jp",
                "icloud.com",
            ]
        )
    )
    return f"{local}@{domain}"


def kanji_number(n: int) -> str:
    """1..99 in kanji numerals as on old documents: 五, 十二, 二十三."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else KANJI_NUMERALS[tens - 1] + "十")
    return head + (KANJI_NUMERALS[ones - 1] if ones else "")


ERAS = {"昭和": (1925, 64, "S"), "平成": (1988, 31, "H"), "令和": (2018, 7, "R")}


@st.composite
def birth_dates(draw: st.DrawFn) -> str:
    """A birth date as residents say it: near 生年月日/生まれ, or simply old enough."""
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    style = draw(
        st.sampled_from(
            ["era", "era_kanji", "era_abbr", "western_kanji", "western_slash", "western_dot"]
        )
    )
    if style.startswith("era"):
        era = draw(st.sampled_from(sorted(ERAS)))
        _, last, abbr = ERAS[era]
        year = draw(st.integers(1, last))
        if style == "era":
            return f"{era}{year}年{month}月{day}日"
        if style == "era_kanji":
            return f"{era}{kanji_number(year)}年{kanji_number(month)}月{kanji_number(day)}日"
        return f"{abbr}{year}.{month}.{day}"
    year = draw(st.integers(1920, VISIT_YEAR))
    if style == "western_kanji":
        return f"{year}年{month}月{day}日"
    if style == "western_slash":
        return f"{year}/{month:02d}/{day:02d}"
    return f"{year}.{month}.{day}"


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([13, 14, 15, 16, 16, 16, 19]))
    body = draw(st.sampled_from("3456")) + draw(digits(length - 2))
    check = next(d for d in "0123456789" if luhn_valid(body + d))
    number = body + check
    if length == 16 and draw(st.booleans()):
        sep = draw(st.sampled_from([" ", "-"]))
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))
    return number


@st.composite
def account_numbers(draw: st.DrawFn) -> str:
    return draw(st.one_of(digits(7), digits(3), digits(8)))


_PASSWORD_CHARS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@st.composite
def secrets(draw: st.DrawFn) -> str:
    """A PIN (4 digits for the card, 6 or 8 for a phone) or a password with a digit in it."""
    if draw(st.booleans()):
        return draw(digits(draw(st.sampled_from([4, 4, 4, 6, 8]))))
    body = draw(st.text(st.sampled_from(_PASSWORD_CHARS), min_size=5, max_size=15))
    at = draw(st.integers(0, len(body)))
    return body[:at] + draw(digit) + body[at:]


KANJI_NUMERALS = "一二三四五六七八九"
PLACES = [
    "北区",
    "中央区本町",
    "栄町",
    "緑町",
    "旭が丘",
    "港区芝",
    "青葉区",
    "本町",
    "霞ヶ関",
    "東区",
]


@st.composite
def addresses(draw: st.DrawFn) -> str:
    place = draw(st.sampled_from(PLACES))
    a, b, c = (draw(st.integers(1, 40)) for _ in range(3))
    chome = draw(st.sampled_from([str(a % 9 + 1), KANJI_NUMERALS[a % 9]]))
    shape = draw(st.integers(0, 6))
    if shape == 0:
        return f"{place}{chome}丁目{b}番{c}号"
    if shape == 1:
        return f"{place}{chome}丁目{b}-{c}"
    if shape == 2:
        return f"{place}{chome}丁目{b}番地"
    if shape == 3:
        return f"{place}{a}番地{b}"
    town = draw(st.sampled_from(["本町", "栄町", "緑町", "旭町"]))
    if shape == 4:
        return f"{town}{a}-{b}-{c}"
    # No 丁目 or 番地: a place name and three number groups (北区王子1-2-3, 王子本町1の2の3).
    area = draw(st.sampled_from(["北区王子", "中央区築地", "港区芝", "緑区霧が丘", "霞ヶ関"]))
    if shape == 5:
        return f"{area}{a}-{b}-{c}"
    return f"{draw(st.sampled_from(['王子本町', *PLACES[:3]]))}{a}の{b}の{c}"


SURNAMES = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "田所",
    "土屋",
]
GIVEN = ["", "", "太郎", "花子", "一郎", "和子", "幸子", "健"]
FOREIGN = [
    "グエン",
    "マリア",
    "ホセ",
    "チャン",
    "パク",
    "キム",
    "サントス",
    "グルン",
    "Maria",
    "Nguyen",
]


@st.composite
def person_names(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 3)) == 0:
        name = draw(st.sampled_from(FOREIGN))
    else:
        given = draw(st.sampled_from(GIVEN))
        space = draw(st.sampled_from(["", " "])) if given else ""
        name = draw(st.sampled_from(SURNAMES)) + space + given
    return name + draw(st.sampled_from(["さん", "様", "氏", "くん", "ちゃん"]))


LATIN_SURNAMES = ["Yamada", "Tanaka", "Suzuki", "Sato", "Nguyen", "Santos", "Kim"]


@st.composite
def latin_person_names(draw: st.DrawFn) -> str:
    """A name in an English note: Mr. Yamada, Ms Tanaka, Dr. Sato, Yamada-san."""
    surname = draw(st.sampled_from(LATIN_SURNAMES))
    if draw(st.booleans()):
        title = draw(st.sampled_from(["Mr", "Mrs", "Ms", "Dr", "Miss"]))
        return title + draw(st.sampled_from([". ", " ", "."])) + surname
    return surname + draw(st.sampled_from(["-san", " san", "-sama", "-kun", "-chan"]))


@st.composite
def bare_names(draw: st.DrawFn) -> str:
    """A full name with no honorific; it turns up after a label (氏名 山田太郎)."""
    shape = draw(st.integers(0, 2))
    if shape == 0:
        surname = draw(st.sampled_from(SURNAMES))
        given = draw(st.sampled_from([g for g in GIVEN if g]))
        return surname + draw(st.sampled_from(["", " "])) + given
    if shape == 1:
        surname = draw(st.sampled_from(["ヤマダ", "サトウ", "グエン", "サントス", "キム"]))
        given = draw(st.sampled_from(["タロウ", "ハナコ", "マリア", "ヴァン・アン"]))
        return surname + draw(st.sampled_from(["", " "])) + given
    given = draw(st.sampled_from(["Taro", "Hanako", "Maria", "Jose"]))
    return given + " " + draw(st.sampled_from(LATIN_SURNAMES))


_HONORIFICS = ("さん", "様", "氏", "くん", "ちゃん", "san", "sama", "kun", "chan")


def _has_honorific(name: str) -> bool:
    return name.endswith(_HONORIFICS) or name.startswith(("Mr", "Ms", "Dr", "Miss"))


PERSONAL_DATA: dict[str, st.SearchStrategy[str]] = {
    "my_number": my_numbers(),
    "phone": phones(),
    "postal_code": postal_codes(),
    "email": emails(),
    "birth_date": birth_dates(),
    "card_number": card_numbers(),
    "account_number": account_numbers(),
    "secret": secrets(),
    "address": addresses(),
    "person_name": st.one_of(person_names(), latin_person_names(), bare_names()),
}

# Where each kind turns up in a note; {v} is the value.
CARRIERS: dict[str, list[str]] = {
    "my_number": [
        "マイナンバー{v}を読み上げられた",
        "番号{v}",
        "{v}",
        "カード裏面の{v}を控えようとした",
    ],
    "phone": ["連絡先{v}", "電話番号は{v}とのこと", "TEL:{v}", "{v}に折り返し"],
    "postal_code": ["{v}", "住所欄に{v}と記入", "郵便番号 {v}"],
    "email": ["メール{v}", "{v}に送信", "アドレス（{v}）"],
    "birth_date": ["生年月日{v}", "誕生日は{v}", "{v}生まれ", "生年月日：{v}"],
    "card_number": ["カード番号{v}", "クレジットカード{v}を見せられた", "{v}"],
    "account_number": ["口座番号{v}", "普通 {v}", "口座：{v}", "店番{v}"],
    "secret": [
        "パスワード：{v}",
        "署名用パスワードは{v}と言っていた",
        "パスワード {v} をメモしていた",
        "password: {v}",
    ],
    "address": ["住所は{v}", "{v}に住んでいる", "自宅（{v}）"],
    "person_name": ["{v}が来庁", "本日{v}と一緒に", "{v}に説明", "担当は{v}"],
}
# Dates old enough to be a birth date are found without a birth word too.
OLD_DATE_CARRIERS = ["{v}に手続き", "{v}"]
# A PIN (digits only) also turns up next to 暗証番号 or PIN.
PIN_CARRIERS = ["暗証番号は{v}", "暗証番号 {v} と言っていた", "PIN {v}", "PINは{v}とのこと"]
# A name with no honorific is found after its label.
NAME_LABEL_CARRIERS = [
    "氏名 {v}",
    "名前は{v}",
    "お名前：{v}",
    "フルネームは{v}と名乗った",
    "本名「{v}」",
    "name: {v}",
]


def clean_notes() -> list[str]:
    path = Path(__file__).parent / "data" / "clean_notes.txt"
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


CLEAN_NOTES = clean_notes()

_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))} | {" ": "\u3000"}


@st.composite
def full_width(draw: st.DrawFn, value: str) -> str:
    """The value as typed with a Japanese IME: full-width digits, letters and signs."""
    dash = draw(st.sampled_from(["－", "ー", "‐", "−"]))
    return "".join(dash if c == "-" else _FULL_WIDTH.get(c, c) for c in value)


@st.composite
def notes_with(draw: st.DrawFn, kind: str, width: str) -> tuple[str, int, int]:
    """A realistic note holding one value of ``kind``; returns (note, value start, value end)."""
    value = draw(PERSONAL_DATA[kind])
    carriers = CARRIERS[kind]
    if kind == "birth_date" and _is_old(value):
        carriers = carriers + OLD_DATE_CARRIERS
    if kind == "secret" and value.isdigit():
        carriers = carriers + PIN_CARRIERS
    if kind == "person_name" and not _has_honorific(value):
        carriers = NAME_LABEL_CARRIERS
    carrier = draw(st.sampled_from(carriers))
    if width == "full":
        value = draw(full_width(value))
    before = draw(st.sampled_from(["", *CLEAN_NOTES])) if draw(st.booleans()) else ""
    after = draw(st.sampled_from(["", *CLEAN_NOTES])) if draw(st.booleans()) else ""
    head, tail = carrier.split("{v}")
    prefix = (before + "。" if before else "") + head
    suffix = tail + ("。" + after if after else "")
    return prefix + value + suffix, len(prefix), len(prefix) + len(value)


def _is_old(value: str) -> bool:
    for era, (start, _, abbr) in ERAS.items():
        for mark in (era, abbr):
            if value.startswith(mark):
                year_text = value[len(mark) :].split("年")[0].split(".")[0]
                year = int(year_text) if year_text.isdigit() else _kanji_value(year_text)
                return start + year < VISIT_YEAR - 15
    return int(value[:4]) < VISIT_YEAR - 15


def _kanji_value(text: str) -> int:
    return next(n for n in range(1, 100) if kanji_number(n) == text)


def detected(note: str, kind: str, start: int, end: int) -> bool:
    return any(
        f.kind == kind and f.start <= start and f.end >= end
        for f in find_personal_data(note, visit_year=VISIT_YEAR)
    )


@pytest.mark.parametrize("width", ["half", "full"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k in PERSONAL_DATA])
@settings(
    max_examples=EXAMPLES_PER_KIND, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_personal_data_in_a_note_is_found_with_its_kind_and_span(
    kind: str, width: str, data: st.DataObject
) -> None:
    note, start, end = data.draw(notes_with(kind, width))
    findings = find_personal_data(note, visit_year=VISIT_YEAR)
    assert detected(note, kind, start, end), (note[start:end], findings)


@settings(max_examples=EXAMPLES_PER_KIND, deadline=None)
@given(text=st.text())
def test_any_text_gives_ordered_spans_into_the_original(text: str) -> None:
    findings = find_personal_data(text, visit_year=VISIT_YEAR)
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert f.kind in KINDS
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


@settings(max_examples=EXAMPLES_PER_KIND, deadline=None)
@given(note=st.sampled_from(CLEAN_NOTES), width=st.sampled_from(["half", "full"]), data=st.data())
def test_clean_notes_stay_clean_when_typed_full_width(
    note: str, width: str, data: st.DataObject
) -> None:
    typed = data.draw(full_width(note)) if width == "full" else note
    assert find_personal_data(typed, visit_year=VISIT_YEAR) == []
