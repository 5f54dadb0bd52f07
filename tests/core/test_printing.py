"""Real PDFs: QR decoded back from the raster, text extracted, fonts embedded, glyph coverage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import yaml
import zxingcpp
from reportlab.pdfbase import pdfmetrics

from dxdesk.core.catalog import load_catalog, plain_text
from dxdesk.core.handoff import new_handoff_code
from dxdesk.core.i18n import RESIDENT_LANGUAGES, slip_tr
from dxdesk.core.paths import forms_dir
from dxdesk.core.printing import SLIP_FORMAT_NAMES, PaperError, SlipError, render_paper, render_slip
from dxdesk.core.printing.fonts import MissingGlyphError, split_runs
from dxdesk.core.printing.layout import (
    LATIN_SCRIPT_LANGUAGES,
    MM,
    PlacedQR,
    PlacedRect,
    PlacedText,
    typographic_quotes,
)
from dxdesk.core.printing.paper import layout_paper
from dxdesk.core.printing.slip import SLIP_FORMATS, layout_slip, route_url
from dxdesk.core.settings import SiteSettings

TODAY = dt.date(2026, 11, 23)
GUIDE_ID = "convenience-store-certificates"
SURVEY = "https://survey.example-city.jp/done?c={code}"
CITY_URLS = {  # every site setting a shipped guide's online route names
    key: f"https://{key.removesuffix('_url').replace('_', '-')}.example-city.jp/"
    for key in ("facility_reservation_url", "city_e_application_url", "city_line_url",
                "disaster_app_url", "mynumber_card_url", "driving_licence_url")
}  # fmt: skip


@pytest.fixture(scope="module")
def guide():
    return load_catalog(forms_dir()).guides[GUIDE_ID]


@pytest.fixture
def settings() -> SiteSettings:
    return SiteSettings(
        site_id="kita-1",
        site_name="北区役所 デジタル相談窓口",
        counter_phone="06-1234-5678",
        counter_hours="平日 9:00〜17:30",
    )


@pytest.fixture(scope="module")
def test_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A forms dir with the shipped taxonomy and a guide that has a paper section and a city route."""
    root = tmp_path_factory.mktemp("forms")
    shutil.copy(forms_dir() / "taxonomy.yaml", root / "taxonomy.yaml")
    (root / "guides").mkdir()
    raw = yaml.safe_load((forms_dir() / "guides" / f"{GUIDE_ID}.yaml").read_text("utf-8"))
    raw.update(
        id="facility-booking",
        related=[],
        online_route={"setting": "facility_reservation_url", "label": {"ja": "施設予約"}},
        slip={k: raw["slip"][k] for k in ("ja", "ja-easy")},
        paper={
            "title": {"ja": "施設利用申込書の記入補助"},
            "where": {"ja": "区役所 2階 地域振興課"},
            "fields": [
                {"key": "name", "label": {"ja": "氏名"}},
                {"key": "address", "label": {"ja": "住所"}, "lines": 2},
                {
                    "key": "room",
                    "label": {"ja": "部屋"},
                    "kind": "choice",
                    "choices": ["会議室", "和室"],
                },
                {"key": "sign", "label": {"ja": "署名"}, "signature": True},
            ],
        },
    )
    (root / "guides" / "facility-booking.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), "utf-8"
    )
    return root


@pytest.fixture(scope="module")
def paper_guide(test_forms: Path):
    catalog = load_catalog(test_forms)
    # links to other guides cannot resolve in this one-guide catalog; anything else is a bug
    mine = [
        p for p in catalog.problems if "facility-booking" in str(p) and "no guide" not in str(p)
    ]
    assert not mine, mine
    return catalog.guides["facility-booking"]


def decode_qr_codes(pdf: bytes, scale: float = 4.0) -> set[str]:
    found: set[str] = set()
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=scale).to_pil()
        found |= {r.text for r in zxingcpp.read_barcodes(image)}
    return found


def pdf_text(pdf: bytes) -> str:
    import io

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # pypdf turns wide word gaps into several spaces; compare with single spaces
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("fmt", SLIP_FORMAT_NAMES)
def test_slip_qr_decodes_to_the_route_and_the_survey(guide, settings, fmt: str) -> None:
    settings.urls = {"survey_url_template": SURVEY}
    code = new_handoff_code()
    pdf = render_slip(guide, settings, "ja", fmt, code, ["本人確認ができました"], TODAY)
    assert decode_qr_codes(pdf) == {guide.online_route.url, SURVEY.format(code=code)}


@pytest.mark.parametrize("fmt", SLIP_FORMAT_NAMES)
def test_slip_text_names_the_procedure_code_and_counter(guide, settings, fmt: str) -> None:
    code = new_handoff_code()
    text = pdf_text(render_slip(guide, settings, "en", fmt, code, [], TODAY)).replace("\n", " ")
    assert "convenience store" in text
    assert code in text
    assert "06-1234-5678" in text
    assert guide.online_route.url in text.replace(" ", "")
    assert "23 November 2026" in text  # the date as an English reader writes it
    assert "本人確認" not in text  # nothing was passed as done today


