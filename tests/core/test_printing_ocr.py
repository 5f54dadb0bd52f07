"""Nepali read back from the printed slip by OCR: conjuncts formed, vowel signs in place.

The slip is rendered to PDF, rasterised by poppler (pdftoppm, as a printer driver would), and
read by tesseract with its Nepali model (`tesseract-ocr-nep`, installed by .ci/run). The text
must come back as the guide wrote it; a virama that should have joined two letters shows up in
tesseract's output as VIRAMA + ZWNJ (कार्‌ड), and a vowel sign drawn after its letter as a
reordered word (रडिरमा), both of which fail here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.printing import render_slip
from dxdesk.core.settings import SiteSettings

pytestmark = pytest.mark.skipif(
    not (shutil.which("tesseract") and shutil.which("pdftoppm")),
    reason="needs tesseract (with tesseract-ocr-nep) and poppler-utils; .ci/run installs them",
)


def _ocr(pdf: bytes, tmp_path: Path, lang: str) -> str:
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
    if lang not in langs.split():
        pytest.skip(f"tesseract has no '{lang}' model (apt-get install tesseract-ocr-{lang})")
    (tmp_path / "slip.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "slip.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    (page,) = sorted(tmp_path.glob("page*.png"))
    out = subprocess.run(
        ["tesseract", str(page), "-", "-l", lang, "--psm", "4"],
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return unicodedata.normalize("NFC", out.stdout)


def _letters(text: str) -> str:
    """What is compared: the letters and signs, without spaces and joiners OCR adds or drops."""
    return "".join(
        c for c in unicodedata.normalize("NFC", text) if not c.isspace() and c not in "\u200c\u200d"
    )


def _found_in_order(expected: str, read: str) -> float:
    """Share of ``expected`` found, in order, in what OCR read (1.0: every letter, in place)."""
    matcher = difflib.SequenceMatcher(None, expected, read, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)


def test_nepali_slip_reads_back_as_written(tmp_path: Path) -> None:
    guide = load_catalog(forms_dir()).guides["pin-reset"]
    settings = SiteSettings(
        site_id="kita-1",
        site_name="北区役所",
        counter_phone="06-1234-5678",
        counter_hours="平日 8:30～17:15",
    )
    pdf = render_slip(guide, settings, "ne", "a5", "ABCD-2345-P", [], dt.date(2026, 11, 23))
    read = _ocr(pdf, tmp_path, "nep")

    # a word-final halant is written in Nepali (…होस्); tesseract marks it VIRAMA+ZWNJ as well,
    # so only a virama inside a word, before a consonant, counts as a conjunct that did not form
    inside = [m.start() for m in re.finditer("\u094d\u200c(?=[\u0915-\u0939])", read)]
    assert not inside, f"virama shown inside words: {read!r}"

    text = guide.slip["ne"]
    expected = [text.title, *text.steps, *text.prepare]
    read_letters = _letters(read)
    scores = {line: _found_in_order(_letters(line), read_letters) for line in expected}
    low = {line: round(score, 3) for line, score in scores.items() if score < 0.97}
    assert not low, f"read back too differently: {low}\nOCR: {read}"
    for word in ("कार्ड", "परिचय", "लिएर", "मेसिनमा"):
        assert word in read_letters, (word, read)


def test_shaped_text_copies_as_written(tmp_path: Path) -> None:
    """Glyphs drawn by id still copy and search as the guide's text (ActualText)."""
    guide = load_catalog(forms_dir()).guides["pin-reset"]
    settings = SiteSettings(
        site_name="北区役所", counter_phone="06-1234-5678", counter_hours="9-17"
    )
    pdf = render_slip(guide, settings, "ne", "a5", "ABCD-2345-P", [], dt.date(2026, 11, 23))
    (tmp_path / "slip.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "slip.pdf", "-"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    copied = _letters(text)
    for line in [guide.slip["ne"].title, *guide.slip["ne"].steps]:
        assert _letters(line) in copied, line
    assert not re.search("[\ue000-\uf8ff]", text)  # no private-use codes leak into the copy
