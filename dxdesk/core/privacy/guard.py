"""The anonymity guard: find personal data in free text before anything is stored.

The session log must hold no name, address, phone, e-mail, birth date, My Number, card or
account number (DOMAIN.md, "Privacy and disclosure control"), and no PIN or password a resident
reads out at the counter. Every free-text field passes
through :func:`ensure_no_personal_data` before it reaches the store; the GUI calls
:func:`find_personal_data` while the clerk types and marks each :class:`Finding` span.

Matching runs on NFKC-normalised text (residents' numbers are often typed in full-width digits
such as ０９０－１２３４－５６７８), but every span is reported in the ORIGINAL text, so the
GUI can underline exactly what the clerk typed. For a Qt widget, convert a span with
:func:`utf16_span` (Qt counts UTF-16 code units; Python counts code points).

The guard never rewrites text: it either passes it through unchanged or refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from dxdesk.core.i18n import tr, ui_language
from dxdesk.core.privacy.normalise import number_view, text_view

# Stable kind ids, in the order used to settle overlapping findings (first wins a tie).
KINDS: tuple[str, ...] = (
    "card_number",
    "account_number",
    "my_number",
    "resident_code",
    "residence_card",
    "passport_number",
    "licence_number",
    "pension_number",
    "insurance_number",
    "secret",
    "email",
    "phone",
    "postal_code",
    "car_plate",
    "line_id",
    "birth_date",
    "address",
    "person_name",
    "id_number",
    "near_removed",  # only from NoteGuard: a word left next to removed personal data
    "unchecked",  # only from NoteGuard: names could not be checked
)
# The i18n key of each kind's label (resources/i18n/ui-privacy.yaml).
KIND_LABEL_KEYS: dict[str, str] = {kind: f"privacy.kind.{kind}" for kind in KINDS}
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}

# A full date older than this many years before the visit can only be someone's birth date.
BIRTH_DATE_MIN_AGE = 15


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and its span ``text[start:end]`` in the original."""

    kind: str
    start: int
    end: int
    text: str


class PersonalDataError(ValueError):
    """Raised when a free-text field holds personal data; names the field and the kinds found."""

    def __init__(self, field: str, findings: list[Finding], *, lang: str | None = None):
        self.field = field
        self.findings = list(findings)
        self.kinds = sorted({f.kind for f in findings}, key=_PRIORITY.__getitem__)
        language = lang or ui_language()
        separator = "、" if language == "ja" else ", "
        labels = separator.join(kind_label(k, language) for k in self.kinds)
        super().__init__(tr("privacy.error.contains", lang=language, field=field, kinds=labels))


def kind_label(kind: str, lang: str | None = None) -> str:
    """The translated label of a kind, e.g. 'my_number' -> 'マイナンバー'."""
    return tr(KIND_LABEL_KEYS[kind], lang=lang)


def ensure_no_personal_data(text: str, field: str, *, visit_year: int | None = None) -> str:
    """Return ``text`` unchanged, or raise :class:`PersonalDataError` naming ``field``."""
    findings = find_personal_data(text, visit_year=visit_year)
    if findings:
        raise PersonalDataError(field, findings)
    return text


def utf16_span(text: str, finding: Finding) -> tuple[int, int]:
    """The finding's span in UTF-16 code units, the offsets QTextCursor and QSyntaxHighlighter use."""

    def units(upto: int) -> int:
        return upto + sum(1 for ch in text[:upto] if ord(ch) > 0xFFFF)

    return units(finding.start), units(finding.end)


# ---------------------------------------------------------------------------------------------
# Normalisation with an offset map back to the original text


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

_KANJI = "\u4e00-\u9fff\u3400-\u4dbf々"
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
    rf"(?:現住所|住所|自宅|お住まい|住まい|居所)(?:は|[\s:「(]){{1,3}}(?=[{_KANJI}])"
)
_PLACE_RUN_RE = re.compile(rf"[{_KANJI}](?:[{_KANJI}ヶケ]|[がつ](?=[{_KANJI}])){{0,15}}")
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