@pytest.mark.parametrize("fmt", SLIP_FORMAT_NAMES)
def test_qr_is_at_least_25_mm_with_a_quiet_zone(guide, settings, fmt: str) -> None:
    doc = layout_slip(guide, settings, "ja", fmt, new_handoff_code(), [], TODAY)
    route = [q for q in doc.qr_codes() if q.data == guide.online_route.url]
    assert len(route) == 1 and route[0].size >= 25 * MM
    matrix = route[0].matrix
    assert not any(any(row) for row in matrix[:4] + matrix[-4:])
    assert not any(any(row[:4]) or any(row[-4:]) for row in matrix)


def test_receipt_height_follows_the_content(guide, settings) -> None:
    short = layout_slip(guide, settings, "en", "receipt80", new_handoff_code(), [], TODAY)
    longer = layout_slip(
        guide, settings, "en", "receipt80", new_handoff_code(),
        ["We checked your card and explained the next step."] * 6, TODAY,
    )  # fmt: skip
    assert len(short.pages) == len(longer.pages) == 1
    assert short.pages[0].width == pytest.approx(80 * MM)
    assert longer.pages[0].height > short.pages[0].height + 6 * 12


@pytest.mark.parametrize("lang", RESIDENT_LANGUAGES)
@pytest.mark.parametrize("fmt", SLIP_FORMAT_NAMES)
def test_every_printed_character_is_in_its_font(guide, settings, lang: str, fmt: str) -> None:
    settings.urls = {"survey_url_template": SURVEY}
    # Hangul and simplified Chinese ship in resources/fonts: every language renders everywhere.
    doc = layout_slip(guide, settings, lang, fmt, new_handoff_code(), ["済"], TODAY)
    texts = doc.texts()
    assert texts
    for placed in texts:
        cmap = pdfmetrics.getFont(placed.run.font).face.charToGlyph
        missing = [c for c in placed.run.text if ord(c) not in cmap]
        assert not missing, (placed.run.font, missing)
        assert placed.size >= 10.5 or placed.ruby  # notes (URL, date) may be 10.5 pt
    step_runs = [t for t in texts if t.run.text.strip() == "1."]
    assert step_runs and step_runs[0].size >= (10.5 if fmt == "a6" else 12)
    for page in doc.pages:  # nothing drawn off the paper
        for placed in (i for i in page.items if hasattr(i, "run")):
            assert 0 <= placed.x < page.width and 0 < placed.y <= page.height


def test_ruby_is_drawn_above_the_base_text(guide, settings) -> None:
    doc = layout_slip(guide, settings, "ja-easy", "a5", new_handoff_code(), [], TODAY)
    ruby = [t for t in doc.texts() if t.ruby]
    assert "じゅうみんひょう" in "".join(t.run.text for t in ruby)
    base = next(t for t in doc.texts() if "住民票" in t.run.text and not t.ruby)
    reading = next(t for t in ruby if t.run.text == "じゅうみんひょう")
    assert reading.y < base.y and reading.size < base.size
    assert "{" not in "".join(t.run.text for t in doc.texts())


def test_nepali_is_drawn_in_devanagari_and_shaped(guide, settings) -> None:
    runs = split_runs("आज गरिएका काम ABC 北区", "ne")
    assert [r.font for r in runs] == [
        "NotoSansDevanagari-Regular",
        "NotoSans-Regular",  # Latin in a Nepali slip: proportional, not the Japanese face
        "BIZUDGothic-Regular",
    ]
    assert runs[0].shaped and not runs[1].shaped and not runs[2].shaped
    doc = layout_slip(guide, settings, "ne", "a5", new_handoff_code(), [], TODAY)
    assert any(t.run.font.startswith("NotoSansDevanagari") for t in doc.texts())


def test_vietnamese_marks_use_noto_sans() -> None:
    (run,) = split_runs("Việc cần làm tiếp ở nhà", "vi")
    assert run.font == "NotoSans-Regular"


def test_a_character_no_font_has_is_refused() -> None:
    with pytest.raises(MissingGlyphError, match="\U0001f600"):
        split_runs("ok \U0001f600", "en")


def test_fonts_are_embedded_as_subsets(guide, settings) -> None:
    import io

    pdf = render_slip(guide, settings, "ne", "a6", new_handoff_code(), [], TODAY)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    fonts[str(descriptor["/FontName"])] = "/FontFile2" in descriptor
    assert fonts and all(fonts.values()), fonts
    assert any("NotoSansDevanagari" in name for name in fonts)
    assert len(pdf) < 400_000  # subsets, not whole fonts (BIZ UDゴシック alone is ~4 MB)


