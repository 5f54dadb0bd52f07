"""``dxdesk slip`` / ``dxdesk paper`` through the real parser and handlers."""

from __future__ import annotations

import pytest

from dxdesk.cli import build_parser
from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, save_settings


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


def test_slip_written_atomically(data_dir, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    save_settings(data_dir, SiteSettings(site_name="北区役所", counter_phone="06-1234-5678",
                                         counter_hours="9:00-17:00"))  # fmt: skip
    out = tmp_path / "slip.pdf"
    argv = ["slip", "convenience-store-certificates", "--lang", "ne", "--format", "receipt80"]
    assert run([*argv, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and list(tmp_path.iterdir()) == [out, data_dir]
    assert "受付番号" in capsys.readouterr().err


def test_unknown_values_list_the_valid_ones(data_dir, tmp_path, capsys) -> None:
    out = str(tmp_path / "x.pdf")
    assert run(["slip", "nope", "--out", out]) == 2
    assert "convenience-store-certificates" in capsys.readouterr().err
    assert run(["slip", "convenience-store-certificates", "--lang", "fr", "--out", out]) == 2
    assert "ja-easy" in capsys.readouterr().err
    assert run(["slip", "convenience-store-certificates", "--out", out]) == 1  # no site_name
    assert "拠点名" in capsys.readouterr().err  # the setting as the settings screen names it
    assert not (tmp_path / "x.pdf").exists()


def test_done_steps_print_resident_text_and_fallbacks_warn(data_dir, tmp_path, capsys) -> None:
    """--done takes step ids; a step with no resident text, or a language the guide lacks, is
    announced on stderr before the slip is written; an unknown step id is refused."""
    save_settings(data_dir, SiteSettings(site_name="北区役所", counter_phone="06-1234-5678",
                                         counter_hours="9:00-17:00"))  # fmt: skip
    out = tmp_path / "slip.pdf"
    base = ["slip", "pin-reset", "--format", "a5", "--out", str(out)]
    assert run([*base, "--lang", "en", "--done", "no-such-step"]) == 2
    assert "which-pin" in capsys.readouterr().err and not out.exists()
    assert run([*base, "--lang", "en", "--done", "which-pin"]) == 0
    err = capsys.readouterr().err
    guide = load_catalog(forms_dir()).guide("pin-reset")
    if "which-pin" not in guide.slip["en"].done:  # content pending (issue 18): said so
        assert "注意" in err and "どの暗証番号か確かめる" in err
    if "ko" not in guide.slip:
        assert run([*base, "--lang", "ko"]) == 0
        assert "韓国語" in capsys.readouterr().err
