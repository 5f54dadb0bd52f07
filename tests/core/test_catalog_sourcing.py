"""Sourcing and change-log rules: what `forms check` fails on and what it only notes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from catalog_fixtures import sourced_guide, write_guide

from dxdesk.core.catalog import CONTENT, REVIEW, load_catalog
from dxdesk.core.guide_checks import is_home_page
from dxdesk.core.paths import forms_dir


@pytest.fixture
def forms(tmp_path: Path) -> Path:
    """The shipped taxonomy with no guides but the one a test writes."""
    root = tmp_path / "forms"
    (root / "guides").mkdir(parents=True)
    text = (forms_dir() / "taxonomy.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^ +(resolved_by|guide): .*\n", "", text)  # those guides are not here
    (root / "taxonomy.yaml").write_text(text, encoding="utf-8")
    return root


def findings(forms: Path, guide: dict) -> tuple[list[str], list[str]]:
    write_guide(forms / "guides", guide)
    catalog = load_catalog(forms)
    assert not catalog.problems, [str(p) for p in catalog.problems]
    assert guide["id"] in catalog.guides  # a content-rule break never unloads the guide
    notes = catalog.review_notes(today=dt.date(2026, 12, 4))
    content = [p.message for p in notes if p.kind == CONTENT]
    review = [p.message for p in notes if p.kind == REVIEW]
    return content, review


def test_a_fully_sourced_guide_is_clean(forms: Path) -> None:
    assert findings(forms, sourced_guide()) == ([], [])


@pytest.mark.parametrize(
    ("url", "home"),
    [
        ("https://www.jpki.go.jp/", True),
        ("https://myna.go.jp", True),
        ("https://www.city.example.lg.jp/index.html", True),
        ("https://www.city.example.lg.jp/top.php", True),
        ("https://www.jpki.go.jp/procedure/period.html", False),
        ("https://www.city.example.lg.jp/index.html?id=5", False),
        ("https://www.city.example.lg.jp/soshiki/3/index.html", False),
    ],
)
def test_home_page_detection(url: str, home: bool) -> None:
    assert is_home_page(url) is home


def test_a_bare_home_page_source_fails(forms: Path) -> None:
    guide = sourced_guide()
    guide["sources"][0]["url"] = "https://www.city.example.lg.jp/"
    content, _ = findings(forms, guide)
    assert any("'city-page'" in m and "home page" in m for m in content), content


def test_a_step_without_sources_fails(forms: Path) -> None:
    guide = sourced_guide()
    del guide["steps"][1]["sources"]
    content, _ = findings(forms, guide)
    assert content == ["step 'last' cites no source ('sources: [id]')"]


def test_an_unsourced_summary_fails(forms: Path) -> None:
    guide = sourced_guide()
    del guide["summary_sources"]
    content, _ = findings(forms, guide)
    assert content == ["'summary_sources': the summary cites no source"]


def test_answer_sources_must_exist(forms: Path) -> None:
    guide = sourced_guide()
    guide["steps"][0]["branch"]["answers"][0]["sources"] = ["nowhere"]
    write_guide(forms / "guides", guide)
    problems = [str(p) for p in load_catalog(forms).problems]
    assert any("no source with id 'nowhere'" in p for p in problems), problems


def test_sources_need_title_and_publisher(forms: Path) -> None:
    guide = sourced_guide()
    del guide["sources"][1]["title"]
    del guide["sources"][1]["publisher"]
    content, _ = findings(forms, guide)
    assert any("'agency': add 'title'" in m for m in content), content
    assert any("'agency': add 'publisher'" in m for m in content), content


def test_unknown_publisher_kind_is_an_error(forms: Path) -> None:
    guide = sourced_guide()
    guide["sources"][0]["publisher"] = "blog"
    path = write_guide(forms / "guides", guide)
    problems = [str(p) for p in load_catalog(forms).problems]
    assert problems and problems[0].startswith(f"{path}:")
    assert "sources.0.publisher" in problems[0]


def test_a_commercial_source_is_a_review_note_unless_explained(forms: Path) -> None:
    guide = sourced_guide()
    guide["sources"][1]["publisher"] = "commercial"
    content, review = findings(forms, guide)
    assert content == []
    assert any("'agency' is a commercial page" in m for m in review), review
    guide["sources"][1]["no_official"] = "機種の一覧は公的なページにない"
    assert findings(forms, guide) == ([], [])


def test_reviewed_on_before_a_source_was_read_fails(forms: Path) -> None:
    guide = sourced_guide(reviewed_on="2026-11-29")  # 'agency' was read on 11-30
    content, _ = findings(forms, guide)
    assert any("'agency' was read on 2026-11-30, after 'reviewed_on'" in m for m in content)


def test_moving_reviewed_on_without_rereading_every_source_fails(forms: Path) -> None:
    guide = sourced_guide(reviewed_on="2027-01-15")
    guide["sources"][1]["checked_on"] = "2027-01-15"  # only one source re-read
    content, _ = findings(forms, guide)
    assert (
        len(content) == 1 and "'city-page' was read on 2026-11-28, more than 31 days" in content[0]
    )


def test_change_log_needs_the_current_version(forms: Path) -> None:
    guide = sourced_guide(version=3)
    content, _ = findings(forms, guide)
    assert content == [
        "'changes': no entry for version 3 (add {version, date, ja, en} saying what changed)"
    ]
    guide = sourced_guide()
    guide["changes"].append({"version": 2, "date": "2026-11-02", "ja": "x", "en": "x"})
    content, _ = findings(forms, guide)
    assert any("version 2 is listed twice" in m for m in content), content


def test_unsourced_pitfall_and_home_page_qr_are_review_notes(forms: Path) -> None:
    guide = sourced_guide()
    del guide["steps"][0]["pitfalls"][0]["sources"]
    guide["online_route"]["url"] = "https://myna.go.jp/"
    content, review = findings(forms, guide)
    assert content == []
    assert len(review) == 2, review


def test_review_overdue_is_a_note_that_depends_on_the_day(forms: Path) -> None:
    write_guide(forms / "guides", sourced_guide())
    catalog = load_catalog(forms)
    assert catalog.review_notes(today=dt.date(2027, 11, 30)) == []
    late = catalog.review_notes(today=dt.date(2027, 12, 1))
    assert [p.kind for p in late] == [REVIEW]
    assert "last reviewed on 2026-11-30" in late[0].message


def test_forms_check_lists_notes_and_fails_only_on_rule_breaks(
    forms: Path, data_dir: Path, capsys
) -> None:
    from dxdesk.cli import main
    from dxdesk.core.i18n import set_ui_language

    check = ["--lang", "en", "forms", "check", "--forms", str(forms)]
    guide = sourced_guide()
    guide["sources"][1]["publisher"] = "commercial"
    write_guide(forms / "guides", guide)
    try:
        assert main(check) == 0
        out = capsys.readouterr()
        assert ": note: source 'agency' is a commercial page" in out.out
        del guide["steps"][1]["sources"]
        write_guide(forms / "guides", guide)
        assert main(check) == 1
        out = capsys.readouterr()
        assert "step 'last' cites no source" in out.out
        assert "sourcing and change-log rules" in out.err
    finally:
        set_ui_language("ja")


# The sourcing rules arrived (branch i18a) before the corrected guides (branch i18b). Until the
# catalog holds the >= 25 corrected guides this is an expected failure; with them it must pass
# (strict: an unexpected pass fails too, so the marker cannot outlive its reason).
_CONTENT_PENDING = len(load_catalog(forms_dir()).guides) < 25


@pytest.mark.xfail(_CONTENT_PENDING, reason="corrected guides land with branch i18b", strict=True)
def test_shipped_guides_follow_the_sourcing_rules() -> None:
    catalog = load_catalog(forms_dir())
    assert [str(p) for p in catalog.review_notes() if p.kind == CONTENT] == []
