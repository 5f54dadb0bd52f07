"""Checking a note while the clerk edits it: the whole note after every edit, and what a
deletion leaves behind.

A clerk who sees "佐々木ミツ子 昭和20年生まれ" marked red may delete only the marked part and
save "佐々木ミツ子 生まれ、一人暮らし". So once a note has been flagged, :class:`NoteGuard`
remembers each finding with the words right next to it; when a finding is gone but a word
that stood beside it is still there and could identify someone (a proper noun or a word the
dictionary does not know, a kanji or katakana run, a number), that word is reported too, as
kind ``near_removed``, and the note stays unsaveable until it is gone or rewritten. If the
name dictionary cannot be loaded at all, a note that could hold a name is reported as
``unchecked`` ("if in doubt, do not save").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dxdesk.core.i18n import tr
from dxdesk.core.privacy.guard import Finding, find_personal_data, kind_label

# A word next to a finding: a run of kanji, kana or Latin letters and digits.
_WORD_RE = re.compile(r"[\u4e00-\u9fff々ヶ]+|[ァ-ヺー]+|[ぁ-ゖー]+|[A-Za-z][A-Za-z.'\-]*|[0-9]+")
_NEAR = 3  # how far (in chars of separators) a word may be from the finding
# Words that stand next to personal data all day and identify nobody.
_HARMLESS = frozenset(
    str.split(
        """
    生まれ 生 在住 さん 様 の は が を に で と も へ や から まで より 方 件 分 歳 才 代 本人
    来所 来庁 再来 初回 初めて 電話 携帯 自宅 連絡 連絡先 番号 住所 名前 氏名 折り返し 控え
    一人暮らし ひとり暮らし 暮らし 女性 男性 娘 息子 奥さん 夫婦 家族 次回 前回 今回 本日 今日
    メール アドレス 暗証番号 パスワード 誕生日 生年月日 申請 登録 完了 済み 予約 案内
    """
    )
)


@dataclass
class _Seen:
    text: str  # the finding's text when it was flagged
    neighbours: list[str]  # words right before and after it then


@dataclass
class NoteGuard:
    """Checks one note through its edits; ``check`` after every change of the text."""

    seen: list[_Seen] = field(default_factory=list)

    def reset(self) -> None:
        self.seen.clear()

    def check(self, text: str, *, visit_year: int | None = None) -> list[Finding]:
        """The findings in ``text`` plus the words a deletion left next to removed data."""
        findings = find_personal_data(text, visit_year=visit_year)
        for finding in findings:
            self._remember(text, finding)
        doubts = self._left_behind(text, findings)
        unchecked = self._unchecked(text) if not findings and not doubts else []
        return sorted(findings + doubts + unchecked, key=lambda f: (f.start, f.end))

    def _remember(self, text: str, finding: Finding) -> None:
        if any(s.text == finding.text for s in self.seen):
            return
        before = list(_WORD_RE.finditer(text, max(0, finding.start - 12), finding.start))
        after = _WORD_RE.search(text, finding.end, min(len(text), finding.end + 12 + _NEAR))
        neighbours = []
        if before and finding.start - before[-1].end() <= _NEAR:
            neighbours.append(before[-1].group(0))
        if after and after.start() - finding.end <= _NEAR:
            neighbours.append(after.group(0))
        self.seen.append(_Seen(finding.text, neighbours))

    def _left_behind(self, text: str, findings: list[Finding]) -> list[Finding]:
        covered = [(f.start, f.end) for f in findings]
        doubts: list[Finding] = []
        for seen in self.seen:
            if seen.text in text:
                continue  # still there, and still marked (or a public number)
            for word in seen.neighbours:
                if not _may_identify(word):
                    continue
                for m in re.finditer(re.escape(word), text):
                    if any(a <= m.start() < b for a, b in covered):
                        continue
                    doubts.append(Finding("near_removed", m.start(), m.end(), word))
                    covered.append(m.span())
        return doubts

    def _unchecked(self, text: str) -> list[Finding]:
        from dxdesk.core.privacy.names import preload

        if preload() or not re.search(r"[\u4e00-\u9fffァ-ヺA-Za-z]{2}", text):
            return []
        return [Finding("unchecked", 0, len(text), text)]


def _may_identify(word: str) -> bool:
    """Could this word, left next to removed personal data, still identify someone?"""
    if word in _HARMLESS or len(word) < 2 and not word.isdigit():
        return False
    if word.isdigit():
        return len(word) >= 3
    if re.fullmatch(r"[ァ-ヺー]{2,4}", word):
        return True  # ウメ, トメ, ハナ: old given names are common words too; in doubt
    from dxdesk.core.privacy.names import tokens

    toks = tokens(word)
    if not toks:
        return True  # no dictionary: in doubt
    # A proper noun or a word the dictionary does not know (おおた, ミツ), or a kanji or
    # katakana run it can only read as pieces that are not all common nouns.
    if any(t.pos2 == "固有名詞" or t.unknown for t in toks):
        return True
    if re.fullmatch(r"[ぁ-ゖー]+", word):
        return False  # hiragana the dictionary knows: grammar or a common word
    return len(toks) > 1 and not all(t.pos2 == "普通名詞" for t in toks)


def note_problem(findings: list[Finding], lang: str | None = None) -> str:
    """Why the note cannot be saved, in the UI language: the kinds, then any doubt explained."""
    if not findings:
        return ""
    separator = tr("privacy.list_separator", lang=lang)
    plain = [f for f in findings if f.kind not in ("near_removed", "unchecked")]
    parts = []
    if plain:
        kinds = separator.join(dict.fromkeys(kind_label(f.kind, lang) for f in plain))
        parts.append(tr("wizard.note_has_personal_data", lang=lang, kinds=kinds))
    near = [f.text for f in findings if f.kind == "near_removed"]
    if near:
        words = separator.join(dict.fromkeys(near))
        parts.append(tr("privacy.near_removed_reason", lang=lang, words=words))
    if any(f.kind == "unchecked" for f in findings):
        parts.append(tr("privacy.unchecked_reason", lang=lang))
    return " ".join(parts)
