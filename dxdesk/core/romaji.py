"""Romaji typed with the input method off (kakutei, hokensyou) read as hiragana.

A clerk whose IME is off types the reading in Latin letters; the catalog's readings are kana.
Hepburn and kunrei-shiki spellings both convert (shi/si, chi/ti, tsu/tu, fu/hu, ji/zi, sha/sya),
a doubled consonant is っ, and n before a consonant, at the end, or typed nn/n' is ん.
"""

from __future__ import annotations

_VOWELS = "aiueo"
_ROWS = {
    "": "あいうえお", "k": "かきくけこ", "s": "さしすせそ", "t": "たちつてと",
    "n": "なにぬねの", "h": "はひふへほ", "m": "まみむめも", "r": "らりるれろ",
    "g": "がぎぐげご", "z": "ざじずぜぞ", "d": "だぢづでど", "b": "ばびぶべぼ",
    "p": "ぱぴぷぺぽ",
}  # fmt: skip
_SYLLABLES: dict[str, str] = {}
for _consonant, _kana in _ROWS.items():
    for _vowel, _char in zip(_VOWELS, _kana, strict=True):
        _SYLLABLES[_consonant + _vowel] = _char
_SYLLABLES.update({
    "ya": "や", "yu": "ゆ", "yo": "よ", "ye": "いぇ", "wa": "わ", "wi": "うぃ", "we": "うぇ", "wo": "を",
    "fa": "ふぁ", "fi": "ふぃ", "fu": "ふ", "fe": "ふぇ", "fo": "ふぉ",
    "ja": "じゃ", "ji": "じ", "ju": "じゅ", "je": "じぇ", "jo": "じょ",
    "shi": "し", "chi": "ち", "tsu": "つ", "si": "し", "ti": "ち", "tu": "つ", "hu": "ふ",
    "zi": "じ", "di": "ぢ", "du": "づ", "va": "ゔぁ", "vi": "ゔぃ", "vu": "ゔ",
})  # fmt: skip
for _head, _i_kana in (("k", "き"), ("g", "ぎ"), ("n", "に"), ("h", "ひ"), ("b", "び"),
                       ("p", "ぴ"), ("m", "み"), ("r", "り"), ("z", "じ"), ("d", "ぢ")):  # fmt: skip
    for _vowel, _small in (("a", "ゃ"), ("u", "ゅ"), ("o", "ょ")):
        _SYLLABLES[_head + "y" + _vowel] = _i_kana + _small
for _head, _i_kana in (("sh", "し"), ("sy", "し"), ("ch", "ち"), ("ty", "ち"), ("cy", "ち"),
                       ("j", "じ"), ("jy", "じ")):  # fmt: skip
    for _vowel, _small in (("a", "ゃ"), ("u", "ゅ"), ("o", "ょ"), ("e", "ぇ")):
        _SYLLABLES[_head + _vowel] = _i_kana + _small
_LONGEST = max(len(key) for key in _SYLLABLES)


def to_hiragana(word: str) -> str | None:
    """The hiragana of a romaji word, or None when it is not romaji (pin, e-tax, 2024)."""
    text = word.lower().replace("-", "ー")
    if not text or not all(c in "abcdefghijklmnopqrstuvwxyz'ー" for c in text):
        return None
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "ー":
            out.append("ー")
            i += 1
            continue
        if c == "n" and (i + 1 == len(text) or text[i + 1] in "n'" or
                         (text[i + 1] not in _VOWELS and text[i + 1] != "y")):  # fmt: skip
            out.append("ん")
            i += 2 if i + 1 < len(text) and text[i + 1] in "n'" else 1
            continue
        if c == "'":
            i += 1
            continue
        if c not in _VOWELS and i + 1 < len(text) and text[i + 1] == c:
            out.append("っ")  # a doubled consonant: kitte, zasshi
            i += 1
            continue
        for size in range(_LONGEST, 0, -1):
            kana = _SYLLABLES.get(text[i : i + size])
            if kana is not None:
                out.append(kana)
                i += size
                break
        else:
            return None
    return "".join(out)
