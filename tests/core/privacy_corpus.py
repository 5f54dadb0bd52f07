"""The hand-written note corpora in tests/core/data/ (see the header of each .tsv file).

``notes_personal.tsv`` / ``notes_clean.tsv`` were written first, before the recognisers;
``heldout_personal.tsv`` / ``heldout_clean.tsv`` were written after them and never used to tune
the guard. Not a test module (no test_ prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Invisible characters a paste brings along, written as {NAME} so the corpus stays readable.
ESCAPES = {
    "{ZWSP}": "\u200b",
    "{ZWJ}": "\u200d",
    "{ZWNJ}": "\u200c",
    "{SHY}": "\u00ad",
    "{BOM}": "\ufeff",
    "{WJ}": "\u2060",
    "{NBSP}": "\u00a0",
}


@dataclass(frozen=True)
class CorpusNote:
    kinds: tuple[str, ...]
    text: str
    line: int


def load(name: str) -> list[CorpusNote]:
    notes = []
    path = DATA / name
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        kinds, sep, text = raw.partition("\t")
        if not sep or not text.strip():
            raise ValueError(f"{path}:{number}: expected 'kind<TAB>note'")
        for escape, char in ESCAPES.items():
            text = text.replace(escape, char)
        notes.append(CorpusNote(tuple(kinds.split(",")), text, number))
    return notes


CORPORA = {
    "own": ("notes_personal.tsv", "notes_clean.tsv"),
    "heldout": ("heldout_personal.tsv", "heldout_clean.tsv"),
}
