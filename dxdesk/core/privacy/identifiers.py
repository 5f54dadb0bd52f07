"""Recognisers for numbers and ids, run on the number view (kanji numerals already digits).

Each yields ``(kind, start, end)`` in the number view. Numbers are read as *digit runs*
(digits joined by spaces or punctuation), so 0 9 0 - 1 2 3 4 - 5 6 7 8, 090の1234の5678 and
070 / 1234 / 5678 are one phone number. An identifier that has no shape of its own (a
被保険者番号 is 6-10 plain digits) counts only after its context word in the same sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dxdesk.core.privacy.normalise import DigitRun, digit_runs

Hit = tuple[str, int, int]

# Japanese phone numbers by their digits alone (separators already dropped).
_PHONE_DIGITS_RE = re.compile(
    r"0[789]0[1-9][0-9]{7}"  # mobile 090/080/070
    r"|050[0-9]{8}"  # IP phone
    r"|0120[0-9]{6}|0800[0-9]{7}|0570[0-9]{6}"  # toll-free, navi dial
    r"|0[1-9][1-9][0-9]{7}"  # landline: 0 + area + exchange + subscriber = 10 digits
)
# After these a number counts something (3回, 15分, 2024年, 4桁), it is no identifier.
_COUNT_AFTER_RE = re.compile(
    r"\s?(?:桁|ケタ|けた|文字|字|回|度|個|種|分|秒|時|日|年|月|人|名|件|円|%|ヶ|か月|ヵ月|カ月"
    r"|歳|才|さい|枚|台|階|番線|番窓口|号車|ページ|頁|倍|割|点|本|冊|通|週|代|世|GB|MB|mm|cm|km|kg)"
)
_SENTENCE_END = "。\n!?！？"


def _sentence_before(text: str, pos: int, width: int = 24) -> str:
    """Up to ``width`` chars before ``pos``, not reaching back past the end of a sentence."""
    before = text[max(0, pos - width) : pos]
    for mark in _SENTENCE_END:
        before = before.rsplit(mark, 1)[-1]
    return before


def _counted(text: str, end: int) -> bool:
    return bool(_COUNT_AFTER_RE.match(text, end))


# ---------------------------------------------------------------------------------------------
# Phone numbers written in any way


def iter_phones(text: str, runs: list[DigitRun]) -> Iterator[Hit]:
    """A sub-run of digit groups whose digits alone make a phone number (longest first)."""
    for run in runs:
        n = len(run.groups)
        i = 0
        while i < n:
            found = None
            for j in range(n, i, -1):
                digits = run.digits(text, i, j)
                if len(digits) > 11:
                    continue
                if len(digits) < 10:
                    break
                if _PHONE_DIGITS_RE.fullmatch(digits):
                    found = j
                    break
            if found is None:
                i += 1
                continue
            start, end = run.groups[i][0], run.groups[found - 1][1]
            if not (start > 0 and text[start - 1] == "+"):
                yield "phone", start, end
            i = found


# ---------------------------------------------------------------------------------------------
# Identifiers with a context word


_CONTEXTS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    # kind, context words, fewest digits
    (
        "insurance_number",
        re.compile(
            r"被保険者|被保番号|被保|保険者番号|保険証|国保|国民健康保険|社保|介護保険|後期高齢|"
            r"健康保険|資格確認書"
        ),
        2,
    ),
    ("pension_number", re.compile(r"基礎年金|年金番号|年金手帳|年金証書|ねんきん番号"), 4),
    ("licence_number", re.compile(r"免許"), 6),
    ("resident_code", re.compile(r"住民票コード|住民票の?コード|住基コード|住基ネット"), 6),
    ("passport_number", re.compile(r"旅券|パスポート|(?i:passport)"), 6),
    ("residence_card", re.compile(r"在留カード|(?i:residence card)"), 6),
    ("account_number", re.compile(r"口座|通帳|ゆうちょ|銀行|信金|信用金庫|支店|普通預金"), 5),
    ("my_number", re.compile(r"マイナンバー|個人番号|(?i:my number)"), 8),
)
# A number label right before the digits (記号 12, 番号は345, No. 123).
_NUMBER_LABEL_RE = re.compile(r"(?:記号|番号|(?i:no)\.?|#|第)\s?[:は]?\s?$")
# Digits of a procedure or a count, not an id, even after a context word.
_NOT_ID_BEFORE_RE = re.compile(r"(?:手順|ステップ|画面|エラー|(?i:error|step|ver)|[vV]\.?)\s?$")


def iter_context_ids(text: str, runs: list[DigitRun]) -> Iterator[Hit]:
    for run in runs:
        digits = run.digits(text)
        if _counted(text, run.end) or _NOT_ID_BEFORE_RE.search(
            text[max(0, run.start - 8) : run.start]
        ):
            continue
        before = _sentence_before(text, run.start)
        labelled = bool(_NUMBER_LABEL_RE.search(before))
        for kind, context, fewest in _CONTEXTS:
            if not context.search(before):
                continue
            if len(digits) >= fewest if labelled else len(digits) >= max(fewest, 4):
                if _looks_like_date(text, run):
                    break
                yield kind, run.start, run.end
                break


def _looks_like_date(text: str, run: DigitRun) -> bool:
    """2024/12/2, 12.1, 9/30: a date of a procedure, not an id."""
    if len(run.groups) not in (2, 3):
        return False
    seps = {text[a[1] : b[0]] for a, b in zip(run.groups, run.groups[1:], strict=False)}
    if not seps <= {"/", ".", "-"}:
        return False
    sizes = [e - s for s, e in run.groups]
    return sizes[-1] <= 2 and sizes[-2] <= 2 and (len(sizes) == 2 or sizes[0] in (2, 4))


# ---------------------------------------------------------------------------------------------
# Identifiers with a shape of their own


# Passport: two capital letters and seven digits (TK1234567).
_PASSPORT_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\s?[0-9]{7}(?![A-Za-z0-9])")
# 在留カード: two letters, eight digits, two letters (AB12345678CD), sometimes spaced.
_RESIDENCE_CARD_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\s?[0-9]{4}\s?[0-9]{4}\s?[A-Z]{2}(?![A-Za-z0-9])"
)
# 運転免許証 第123456789012号: a long number inside 第…号 is an id, whatever it belongs to.
_DAI_GO_RE = re.compile(r"第\s?([0-9](?:[ \-]?[0-9]){7,14})\s?号")
# 基礎年金番号 is 4 + 6 digits; nothing else at a counter has that shape.
_PENSION_SHAPE_RE = re.compile(r"(?<![0-9\-])[0-9]{4}\s?-\s?[0-9]{6}(?![0-9\-])")
# Car plates: (place) class number, one hiragana, then 12-34, 1234 or ・・12. Not の: 手順3の12-34.
_PLATE_KANA = "あいうえかきくけこさすせそたちつてとなにぬねはひふほまみむめもやゆよらりるれろわ"
_PLATE_RE = re.compile(
    r"(?:[\u4e00-\u9fff]{1,4}|[ぁ-ゖ]{2,4})?\s?[0-9]{1,3}\s?"
    rf"[{_PLATE_KANA}]\s?"
    r"(?:[0-9]{1,2}\s?-\s?[0-9]{2}|[0-9]{4}|[・.･]{1,3}\s?[0-9]{1,3})(?![0-9])"
)
_PLATE_CONTEXT_RE = re.compile(r"ナンバー|(?i:plate)|車番")
_BARE_PLATE_NUMBER_RE = re.compile(
    r"(?<![0-9])[0-9]{1,2}-[0-9]{2}(?![0-9])|(?<![0-9])[0-9]{4}(?![0-9])"
)
# LINE and other app ids: the word, then an id of letters with digits or . _ - (or @handle).
_APP_ID_RE = re.compile(
    r"(?:LINE|(?<![A-Za-z])(?i:line)|(?<![ァ-ヺ])ライン|らいん)\s?(?:の\s?)?(?P<word>(?i:id)|アイディー?)?"
    r"\s?(?:は|:|=|を)?\s?"
    r"(?P<id>@?[A-Za-z0-9][A-Za-z0-9._\-]{2,29})(?![A-Za-z0-9._\-])"
)
_GENERIC_ID_RE = re.compile(
    r"(?<![A-Za-z])(?:(?i:id)|アイディー?|ユーザー名|ユーザーID|アカウント名)\s?(?:は|:|=)?\s?"
    r"(?P<id>@?[A-Za-z][A-Za-z0-9._\-]{2,29})(?![A-Za-z0-9._\-])"
)
_NOT_APP_IDS = frozenset(
    str.split(
        """
    line id app apps account official pay works mobile out the to with and of for
    """
    )
)
# E-mail as said aloud: taro at gmail dot com, hanako アット yahoo ドット co ドット jp.
_AT = r"(?:\(at\)|\[at\]|<at>|(?<=\s)(?i:at)(?=\s)|アットマーク|アット|あっと|@)"
_DOT = r"(?:\(dot\)|\[dot\]|(?<=\s)(?i:dot)(?=\s)|ドット|どっと|\.)"
_SPOKEN_EMAIL_RE = re.compile(
    rf"(?<![A-Za-z0-9._\-])[A-Za-z0-9][A-Za-z0-9._\-]*\s?{_AT}\s?[A-Za-z0-9\-]+"
    rf"(?:\s?{_DOT}\s?[A-Za-z0-9\-]+)*"
)
_EMAIL_DOMAINS = re.compile(
    r"(?i:gmail|yahoo|icloud|docomo|ezweb|softbank|i\.softbank|au|outlook|hotmail|live|"
    r"nifty|ocn|biglobe|so-net|me|mac|ymobile|rakuten|ne|co|com|jp|net|org)"
)


def iter_shaped_ids(text: str, runs: list[DigitRun]) -> Iterator[Hit]:
    for m in _PASSPORT_RE.finditer(text):
        yield "passport_number", *m.span()
    for m in _RESIDENCE_CARD_RE.finditer(text):
        yield "residence_card", *m.span()
    for m in _DAI_GO_RE.finditer(text):
        yield "licence_number", *m.span()
    for m in _PENSION_SHAPE_RE.finditer(text):
        yield "pension_number", *m.span()
    for m in _PLATE_RE.finditer(text):
        yield "car_plate", *m.span()
    for m in _PLATE_CONTEXT_RE.finditer(text):
        tail = _BARE_PLATE_NUMBER_RE.search(text, m.end(), min(len(text), m.end() + 12))
        if tail and not _counted(text, tail.end()):
            yield "car_plate", tail.start(), tail.end()
    for pattern in (_APP_ID_RE, _GENERIC_ID_RE):
        for m in pattern.finditer(text):
            value = m["id"]
            if value.lower().lstrip("@") in _NOT_APP_IDS:
                continue
            # An id mixes letters with digits or . _ -, or is an @handle; digits alone only
            # after the word ID.
            if not (value.startswith("@") or re.search(r"[0-9._\-]", value)):
                continue
            if value.isdigit() and not m.groupdict().get("word"):
                continue
            yield "line_id", *m.span("id")
    for m in _SPOKEN_EMAIL_RE.finditer(text):
        value = m.group(0)
        if "@" in value and "." in value.split("@")[-1]:
            yield "email", *m.span()
            continue
        domain = re.split(_AT, value, maxsplit=1)[-1].strip()
        if _EMAIL_DOMAINS.fullmatch(domain) or re.search(_DOT, domain):
            yield "email", *m.span()
    # Ten or more digits in one run that no other recogniser claimed: an id of some kind
    # (a public number is taken off by the allow-list afterwards).
    for run in runs:
        digits = run.digits(text)
        if len(digits) >= 10 and not _looks_like_date(text, run) and not _counted(text, run.end):
            yield "id_number", run.start, run.end


# A PIN told at the counter: the PIN word, then within the sentence a number of 4+ digits
# that is not a length or a count (暗証番号は誕生日の0505, 4桁は0808), or the digits read out
# in hiragana (いちにいさんよん).
_PIN_WORD_RE = re.compile(
    r"暗証番号|暗証|ピン|(?<![A-Za-z])(?i:pin)(?![A-Za-z])|パスワード|パスコード|(?i:password)|"
    r"[0-9]\s?桁(?:の番号)?\s?(?:は|が|を|:)"
)
_SPOKEN_DIGITS_RE = re.compile(
    r"(?:ぜろ|れい|いち|にい|に|さん|よん|し|ご|ろく|なな|しち|はち|きゅう|く){4,}"
)
_BIRTH_WORD_RE = re.compile(r"生年月日|誕生日|生まれ|うまれ|生年|誕生|(?i:dob|birth|born)")
_BIRTH_DATE_RE = re.compile(
    r"(?<![0-9])(?:[0-9]{2,4}\s?[年./\-]\s?[0-9]{1,2}(?:\s?[月./\-]\s?[0-9]{1,2}\s?日?)?"
    r"|[0-9]{1,2}\s?月\s?[0-9]{1,2}\s?日|[0-9]{1,2}/[0-9]{1,2}|(?:19|20)[0-9]{2}|[0-9]{2}\s?年)(?![0-9])"
)


def iter_secrets(text: str, runs: list[DigitRun]) -> Iterator[Hit]:
    for m in _PIN_WORD_RE.finditer(text):
        zone_end = m.end() + 20
        for mark in _SENTENCE_END:
            cut = text.find(mark, m.end(), zone_end)
            if cut >= 0:
                zone_end = cut
        for run in runs:
            if run.start < m.end() or run.start >= zone_end:
                continue
            if len(run.digits(text)) >= 4 and not _counted(text, run.end):
                yield "secret", run.start, run.end
        spoken = _SPOKEN_DIGITS_RE.search(text, m.end(), zone_end)
        if spoken:
            yield "secret", *spoken.span()


def iter_birth_dates(text: str) -> Iterator[Hit]:
    """A date, a month and day or a year next to a birth word (48年5月5日生まれ, 誕生日 3/15)."""
    for word in _BIRTH_WORD_RE.finditer(text):
        zone = (max(0, word.start() - 14), min(len(text), word.end() + 14))
        for m in _BIRTH_DATE_RE.finditer(text, *zone):
            if m.start() >= word.end() or m.end() <= word.start():
                between = text[min(m.end(), word.end()) : max(m.start(), word.start())]
                if any(mark in between for mark in _SENTENCE_END + "、,"):
                    continue
                if m.start() >= word.end() and _counted(text, m.end()):
                    continue
                yield "birth_date", m.start(), m.end()


# Digits read out in katakana or hiragana (ゼロキューゼロ イチニサンヨン ...).
_SAID_DIGIT = (
    r"(?:ゼロ|レイ|マル|イチ|ニー|ニ|サン|ヨン|ゴー|ゴ|ロク|ナナ|シチ|ハチ|キュウ|キュー"
    r"|ぜろ|れい|まる|いち|にい|に|さん|よん|ごお|ご|ろく|なな|しち|はち|きゅう|きゅー)"
)
_SAID_NUMBER_RE = re.compile(rf"{_SAID_DIGIT}(?:[\s\-ー、の]?{_SAID_DIGIT}){{9,}}")


def iter_said_numbers(text: str) -> Iterator[Hit]:
    for m in _SAID_NUMBER_RE.finditer(text):
        yield "phone", *m.span()


def iter_number_view(text: str) -> Iterator[Hit]:
    runs = digit_runs(text)
    yield from iter_said_numbers(text)
    yield from iter_secrets(text, runs)
    yield from iter_birth_dates(text)
    yield from iter_phones(text, runs)
    yield from iter_context_ids(text, runs)
    yield from iter_shaped_ids(text, runs)
