"""A city folder of guides: adds guides and overrides shipped ones by id, with the same checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from catalog_fixtures import sourced_guide, write_guide

from dxdesk.cli import main
from dxdesk.core import active_catalog
from dxdesk.core.active_catalog import load_active_catalog
from dxdesk.core.catalog import CONTENT, load_catalog
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, save_settings


@pytest.fixture(autouse=True)
def _no_override(monkeypatch):
    monkeypatch.setattr(active_catalog, "_city_forms_override", None)


def shipped(guide_id: str) -> dict:
    return yaml.safe_load((forms_dir() / "guides" / f"{guide_id}.yaml").read_text("utf-8"))


def city_pin_reset(city: Path, *, version_step: int = 1) -> Path:
    guide = shipped("pin-reset")
    guide["version"] += version_step
    guide["title"]["ja"] = "暗証番号の再設定（北区の窓口）"
    return write_guide(city, guide)


def settings_with_city(data_dir: Path, city: Path) -> SiteSettings:
    settings = SiteSettings(site_id="kita-1", site_name="北区", city_forms_dir=str(city))
    save_settings(data_dir, settings)
    return settings


def test_city_folder_adds_and_overrides_by_id(data_dir: Path, tmp_path: Path) -> None:
    city = tmp_path / "city"
    city_pin_reset(city)
    write_guide(city, sourced_guide())
    settings_with_city(data_dir, city)
    catalog = load_active_catalog(data_dir)
    assert catalog.problems == []
    assert catalog.guide("pin-reset").title["ja"] == "暗証番号の再設定（北区の窓口）"
    assert catalog.origin("pin-reset") == "city"
    assert catalog.overridden["pin-reset"] == forms_dir() / "guides" / "pin-reset.yaml"
    assert catalog.origin("city-test-guide") == "city"
    assert catalog.origin("etax-smartphone") == "shipped"
    assert len(catalog.guides) == len(load_catalog(forms_dir()).guides) + 1


def test_a_relative_setting_is_read_from_the_data_folder(data_dir: Path) -> None:
    write_guide(data_dir / "city-guides", sourced_guide())
    save_settings(data_dir, SiteSettings(site_id="kita-1", city_forms_dir="city-guides"))
    assert "city-test-guide" in load_active_catalog(data_dir).guides


def test_a_broken_city_guide_is_a_problem_and_the_shipped_one_stays(
    data_dir: Path, tmp_path: Path
) -> None:
    city = tmp_path / "city"
    path = city_pin_reset(city)
    path.write_text(path.read_text("utf-8").replace("goto: who-came", "goto: nobody"), "utf-8")
    settings_with_city(data_dir, city)
    catalog = load_active_catalog(data_dir)
    assert {p.path for p in catalog.problems} == {path}
    assert "no step with id 'nobody'" in catalog.problems[0].message
    assert catalog.origin("pin-reset") == "shipped"
    assert catalog.guide("pin-reset").title["ja"] == shipped("pin-reset")["title"]["ja"]


def test_an_override_must_raise_the_version(data_dir: Path, tmp_path: Path) -> None:
    city = tmp_path / "city"
    path = city_pin_reset(city, version_step=0)
    settings_with_city(data_dir, city)
    catalog = load_active_catalog(data_dir)
    found = [n for n in catalog.notes if n.path == path and n.kind == CONTENT]
    assert any("give it a higher version" in n.message for n in found), found


def test_a_city_guide_may_link_to_shipped_and_be_named_by_them(
    data_dir: Path, tmp_path: Path
) -> None:
    city = tmp_path / "city"
    write_guide(city, sourced_guide(related=["pin-reset", "no-such-guide"]))
    settings_with_city(data_dir, city)
    problems = [str(p) for p in load_active_catalog(data_dir).problems]
    assert len(problems) == 1 and "no guide with id 'no-such-guide'" in problems[0]


def test_a_missing_city_folder_is_a_problem(data_dir: Path, tmp_path: Path) -> None:
    settings_with_city(data_dir, tmp_path / "nowhere")
    catalog = load_active_catalog(data_dir)
    assert [str(p) for p in catalog.problems] == [
        f"{tmp_path / 'nowhere'}:1: city folder not found: {tmp_path / 'nowhere'}"
    ]
    assert "pin-reset" in catalog.guides


def test_the_startup_cache_sees_city_changes(data_dir: Path, tmp_path: Path) -> None:
    city = tmp_path / "city"
    path = city_pin_reset(city)
    settings_with_city(data_dir, city)
    first = load_active_catalog(data_dir, cached=True)
    assert first.origin("pin-reset") == "city"
    # edit the city guide: same size would fool a size-only key, so change the text length
    path.write_text(path.read_text("utf-8").replace("北区の窓口", "北区役所の窓口"), "utf-8")
    assert "北区役所" in load_active_catalog(data_dir, cached=True).guide("pin-reset").title["ja"]
    write_guide(city, sourced_guide())  # a guide added
    assert "city-test-guide" in load_active_catalog(data_dir, cached=True).guides
    path.unlink()  # the override removed: the shipped guide is back
    again = load_active_catalog(data_dir, cached=True)
    assert again.origin("pin-reset") == "shipped"
    assert again == load_active_catalog(data_dir)  # the cached copy equals a fresh load


@dataclass
class _Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def _cli(capsys):
    """``dxdesk --lang en ARGS`` in this process (as tests/core/test_export_cli.py does)."""

    def run(*args: str) -> _Run:
        code = main(["--lang", "en", *args])
        out = capsys.readouterr()
        return _Run(code, out.out, out.err)

    yield run
    set_ui_language("ja")


def test_global_forms_option_reaches_forms_list_and_slip(
    data_dir: Path, tmp_path: Path, _cli
) -> None:
    city = tmp_path / "city"
    city_pin_reset(city)
    version = shipped("pin-reset")["version"]
    done = _cli("--forms", str(city), "forms", "list")
    row = next(line for line in done.stdout.splitlines() if line.startswith("pin-reset\t"))
    assert f"\tv{version + 1}\t" in row and "[city]" in row, row
    plain = _cli("forms", "list")
    row = next(line for line in plain.stdout.splitlines() if line.startswith("pin-reset\t"))
    assert f"\tv{version}\t" in row and "[city]" not in row
    # a city-only guide prints its slip through the same option
    write_guide(city, sourced_guide())
    save_settings(
        data_dir,
        SiteSettings(
            site_id="kita-1",
            site_name="北区役所",
            counter_phone="03-0000-0000",
            counter_hours="9-17",
        ),
    )
    out = tmp_path / "slip.pdf"
    args = ("slip", "city-test-guide", "--lang", "ja", "--format", "a6", "--out", str(out))
    assert _cli(*args).returncode != 0  # unknown without the city folder
    done = _cli("--forms", str(city), *args)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_forms_list_shows_catalog_stamp_overdue_flag_and_changes(tmp_path: Path, _cli) -> None:
    city = tmp_path / "city"
    old = sourced_guide(id="city-old-guide", reviewed_on="2025-06-01")
    write_guide(city, old)
    write_guide(city, sourced_guide())
    done = _cli("--forms", str(city), "forms", "list", "--changes")
    lines = done.stdout.splitlines()
    assert (
        lines[0].startswith("# catalog: shipped with dxdesk ") and "+ 2 city guide(s)" in lines[0]
    )
    newest = max([g.reviewed_on for g in load_catalog(forms_dir()).guides.values()]
                 + [dt.date(2026, 11, 30)])  # fmt: skip
    assert lines[0].endswith(f", {newest.isoformat()}")  # the newest review date in the catalog
    old_row = next(line for line in lines if line.startswith("city-old-guide\t"))
    new_row = next(line for line in lines if line.startswith("city-test-guide\t"))
    assert "[review overdue" in old_row and "[review overdue" not in new_row
    at = lines.index(new_row)
    assert lines[at + 1 : at + 3] == [
        "\tv2\t2026-11-30\tSources updated",
        "\tv1\t2026-11-01\tFirst version",
    ]