def test_missing_language_falls_back_visibly_to_easy_japanese(paper_guide) -> None:
    settings = SiteSettings(
        site_name="北区役所", counter_phone="06-1234-5678", counter_hours="9:00-17:00",
        urls={"facility_reservation_url": "https://yoyaku.example-city.jp/"},
    )  # fmt: skip
    text = pdf_text(render_slip(paper_guide, settings, "pt", "a5", new_handoff_code(), [], TODAY))
    assert "japonês simples" in text
    assert "住民票" in text


@pytest.mark.parametrize("ui", ["ja", "en"])
def test_unset_city_setting_is_refused_by_name(paper_guide, settings, ui: str) -> None:
    """A translated message naming the setting as the settings screen does, pointing there."""
    from dxdesk.core.i18n import set_ui_language, tr
    from dxdesk.core.settings import CITY_URL_SETTINGS

    set_ui_language(ui)
    try:
        with pytest.raises(SlipError) as info:
            render_slip(paper_guide, settings, "ja", "a6", new_handoff_code(), [], TODAY)
    finally:
        set_ui_language("ja")
    assert info.value.setting == "facility_reservation_url"
    message = str(info.value)
    assert CITY_URL_SETTINGS["facility_reservation_url"][ui] in message
    assert tr("settings.title", lang=ui) in message  # where to fix it
    assert "dxdesk settings set" not in message


@pytest.mark.parametrize("missing", ["site_name", "counter_phone", "counter_hours"])
def test_no_placeholder_for_counter_details(guide, settings, missing: str) -> None:
    from dxdesk.core.i18n import tr

    setattr(settings, missing, "")
    with pytest.raises(SlipError, match=tr(f"settings.{missing}")) as info:
        render_slip(guide, settings, "ja", "a6", new_handoff_code(), [], TODAY)
    assert info.value.setting == missing


def test_bad_code_language_or_format_is_refused(guide, settings) -> None:
    with pytest.raises(SlipError, match="hand-off code"):
        render_slip(guide, settings, "ja", "a6", "AAAA-AAAA-C", [], TODAY)
    with pytest.raises(SlipError, match="ja-easy"):
        render_slip(guide, settings, "fr", "a6", new_handoff_code(), [], TODAY)
    with pytest.raises(SlipError, match="receipt80"):
        render_slip(guide, settings, "ja", "b5", new_handoff_code(), [], TODAY)


VALUES = {"name": "試験山田ZQX", "address": "架空県架空市ZQX9-8-7", "room": "和室"}


def test_paper_prefills_values_and_leaves_signature_blank(paper_guide) -> None:
    text = pdf_text(render_paper(paper_guide, VALUES, TODAY))
    assert "施設利用申込書" in text and "区役所 2階" in text
    assert VALUES["name"] in text and "ZQX9-8-7" in text
    assert "確かめて" in text  # "please check and sign"
    doc = layout_paper(paper_guide, VALUES, TODAY)
    assert any(getattr(i, "fill", False) for i in doc.pages[0].items)  # 和室 ticked


def test_blank_paper_is_a_filling_aid(paper_guide) -> None:
    text = pdf_text(render_paper(paper_guide, None, TODAY))
    assert "記入の手引き" in text and "氏名" in text


def test_paper_refuses_unknown_fields_and_signatures(paper_guide, guide) -> None:
    with pytest.raises(PaperError, match="'nickname'.*name, address, room, sign"):
        render_paper(paper_guide, {"nickname": "x"}, TODAY)
    with pytest.raises(PaperError, match="signature"):
        render_paper(paper_guide, {"sign": "x"}, TODAY)
    with pytest.raises(PaperError, match="no paper fallback"):
        render_paper(dataclasses.replace(guide, paper=None), None, TODAY)


def test_paper_values_reach_only_the_pdf(paper_guide, data_dir, tmp_path) -> None:
    from dxdesk.core.files import write_atomically

    out = tmp_path / "out" / "paper.pdf"
    write_atomically(out, render_paper(paper_guide, VALUES, TODAY))
    assert "ZQX" in pdf_text(out.read_bytes())
    needles = [v.encode() for v in VALUES.values()] + [
        v.encode("utf-16-be") for v in VALUES.values()
    ]
    for path in [p for p in tmp_path.rglob("*") if p.is_file() and p != out]:
        blob = path.read_bytes()
        assert not any(n in blob for n in needles), path
    assert list((tmp_path / "out").iterdir()) == [out]  # no temp file left beside it
    reader = pypdf.PdfReader(out)
    assert "ZQX" not in str(reader.metadata)


def test_import_printing_does_not_load_reportlab() -> None:
    import subprocess
    import sys

    code = "import sys, dxdesk.core.printing; print('reportlab' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_title_is_plain_text_in_metadata(guide, settings) -> None:
    import io

    pdf = render_slip(guide, settings, "ja-easy", "a6", new_handoff_code(), [], TODAY)
    title = pypdf.PdfReader(io.BytesIO(pdf)).metadata.title
    assert title == plain_text(guide.slip["ja-easy"].title)


