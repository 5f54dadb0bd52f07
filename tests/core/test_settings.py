from __future__ import annotations

import json
from pathlib import Path

import pytest

from dxdesk.core.i18n import set_ui_language, ui_language
from dxdesk.core.paths import resolve_data_dir
from dxdesk.core.settings import SettingsError, SiteSettings, load_settings, save_settings


@pytest.fixture(autouse=True)
def english_messages():
    """The messages below are read in English; they follow the interface language."""
    before = ui_language()
    set_ui_language("en")
    yield
    set_ui_language(before)


def test_missing_file_gives_unconfigured_defaults(data_dir: Path) -> None:
    settings = load_settings(data_dir)
    assert settings == SiteSettings()
    assert not settings.is_configured
    assert settings.ui_language == "ja"


def test_round_trip(data_dir: Path) -> None:
    settings = SiteSettings(
        site_id="kita-1",
        site_name="北区役所",
        counter_phone="03-0000-0000",
        urls={"facility_reservation_url": "https://yoyaku.example.jp/"},
    )
    save_settings(data_dir, settings)
    assert load_settings(data_dir) == settings
    assert (
        load_settings(data_dir).city_url("facility_reservation_url") == "https://yoyaku.example.jp/"
    )
    assert load_settings(data_dir).city_url("city_line_url") is None


def test_version_0_file_is_migrated(data_dir: Path) -> None:
    (data_dir / "settings.json").write_text(
        json.dumps(
            {"site_id": "kita-1", "site_name": "北区", "city_line_url": "https://line.example.jp/"}
        ),
        encoding="utf-8",
    )
    settings = load_settings(data_dir)
    assert settings.schema_version == 1
    assert settings.urls == {"city_line_url": "https://line.example.jp/"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"site_id": "kita-1",\n "site_name": }', r"settings.json:2: not valid JSON"),
        ('{"schema_version": 99}', r"written by a newer dxdesk"),
        ('{"site_id": "Kita Ward"}', r'setting "site_id" has a bad value \(use 2-40 lowercase'),
        ('{"urls": {"survey_url_template": "https://s.example.jp/"}}', r"must contain \{code\}"),
        (
            '{"urls": {"made_up_url": "https://x.example.jp/"}}',
            r"unknown URL setting 'made_up_url'",
        ),
    ],
)
def test_bad_files_name_file_line_or_field(data_dir: Path, content: str, message: str) -> None:
    (data_dir / "settings.json").write_text(content, encoding="utf-8")
    set_ui_language("en")  # the messages are in the UI language
    try:
        with pytest.raises(SettingsError, match=message):
            load_settings(data_dir)
    finally:
        set_ui_language("ja")


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXDESK_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("DXDESK_DATA_DIR")
    assert "dxdesk" in str(resolve_data_dir(None))


def test_a_bad_value_is_named_in_japanese_in_the_japanese_interface() -> None:
    from dxdesk.core.settings import SettingsValueError

    set_ui_language("ja")
    with pytest.raises(SettingsValueError, match="0.8 から 2.0 まで"):
        SiteSettings(text_scale=3.0)


def test_counter_name_and_hours_per_language_reach_the_slip(data_dir) -> None:
    import datetime as dt

    from dxdesk.cli import build_parser
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.paths import forms_dir
    from dxdesk.core.printing.slip import layout_slip

    def run(argv: list[str]) -> int:
        args = build_parser().parse_args(argv)
        return args.handler(args)

    assert run(["settings", "set", "site_name=北区役所", "counter_phone=06-1234-5678",
                "counter_hours=平日 8:30～17:15", "site_name.en=Kita Ward Office",
                "counter_hours.en=Weekdays 8:30-17:15"]) == 0  # fmt: skip
    assert run(["settings", "set", "site_name.xx=?"]) == 2
    settings = load_settings(data_dir)
    assert settings.site_name_by_language == {"en": "Kita Ward Office"}
    guide = load_catalog(forms_dir()).guides["pin-reset"]
    for lang, name, hours in (("en", "Kita Ward Office", "Weekdays 8:30-17:15"),
                              ("ko", "北区役所", "平日 8:30～17:15")):  # fmt: skip
        doc = layout_slip(guide, settings, lang, "a5", "ABCD-2345-P", [], dt.date(2026, 11, 23))
        text = "".join(t.run.text for t in doc.texts())
        assert name in text and hours in text, lang