# Names: a run of kanji / katakana / capitalised Latin right before an honorific.
_HONORIFIC_RE = re.compile(r"(?:さん|さま|様|氏|くん|君|ちゃん|殿)")
_HONORIFIC_NOT_BEFORE = {
    "様": "式子々相",
    "氏": "名族",
    "君": "主臨",
    "さま": "ざ",
    "殿": "堂下",
}
_NAME_TAIL_RE = re.compile(
    r"(?:[\u4e00-\u9fff々]{1,6}(?: [\u4e00-\u9fff々]{1,4})?"
    r"|[ァ-ヺー]{2,12}(?:[ ・][ァ-ヺー]{2,12})?"
    r"|(?<![A-Za-z])[A-Z][a-z]+(?: [A-Z][a-z]+)?"
    r"|(?:^|(?<=[\s、。「（(]))[ぁ-ゖ]{2,5})$"
)
# Words for roles, relations and organisations that take an honorific but name nobody.
ROLE_WORDS: frozenset[str] = frozenset(
    str.split(
        """
    お客 客 皆 みな みんな 職員 娘 息子 奥 お母 母 お父 父 ご主人 主人 御主人 旦那 嫁 お嫁
    婿 孫 お孫 兄 お兄 姉 お姉 弟 妹 祖母 祖父 ご家族 家族 親 ご両親 両親 親戚 ご親戚 夫 妻
    おじい おばあ おじ おば おかあ おとう おにい おねえ おじいち おばあち あか 赤 お子 子
    ご本人 本人 担当 担当者 ご担当 相談者 利用者 ご利用者 住民 区民 市民 町民 村民 来庁者 申請者
    先生 店員 係員 駅員 窓口 近所 ご近所 隣 お隣 友人 友達 お友達 大家 管理人 講師 受講者 支援員
    相談員 支援者 ボランティア ヘルパー ケアマネ ケアマネジャー スタッフ サポーター アドバイザー
    ドライバー ショップ 業者 事業者 医者 お医者 看護師 薬剤師 保健師 民生委員 委員 後見人 施設
    お店 店 お巡り 警察 郵便屋 銀行 お坊 神 仏 王 お姫 姫 同 仕 模 多 異 有 各 皆様 皆さま 奥様
    お客様 ご来庁 来庁 相手 相手方 先方 上 お上 殿 若 坊 お嬢 嬢 ご夫婦 夫婦 ご一家 一家 皆々
    ドコモ ソフトバンク ワイモバイル アップル グーグル 楽天 ヤフー セブン ローソン ファミマ
    ファミリーマート ミニストップ Apple Google Docomo Softbank Amazon LINE Yahoo
    ご依頼 依頼者 代理人 ご代理 配偶者 お相手 主治医 歯医者 大工 床屋 八百屋 魚屋 本屋
    部屋 電気屋 携帯屋 問屋 パン屋 花屋 薬屋
    今日 本日 今回 前回 次回 毎回 今度 自分 最後 最初 全部 全員 一人 今 次 前 後 毎日
    """
    )
)
# An honorific after a word ending in one of these is a role or an organisation, not a name.
ROLE_SUFFIXES: tuple[str, ...] = tuple(
    str.split(
        """
    員 者 長 師 士 官 課 係 局 医 業 家族 生徒 先生 協会 銀行 会社 商会 教会 神社 病院 医院
    役所 事務所 保健所 研究所 営業所 出張所 支所 教室 事務室 商店 売店 書店 支店 本店 販売店
    ショップ センター スタッフ ボランティア ヘルパー ケアマネ マネージャー マネジャー
    """
    )
)