def _typical_values(guide) -> dict[str, str]:
    """What a clerk types into each field of a shipped form, at ordinary lengths."""
    values = {}
    for f in guide.paper.fields:
        if f.signature:
            continue
        if f.kind == "choice":
            values[f.key] = f.choices[-1]
        elif f.kind == "check":
            values[f.key] = "1"
        elif f.kind == "date":
            values[f.key] = "令和8年11月23日"
        elif f.kind == "digits":
            values[f.key] = "2"
        else:
            values[f.key] = "東京都北区王子本町一丁目15番22号 王子ハイツ305号室"[: 14 * f.lines]
    return values


@pytest.mark.parametrize(
    "guide_id",
    sorted(g.id for g in load_catalog(forms_dir()).guides.values() if g.paper is not None),
)
def test_every_shipped_form_fits_one_a4_page_blank_and_filled(guide_id) -> None:
    guide = load_catalog(forms_dir()).guides[guide_id]
    for values in (None, _typical_values(guide)):
        doc = layout_paper(guide, values, TODAY)
        assert len(doc.pages) == 1, (guide_id, "filled" if values else "blank")
        text = pdf_text(render_paper(guide, values, TODAY)).replace(" ", "").replace("\n", "")
        for f in guide.paper.fields:  # two to a row or two columns, no label is lost
            for label in [f.label["ja"], *f.choices]:
                assert label.replace(" ", "") in text, (guide_id, label)


def _qrs(page) -> list[PlacedQR]:
    return [i for i in page.items if isinstance(i, PlacedQR)]


def _page_text(page) -> str:
    return "".join(i.run.text for i in page.items if isinstance(i, PlacedText) and not i.ruby)


@pytest.mark.parametrize("fmt", ["a6", "a5"])
def test_every_shipped_slip_keeps_qr_code_and_contact_together(settings, fmt: str) -> None:
    """One sheet (a card printed on both sides) for every shipped guide in every language, with
    nothing done on A6 and one done item on A5; the hand-off band never split, and on a card
    every page carries the hand-off code and says which page it is. `tools/slip_pages.py`
    lists any slip that needs more."""
    settings.urls = {"survey_url_template": SURVEY, **CITY_URLS}
    done = [] if fmt == "a6" else ["マイナポータルの利用登録まで終わりました。"]
    for guide in load_catalog(forms_dir()).guides.values():
        for lang in guide.slip:
            code = new_handoff_code()
            doc = layout_slip(guide, settings, lang, fmt, code, done, TODAY)
            where = (guide.id, lang, fmt)
            assert len(doc.pages) <= 2, where
            route = route_url(guide, settings)
            band = [p for p in doc.pages if any(q.data == route for q in _qrs(p))]
            assert len(band) == 1, where
            # the survey QR sits in the band, or (a band taller than the room) on its own
            qrs = {q.data for p in doc.pages for q in _qrs(p)}
            assert qrs == {route, SURVEY.format(code=code)}, where
            text = _page_text(band[0]).replace(" ", "")
            assert "06-1234-5678" in text, where
            assert text.count(code) == (2 if len(doc.pages) > 1 else 1), where  # band, footer
            texts = [_page_text(p).replace(" ", "") for p in doc.pages]
            slip = guide.slip[lang]
            for key, items in (("slip.remaining", slip.steps), ("slip.prepare", slip.prepare)):
                if items:  # a heading never ends a page without its first item
                    head = plain_text(slip_tr(key, lang)).replace(" ", "")
                    page = next(t for t in texts if head in t)
                    first = plain_text(items[0])
                    if lang in LATIN_SCRIPT_LANGUAGES:  # printed with typographic quotes
                        first = typographic_quotes(first)
                    first = first.replace(" ", "")[:6]
                    assert first in page, (where, key)
            if len(doc.pages) > 1:
                margin = SLIP_FORMATS[fmt].margin_mm * MM  # a printer may not reach the edge
                total = len(doc.pages)
                for n, page in enumerate(doc.pages, start=1):
                    text = _page_text(page).replace(" ", "")
                    assert f"{code}{n}/{total}" in text, (where, n)
                    lowest = max(i.y for i in page.items if isinstance(i, PlacedText))
                    assert lowest <= page.height - margin, (where, n, (page.height - lowest) / MM)


def test_a_short_slip_on_a5_is_one_page(guide, settings) -> None:
    doc = layout_slip(guide, settings, "ja", "a5", new_handoff_code(), [], TODAY)
    assert len(doc.pages) == 1
    assert not any("1/" in _page_text(p) for p in doc.pages)  # no page numbers on one sheet


