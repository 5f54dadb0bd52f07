"""Classes in the monthly bundle: classes.csv rows, class sheets, report totals, merge on import;
printed handouts; the classes CLI and demo classes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from dxdesk.core.catalog import load_catalog
from dxdesk.core.classes import (
    ClassRecord,
    render_handout,
    render_learner_slips,
    save_class_record,
    shipped_class_menu,
)
from dxdesk.core.export import import_bundles
from dxdesk.core.export.bundle_export import export_month
from dxdesk.core.export.demo import demo_class_rows
from dxdesk.core.i18n import RESIDENT_LANGUAGES
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.signing import TrustStore
from dxdesk.core.store import Store

SITE = "kita-venue"


pytestmark = pytest.mark.usefixtures("file_keyring")  # exports are signed


def a_class(day: int, learners: int, **changes) -> ClassRecord:
    r = ClassRecord(SITE, dt.date(2026, 10, day), "10:00", 90, ("etax", "maps"), tutors=1,
                    trained_tutors=1, assistants=1, learners=learners)  # fmt: skip
    r.ages["75-79"] = learners
    r.results["reached"] = learners
    return r.copy(**changes)


def test_classes_travel_in_the_bundle_and_merge_once(tmp_path: Path, data_dir: Path) -> None:
    menu = shipped_class_menu()
    with Store.open(data_dir) as store:
        save_class_record(store, a_class(5, 6, note="椅子が足りなかった"), menu)
        save_class_record(store, a_class(19, 12), menu)  # 12 learners, 2 staff: ratio warning
        save_class_record(store, a_class(20, 3, date=dt.date(2026, 11, 2)), menu)
        bundle = export_month(store, "2026-10", tmp_path / "out", site_id=SITE)
    with zipfile.ZipFile(bundle) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("classes.csv").decode("utf-8-sig"))))
        xlsx = zipfile.ZipFile(io.BytesIO(zf.read("summary.xlsx")))
        report = PdfReader(io.BytesIO(zf.read("report.pdf")))
    assert [r["learners"] for r in rows] == ["6", "12"]  # November's class is not in October
    assert rows[1]["staffing_warning"] == "ratio" and "椅子" not in str(rows)
    strings = xlsx.read("xl/sharedStrings.xml").decode()
    assert "教室・講座別" in strings and "地図アプリの使い方" in strings
    assert sum(n.startswith("xl/charts/chart") for n in xlsx.namelist()) == 5  # class sheets
    text = "".join(p.extract_text() for p in report.pages).replace(" ", "")
    assert "教室の数" in text and "講座別の受講者数" in text and "18" in text

    signing_trust = TrustStore.load(tmp_path / "hq")
    from dxdesk.core import signing

    signing.export_public_key(SITE, tmp_path / "site.pem")
    signing_trust.add(*signing.read_public_key_file(tmp_path / "site.pem"))
    with Store.open(tmp_path / "hq") as hq:
        first = import_bundles(hq, [bundle], signing_trust)
        again = import_bundles(hq, [bundle], signing_trust)
        merged = list(hq.queries.class_record_rows(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
    assert (first.classes_inserted, again.classes_inserted, again.classes_skipped) == (2, 0, 2)
    assert {r["class_id"] for r in merged} == {r["class_id"] for r in rows}


def settings() -> SiteSettings:
    return SiteSettings(site_id=SITE, site_name="北区民センター", counter_phone="03-1234-5678",
                        counter_hours="平日 9:00〜17:00")  # fmt: skip


def test_a4_handout_lists_topics_with_their_official_route_qr() -> None:
    catalog = load_catalog(forms_dir())
    pdf = render_handout(["mynaportal", "maps", "etax"], shipped_class_menu(), catalog,
                         settings(), dt.date(2026, 10, 5))  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "マイナポータルの使い方" in text and "https://myna.go.jp/" in text
    assert "https://www.keisan.nta.go.jp/" in text and "公式の手続きサイトはありません" in text
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4


def test_handout_for_a_city_route_needs_the_city_setting() -> None:
    from dxdesk.core.printing import SlipError

    with pytest.raises(SlipError) as info:
        render_handout(["disaster-app"], shipped_class_menu(), load_catalog(forms_dir()),
                       settings(), dt.date(2026, 10, 5))  # fmt: skip
    assert info.value.setting == "city_line_url"


def test_one_slip_per_learner_each_with_its_own_code() -> None:
    pdf = render_learner_slips("etax", 3, shipped_class_menu(), load_catalog(forms_dir()),
                               settings(), dt.date(2026, 10, 5))  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3  # A5: one page per learner
    texts = [p.extract_text() for p in reader.pages]
    assert all("https://www.keisan.nta.go.jp/" in t for t in texts)
    codes = {re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]", t).group(0) for t in texts}
    assert len(codes) == 3
    with pytest.raises(ValueError, match="手続きガイドがない"):
        render_learner_slips("maps", 3, shipped_class_menu(), load_catalog(forms_dir()),
                             settings(), dt.date(2026, 10, 5))  # fmt: skip


def test_demo_classes_are_valid_and_realistic() -> None:
    rows = list(demo_class_rows(per_site_month=40, months=["2026-09"], sites=["demo-site-01"]))
    menu = shipped_class_menu()
    records = [ClassRecord.from_row(r) for r in rows]
    assert all(r.problems(menu) == [] for r in records)
    mean = sum(r.learners for r in records) / len(records)
    assert 4 <= mean <= 8  # 地域連携型 classes average 6.0 learners
    older = sum(r.ages["70-74"] + r.ages["75-79"] + r.ages["80plus"] for r in records)
    assert older / sum(r.learners for r in records) > 0.6


def test_cli_topics_list_and_handout(tmp_path: Path, data_dir: Path) -> None:
    save_settings(data_dir, settings())
    with Store.open(data_dir) as store:
        save_class_record(store, a_class(5, 4), shipped_class_menu())

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dxdesk.cli", "--lang", "ja", *args],
                              capture_output=True, text=True, check=False)  # fmt: skip

    topics = run("classes", "topics")
    assert topics.returncode == 0 and "etax\t応用\te-Tax" in topics.stdout
    listing = run("classes", "list", "--month", "2026-10")
    assert listing.returncode == 0 and "2026-10-05 10:00 kita-venue 受講者 4 人" in listing.stdout
    out = tmp_path / "handout.pdf"
    made = run("classes", "handout", "mynaportal", "maps", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF")
    bad = run("classes", "handout", "cooking", "--out", str(out))
    assert bad.returncode == 2 and "cooking" in bad.stderr and "etax" in bad.stderr


@pytest.mark.parametrize("lang", RESIDENT_LANGUAGES)
def test_handout_in_each_language_has_contact_every_city_url_and_page_numbers(lang) -> None:
    from dxdesk.core.i18n import slip_tr
    from dxdesk.core.settings import SiteSettings

    s = SiteSettings(site_id="kita-1", site_name="北区役所", counter_phone="06-1234-5678",
                     counter_hours="平日 8:30～17:15",
                     urls={"city_line_url": "https://line.example-city.jp/",
                           "disaster_app_url": "https://bousai.example-city.jp/app"})  # fmt: skip
    topics = ["internet", "maps", "mynaportal", "etax", "disaster-app", "smartphone-certificate"]
    pdf = render_handout(topics, shipped_class_menu(), load_catalog(forms_dir()), s,
                         dt.date(2026, 10, 5), lang)  # fmt: skip
    tmp = io.BytesIO(pdf)
    import subprocess

    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip
    flat = text.replace("\n", " ")
    assert "06-1234-5678" in flat and "8:30" in flat
    assert "https://bousai.example-city.jp/app" in flat.replace(" ", "")
    pages = len(PdfReader(tmp).pages)
    # (Devanagari is drawn as shaped glyphs, read back in test_printing_ocr; furigana come
    # out of the PDF's text between the kanji they read)
    if lang not in ("ne", "ja-easy"):
        _, goal = shipped_class_menu().topic("maps").for_learner(lang)
        assert goal.replace(" ", "") in flat.replace(" ", "")  # the goal in the learner's words
    for n in range(1, pages + 1):
        assert slip_tr("handout.page", lang, n=n, total=pages).replace(" ", "") in text.replace(
            " ", ""
        ), n
