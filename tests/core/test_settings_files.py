"""settings.json as people really leave it (issue 13, item 2): each problem is named, what can
be read is kept, the file is never replaced silently, and no purge runs on a guessed period."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dxdesk.core.i18n import set_ui_language
from dxdesk.core.settings import (
    SettingsError,
    SiteSettings,
    load_settings,
    read_settings,
    save_settings,
)

GOOD = {
    "schema_version": 1, "site_id": "kita-1", "site_name": "北区役所 デジタル相談窓口",
    "counter_phone": "06-1234-5678", "counter_hours": "平日 9時から17時",
    "urls": {"city_line_url": "https://line.example.jp/"}, "retention_months": 60,
}  # fmt: skip


@pytest.fixture(autouse=True)
def english():
    set_ui_language("en")
    yield
    set_ui_language("ja")


def write(data_dir: Path, text: str, encoding: str = "utf-8") -> Path:
    path = data_dir / "settings.json"
    path.write_bytes(text.encode(encoding))
    return path


def pretty(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp932"])
def test_every_notepad_encoding_reads_the_same_settings(data_dir: Path, encoding: str) -> None:
    write(data_dir, pretty(GOOD), encoding)
    read = read_settings(data_dir)
    assert read.problems == ()
    assert read.settings.site_name == "北区役所 デジタル相談窓口"
    assert read.settings.counter_hours == "平日 9時から17時"
    assert read.settings.retention_months == 60 and read.retention_trusted


def test_trailing_comma_is_named_and_the_rest_kept(data_dir: Path) -> None:
    text = pretty(GOOD).replace('"retention_months": 60', '"retention_months": 60,')
    path = write(data_dir, text)
    read = read_settings(data_dir)
    line = text.splitlines().index('  "retention_months": 60,') + 1
    assert read.problems == (
        f"The settings file {path}:{line}: a comma after the last entry. It was read without "
        "the comma; saving the settings fixes the file.",
    )
    assert read.settings.retention_months == 60 and read.retention_trusted
    assert read.settings.counter_phone == "06-1234-5678"
    assert path.read_text(encoding="utf-8") == text  # not rewritten behind the clerk's back


def test_unknown_key_is_named_with_its_line_and_stops_the_purge(data_dir: Path) -> None:
    data = {**GOOD}
    del data["retention_months"]
    data["retention_month"] = 60  # the typo a site makes
    path = write(data_dir, pretty(data))
    read = read_settings(data_dir)
    line = pretty(data).splitlines().index('  "retention_month": 60') + 1
    assert f'{path}:{line}: there is no setting "retention_month"' in read.problems[0]
    assert not read.retention_trusted  # the default 24 would purge what the site keeps
    assert "no old records are purged" in read.problems[-1]
    assert read.settings.site_id == "kita-1"


def test_out_of_range_value_names_the_field_and_stops_the_purge(data_dir: Path) -> None:
    text = pretty({**GOOD, "retention_months": 600})
    path = write(data_dir, text)
    read = read_settings(data_dir)
    line = text.splitlines().index('  "retention_months": 600') + 1
    assert (
        f'{path}:{line}: setting "retention_months" has a bad value (must be between 1 and 120)'
        in (read.problems[0])
    )
    assert not read.retention_trusted
    assert read.settings.counter_phone == "06-1234-5678"


def test_broken_json_names_the_line_keeps_the_file_and_trusts_nothing(data_dir: Path) -> None:
    text = pretty(GOOD).replace('"counter_phone": "06-1234-5678"', '"counter_phone": 06-1234')
    path = write(data_dir, text)
    read = read_settings(data_dir)
    assert read.problems[0].startswith(f"The settings file {path}:5: not valid JSON")
    assert not read.retention_trusted and read.exists
    with pytest.raises(SettingsError, match="not valid JSON"):
        load_settings(data_dir)
    assert path.read_text(encoding="utf-8") == text


def test_undecodable_bytes_name_the_line(data_dir: Path) -> None:
    path = data_dir / "settings.json"
    path.write_bytes(b'{\n "site_id": "kita-1",\n "site_name": "\x81\x20\xff"\n}')
    read = read_settings(data_dir)
    assert f"{path}, line 3: the text encoding" in read.problems[0]
    assert not read.retention_trusted


def test_every_write_is_atomic_and_keeps_the_previous_file(data_dir: Path) -> None:
    first = write(data_dir, pretty(GOOD), "cp932").read_bytes()
    save_settings(data_dir, SiteSettings(site_id="kita-2", site_name="北区"))
    assert (data_dir / "settings.json.bak").read_bytes() == first
    assert load_settings(data_dir).site_id == "kita-2"
    assert not list(data_dir.glob(".settings.json.*.tmp"))


@pytest.mark.parametrize("encoding", ["cp932", "utf-16"])
def test_settings_show_reads_notepad_files_without_a_traceback(
    data_dir: Path, encoding: str
) -> None:
    write(data_dir, pretty(GOOD), encoding)
    shown = subprocess.run(
        [sys.executable, "-c", "import sys; from dxdesk.__main__ import main; sys.exit(main())",
         "--data-dir", str(data_dir), "--lang", "en", "settings", "show"],
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["counter_hours"] == "平日 9時から17時"