# Names after their label, with no honorific: 氏名 山田太郎, お名前：佐藤花子, name: Taro Yamada.
# The separator is short (は, が, a colon, a space, 「); the name is 2-8 kanji (one space
# inside), katakana, capitalised Latin words, or (after a colon or 「 only) 3+ hiragana.
_NAME_LABEL_RE = re.compile(
    r"(?P<label>お名前|名前|氏名|フルネーム|本名|旧姓|フリガナ"
    r"|(?<![A-Za-z])(?i:(?:full|first|last|family|given|real|legal|maiden|middle)[ _-]?)?"
    r"(?i:sur)?(?i:name)(?![A-Za-z]))"
    r"(?P<sep>(?:\s?(?i:is|was)\s|[\s:=はが「『(\[、,]){1,3})"
    rf"(?:(?P<kanji>[{_KANJI}]{{1,6}}(?: [{_KANJI}]{{1,6}})?)(?![{_KANJI}])"
    r"|(?P<kana>[ァ-ヺー]{2,12}(?:[ ・=][ァ-ヺー]{1,12}){0,3})(?![ァ-ヺー])"
    r"|(?P<latin>[A-Z][A-Za-z'\-]*[A-Za-z](?: [A-Z][A-Za-z'\-]*[A-Za-z]){0,2})(?![A-Za-z])"
    r"|(?P<hira>[ぁ-ゖー]{3,10})(?![ぁ-ゖー]))"
)
# What may follow a name after は/が: the end, punctuation, と/です/だ or an honorific
# (山田太郎と名乗った, 山田です); after a colon, 「 or a space also で/を/が/は/に/の/へ. A verb
# ending (入力した, 確認できず) or a comparison (券面と同じ) means the word was no name.
_AFTER_NAME_RE = re.compile(
    r"と(?!同じ|一致|違|異な|比べ|照合)|です|でした|だ|さん|さま|くん|ちゃん"
)
_AFTER_NAME_STRONG_RE = re.compile(r"で(?!き)|[をがはにのへ]")
# Words that follow a name label but name nobody (名前は不明, 氏名 漢字で, 名前はカタカナ).
NOT_NAME_WORDS: frozenset[str] = frozenset(
    str.split(
        """
    不明 未定 未詳 未記入 未入力 未登録 未確認 空欄 空白 省略 非公開 非表示 非開示 記入 入力 記載
    確認 変更 登録 表示 印字 印刷 手書 署名 記録 漢字 仮名 英字 英語 英数 数字 文字 外字 旧字
    異体字 字体 全角 半角 必須 任意 自動 本人 家族 代理 通称 旧姓 戸籍 住民票 書類 用紙 様式
    画面 項目 一致 相違 誤り 間違 同一 同上 別人 伏字 秘密 聴取 申告 読取 本名 氏名 名前 姓名
    名字 苗字 名義 口座 記号 番号 住所 生年月日 電話 連絡先 後日 次回 前回 今回 当日 本日
    上段 下段 左上 右上 上部 下部 先頭 最初 最後 日本語 母国語 省く 控え 対象外 途中 口頭
    窓口 職員 自筆 代筆 自署 併記 必要 不要 大事 重要 大切 簡単 面倒 複雑 正確 正式 公式 可能
    不可 申請書 券面 通帳 保険証 証明書 免許証 台帳 通知 本籍 世帯
    カタカナ フリガナ アルファベット ローマ ニックネーム フルネーム ネーム イニシャル スペース
    ハイフン ユーザー アカウント パスワード ログイン メール アドレス アプリ カード マイナ
    ポータル エラー ミス ブランク スマホ サイト ショップ キーボード フリック
    ひらがな かたかな ふりがな なし ありません ふめい みてい わからない しらない ひみつ
    not none unknown unclear blank empty same change changed required optional field
    entered input entry kanji katakana hiragana romaji alphabet full first last family given
    real legal nickname user account app card number my the his her their your is was on in of
    and or to as written printed missing wrong correct checked confirmed hidden withheld
    omitted redacted private secret tbd na ok id nfc pin wi-fi
    """
    )
)
_KANA_NOT_NAME_WORDS = ("カナ", "ナシ", "ナイ")
_HIRAGANA_NOT_NAME_ENDINGS = ("ない", "なし", "ます", "ません", "です", "でした", "だった", "った")
# A label after ...の that belongs to a thing (アプリの名前, 店の名前, Wi-Fiの名前).
_THING_OWNERS = tuple(
    str.split(
        """
    店 会社 病院 医院 駅 施設 学校 銀行 支店 団体 様式 書類 機種 端末 製品 商品 番組 地区 町
    制度 証明書 画面 項目 薬 会場 建物 教室 窓口 手続 手続き 欄 ペット 犬 猫
    """
    )
)
_LATIN_THING_OWNERS = frozenset(
    str.split(
        """
    user file app application product device account site network wifi fi host domain model
    brand company shop store bank branch street town city ward folder service program course
    class event station building login screen nick code key field column item menu button plan
    card tag place venue procedure form
    """
    )
)
# Latin honorifics in English notes: Mr. Yamada, Ms Tanaka, Dr. Sato, Yamada-san, Yamada san.
_LATIN_TITLE_RE = re.compile(
    r"(?<![A-Za-z])(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof)(?:\.\s?|\s)"
    r"(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?(?![A-Za-z])"
    rf"|[{_KANJI}]{{1,6}}(?![{_KANJI}])|[ァ-ヺー]{{2,12}}(?![ァ-ヺー]))"
)
_LATIN_SAN_RE = re.compile(
    r"(?<![A-Za-z])(?:(?P<cap>[A-Z][a-z]+(?: [A-Z][a-z]+)?)[ -]|(?P<low>[a-z]{2,})-)"
    r"(?i:san|sama|kun|chan|sensei|dono)(?![A-Za-z])"
)
# Roles and relations in romaji (okaa-san, mina-san) and shops (Docomo-san) name nobody.
LATIN_ROLE_WORDS: frozenset[str] = frozenset(
    str.split(
        """
    okaa otou obaa ojii oba oji onee onii ane ani oku okyaku kyaku mina minna musume musuko mago
    omago shujin goshujin danna kazoku tantou tanto shokuin sensei isha oisha kangoshi helper
    staff okusan ojou bou boku
    """
    )
) | frozenset(w.lower() for w in ROLE_WORDS if w.isascii())


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


