"""Names and places that are not templates: 山田太郎は初めて, 吉田の件, タナカ ハナコ, Kenji Sato,
孫のはるか 7歳, 本町在住, ひばりが丘団地5号棟303号室, さくら苑203号室, 市営住宅3-402.

Names are read with a morphological dictionary (MeCab through ``fugashi``, with UniDic-lite),
whose entries tag surnames (人名,姓), given names (人名,名) and place names (地名); a tag alone
is not enough (ローソン is tagged 人名, 本町 地名), so a name counts in the positions where a
clerk writes one: a surname with a given name, a surname at the head of the note or before
は/が/の件/の奥さん/an age, a name after 申請者/来所者, a child's given name with an age.
It was chosen over GiNZA by measurement (README, "Privacy guard"): as many names found,
0.03 s to load instead of 9 s and well under a millisecond a note instead of 40 ms.

The dictionary loads on first use; :func:`preload` does it off the GUI thread. Without
fugashi (an unusual install) the template recognisers still run and :func:`dictionary_ready`
says so, so a caller can refuse to save "in doubt".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

Hit = tuple[str, int, int]

_tagger = None
_tagger_failed = False
_lock = threading.Lock()


def _get_tagger():
    global _tagger, _tagger_failed
    if _tagger is None and not _tagger_failed:
        with _lock:
            if _tagger is None and not _tagger_failed:
                try:
                    import fugashi

                    _tagger = fugashi.Tagger()
                except Exception:  # noqa: BLE001 - no dictionary: fall back to the templates
                    _tagger_failed = True
    return _tagger


def preload() -> bool:
    """Load the dictionary now (call it from a worker thread); True when it is usable."""
    return _get_tagger() is not None


def dictionary_ready() -> bool:
    return _tagger is not None


@dataclass(frozen=True)
class Token:
    surface: str
    start: int
    end: int
    pos1: str
    pos2: str
    pos3: str
    pos4: str
    unknown: bool = False  # not in the dictionary

    @property
    def is_surname(self) -> bool:
        return self.pos3 == "人名" and self.pos4 == "姓"

    @property
    def is_given(self) -> bool:
        return self.pos3 == "人名" and self.pos4 == "名"

    @property
    def is_person(self) -> bool:
        return self.pos3 == "人名"

    @property
    def is_noun(self) -> bool:
        return self.pos1 == "名詞"


def tokens(text: str) -> list[Token]:
    tagger = _get_tagger()
    if tagger is None:
        return []
    out = []
    pos = 0
    for word in tagger(text):
        surface = word.surface
        start = text.find(surface, pos)
        if start < 0:
            continue
        pos = start + len(surface)
        f = word.feature
        out.append(Token(surface, start, pos, f.pos1 or "", f.pos2 or "", f.pos3 or "",
                         f.pos4 or "", bool(word.is_unk)))  # fmt: skip
    return out


_KATAKANA_RE = re.compile(r"[ァ-ヺー]+")
_KANJI_RE = re.compile(r"[\u4e00-\u9fff々]+")
_HIRAGANA_RE = re.compile(r"[ぁ-ゖー]+")

# Brands, shops and services that a dictionary may tag as a person (ローソン, マイ).
NOT_PEOPLE: frozenset[str] = frozenset(
    str.split(
        """
    ローソン セブン ファミマ ミニストップ デイリー ドコモ ソフトバンク アップル グーグル ヤフー
    アマゾン ライン マイ マイナ マイナンバー コール スマート ケアマネ マネ ペイペイ ラクテン
    ユーチューブ ズーム ジョブ パスモ スイカ イオン ダイソー ユニクロ ニトリ ヨドバシ ビック
    ケーズ エディオン ヤマダ電機 ワイモバイル ユーキャン
    """
    )
)
# Words after which a word counts as a name: the head of a note, a label, punctuation.
_LABEL_RE = re.compile(
    r"(?:申請者|来所者|来庁者|相談者|利用者|受講者|依頼者|代理人|本人|ご本人|名義人|対象者|お客様|"
    r"お客さん|患者|世帯主|被保険者|受給者|届出人|(?<![A-Za-z])(?i:customer|client|resident|"
    r"applicant|visitor))"
    r"\s?(?:は|が|:|=|、|「|\(|様は|さんは)?\s?$"
)
_HEAD_RE = re.compile(r"(?:^|[\s、。,.!?！？「」『』()（）\[\]・/:;]|本日|今日|先日|昨日)$")
# What may follow a bare surname for it to be a person: は/が + something, の件/の奥さん...,
# 家, an age, 来所/再来/初回, a space or a comma at the head of the note.
_AFTER_SURNAME_RE = re.compile(
    r"\s?(?:[0-9]{1,3}\s?(?:歳|才|さい)|[(（][0-9]{1,3}\s?(?:歳|才)?[)）]|さん|様|氏|くん|君|ちゃん|家|"
    r"の(?:件|奥|旦那|ご主人|主人|おじい|おばあ|じいちゃん|ばあちゃん|娘|息子|長男|長女|次男|次女"
    r"|孫|お孫|母|父|妻|夫|嫁|お嫁|ご家族|家族|分|方|ご両親|お父|お母|兄|姉|弟|妹|親|子)|"
    r"(?:は|が|も)(?!じめ)|来所|来庁|来た|再来|初回|初めて|本人|夫婦|ご夫婦|親子|同伴|付き添い|"
    r"、|,|\s)"
)
_PEOPLE_AFTER_RE = re.compile(
    r"\s?(?:夫婦|ご夫婦|親子|同伴|来所|来庁|再来|初回|[0-9]{1,3}\s?(?:歳|才)|[(（][0-9]{2,3}[)）]"
    r"|の(?:奥|件|旦那|ご主人|おばあ|おじい|ばあちゃん|じいちゃん|娘|息子|お嫁|嫁|孫)|家の|さん|様|氏)"
)


def _is_role_word(word: str) -> bool:
    from dxdesk.core.privacy.name_templates import ROLE_WORDS

    return word in ROLE_WORDS or word in _NOT_CHILD_NAMES


_AGE_RE = re.compile(r"\s?[(（・]?\s?[0-9]{1,2}\s?(?:歳|才|さい|か月|ヶ月|ヵ月)")
_FAMILY_WORDS_RE = re.compile(
    r"(?:孫|お孫さん|娘|娘さん|息子|息子さん|長男|長女|次男|次女|三男|三女|子ども|子供|こども|お子さん|"
    r"ひ孫|甥|姪|孫娘|孫息子)\s?(?:の|は|[(（:、・])?\s?$"
)
_NOT_CHILD_NAMES: frozenset[str] = frozenset(
    str.split(
        """
    ひとり ふたり みんな こども おとな あかちゃん ぼく わたし あなた かれ かのじょ みな ほか
    いま あと まだ もう ただ ほぼ ちょうど やく だいたい およそ まもなく つぎ まえ
    子 子ども 子供 孫 娘 息子 本人 男性 女性 男の子 女の子 男児 女児 乳児 幼児 小学生 中学生
    高校生 大学生 学生 生徒 児童 未成年 成人 長男 長女 次男 次女 兄 姉 弟 妹 母 父 祖母 祖父
    夫 妻 主人 奥さん 人 方 分 名 当時 現在 今年 来年 去年 満 年齢 推定 約
    """
    )
)


def _surname_ok(tok: Token) -> bool:
    return tok.is_surname and tok.surface not in NOT_PEOPLE and len(tok.surface) >= 1


def _person_like(tok: Token) -> bool:
    """A token that may be part of a name: tagged 人名, or an unknown katakana or kanji word."""
    if tok.surface in NOT_PEOPLE:
        return False
    return tok.is_person


_NAME_ENDINGS = "子郎男夫美江代枝雄助吉蔵平治衛恵"


def _iter_token_names(text: str, toks: list[Token]) -> Iterator[Hit]:
    for kind, start, end in _iter_token_names_core(text, toks):
        # A given name the dictionary cut short (佐々木ミツ|子): take the ending along.
        if end < len(text) and text[end] in _NAME_ENDINGS and not _KANJI_RE.match(text, end + 1):
            end += 1
        yield kind, start, end


def _iter_token_names_core(text: str, toks: list[Token]) -> Iterator[Hit]:
    toks = [t for t in toks if t.surface.strip() and t.surface != "・"]
    n = len(toks)
    i = 0
    while i < n:
        tok = toks[i]
        before = text[max(0, tok.start - 16) : tok.start]
        after = text[tok.end : tok.end + 12]
        nxt = toks[i + 1] if i + 1 < n else None
        gap = text[tok.end : nxt.start] if nxt else ""
        # A surname and a given name (山田太郎, 中村 誠, サイトウ ヨシオ, マリア・サントス).
        if (
            _person_like(tok)
            and nxt is not None
            and _person_like(nxt)
            and gap in ("", " ", "・")
            and (tok.is_surname or nxt.is_given or gap == "・" or tok.pos4 == "一般")
        ) or (
            gap == "・"
            and nxt is not None
            and (_person_like(tok) or _person_like(nxt))
            and _KATAKANA_RE.fullmatch(tok.surface)
            and _KATAKANA_RE.fullmatch(nxt.surface)
            and tok.surface not in NOT_PEOPLE
            and nxt.surface not in NOT_PEOPLE
        ):
            end = nxt.end
            j = i + 2
            # A third part (グエン・ヴァン・ナム): any katakana word after another ・.
            while (
                j < n
                and text[toks[j - 1].end : toks[j].start] == "・"
                and _KATAKANA_RE.fullmatch(toks[j].surface)
            ):
                end = toks[j].end
                j += 1
            yield "person_name", tok.start, end
            i = j
            continue
        head = bool(_HEAD_RE.search(before)) or bool(_LABEL_RE.search(before))
        # Many surnames are place names (石川, 山口): at the head, before a word about people.
        if (
            head
            and tok.pos3 == "地名"
            and _KANJI_RE.fullmatch(tok.surface)
            and len(tok.surface) >= 2
            and _PEOPLE_AFTER_RE.match(after)
        ):
            yield "person_name", tok.start, tok.end
            i += 1
            continue
        # A short kanji word at the head with an age (森 78才): a surname the dictionary
        # reads as a common noun.
        if (
            head
            and _KANJI_RE.fullmatch(tok.surface)
            and len(tok.surface) <= 3
            and tok.surface not in _NOT_CHILD_NAMES
            and not _is_role_word(tok.surface)
            and re.match(r"\s?[0-9]{2,3}\s?(?:歳|才|さい)", after)
        ):
            yield "person_name", tok.start, tok.end
            i += 1
            continue
        # A surname alone where a clerk writes a person (吉田の件, 木村は前回も, 池田88歳).
        if _surname_ok(tok) and _AFTER_SURNAME_RE.match(after) and (head or len(tok.surface) >= 2):
            yield "person_name", tok.start, tok.end
            i += 1
            continue
        # A person-tagged word after a label or at the head before a space/は (アンドレア 日系).
        if _person_like(tok) and (
            bool(_LABEL_RE.search(before))
            or (
                head and re.match(r"\s|、|は|が|来所|さん|様|の件", after) and len(tok.surface) >= 2
            )
        ):
            yield "person_name", tok.start, tok.end
            i += 1
            continue
        # A given name with an age or after 孫の/娘の (蓮 12歳, 孫のはるか, ひなた3才).
        if (
            tok.is_noun
            and tok.surface not in _NOT_CHILD_NAMES
            and (
                (
                    _AGE_RE.match(after)
                    and (
                        tok.is_person or _FAMILY_WORDS_RE.search(before) or _HEAD_RE.search(before)
                    )
                )
                or (
                    _FAMILY_WORDS_RE.search(before)
                    and (tok.is_given or _HIRAGANA_RE.fullmatch(tok.surface))
                )
            )
            and tok.pos2 not in ("数詞",)
            and not (
                _KANJI_RE.fullmatch(tok.surface) and not tok.is_person and tok.pos2 != "固有名詞"
            )
        ):
            if _HIRAGANA_RE.fullmatch(tok.surface) and len(tok.surface) < 2:
                i += 1
                continue
            yield "person_name", tok.start, tok.end
        i += 1


# Unknown katakana words at the head of a note or after a label, followed by a space and
# another katakana word, or by 来所/さん: ヤマダタロウ 初回, スズキ来所.
_KATAKANA_NAME_RE = re.compile(
    r"(?P<name>[ァ-ヺ][ァ-ヺー]{1,11}(?:[ ・][ァ-ヺ][ァ-ヺー]{1,11}){0,3})"
    r"(?=\s?(?:来所|来庁|再来|初回|初めて|本人|は|が|の件|[0-9]{1,3}\s?(?:歳|才)|[(（、,]|\s|$))"
)


def _iter_katakana_names(text: str, toks: list[Token]) -> Iterator[Hit]:
    for m in _KATAKANA_NAME_RE.finditer(text):
        before = text[max(0, m.start() - 16) : m.start()]
        words = re.split(r"[ ・]", m["name"])
        if not (_HEAD_RE.search(before) or _LABEL_RE.search(before)):
            continue
        inside = [t for t in toks if m.start() <= t.start < m.end()]
        # A loanword the dictionary knows (フリーダイヤル, スマホ) is no name.
        if any(t.pos2 == "普通名詞" or t.pos1 in ("動詞", "形容詞") for t in inside):
            continue
        if any(w in NOT_PEOPLE for w in words):
            continue
        if len(words) == 1 and not re.match(
            r"\s?(?:来所|来庁|再来|初回|初めて|は|が|の件|[0-9])", text[m.end() :]
        ):
            continue
        yield "person_name", m.start("name"), m.end("name")


# Romaji: two words that read as Japanese syllables or two capitalised words not in the
# list of brands, devices and English words a note uses (iPhone 15, Google Play, My Number).
_SYLLABLES = r"(?:(?:[kgszjtdnhbpmyrwfv]?y?|sh|ch|ts)[aiueo]|n(?![aiueoy])|[aiueo])+"
_ROMAJI_WORD_RE = re.compile(rf"(?i:{_SYLLABLES})")
_LATIN_PAIR_RE = re.compile(
    r"(?<![A-Za-z0-9@._\-])(?P<a>[A-Za-z][a-z]+|[A-Z]{2,})\s(?P<b>[A-Za-z][a-z]+|[A-Z]{2,})"
    r"(?:\s(?P<c>[A-Z][a-z]+|[A-Z]{2,}))?(?![A-Za-z0-9@._\-])"
)
KNOWN_LATIN: frozenset[str] = frozenset(
    w.lower()
    for w in str.split(
        """
    iphone ipad android pixel galaxy aquos xperia arrows oppo xiaomi redmi huawei zenfone
    motorola moto nokia sony sharp kyocera fujitsu samsung apple google microsoft amazon yahoo
    line pay paypay rakuten docomo au softbank ymobile uq mobile my number card portal mynaportal
    app apps store play id face touch wi fi wifi ssid nfc qr sms mail gmail icloud outlook
    chrome safari edge firefox windows mac macos ios ipados os ver version update settings
    tax etax e zoom youtube instagram facebook twitter x tiktok whatsapp skype teams
    pin code password login logout account user name family given first last full
    the a an and or of to in on at for with from by is was are were be been has have had
    do does did not no yes ok it he she they we you i me my her his their our your its
    this that these those there here when where what which who how why new old
    came come went go gone got get help helped taught teach explained explain asked ask
    told tell said say called call visited visit registered register used use set
    reset locked lock unlock entered enter installed install opened open closed close
    customer client resident visitor applicant staff counter daughter son wife husband
    mother father grandson granddaughter friend neighbour neighbor helper carer
    english japanese chinese korean vietnamese nepali portuguese spanish tagalog filipino
    easy simple again first second third next last today yesterday morning afternoon
    residence passport licence license insurance pension health certificate
    mr mrs ms miss dr prof san sama kun chan watch maps drive photos lens wallet music tv
    news calendar translate keep docs sheets meet chat messenger assistant siri alexa
    japan post bank jp mynumber my na point points portal mode dark light power low private
    browsing emergency sos hello work digital agency members member transport checker net home
    screen time passcode airplane bluetooth calling night shift focus control center assistive
    voice over magnifier guided access smart city metro authenticator authentication browser
    search engine keyboard input flick romaji kana kanji google line official friends talk
    album chat call video camera photo photos gallery files clock alarm timer weather
    gb mb ok ng na tbd memo note notes step steps page screen button error
    japan tokyo osaka kyoto yokohama nagoya sapporo fukuoka kobe
    """
    )
)


def _latin_pairs(text: str) -> Iterator[re.Match[str]]:
    """Every pair of adjacent Latin words, overlapping (customer Kenji Sato -> Kenji Sato)."""
    pos = 0
    while True:
        m = _LATIN_PAIR_RE.search(text, pos)
        if m is None:
            return
        yield m
        pos = m.end("a") + 1


_KANA_ROWS = {
    "": "アイウエオ",
    "k": "カキクケコ",
    "g": "ガギグゲゴ",
    "s": "サシスセソ",
    "z": "ザジズゼゾ",
    "t": "タチツテト",
    "d": "ダヂヅデド",
    "n": "ナニヌネノ",
    "h": "ハヒフヘホ",
    "b": "バビブベボ",
    "p": "パピプペポ",
    "m": "マミムメモ",
    "y": "ヤイユエヨ",
    "r": "ラリルレロ",
    "w": "ワイウエヲ",
    "f": "ファフィフフェフォ",
    "j": "ジャジジュジェジョ",
}
_YOON = {"ky": "キ", "gy": "ギ", "sh": "シ", "ch": "チ", "ny": "ニ", "hy": "ヒ", "by": "ビ",
         "py": "ピ", "my": "ミ", "ry": "リ", "j": "ジ"}  # fmt: skip
_SMALL = {"a": "ャ", "u": "ュ", "o": "ョ", "e": "ェ"}
_ROMAJI_TOKEN_RE = re.compile(
    r"(ky|gy|sh|ch|ts|ny|hy|by|py|my|ry|[kgsztdnhbpmyrwfj]?)([aiueo])|n|(.)"
)


def romaji_to_katakana(word: str) -> str | None:
    """Hepburn romaji to katakana (yamada -> ヤマダ, kenji -> ケンジ); None if it is not romaji."""
    out = []
    for m in _ROMAJI_TOKEN_RE.finditer(word.lower()):
        consonant, vowel, other = m.groups()
        if other is not None:
            return None
        if vowel is None:
            out.append("ン")
            continue
        k = "aiueo".index(vowel)
        if consonant == "ts" and vowel == "u":
            out.append("ツ")
        elif consonant == "sh" and vowel == "i":
            out.append("シ")
        elif consonant == "ch" and vowel == "i":
            out.append("チ")
        elif consonant in _YOON and (vowel in _SMALL or consonant == "j"):
            out.append(
                _YOON[consonant]
                + ("" if consonant == "j" and vowel == "i" else _SMALL.get(vowel, ""))
            )
        elif consonant in _KANA_ROWS and consonant not in ("f", "j"):
            out.append(_KANA_ROWS[consonant][k])
        elif consonant == "f":
            out.append("フ" if vowel == "u" else "フ" + "ァィ ェォ"[k])
        else:
            return None
    return "".join(out)


def _reads_as_japanese_name(word: str) -> bool:
    """Does the romaji word, read as katakana, come out as one 人名 token (yamada, hanako)?"""
    kana = romaji_to_katakana(word)
    if not kana or len(kana) < 2:
        return False
    # Hepburn drops long vowels: taro is タロウ, ichiro イチロウ.
    for reading in (kana, kana + "ウ") if word.lower().endswith("o") else (kana,):
        toks = tokens(reading)
        if len(toks) == 1 and toks[0].is_person and toks[0].surface not in NOT_PEOPLE:
            return True
    return False


_PERSON_BEFORE_LATIN_RE = re.compile(
    r"(?:(?i:customer|client|resident|visitor|applicant|name|named|with|for|mr|mrs|ms|miss)"
    r"|氏名|名前|申請者|来所者|利用者|相談者|本人|代理人|お客様)[\s:：=、,.]*(?:(?i:is|was)\s)?$"
)
_PERSON_AFTER_LATIN_RE = re.compile(
    r"[\s,、]*(?:(?i:came|comes|visited|asked|asks|wants|wanted|brought|needs|needed|said|"
    r"called|is|was|has|had|and\s(?:her|his)|with)(?![A-Za-z])|[ぁ-ゖァ-ヺ\u4e00-\u9fff]"
    r"|[0-9]+\s?回目|\(|（)"
)
_LATIN_WORD_RE = re.compile(
    r"(?<![A-Za-z0-9@._\-])(?:[A-Z][a-z]{3,}|[A-Z]{4,})(?![A-Za-z0-9@._\-])"
)


def _iter_latin_names(text: str) -> Iterator[Hit]:
    # One capitalised word that reads as a Japanese surname or given name (YOSHIDA, Watanabe).
    for m in _LATIN_WORD_RE.finditer(text):
        word = m.group(0)
        if word.lower() not in KNOWN_LATIN and _reads_as_japanese_name(word):
            yield "person_name", *m.span()
    for m in _latin_pairs(text):
        words = [w for w in (m["a"], m["b"], m["c"]) if w]
        if any(w.lower() in KNOWN_LATIN for w in words[:2]):
            continue
        capitalised = all(w[0].isupper() for w in words[:2])
        reads_japanese = any(_reads_as_japanese_name(w) for w in words[:2])
        # Lowercase romaji (taro yamada, but not kishu henkou): one of the two words must
        # read as a Japanese name.
        japanese = reads_japanese and all(
            _ROMAJI_WORD_RE.fullmatch(w) and len(w) >= 3 for w in words[:2]
        )
        # Two capitalised words that do not read as Japanese (Maria Santos, but not Dark
        # Mode or Hello Work) count where a person is written: after a person label, or
        # before a verb about a person or before Japanese text.
        foreign = capitalised and (
            reads_japanese
            or _PERSON_BEFORE_LATIN_RE.search(text[max(0, m.start() - 24) : m.start()])
            or _PERSON_AFTER_LATIN_RE.match(text, m.end())
        )
        if not (foreign or japanese):
            continue
        end = m.end("c") if m["c"] and m["c"].lower() not in KNOWN_LATIN else m.end("b")
        yield "person_name", m.start("a"), end


# ---------------------------------------------------------------------------------------------
# Places where someone lives


_PLACE_NAME = r"[\u4e00-\u9fff々ヶケ](?:[\u4e00-\u9fff々ヶケ]|[がのつ](?=[\u4e00-\u9fff]))*"
_NOT_HOME_PLACES = re.compile(
    r"(?:市内|区内|町内|村内|県内|都内|府内|道内|市外|区外|県外|近所|近く|施設|住宅|団地|一軒家|"
    r"同じ|別|他|隣|海外|国内|日本|実家|田舎|地方|都会|郊外|駅前|周辺|付近)$"
)
_LIVES_RE = re.compile(
    rf"(?P<place>{_PLACE_NAME})\s?(?:在住|にお住まい|に住んで|に住む|に住ん|に住まい|の自宅|にある自宅"
    rf"|で一人暮らし|でひとり暮らし|に一人暮らし|にひとり暮らし|で独居|に独居)"
)
_LIVES_AFTER_RE = re.compile(rf"(?:住まいは|お住まいは|住んでいるのは)\s?(?P<place>{_PLACE_NAME})")
# A residence with a name (さくら苑, ひばりが丘団地, 西が丘ハイツ, みどりの家) and a room,
# block or floor after it.
_RESIDENCE = r"(?:団地|ハイツ|住宅|荘|苑|園|ホーム|ハウス|マンション|コーポ|レジデンス|の家|の里|館|寮|アパート|ビル)"
_RESIDENCE_ROOM_RE = re.compile(
    rf"(?P<name>[ぁ-ゖァ-ヺー\u4e00-\u9fff々ヶA-Za-z]{{1,10}}{_RESIDENCE})\s?(?:の)?\s?"
    r"(?:[0-9]{1,3}\s?号棟|[A-Z]\s?棟|[0-9]{1,2}\s?[-の]\s?[0-9]{2,4}|[0-9]{1,2}\s?階|[0-9]{1,2}F"
    r"|[0-9]{3,4}(?![0-9])|[0-9]{1,4}\s?号室)"
)
_PREFIX_RESIDENCE_ROOM_RE = re.compile(
    r"(?:メゾン|ハイム|コーポ|ハイツ|パレス|ヴィラ|シャトー|ドミール|アーバン|グラン|ライオンズ)"
    r"\s?[ぁ-ゖァ-ヺー\u4e00-\u9fff々ヶA-Za-z]{1,10}\s?(?:の)?\s?"
    r"(?:[0-9]{1,3}\s?号棟|[A-Z]\s?棟|[0-9]{1,2}\s?[-の]\s?[0-9]{2,4}|[0-9]{1,2}\s?階|[0-9]{1,2}F"
    r"|[0-9]{3,4}(?![0-9])|[0-9]{1,4}\s?号室)"
)
_ROOM_RE = re.compile(
    r"[0-9]{1,4}\s?号棟|[0-9]{1,4}\s?号室|[0-9]{1,2}\s?棟\s?[0-9]{2,4}|[A-Z]\s?棟\s?[0-9]{2,4}"
)
# A care home or group home named after its type: 特養あおば荘, グループホーム なごみ.
_CARE_TYPE_RE = re.compile(
    r"(?:特養|特別養護老人ホーム|老健|介護老人保健施設|サ高住|サービス付き高齢者向け住宅|"
    r"グループホーム|GH|ケアハウス|有料老人ホーム|老人ホーム|養護老人ホーム|シェアハウス)\s?"
    r"(?P<name>[ぁ-ゖァ-ヺー\u4e00-\u9fff々ヶ]{1,10})"
)
_NOT_CARE_NAMES = re.compile(
    r"^(?:から|に|へ|で|の|を|が|は|と|より|まで|入所|入居|職員|利用|在住|住まい)"
)
# Public housing with its block and room: 市営住宅3-402, 都営住宅 15-203, 県営中央団地 B棟 201.
_PUBLIC_HOUSING_RE = re.compile(
    r"(?:市営|県営|都営|町営|村営|府営|道営|公営|区営|UR|公団)[^0-9。、\n]{0,10}?\s?"
    r"(?:[0-9]{1,2}\s?[-の]\s?[0-9]{1,4}|[0-9]{1,3}\s?号棟|[A-Z]\s?棟|[0-9]{3,4})"
)


def iter_places(text: str) -> Iterator[Hit]:
    for m in _LIVES_RE.finditer(text):
        place = m["place"]
        if _NOT_HOME_PLACES.search(place) or len(place) < 2:
            continue
        yield "address", m.start("place"), m.end()
    for m in _LIVES_AFTER_RE.finditer(text):
        if not _NOT_HOME_PLACES.search(m["place"]) and len(m["place"]) >= 2:
            yield "address", m.start("place"), m.end()
    for pattern in (_RESIDENCE_ROOM_RE, _PREFIX_RESIDENCE_ROOM_RE, _ROOM_RE, _PUBLIC_HOUSING_RE):
        for m in pattern.finditer(text):
            yield "address", *m.span()
    for m in _CARE_TYPE_RE.finditer(text):
        if _NOT_CARE_NAMES.match(m["name"]):
            continue
        yield "address", *m.span()


# A child's given name with a family word or an age: 孫のゆうと君10歳, はるか 7歳, 長男 蓮 12歳.
_CHILD_NAME = r"[ぁ-ゖ][ぁ-ゖー]{1,4}|[\u4e00-\u9fff々]{1,3}|[ァ-ヺ][ァ-ヺー]{1,6}"
_CHILD_AFTER_FAMILY_RE = re.compile(
    r"(?:孫|娘|息子|長男|長女|次男|次女|三男|三女|子ども|子供|こども|お子さん|ひ孫|甥|姪)"
    rf"(?:の|は|\s|[(（:、・])\s?(?P<name>{_CHILD_NAME})(?:くん|君|ちゃん|さん)?"
    r"\s?[(（・、]?\s?[0-9]{1,2}\s?(?:歳|才|さい|か月|ヶ月)"
)
_CHILD_AT_HEAD_RE = re.compile(
    r"(?:^|(?<=[\s、。(（「]))(?P<name>[ぁ-ゖ][ぁ-ゖー]{1,4})(?:くん|君|ちゃん)?"
    r"\s?[(（・、]?\s?[0-9]{1,2}\s?(?:歳|才|さい|か月|ヶ月)"
)


def _iter_child_names(text: str) -> Iterator[Hit]:
    for pattern in (_CHILD_AFTER_FAMILY_RE, _CHILD_AT_HEAD_RE):
        for m in pattern.finditer(text):
            name = m["name"]
            if name in _NOT_CHILD_NAMES or _is_role_word(name) or name.endswith(("の", "は", "が")):
                continue
            yield "person_name", m.start("name"), m.end("name")


def iter_names_and_places(text: str) -> Iterator[Hit]:
    toks = tokens(text)
    yield from _iter_token_names(text, toks)
    yield from _iter_katakana_names(text, toks)
    yield from _iter_child_names(text)
    yield from _iter_latin_names(text)
    yield from iter_places(text)
