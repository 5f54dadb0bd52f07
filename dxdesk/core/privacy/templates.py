"""Template recognisers on NFKC text: numbers with check digits, phones, postal codes, e-mail,
bank accounts, PINs and passwords, birth dates and addresses.

Each ``iter_*`` yields spans in the text it is given; :mod:`.guard` maps them back to the
original text and settles overlaps. Names are :mod:`.name_templates`' (and :mod:`.names`').
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A full date older than this many years before the visit can only be someone's birth date.
BIRTH_DATE_MIN_AGE = 15

# ---------------------------------------------------------------------------------------------
# Checksums


_MY_NUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def my_number_check_digit(base11: str) -> int:
    """Check digit of an 11-digit My Number base (総務省令第八十五号 第五条)."""
    r = sum(int(d) * w for d, w in zip(base11, _MY_NUMBER_WEIGHTS, strict=True)) % 11
    return 0 if r <= 1 else 11 - r


def is_valid_my_number(digits: str) -> bool:
    return (
        len(digits) == 12
        and digits.isdigit()
        and my_number_check_digit(digits[:11]) == int(digits[11])
    )


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch in "0123456789")


# ---------------------------------------------------------------------------------------------
# Patterns (on NFKC text). Digit runs never start or end inside a longer run.

_NOT_AFTER_DIGIT = r"(?<![0-9])"
_NOT_BEFORE_DIGIT = r"(?![0-9])"
_S = r"[ \-.]?"  # one optional separator inside a phone number (090.1234.5678 too)

_MY_NUMBER_RE = re.compile(
    _NOT_AFTER_DIGIT + r"(?<![0-9][ \-])[0-9](?:[ \-]?[0-9]){11}" + _NOT_BEFORE_DIGIT
)

_CARD_RE = re.compile(
    _NOT_AFTER_DIGIT
    + r"(?:[0-9]{13,19}"
    + r"|[0-9]{4}([ \-])[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1?[0-9]{1,3})?"
    + r"|[0-9]{4}([ \-])[0-9]{6}\2[0-9]{4,5})"
    + _NOT_BEFORE_DIGIT
)

# Landlines: 0 + area (1-4 digits) + exchange (4-1 digits) + 4 subscriber digits = 10 digits.
# Area codes never start with a second 0 (00 is the international prefix).
_AREA_SPLITS = "|".join(f"[1-9][0-9]{{{a - 1}}}{_S}[0-9]{{{5 - a}}}" for a in range(1, 5))
_AREA_PARENS = "|".join(
    rf"\([1-9][0-9]{{{a - 1}}}\)\s?[0-9]{{{5 - a}}}|[1-9][0-9]{{{a - 1}}}\([0-9]{{{5 - a}}}\)"
    for a in range(1, 5)
)
_NATIONAL = (
    rf"(?:[5789]0{_S}[0-9]{{4}}{_S}[0-9]{{4}}"  # mobile 090/080/070, IP 050
    rf"|800{_S}[0-9]{{3}}{_S}[0-9]{{4}}"  # toll-free 0800
    rf"|(?:120|570){_S}[0-9]{{3}}{_S}[0-9]{{3}}"  # toll-free 0120, navi dial 0570
    rf"|(?:{_AREA_SPLITS}){_S}[0-9]{{4}})"
)
_PHONE_RE = re.compile(
    r"(?<![0-9+])(?:"
    + rf"0{_NATIONAL}"
    + rf"|\+81[ \-.]?(?:\(0\)\s?)?{_NATIONAL}"
    + rf"|\(0(?:[1-9][0-9]{{0,3}})\)\s?[0-9]{{1,4}}{_S}[0-9]{{4}}"
    + rf"|0(?:{_AREA_PARENS})[ \-]?[0-9]{{4}}"
    + r")"
    + _NOT_BEFORE_DIGIT
)

_POSTAL_RE = re.compile(
    r"〒\s?[0-9]{3}[ \-]?[0-9]{4}"
    + _NOT_BEFORE_DIGIT
    + r"|(?<![0-9\-.])[0-9]{3}-[0-9]{4}(?![0-9]|-[0-9])"
)
_POSTAL_AFTER_WORD_RE = re.compile(
    r"郵便番号[\s:は]{0,3}(?P<code>[0-9]{3}[ \-]?[0-9]{4})" + _NOT_BEFORE_DIGIT
)

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)

_ACCOUNT_RE = re.compile(
    r"(?:口座番号|口座|普通預金|当座預金|普通|当座|総合口座|店番号|店番|支店番号|支店コード|"
    r"記号番号|記号|通帳番号|貯金番号|番号)"
    r"[\s:#№は]{0,3}"
    r"(?P<digits>[0-9](?:[ \-]?[0-9]){2,13})" + _NOT_BEFORE_DIGIT
)
_ACCOUNT_KEYWORD_RE = re.compile(
    r"口座|普通|当座|店番|支店|記号|通帳|貯金|ゆうちょ|銀行|金庫|信金|農協|JA"
)

# Secrets: a PIN or password written next to its word (暗証番号は1234, password: Abc12345).
# The value is 4+ digits for a PIN, or 4-16 ASCII letters/digits with a digit for a password;
# a count right after it (暗証番号は4桁, パスワードは6〜16文字) is a length, not a value.
_PIN_WORD = r"暗証番号|暗証|(?<![A-Za-z])(?i:pin)(?:コード|番号|\s?(?i:code|number))?(?![A-Za-z])"
_PASSWORD_WORD = (
    r"パスワード|パスコード|(?<![A-Za-z])(?i:password|passcode|passwd|pwd|pw)(?![A-Za-z])"
)
_SECRET_RE = re.compile(
    rf"(?:(?P<pin>{_PIN_WORD})|{_PASSWORD_WORD})"
    r"(?:\s?(?i:is|was)\s|[\s:=はがも「『(\[]){0,3}"
    r"(?P<value>[0-9A-Za-z]+|[〇一二三四五六七八九]+)"
)
_COUNT_AFTER_RE = re.compile(
    r"\s?(?:桁|ケタ|けた|文字|字|回|度|個|種|分|秒|時|日|年|月|人|件|円|%|ヶ|か月|以上|以下|未満"
    r"|(?i:digits?|chars?|characters?|letters?|times?)(?![A-Za-z]))"
)

_ERA_START = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
_ERA_ABBR = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}
_ERA_LAST_YEAR = {"明治": 45, "大正": 15, "昭和": 64, "平成": 31, "令和": 99}
_ERA = r"(?P<era>明治|大正|昭和|平成|令和|(?<![A-Za-z])[MTSHR](?=\s?[0-9元]))"
_YMD_SEP = r"\s?[年/.\-]\s?"
_MD_SEP = r"\s?[月/.\-]\s?"
# Era dates on old documents are often written in kanji numerals (昭和二十三年四月五日).
_SMALL = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
_ERA_DATE_RE = re.compile(
    _ERA
    + rf"\s?(?P<year>{_SMALL}|元)"
    + _YMD_SEP
    + rf"(?P<month>{_SMALL})"
    + _MD_SEP
    + rf"(?P<day>{_SMALL})(?:\s?日)?"
    + _NOT_BEFORE_DIGIT
)
_WESTERN_DATE_RE = re.compile(
    r"(?<![0-9.])(?P<year>1[89][0-9]{2}|20[0-9]{2})"
    + _YMD_SEP
    + r"(?P<month>[0-9]{1,2})"
    + _MD_SEP
    + r"(?P<day>[0-9]{1,2})(?:\s?日)?"
    + r"(?![0-9]|\.[0-9])"
)
# A birth year (and month) without the day counts only next to a birth word.
_PARTIAL_BIRTH_RE = re.compile(
    r"(?:"
    + _ERA
    + rf"\s?(?P<year>{_SMALL}|元)\s?年"
    + r"|(?<![0-9])(?P<wyear>1[89][0-9]{2}|20[0-9]{2})\s?年)"
    + rf"(?:\s?(?:{_SMALL})\s?月)?"
)
_BIRTH_WORD_BEFORE_RE = re.compile(r"(?:生年月日|誕生日|生まれ|生年|誕生|DOB|birth)", re.IGNORECASE)
_BIRTH_WORD_AFTER_RE = re.compile(r"\s?(?:生まれ|生|誕生)")

_NUM = r"[0-9一二三四五六七八九十〇]"
_ADDRESS_RE = re.compile(
    rf"(?:{_NUM}{{1,3}}丁目\s?{_NUM}{{1,4}}(?:番地?|-|の)\s?(?:{_NUM}{{1,4}}号?)?(?:-{_NUM}{{1,4}})?"
    rf"|{_NUM}{{1,3}}丁目"
    rf"|(?<![0-9]){_NUM}{{1,4}}番地(?:の?{_NUM}{{1,4}})?(?:-{_NUM}{{1,4}})?"
    rf"|(?<![0-9]){_NUM}{{1,4}}番{_NUM}{{1,4}}号"
    rf"|(?<=[町村丁目])[0-9]{{1,4}}-[0-9]{{1,4}}(?:-[0-9]{{1,4}})?(?![0-9]))"
)
# A place name: kanji, with the kana of names like 旭が丘 or 霞ヶ関 between them.
_PLACE_CHARS_RE = re.compile(
    r"[\u4e00-\u9fff々](?:[\u4e00-\u9fff々ヶケ]|[がのつ](?=[\u4e00-\u9fff])){0,11}$"
)
_PLACE_MAX = 12  # its longest match: look back no further (a long note stays linear)

KANJI = "\u4e00-\u9fff\u3400-\u4dbf々"  # kanji and 々, for a character class
# Three number groups right after a place name (北区王子1-2-3, 王子本町1の2の3) are a house
# number even without 丁目/番地. No leading 0 (a phone), at most 8 digits (a My Number or card
# is longer); a fourth group is a room number.
_HOUSE_NUMBER_RE = re.compile(
    r"(?<![0-9\-.])(?P<a>[1-9][0-9]{0,3})(?P<sep>[-の])(?P<b>[0-9]{1,4})(?P=sep)(?P<c>[0-9]{1,4})"
    r"(?:-[0-9]{1,4})?(?![0-9]|-[0-9])"
)
# ... unless the word in front numbers something else (手順1-2-3, 別表1-2-3, 令和8-11-23).
_NUMBERED_THING_RE = re.compile(
    r"(?:^第|手順|順番|画面|項目|設問|問題|質問|課題|練習|教材|講座|単元|資料|様式|別表|別紙|図表"
    r"|図|表|章|節|項|版|例|欄|頁|段階|工程|規則|条例|番号|記号|型番|品番|型式|受付|窓口"
    r"|明治|大正|昭和|平成|令和)$"
)
# An address after its word: 住所は北区王子本町, 住所：東京都北区王子5-6-7, 自宅は王子1-2.
_ADDRESS_LABEL_RE = re.compile(
    rf"(?:現住所|住所|自宅|お住まい|住まい|居所)(?:は|[\s:「(]){{1,3}}(?=[{KANJI}])"
)
_PLACE_RUN_RE = re.compile(rf"[{KANJI}](?:[{KANJI}ヶケ]|[がつ](?=[{KANJI}])){{0,15}}")
_HOUSE_NUMBER_TAIL_RE = re.compile(
    r"[0-9]{1,4}(?:-[0-9]{1,4}){1,3}(?![0-9])|[0-9]{1,4}(?:の[0-9]{1,4}){1,2}(?![0-9])"
)
# The place must name a municipality: a name plus 都道府県市区町村, not a compound such as
# 市役所, 区内, 県外, 都市, 国道, nor 他市, 同区, 地区.
_MUNICIPALITY_SUFFIXES = "都道府県市区町村"
_NOT_AFTER_MUNICIPALITY = frozenset("役内外民名長議庁営立政税報域画間分別切会境部全制債販場圏")
_NOT_A_MUNICIPALITY = frozenset(
    str.split("他 同 本 当 各 全 隣 別 前 元 近 両 某 地 学 校 選挙 特 管")
)
_ONLY_MUNICIPALITY = {"道": ("北海",), "府": ("大阪", "京都")}


def _birth_word_near(s: str, start: int, end: int) -> bool:
    return bool(
        _BIRTH_WORD_BEFORE_RE.search(s, max(0, start - 12), start)
        or _BIRTH_WORD_AFTER_RE.match(s, end)
    )


_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _small_int(text: str) -> int:
    """12, '１２' (already NFKC), '十二', '二十三', '元' (first year of an era) -> int."""
    if text.isascii():
        return int(text)
    if text == "元":
        return 1
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    return (_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


def _era_year(era: str, year: str) -> int | None:
    era = _ERA_ABBR.get(era, era)
    y = _small_int(year)
    if not 1 <= y <= _ERA_LAST_YEAR[era]:
        return None
    return _ERA_START[era] + y


def _valid_month_day(month: str, day: str) -> bool:
    return 1 <= _small_int(month) <= 12 and 1 <= _small_int(day) <= 31


def iter_birth_dates(s: str, visit_year: int) -> Iterator[tuple[int, int]]:
    oldest_plausible_non_birth = visit_year - BIRTH_DATE_MIN_AGE
    full_spans: list[tuple[int, int]] = []
    for m in _ERA_DATE_RE.finditer(s):
        year = _era_year(m["era"], m["year"])
        if year is None or not _valid_month_day(m["month"], m["day"]):
            continue
        full_spans.append(m.span())
        if year < oldest_plausible_non_birth or _birth_word_near(s, *m.span()):
            yield m.span()
    for m in _WESTERN_DATE_RE.finditer(s):
        if not _valid_month_day(m["month"], m["day"]):
            continue
        full_spans.append(m.span())
        if int(m["year"]) < oldest_plausible_non_birth or _birth_word_near(s, *m.span()):
            yield m.span()
    for m in _PARTIAL_BIRTH_RE.finditer(s):
        if any(a <= m.start() < b for a, b in full_spans):
            continue
        if m["era"] and _era_year(m["era"], m["year"]) is None:
            continue
        if _birth_word_near(s, *m.span()):
            yield m.span()


def iter_secrets(s: str) -> Iterator[tuple[int, int]]:
    for m in _SECRET_RE.finditer(s):
        value = m["value"]
        if _COUNT_AFTER_RE.match(s, m.end()) or set(value) == {"〇"}:  # 〇〇〇〇 hides a value
            continue
        if m["pin"]:
            if len(value) < 4 or not all(ch in _KANJI_DIGITS or ch.isdigit() for ch in value):
                continue
        elif not (value.isascii() and 4 <= len(value) <= 16 and any(c.isdigit() for c in value)):
            continue
        yield m.span("value")


def _is_municipality(run: str) -> bool:
    """Does the place run hold a municipality: a name and 都道府県市区町村 (北区, 東京都, 王子本町)?"""
    unit_start = 0
    for i, ch in enumerate(run):
        if ch not in _MUNICIPALITY_SUFFIXES:
            continue
        unit = run[unit_start:i]
        unit_start = i + 1
        if not unit or unit in _NOT_A_MUNICIPALITY or unit[-1] in _MUNICIPALITY_SUFFIXES:
            continue
        if i + 1 < len(run) and run[i + 1] in _NOT_AFTER_MUNICIPALITY:
            continue
        if ch in _ONLY_MUNICIPALITY and not unit.endswith(_ONLY_MUNICIPALITY[ch]):
            continue
        return True
    return False


def iter_addresses(s: str) -> Iterator[tuple[int, int]]:
    for m in _ADDRESS_RE.finditer(s):
        start, end = m.span()
        # Take the place name in front (北区本町1-2-3) into the span when there is one.
        before = _PLACE_CHARS_RE.search(s, max(0, start - _PLACE_MAX), start)
        if before:
            start = before.start()
        if re.fullmatch(rf"{_NUM}{{1,3}}丁目", m.group(0)) and not before:
            continue  # a bare "1丁目" with no place name is not an address
        yield start, end
    for m in _HOUSE_NUMBER_RE.finditer(s):
        before = _PLACE_CHARS_RE.search(s, max(0, m.start() - _PLACE_MAX), m.start())
        if before is None or len(before.group(0)) < 2 or _NUMBERED_THING_RE.search(before.group(0)):
            continue
        a, b, c = m["a"], m["b"], m["c"]
        if len(a + b + c) > 8:
            continue  # a My Number or a card, not a house number
        if len(a) == 4 and a[:2] in ("19", "20") and _valid_month_day(b, c):
            continue  # a date (2026-11-23)
        yield before.start(), m.end()
    for m in _ADDRESS_LABEL_RE.finditer(s):
        run = _PLACE_RUN_RE.match(s, m.end())
        if run is None:
            continue
        start, end = run.span()
        tail = _ADDRESS_RE.match(s, end) or _HOUSE_NUMBER_TAIL_RE.match(s, end)
        if tail is not None and not _NUMBERED_THING_RE.search(run.group(0)):
            yield start, tail.end()
        elif _is_municipality(run.group(0)):
            yield start, end


def iter_templates(s: str, visit_year: int) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of every number, secret, birth date and address template in ``s``."""
    for m in _MY_NUMBER_RE.finditer(s):
        if is_valid_my_number(_digits(m.group(0))):
            yield "my_number", *m.span()
    for m in _CARD_RE.finditer(s):
        if luhn_valid(_digits(m.group(0))):
            yield "card_number", *m.span()
    for m in _PHONE_RE.finditer(s):
        yield "phone", *m.span()
    for m in _POSTAL_RE.finditer(s):
        yield "postal_code", *m.span()
    for m in _POSTAL_AFTER_WORD_RE.finditer(s):
        yield "postal_code", *m.span("code")
    for start, end in iter_secrets(s):
        yield "secret", start, end
    for m in _EMAIL_RE.finditer(s):
        yield "email", *m.span()
    for m in _ACCOUNT_RE.finditer(s):
        # The bank word must be in the same sentence.
        keyword_zone = s[max(0, m.start() - 12) : m.start("digits")].rsplit("。", 1)[-1]
        # A bare "番号" only counts after a bank word (ゆうちょ 記号…番号…).
        if m.group(0).startswith("番号") and not _ACCOUNT_KEYWORD_RE.search(keyword_zone):
            continue
        if len(_digits(m["digits"])) < 3:
            continue
        yield "account_number", *m.span("digits")
    for start, end in iter_birth_dates(s, visit_year):
        yield "birth_date", start, end
    for start, end in iter_addresses(s):
        yield "address", start, end
