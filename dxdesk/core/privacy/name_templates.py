"""Template recognisers of people's names on NFKC text: a name before an honorific (山田さん),
after its label (氏名 山田太郎, name: Taro Yamada) and after a Latin title (Mr. Yamada, Yamada-san).

The word lists say which runs name nobody (roles, relations, shops). Names with no template
around them are :mod:`.names`' (with its dictionary).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dxdesk.core.privacy.templates import KANJI

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
    rf"(?:(?P<kanji>[{KANJI}]{{1,6}}(?: [{KANJI}]{{1,6}})?)(?![{KANJI}])"
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
    rf"|[{KANJI}]{{1,6}}(?![{KANJI}])|[ァ-ヺー]{{2,12}}(?![ァ-ヺー]))"
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
    if kind == "kana" and (run in _KANA_NOT_NAME_WORDS or re.match(f"[{KANJI}]", follower)):
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


def iter_name_templates(s: str) -> Iterator[tuple[str, int, int]]:
    """("person_name", start, end) of every name template in ``s``."""
    for start, end in _iter_person_names(s):
        yield "person_name", start, end
    for start, end in _iter_labelled_names(s):
        yield "person_name", start, end
    for start, end in _iter_latin_names(s):
        yield "person_name", start, end
