"""Search by reading and everyday words: what a resident or a clerk types finds the guide."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from catalog_fixtures import sourced_guide, write_guide

from dxdesk.core.catalog import CatalogLayer, load_catalog
from dxdesk.core.paths import forms_dir

LOST_CARD = "card-lost"  # the id agreed in forms/README.md ("ガイドの id の約束")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """The shipped catalog; while it has no lost-card guide, one written as a city would."""
    shipped = load_catalog(forms_dir())
    if LOST_CARD in shipped.guides:
        return shipped
    city = tmp_path_factory.mktemp("city")
    write_guide(city, sourced_guide(
        id=LOST_CARD, category="mynumber-card", kana="まいなんばーかーど ふんしつ とうなん",
        title={"ja": "マイナンバーカードの紛失・盗難", "en": "Lost or stolen My Number card"},
        keywords=["紛失", "盗難", "一時停止", "再発行"],
    ))  # fmt: skip
    return load_catalog(forms_dir(), layers=[CatalogLayer("city", city)])


@pytest.mark.parametrize(
    ("query", "target", "within"),
    [
        ("かくていしんこく", "etax-smartphone", 1),
        # several guides are about 保険証; the registration one must be near the top
        ("けんこうほけんしょう", "health-insurance-registration", 3),
        ("ぜいきん", "etax-smartphone", 2),
        ("なくした", LOST_CARD, 1),
    ],
)
def test_everyday_words_find_their_guide(catalog, query: str, target: str, within: int) -> None:
    ids = [g.id for g in catalog.search(query)]
    assert target in ids[:within], (query, ids)


@pytest.mark.parametrize(
    ("hiragana", "other"),
    [("かくていしんこく", "カクテイシンコク"), ("けんこうほけんしょう", "ｹﾝｺｳﾎｹﾝｼｮｳ"),
     ("なくした", "ナクシタ"), ("かくていしんこく", "かくてい")],
)  # fmt: skip
def test_katakana_half_width_and_a_prefix_find_the_same(catalog, hiragana, other) -> None:
    assert [g.id for g in catalog.search(other)] == [g.id for g in catalog.search(hiragana)]


@pytest.mark.parametrize(
    ("typed", "hiragana"),
    [("kakuteishinkoku", "かくていしんこく"), ("kenkouhokensyou", "けんこうほけんしょう"),
     ("KENKOUHOKENSHOU", "けんこうほけんしょう"), ("zeikin", "ぜいきん"),
     ("nakushita", "なくした"), ("kakutei", "かくてい")],
)  # fmt: skip
def test_romaji_typed_with_the_input_method_off_finds_the_same(catalog, typed, hiragana) -> None:
    """Hepburn or kunrei, any case: the clerk whose IME is off still finds the guide."""
    assert [g.id for g in catalog.search(typed)] == [g.id for g in catalog.search(hiragana)]
    assert catalog.search(typed)


def test_romaji_reads_as_kana_only_when_it_is_romaji() -> None:
    from dxdesk.core.romaji import to_hiragana

    assert to_hiragana("kitte") == "きって"  # a doubled consonant
    assert to_hiragana("konbini") == to_hiragana("konnbini") == "こんびに"
    assert to_hiragana("kin'yuu") == "きんゆう" and to_hiragana("kinyuu") == "きにゅう"
    assert to_hiragana("jyuuminhyou") == to_hiragana("juuminhyou") == "じゅうみんひょう"
    assert to_hiragana("chiyoda") == to_hiragana("tiyoda") == "ちよだ"
    assert to_hiragana("myna") is None and to_hiragana("2024") is None  # not romaji: as typed


def test_the_word_list_maps_everyday_words_to_catalog_words(tmp_path: Path) -> None:
    """A guide that says only 紛失 is found by なくした through forms/search-words.yaml."""
    write_guide(tmp_path / "city", sourced_guide(keywords=["紛失"]))
    catalog = load_catalog(forms_dir(), layers=[CatalogLayer("city", tmp_path / "city")])
    assert "city-test-guide" in [g.id for g in catalog.search("なくした")]
    bare = dataclasses.replace(catalog, search_words={})
    assert "city-test-guide" not in [g.id for g in bare.search("なくした")]


def test_ruby_readings_are_searched(tmp_path: Path) -> None:
    guide = sourced_guide()
    guide["steps"][0]["say"]["ja-easy"] = (
        "{市民税|しみんぜい}の {書類|しょるい}を みせて ください。"
    )
    write_guide(tmp_path / "city", guide)
    catalog = load_catalog(forms_dir(), layers=[CatalogLayer("city", tmp_path / "city")])
    assert [g.id for g in catalog.search("しみんぜい")] == ["city-test-guide"]


def test_no_match_is_an_empty_list_and_every_word_must_match(catalog) -> None:
    assert catalog.search("ぜんぜんないことば") == []
    assert catalog.search("かくていしんこく ぜんぜんないことば") == []


def test_a_broken_word_list_names_its_line(tmp_path: Path) -> None:
    import shutil

    forms = tmp_path / "forms"
    shutil.copytree(forms_dir(), forms)
    path = forms / "search-words.yaml"
    text = path.read_text("utf-8").replace("  ぜいきん: [税, 確定申告, 還付]", "  ぜいきん: 税")
    path.write_text(text, "utf-8")
    line = text.splitlines().index("  ぜいきん: 税") + 1
    assert [str(p) for p in load_catalog(forms).problems] == [
        f"{path}:{line}: 'words.ぜいきん': give a list of words, e.g. [確定申告]"
    ]
