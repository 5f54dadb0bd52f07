"""The guide loader: every kind of broken guide gets its own `path:LINE: message`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_fixtures import sourced_guide, write_guide

from dxdesk.core.catalog import load_catalog, plain_text, ruby_segments, with_readings
from dxdesk.core.paths import forms_dir

# A frozen copy of a shipped guide, so that the loader's line numbers and key paths do not move
# whenever the guide's content is corrected (it is written over the shipped one in a private catalog).
EXAMPLE = Path(__file__).parent / "data" / "convenience-store-certificates-v1.yaml"


@pytest.fixture
def forms(tmp_path: Path) -> Path:
    """A private catalog: the shipped taxonomy and all shipped guides."""
    root = tmp_path / "forms"
    shutil.copytree(forms_dir(), root)
    return root


def write_broken(forms: Path, text: str, name: str = "convenience-store-certificates") -> Path:
    path = forms / "guides" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(forms: Path, path: Path) -> list[str]:
    return [str(p) for p in load_catalog(forms).problems if p.path == path]


def test_shipped_example_guide_loads_with_its_steps() -> None:
    catalog = load_catalog(forms_dir())
    guide = catalog.guide("convenience-store-certificates")
    assert [s.id for s in guide.steps] == ["check-eligibility", "check-pin", "explain-kiosk"]
    assert guide.step("check-pin").branch.answers[1].blocker == "pin-forgotten"
    assert guide.next_step_id("explain-kiosk") is None


def test_yaml_syntax_error_names_the_line(forms: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "category: moving-certificates", "category: [moving-certificates"
    )
    path = write_broken(forms, text)
    found = problems_for(forms, path)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("category:"))
    assert len(found) == 1
    assert "YAML syntax error" in found[0]
    assert found[0].startswith(f"{path}:")
    assert int(found[0].split(":")[1]) >= line


def test_unknown_key_names_key_and_line(forms: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "    staff:\n      ja: >-\n        利用者証明用",
        "    staf: oops\n    staff:\n      ja: >-\n        利用者証明用",
    )
    path = write_broken(forms, text)
    line = text.splitlines().index("    staf: oops") + 1
    assert (
        f"{path}:{line}: 'steps.1.staf': unknown key (check the spelling; see forms/README.md)"
        in problems_for(forms, path)
    )


def test_wrong_type_names_field(forms: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("version: 1", "version: first")
    path = write_broken(forms, text)
    found = problems_for(forms, path)
    assert any(
        p.startswith(f"{path}:2: 'version': Input should be a valid integer") for p in found
    ), found


def test_missing_required_field(forms: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(line for line in lines if not line.startswith("reviewed_on:"))
    path = write_broken(forms, text)
    assert f"{path}:1: 'reviewed_on': required field is missing" in problems_for(forms, path)


def test_dangling_branch_target(forms: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("goto: explain-kiosk", "goto: explain-kisok")
    path = write_broken(forms, text)
    line = text.splitlines().index("          goto: explain-kisok") + 1
    expected = (
        f"{path}:{line}: 'steps.1.branch.answers.0.goto': no step with id 'explain-kisok' "
        "in this guide"
    )
    found = problems_for(forms, path)
    assert expected in found
    # the step it meant is now unreachable, and that is said too
    assert any("step 'explain-kiosk' cannot be reached" in p for p in found)


def test_duplicate_ids(forms: Path) -> None:
    copy = forms / "guides" / "copy.yaml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    found = [str(p) for p in load_catalog(forms).problems if p.path == copy]
    assert any(
        "'id': 'convenience-store-certificates' must match the file name" in p for p in found
    )

    text = EXAMPLE.read_text(encoding="utf-8").replace("id: check-pin", "id: check-eligibility")
    path = write_broken(forms, text)
    assert any("duplicate step id 'check-eligibility'" in p for p in problems_for(forms, path))


def test_duplicate_yaml_key(forms: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("version: 1\n", "version: 1\nversion: 2\n")
    path = write_broken(forms, text)
    assert problems_for(forms, path) == [f"{path}:3: duplicate key 'version'"]


def test_unknown_blocker_and_category(forms: Path) -> None:
    text = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("blocker: pin-forgotten", "blocker: pin-forgoten")
        .replace("category: moving-certificates", "category: moving")
    )
    path = write_broken(forms, text)
    found = problems_for(forms, path)
    assert any("unknown blocker 'pin-forgoten'" in p for p in found)
    assert any("'category': unknown category 'moving'" in p for p in found)


def test_yaml_traps_get_a_hint(forms: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('en: "Yes"}', "en: Yes}")
    path = write_broken(forms, text)
    assert any("put the text in quotes" in p for p in problems_for(forms, path))


def test_broken_guide_does_not_stop_the_others(forms: Path) -> None:
    (forms / "guides" / "broken.yaml").write_text("id: broken\nversion: [\n", encoding="utf-8")
    catalog = load_catalog(forms)
    assert "convenience-store-certificates" in catalog.guides
    assert any(p.path.name == "broken.yaml" for p in catalog.problems)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dxdesk.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_forms_check_cli_reports_broken_guide_and_exits_1(forms: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("goto: explain-kiosk", "goto: nowhere")
    path = write_broken(forms, text)
    result = run_cli("forms", "check", "--forms", str(forms), str(path))
    print(result.stdout)  # shown with -s: the output a guide author sees
    assert result.returncode == 1
    line = text.splitlines().index("          goto: nowhere") + 1
    assert (
        f"{path}:{line}: 'steps.1.branch.answers.0.goto': no step with id 'nowhere' in this guide"
        in result.stdout.splitlines()
    )


def test_forms_check_cli_exits_0_on_a_good_guide(forms: Path) -> None:
    good = write_guide(forms / "guides", sourced_guide())  # sourced to the forms/README.md rules
    result = run_cli("forms", "check", "--forms", str(forms), str(good))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_forms_list_cli() -> None:
    result = run_cli("--lang", "en", "forms", "list")
    assert "convenience-store-certificates\tv" in result.stdout
    assert "\tCertificates at a convenience store" in result.stdout


def test_ruby_markup_helpers() -> None:
    text = "{暗証番号|あんしょうばんごう}を{入|い}れます"
    assert plain_text(text) == "暗証番号を入れます"
    assert with_readings(text) == "暗証番号（あんしょうばんごう）を入（い）れます"
    assert ruby_segments(text) == [
        ("暗証番号", "あんしょうばんごう"),
        ("を", None),
        ("入", "い"),
        ("れます", None),
    ]


def test_search_matches_kana_title_and_keyword() -> None:
    catalog = load_catalog(forms_dir())
    convenience = {"convenience-store-certificates", "sign-password-convenience-reset"}
    for query in ("コンビニ", "こんびに", "ｺﾝﾋﾞﾆ"):  # katakana, hiragana, half-width all fold
        assert convenience <= {g.id for g in catalog.search(query)}, query
    assert "convenience-store-certificates" in {g.id for g in catalog.search("住民票")}
    assert [g.id for g in catalog.search("kiosk 住民票")] == ["convenience-store-certificates"]
    assert catalog.search("存在しない手続き") == []


def test_runtime_types_have_the_schema_fields() -> None:
    """guide_schema validates, catalog runs: the two definitions must not drift apart."""
    import dataclasses

    from dxdesk.core import catalog, guide_schema

    for name in ("Source", "Pitfall", "BranchAnswer", "Branch", "Step", "OnlineRoute", "PaperField",
                 "PaperFallback", "SlipText", "ProcedureGuide", "BlockerKind", "Category",
                 "Taxonomy"):  # fmt: skip
        runtime_fields = {f.name for f in dataclasses.fields(getattr(catalog, name))}
        schema_fields = set(getattr(guide_schema, name).model_fields)
        assert runtime_fields == schema_fields, name


def test_cached_catalog_equals_a_fresh_load(tmp_path: Path, monkeypatch) -> None:
    from dxdesk.core.catalog import load_catalog_cached

    monkeypatch.setenv("DXDESK_CACHE_DIR", str(tmp_path / "cache"))
    fresh = load_catalog(forms_dir())
    first = load_catalog_cached(forms_dir())  # builds and stores
    second = load_catalog_cached(forms_dir())  # read back from the cache
    assert list((tmp_path / "cache").glob("catalog-*.pickle"))
    assert first.guides == fresh.guides == second.guides
    assert second.taxonomy == fresh.taxonomy


def test_startup_path_loads_neither_pydantic_nor_yaml(tmp_path: Path) -> None:
    """Validation runs only when a guide file changed; a normal start reads the cached copy,
    and its first screen is drawn from what the last start kept, with no guide types at all."""
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from dxdesk.gui.app import build_main_window\n"
        f"w, _ = build_main_window(__import__('pathlib').Path({str(tmp_path / 'data')!r}))\n"
        "print(sorted(set(sys.modules) & {'dxdesk.core.catalog', 'dxdesk.core.guide',"
        " 'dxdesk.gui.guide_html', 'pickle'}))\n"
        "print(sorted(set(sys.modules) & {'dxdesk.core.session', 'dxdesk.core.events',"
        " 'dxdesk.core.privacy', 'dxdesk.core.store.sessions'}))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'yaml', 'reportlab'}))\n"
        "w.check_first_screen()\n"  # what the app does after the first paint
        "w.context.store.close()\n"
    )
    env = {**__import__("os").environ, "DXDESK_CACHE_DIR": str(tmp_path / "cache"),
           "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    run = [sys.executable, "-c", script]
    first = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120, check=True)
    assert "pydantic" in first.stdout  # the first start validates and fills the cache
    assert "dxdesk.core.guide" in first.stdout  # and draws its first screen from the catalog
    second = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120, check=True)
    assert second.stdout.strip().splitlines()[-1] == "[]", second.stdout
    # the guide types, the catalog and its pickled copy load after the first paint (README),
    assert second.stdout.strip().splitlines()[-3] == "[]", second.stdout
    # and so does what recording and the privacy guard need
    assert second.stdout.strip().splitlines()[-2] == "[]", second.stdout
