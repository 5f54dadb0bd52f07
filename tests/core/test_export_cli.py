"""The export commands end to end through dxdesk.cli.main, against real stores and zips."""

from __future__ import annotations

from dxdesk.cli import main


def test_demo_export_trust_import(file_keyring, tmp_path, capsys):
    site, hq, out = tmp_path / "site", tmp_path / "hq", tmp_path / "out"
    assert main(["--data-dir", str(site), "settings", "set", "site_id=kita-1", "site_name=北"]) == 0
    assert main(["--data-dir", str(site), "demo-data", "--sessions", "300", "--months", "2"]) == 0
    assert (
        main(
            [
                "--data-dir",
                str(site),
                "export",
                "--month",
                "2026-10",
                "--out",
                str(out),
                "--all-sites",
            ]
        )
        == 0
    )
    bundle = next(out.glob("*.zip"))
    assert (
        main(["--data-dir", str(site), "keys", "export-public", "--out", str(tmp_path / "k.pem")])
        == 0
    )
    # The supervisor's store is demo too, else the demo bundle is refused (checked below).
    assert main(["--lang", "en", "--data-dir", str(hq), "import", str(bundle)]) == 1
    assert "demo-data bundle cannot be imported" in capsys.readouterr().err
    assert main(["--data-dir", str(hq), "demo-data", "--sessions", "1"]) == 0
    assert main(["--lang", "en", "--data-dir", str(hq), "import", str(bundle)]) == 1
    assert "sites trust" in capsys.readouterr().err  # unknown site: says how to trust it
    assert main(["--data-dir", str(hq), "sites", "trust", str(tmp_path / "k.pem")]) == 0
    # The demo rows are of site demo-site-01, signed by kita-1: refused until trusted for it.
    assert main(["--lang", "en", "--data-dir", str(hq), "import", str(bundle)]) == 1
    assert 'signed) by site "kita-1" carries rows of other sites' in capsys.readouterr().err
    assert main(["--data-dir", str(hq), "sites", "trust", str(tmp_path / "k.pem"),
                 "--also-for", "demo-site-01"]) == 0  # fmt: skip
    assert main(["--lang", "en", "--data-dir", str(hq), "import", str(bundle)]) == 0
    assert "rows added" in capsys.readouterr().out
    assert main(["--lang", "en", "--data-dir", str(hq), "import", str(bundle)]) == 0
    assert "0 rows added" in capsys.readouterr().out


def test_export_without_site_id_says_how_to_set_it(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "export", "--month", "2026-10", "--out", "x"]) == 2
    assert "site_id" in capsys.readouterr().err