def test_a_long_done_list_still_makes_a_two_sided_card(settings) -> None:
    """Seven steps done on the longest A6 card: the done list goes into one paragraph rather
    than pushing the QR onto a third sheet; every item is still printed."""
    guide = load_catalog(forms_dir()).guides["mynumber-card-smartphone-application"]
    done = [s.title.get("en") or s.title["ja"] for s in guide.steps]
    for lang in ("en", "pt", "ne"):
        doc = layout_slip(guide, settings, lang, "a6", new_handoff_code(), done, TODAY)
        assert len(doc.pages) <= 3, lang  # two sheets at most
        text = "".join(_page_text(p) for p in doc.pages).replace(" ", "")
        assert all(item.replace(" ", "") in text for item in done), lang
        render_slip(guide, settings, lang, "a6", new_handoff_code(), done, TODAY)  # draws


@pytest.mark.parametrize("lang", ["en", "tl", "pt", "vi"])
def test_latin_languages_print_in_a_proportional_face(lang: str) -> None:
    runs = split_runs("Bring your card and one ID", lang)
    assert {r.font for r in runs} == {"NotoSans-Regular"}
    assert pdfmetrics.stringWidth("iiii", "NotoSans-Regular", 12) < pdfmetrics.stringWidth(
        "MMMM", "NotoSans-Regular", 12
    )


def test_chinese_has_a_real_bold_face() -> None:
    (regular,) = split_runs("接下来在家要做的事", "zh")
    (bold,) = split_runs("接下来在家要做的事", "zh", bold=True)
    assert regular.font == "NotoSansCJKsc-Regular" and bold.font == "NotoSansCJKsc-Bold"


def test_kanji_in_a_korean_slip_come_from_one_face() -> None:
    runs = split_runs("북구 北区役所 デジタル相談窓口", "ko")
    kanji = [r for r in runs if any("\u4e00" <= c <= "\u9fff" for c in r.text)]
    assert len({r.font for r in kanji}) == 1, runs


def test_latin_quotes_print_as_opening_and_closing_marks() -> None:
    from dxdesk.core.printing.layout import TextStyle, text_block

    block = text_block('Tap "Start" and the card\'s PIN', TextStyle("en", 12), 400)
    text = "".join(t.run.text for t in block.items if isinstance(t, PlacedText))
    assert text == "Tap \u201cStart\u201d and the card\u2019s PIN"


def _drawn_sizes(pdf: bytes) -> list[tuple[int, float, str, float]]:
    """(page, font size in points, text, baseline height from the page's bottom) of every piece
    of text drawn, read from the PDF."""
    import io

    drawn: list[tuple[int, float, str, float]] = []
    for n, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):

        def visit(text, cm, tm, font, size, n=n):
            if text.strip():
                y = tm[5] * cm[3] + cm[5]
                drawn.append((n, round(size * tm[0] * cm[0], 2), text.strip(), y))

        page.extract_text(visitor_text=visit)
    return drawn


FIVE_DONE = {
    "ja": ["本人確認をした", "暗証番号の種類を確かめた", "カードを確かめた", "申請書を書いた", "予約をした"],
    "en": ["Checked your ID", "Found out which PIN", "Checked the card", "Filled in the form",
           "Booked a visit"],
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["a6", "a5"])
@pytest.mark.parametrize("lang", RESIDENT_LANGUAGES)
def test_type_is_never_below_12_pt_with_five_done_items(settings, lang: str, fmt: str) -> None:
    """Body >= 12 pt, headings >= 14 pt; only furigana and the page footer are smaller."""
    guide = load_catalog(forms_dir()).guides["pin-reset"]
    settings = dataclasses.replace(settings, urls={"survey_url_template": SURVEY})
    code = new_handoff_code()
    done = FIVE_DONE["ja" if lang.startswith("ja") else "en"]
    pdf = render_slip(guide, settings, lang, fmt, code, done, TODAY)
    drawn = _drawn_sizes(pdf)
    assert drawn
    footer_top = (SLIP_FORMATS[fmt].margin_mm + 7) * MM
    small = [
        (page, size, text)
        for page, size, text, y in drawn
        if size < 12
        # the page footer (the code and n/N), inside the room kept for it at the bottom
        and not (size == 10.5 and y < footer_top)
        # furigana: kana at half the size of the text they read
        and not (size <= 9 and all("\u3041" <= c <= "\u30ff" for c in text))
    ]
    assert not small, small
    headings = {slip_tr(k, lang) for k in ("slip.done_today", "slip.remaining", "slip.prepare")}
    sizes_of = {plain_text(h): [s for _, s, t, _ in drawn if t == plain_text(h)] for h in headings}
    for heading, sizes in sizes_of.items():
        if sizes:  # a heading with ruby is drawn in pieces; those are checked as body text
            assert min(sizes) >= 14, (heading, sizes)


def _lines(block) -> list[str]:
    """The text of each printed line of a block (ruby left out), top to bottom."""
    rows: dict[float, list] = {}
    for item in block.items:
        if isinstance(item, PlacedText) and not item.ruby:
            rows.setdefault(round(item.y, 1), []).append(item)
    return [
        "".join(i.run.text for i in sorted(r, key=lambda i: i.x)) for _, r in sorted(rows.items())
    ]