def _iter_birth_dates(s: str, visit_year: int) -> Iterator[tuple[int, int]]:
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


def _iter_secrets(s: str) -> Iterator[tuple[int, int]]:
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


def _iter_addresses(s: str) -> Iterator[tuple[int, int]]:
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


def _is_role(run: str, prefix: str) -> bool:
    core = run.split(" ")[-1].split("・")[-1]
    return (
        run in ROLE_WORDS
        or core in ROLE_WORDS
        or (prefix + core) in ROLE_WORDS
        or any(core.endswith(w) for w in ROLE_SUFFIXES)
        or any(core.endswith(w) and len(w) >= 2 for w in ROLE_WORDS)
    )


def _iter_person_names(s: str) -> Iterator[tuple[int, int]]:
    for m in _HONORIFIC_RE.finditer(s):
        honorific = m.group(0)
        following = _HONORIFIC_NOT_BEFORE.get(honorific, "")
        if m.end() < len(s) and following and s[m.end()] in following:
            continue
        tail = _NAME_TAIL_RE.search(s, max(0, m.start() - 20), m.start())
        if tail is None:
            continue
        run = tail.group(0)
        prefix = s[max(0, tail.start() - 1) : tail.start()]
        if _is_role(run, prefix):
            continue
        yield tail.start(), m.end()


def _name_run_ok(run: str, kind: str, follower: str, strong: bool) -> bool:
    """Is the run after a name label a name, judging by the run and the text after it?"""
    if kind == "kanji" and len(run.replace(" ", "")) < 2:
        return False
    if kind == "latin":
        return not any(w.lower() in NOT_NAME_WORDS for w in run.split())
    if any(w in run for w in NOT_NAME_WORDS if len(w) >= 2 and not w.isascii()):
        return False
    if kind == "kana" and (run in _KANA_NOT_NAME_WORDS or re.match(f"[{_KANJI}]", follower)):
        return False  # ローマ字, カナ氏名, ユーザー名: the katakana is part of a longer word
    if kind == "hira" and (not strong or run.endswith(_HIRAGANA_NOT_NAME_ENDINGS)):
        return False
    if not follower or not re.match(r"[ぁ-ゖ]", follower):
        return True
    return bool(
        _AFTER_NAME_RE.match(follower) or (strong and _AFTER_NAME_STRONG_RE.match(follower))
    )


