"""``dxdesk slip`` / ``dxdesk paper`` through the real parser and handlers."""

from __future__ import annotations

import pytest

from dxdesk.cli import build_parser
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
    assert "site_name" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