@pytest.mark.parametrize("width_mm", [40, 48, 55, 62, 70, 80])
def test_easy_japanese_breaks_only_between_phrases(width_mm: float) -> None:
    """At the spaces between phrases, and after 。 and 、 (never inside a phrase)."""
    import re

    from dxdesk.core.catalog import ruby_segments
    from dxdesk.core.printing.layout import TextStyle, text_block

    text = ("{暗証番号|あんしょうばんごう}は 4けたの {数字|すうじ}です。11がつ 23にちまでに "
            "{窓口|まどぐち}に {来|き}て ください。{平日|へいじつ} 8:30～17:15")  # fmt: skip
    pieces = [p for p in re.split(r" |(?<=[。、])", text) if p]
    phrases = ["".join(b for b, _ in ruby_segments(p)) for p in pieces]
    phrases += [a + b for a, b in zip(phrases, phrases[1:], strict=False) if a[-1] in "。、"]
    lines = _lines(text_block(text, TextStyle("ja-easy", 12), width_mm * MM))
    assert len(lines) > 1
    for line in lines:  # every line is made of whole phrases
        words = line.strip().split(" ")
        assert all(w in phrases for w in words), (line, lines)


@pytest.mark.parametrize("width_mm", range(20, 60, 3))
def test_japanese_never_breaks_a_number_from_its_counter_or_a_time_range(width_mm) -> None:
    from dxdesk.core.printing.layout import TextStyle, text_block

    text = (
        "受付は平日8:30～17:15です。暗証番号は4桁で、3回まちがえるとロックされます。11月23日まで。"
    )
    lines = _lines(text_block(text, TextStyle("ja", 12), width_mm * MM))
    for whole in ("8:30～17:15", "4桁", "3回", "11月", "23日"):
        assert any(whole in line for line in lines), (whole, lines)
    for line in lines[1:]:
        assert line[0] not in "、。～）", lines  # kinsoku: no line starts with these


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_url_breaks_where_a_reader_expects_and_never_leaves_a_lone_slash(lang) -> None:
    """At widths from one character short of the whole URL down to 30 mm: no line is only "/",
    the URL reads back whole, and it takes no more lines than breaking between any two
    characters would; a break lands after // or before / . - _ when that costs no line."""
    from dxdesk.core.printing.layout import TextStyle, text_block

    style = TextStyle(lang, 12)
    for url in (
        "https://www.kojinbango-card.go.jp/apprec/",
        "https://www.jpki.go.jp/procedure/period.html",
    ):
        full = style.width(url)
        for step in range(1, 40):
            width = full - step * style.width("m") / 2
            if width < 30 * MM:  # narrower than any column a URL is printed in
                break
            lines = _lines(text_block(url, style, width, break_anywhere=True))
            assert "".join(lines) == url, lines
            assert all(line.strip("/") for line in lines), lines
            # as few lines as filling each line to the last character that fits
            fewest, used = 1, 0.0
            for char in url:
                if used + style.width(char) > width:
                    fewest, used = fewest + 1, 0.0
                used += style.width(char)
            assert len(lines) <= fewest, (width, lines)
    lines = _lines(text_block("https://www.jpki.go.jp/procedure/period.html", style,
                              style.width("https://www.jpki.go.jp/procedure/peri"),
                              break_anywhere=True))  # fmt: skip
    assert lines == ["https://www.jpki.go.jp/procedure", "/period.html"]


def test_done_today_prints_the_residents_text_never_the_clerks_title(settings) -> None:
    from dxdesk.core.printing.slip import done_today_texts, slip_warnings

    base = load_catalog(forms_dir()).guides["pin-reset"]
    slip = dict(base.slip)
    slip["en"] = dataclasses.replace(slip["en"], done={"which-pin": "We found out which PIN."})
    slip["ja-easy"] = dataclasses.replace(
        slip["ja-easy"], done={"which-pin": "どの {番号|ばんごう}か わかりました。"}
    )
    slip.pop("ko", None)
    guide = dataclasses.replace(base, slip=slip)
    steps = ["which-pin", "who-came"]

    done = done_today_texts(guide, "en", steps)
    assert done.texts == ["We found out which PIN."] and done.left_out == ["who-came"]
    doc = layout_slip(guide, settings, "en", "a5", new_handoff_code(), done.texts, TODAY)
    text = " ".join(_page_text(p) for p in doc.pages)
    assert "We found out which PIN." in text
    for step in guide.steps:  # the clerk's step titles never reach the resident
        assert step.title["en"] not in text and step.title["ja"] not in text
    warnings = slip_warnings(guide, "en", steps)
    assert len(warnings) == 1 and "誰が来たか確かめる" in warnings[0]

    # no Korean text: the slip falls back to やさしい日本語, done texts included, and says so
    assert done_today_texts(guide, "ko", steps).texts == ["どの {番号|ばんごう}か わかりました。"]
    warnings = slip_warnings(guide, "ko", steps)
    assert any("韓国語" in w and "やさしい日本語" in w for w in warnings), warnings
    assert slip_warnings(guide, "en", ["which-pin"]) == []