def _label_names_a_thing(s: str, start: int) -> bool:
    """Is the label at ``start`` the name of a thing (アプリの名前, the app name)?"""
    if s[max(0, start - 1) : start] == "の":
        owner = s[max(0, start - 12) : start - 1]
        if owner and ((owner[-1].isascii() and owner[-1].isalnum()) or "ァ" <= owner[-1] <= "ヺ"):
            return True
        return owner.endswith(_THING_OWNERS)
    word = re.search(r"([A-Za-z]+)[ _-]?$", s[max(0, start - 20) : start])
    return bool(word and word.group(1).lower() in _LATIN_THING_OWNERS)


def _iter_labelled_names(s: str) -> Iterator[tuple[int, int]]:
    for m in _NAME_LABEL_RE.finditer(s):
        if _label_names_a_thing(s, m.start("label")):
            continue
        sep = m["sep"]
        strong = bool(re.search(r"[:=「『(\[]", sep)) or sep.isspace()
        if m["label"].isascii() and not re.search(r"[:=「『(\[はが]|is|was", sep):
            continue  # "Name Change": an English label needs a colon or "is"
        kind = next(k for k in ("kanji", "kana", "latin", "hira") if m[k])
        start, end = m.span(kind)
        run = m[kind]
        # 山田太郎 電話, マリア スマホ: try the run without its second word too.
        first = run.split(" ")[0]
        candidates = [(run, end)] + ([(first, start + len(first))] if first != run else [])
        for text, stop in candidates:
            if _name_run_ok(text, kind, s[stop : stop + 4], strong):
                yield start, stop
                break


def _iter_latin_names(s: str) -> Iterator[tuple[int, int]]:
    for m in _LATIN_TITLE_RE.finditer(s):
        name = m["name"]
        if name.lower() in LATIN_ROLE_WORDS or (not name.isascii() and _is_role(name, "")):
            continue
        yield m.span()
    for m in _LATIN_SAN_RE.finditer(s):
        name = (m["cap"] or m["low"]).lower()
        if name in LATIN_ROLE_WORDS or name.split(" ")[-1] in LATIN_ROLE_WORDS:
            continue
        yield m.span()


def _iter_raw(s: str, visit_year: int) -> Iterator[tuple[str, int, int]]:
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
    for start, end in _iter_secrets(s):
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
    for start, end in _iter_birth_dates(s, visit_year):
        yield "birth_date", start, end
    for start, end in _iter_addresses(s):
        yield "address", start, end
    for start, end in _iter_person_names(s):
        yield "person_name", start, end
    for start, end in _iter_labelled_names(s):
        yield "person_name", start, end
    for start, end in _iter_latin_names(s):
        yield "person_name", start, end


def _digits_of(s: str) -> str:
    return "".join(ch for ch in s if ch.isascii() and ch.isdigit())


def _raw_findings(text: str, year: int) -> Iterator[tuple[str, int, int]]:
    """Every candidate, as (kind, start, end) in the ORIGINAL text."""
    from dxdesk.core.privacy.allow import is_public_number
    from dxdesk.core.privacy.identifiers import iter_number_view

    tview = text_view(text)
    nview = number_view(tview)
    for kind, start, end in _iter_raw(tview.text, year):
        if kind == "phone" and is_public_number(_digits_of(tview.text[start:end])):
            continue
        yield kind, *tview.span(start, end)
    for kind, start, end in iter_number_view(nview.text):
        if kind not in ("secret", "birth_date") and is_public_number(
            _digits_of(nview.text[start:end])
        ):
            continue
        yield kind, *nview.span(start, end)
    from dxdesk.core.privacy.names import iter_names_and_places

    for kind, start, end in iter_names_and_places(tview.text):
        yield kind, *tview.span(start, end)


def find_personal_data(text: str, *, visit_year: int | None = None) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, with spans in the original text.

    ``visit_year`` (default: this year) decides which full dates are old enough to be birth
    dates. Overlapping candidates are settled in favour of the longer, then the KINDS order.
    """
    if not text:
        return []
    year = visit_year if visit_year is not None else date.today().year
    raw = sorted(_raw_findings(text, year), key=lambda f: (f[1], -(f[2] - f[1]), _PRIORITY[f[0]]))
    findings: list[Finding] = []
    taken_until = -1
    for kind, start, end in raw:
        if start < taken_until or end <= start:
            continue
        taken_until = end
        findings.append(Finding(kind, start, end, text[start:end]))
    return findings