def _lone_pin_reset(tmp_path) -> tuple[Path, dict]:
    """A forms folder for a catalog of pin-reset alone, and its YAML to change and write."""
    root = tmp_path / "forms"
    (root / "guides").mkdir(parents=True)
    shutil.copy(forms_dir() / "taxonomy.yaml", root / "taxonomy.yaml")
    raw = yaml.safe_load((forms_dir() / "guides" / "pin-reset.yaml").read_text("utf-8"))
    raw["related"] = []
    for answer in raw["steps"][0]["branch"]["answers"]:
        answer.pop("guide", None)  # no links to other guides: this catalog holds one
    return root, raw


def test_done_texts_must_name_steps_of_the_guide(tmp_path) -> None:
    root, raw = _lone_pin_reset(tmp_path)
    raw["slip"]["en"]["done"] = {"which-pin": "Found out which PIN", "no-such-step": "x"}
    (root / "guides" / "pin-reset.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    catalog = load_catalog(root)
    problems = [str(p) for p in catalog.problems]
    assert any("slip.en.done.no-such-step" in p for p in problems), problems


@pytest.mark.parametrize("lang", RESIDENT_LANGUAGES)
def test_paper_prints_in_the_residents_language_beside_japanese(lang: str) -> None:
    guide = load_catalog(forms_dir()).guides["pin-reset"]
    values = {"birth-date": "1948-04-03", "reset-user": "○", "applicant": "本人"}
    doc = layout_paper(guide, values, TODAY, lang)
    assert len(doc.pages) == 1
    text = " ".join(_page_text(p) for p in doc.pages)
    assert "昭和23年4月3日" in text and "令和8年11月23日" in text  # 和暦 for the office
    assert slip_tr("paper.check_and_sign", "ja") in text
    if lang != "ja":
        assert plain_text(slip_tr("paper.check_and_sign", lang)).replace(" ", "") in text.replace(
            " ", ""
        )
    assert guide.paper.note["ja"] not in text  # the staff note never prints
    render_paper(guide, values, TODAY, lang)  # draws


def test_paper_values_are_strict() -> None:
    guide = load_catalog(forms_dir()).guides["pin-reset"]
    for mark in ("○", "レ", "on", "x", "X", "✓", "はい"):
        doc = layout_paper(guide, {"reset-user": mark}, TODAY)
        assert any(isinstance(i, PlacedRect) and i.fill for p in doc.pages for i in p.items)
    for bad in ({"reset-user": "maybe"}, {"applicant": "友人"}, {"birth-date": "4月3日ごろ"}):
        with pytest.raises(PaperError, match=next(iter(bad))):
            layout_paper(guide, bad, TODAY)
    assert layout_paper(guide, {"birth-date": "S23.4.3"}, TODAY)


def test_no_paper_field_asks_for_a_pin_or_password(tmp_path) -> None:
    from dxdesk.core.printing.paper import parse_date

    assert parse_date("平成元年1月8日") == dt.date(1989, 1, 8)
    root, raw = _lone_pin_reset(tmp_path)
    raw["paper"]["fields"].append({"key": "new-pin", "label": {"ja": "新しい暗証番号", "en": "New PIN"},
                                   "kind": "digits"})  # fmt: skip
    (root / "guides" / "pin-reset.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    problems = [str(p) for p in load_catalog(root).problems]
    assert any("never asks for a PIN" in p for p in problems), problems


def test_lost_card_slip_prints_the_city_page_never_another_citys(settings) -> None:
    """card-lost used to print one city's fast-track page on every city's slip: now it is the
    site's own counter page, and a slip is refused by name while that setting is empty."""
    lost = load_catalog(forms_dir()).guides["card-lost"]
    with pytest.raises(SlipError) as info:
        render_slip(lost, settings, "ja", "a5", new_handoff_code(), [], TODAY)
    assert info.value.setting == "mynumber_card_url"
    settings.urls = {"mynumber_card_url": CITY_URLS["mynumber_card_url"]}
    pdf = render_slip(lost, settings, "ja", "a5", new_handoff_code(), [], TODAY)
    assert CITY_URLS["mynumber_card_url"] in decode_qr_codes(pdf)
    assert "fujimino" not in pdf_text(pdf)


def _rows(items) -> list[list[PlacedText]]:
    """The printed rows of text (ruby left out), top to bottom, each left to right."""
    rows: dict[float, list[PlacedText]] = {}
    for item in items:
        if isinstance(item, PlacedText) and not item.ruby:
            rows.setdefault(round(item.y, 1), []).append(item)
    return [sorted(r, key=lambda i: i.x) for _, r in sorted(rows.items())]


def test_easy_japanese_done_items_never_run_together_after_a_wrapped_one(settings) -> None:
    """A translator's report: in a やさしい日本語 done list, the item after a wrapped one went on
    at the end of its last line (…説明しました。 ✓ どの). Every row holding a ✓ begins with it."""
    from dxdesk.core.printing.layout import TextStyle
    from dxdesk.core.printing.slip import _Blocks, done_today_texts, marked_items

    guide = load_catalog(forms_dir()).guides["pin-reset"]
    steps = ["kiosk-four-digit", "voluntary-proxy", "which-pin", "who-came"]
    done = done_today_texts(guide, "ja-easy", steps).texts
    assert len(done) == 4
    style = TextStyle("ja-easy", 12)
    blocks = marked_items(done, "✓", style, 91 * MM, _Blocks(), side_by_side=True)
    pages = [[i for b in blocks for i in b.items]]
    for fmt in ("a6", "receipt80"):
        doc = layout_slip(guide, settings, "ja-easy", fmt, new_handoff_code(), done, TODAY)
        pages += [p.items for p in doc.pages]
    for items in pages:
        for row in _rows(items):
            if any("✓" in t.run.text for t in row):
                assert row[0].run.text.startswith("✓"), "".join(t.run.text for t in row)


def test_a_font_from_the_start_up_cache_measures_and_subsets_as_a_parsed_one(
    tmp_path, monkeypatch
) -> None:
    """A first slip reads a face's parsed tables from the start-up cache instead of parsing
    the font again; the face it gives must be the same face."""
    from dxdesk.core import startup_cache
    from dxdesk.core.paths import font_path
    from dxdesk.core.printing.fonts import _load_font

    monkeypatch.setenv(startup_cache.CACHE_DIR_ENV, str(tmp_path))
    path = font_path("NotoSansDevanagari-Regular.ttf")
    parsed = _load_font("T1", path, 0)
    assert list(tmp_path.glob("font-NotoSansDevanagari-Regular-0-*.pickle"))
    cached = _load_font("T2", path, 0)
    assert cached.face is not parsed.face
    text = "स्वास्थ्य कार्ड 4-digit PIN"
    assert cached.stringWidth(text, 12) == parsed.stringWidth(text, 12)
    codes = sorted({ord(c) for c in text})
    assert cached.face.makeSubset(codes) == parsed.face.makeSubset(codes)
    assert cached.face._pdfScale(500) == parsed.face._pdfScale(500)


def _receipt_lengths_mm(langs: tuple[str, ...], settings: SiteSettings) -> list[float]:
    """The receipt's length, read from the real PDF's page size, for every shipped guide in
    ``langs`` with nothing done (as a class's learner slips print)."""
    import io

    lengths = []
    for guide in load_catalog(forms_dir()).guides.values():
        for lang in langs:
            pdf = render_slip(guide, settings, lang, "receipt80", "ABCD-2345-P", [], TODAY)
            page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
            assert float(page.mediabox.width) == pytest.approx(80 * MM)
            lengths.append(float(page.mediabox.height) / MM)
    return sorted(lengths)


@pytest.fixture(scope="module")
def typical_receipts() -> list[float]:
    """Every shipped guide in Japanese and English, nothing done, no survey QR set."""
    settings = SiteSettings(site_id="kita-1", site_name="北区役所", counter_phone="06-1234-5678",
                            counter_hours="平日 8:30～17:15", urls=dict(CITY_URLS))  # fmt: skip
    return _receipt_lengths_mm(("ja", "en"), settings)


def test_the_receipt_puts_its_qr_beside_its_caption(guide, settings) -> None:
    doc = layout_slip(guide, settings, "ja", "receipt80", new_handoff_code(), [], TODAY)
    (qr,) = doc.qr_codes()
    caption = plain_text(slip_tr("slip.scan_qr", "ja"))[:6]
    (first,) = [t for t in doc.texts() if t.run.text.startswith(caption)]
    assert first.x >= qr.x + qr.size and qr.y <= first.y <= qr.y + qr.size


def test_receipts_stay_as_short_as_the_tightened_layout(typical_receipts) -> None:
    """The median typical receipt (see ``typical_receipts``) was 231 mm before the layout was
    tightened (QR beside its caption, short lines sharing a row) and 216 mm after; it is at
    most 200 mm now (the next test). `uv run python tools/receipt_lengths.py --done 0 --no-survey --langs ja,en`."""
    import statistics

    assert statistics.median(typical_receipts) <= 220


def test_a_typical_receipt_is_at_most_200_mm(typical_receipts) -> None:
    """Issue 17's target for the 80 mm roll, met at 12 pt body with a 1.5 line pitch on 72 mm:
    199.4 mm (216 mm before 2 mm roll ends, the code on one line, the print date beside the
    QR whose quiet zone lies in the margin, and no gap doubled by a leading or a quiet zone)."""
    import statistics

    assert statistics.median(typical_receipts) <= 200
