"""Signed catalog packs: made by the supervisor, installed at counters, refused when unsafe."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from catalog_fixtures import sourced_guide, write_guide

from dxdesk.cli import main
from dxdesk.core import active_catalog, signing
from dxdesk.core.active_catalog import load_active_catalog
from dxdesk.core.catalog_pack import (
    MAX_MEMBER_BYTES,
    POINTER_FILE,
    PackError,
    install_pack,
    installed_pack,
    make_pack,
)
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings, save_settings


@pytest.fixture(autouse=True)
def _clean_globals(monkeypatch):
    monkeypatch.setattr(active_catalog, "_city_forms_override", None)
    set_ui_language("en")
    yield
    set_ui_language("ja")


@pytest.fixture
def hq(tmp_path: Path, file_keyring) -> Path:
    """The supervisor's data folder with a city folder of two guides."""
    data = tmp_path / "hq"
    city = tmp_path / "city"
    write_guide(city, sourced_guide())
    write_guide(city, sourced_guide(id="city-second-guide", title={"ja": "二つ目", "en": "Second"}))
    save_settings(data, SiteSettings(site_id="city-hq", site_name="本庁", city_forms_dir=str(city)))
    return data


@pytest.fixture
def counter(tmp_path: Path, hq: Path) -> Path:
    """A counter that trusts the supervisor's key (dxdesk sites trust)."""
    data = tmp_path / "counter"
    data.mkdir()
    pem = tmp_path / "hq.pem"
    signing.export_public_key("city-hq", pem)
    trust = signing.TrustStore.load(data)
    trust.add(*signing.read_public_key_file(pem))
    trust.save()
    return data


def make(hq: Path, out: Path, version: int | None = None) -> dict:
    return make_pack(hq.parent / "city", out, site_id="city-hq", data_dir=hq, forms=forms_dir(),
                     catalog_version=version)  # fmt: skip


def snapshot(data: Path) -> dict[str, bytes]:
    """Every file of the data folder's catalog part, to prove that nothing changed."""
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*"))
            if p.is_file() and "catalog-pack" in str(p.relative_to(data))}  # fmt: skip


def rewrite(pack: Path, out: Path, change) -> Path:
    """Copy a pack member by member through ``change(name, data) -> [(name, data), ...]``."""
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            for name, data in change(info.filename, src.read(info)):
                dst.writestr(name, data)
    return out


def test_made_pack_installs_and_joins_the_catalog(hq: Path, counter: Path, tmp_path) -> None:
    pack = tmp_path / "kita-2026-12.zip"
    manifest = make(hq, pack)
    assert manifest["catalog_version"] == 1 and manifest["signature"]["status"] == "signed"
    assert [g["id"] for g in manifest["guides"]] == ["city-second-guide", "city-test-guide"]
    info = install_pack(pack, counter, forms_dir())
    assert (info.catalog_version, info.signer_site) == (1, "city-hq")
    catalog = load_active_catalog(counter)
    assert catalog.origin("city-test-guide") == "pack"
    assert catalog.problems == []
    assert make(hq, tmp_path / "next.zip")["catalog_version"] == 2  # counts up on the same PC


@pytest.mark.parametrize("target", ["member", "manifest"])
def test_tampered_pack_is_refused_and_the_catalog_kept(
    hq: Path, counter: Path, tmp_path: Path, target: str
) -> None:
    install_pack(_made(hq, tmp_path / "v1.zip", 1), counter, forms_dir())
    before = snapshot(counter)
    good = _made(hq, tmp_path / "v2.zip", 2)

    def change(name: str, data: bytes):
        if target == "member" and name == "guides/city-test-guide.yaml":
            data = data.replace("はじめに".encode(), "さいしょ".encode())
        if target == "manifest" and name == "manifest.json":
            data = data.replace(b'"catalog_version": 2', b'"catalog_version": 9')
        return [(name, data)]

    bad = rewrite(good, tmp_path / "tampered.zip", change)
    with pytest.raises(PackError) as caught:
        install_pack(bad, counter, forms_dir())
    expected = {"member": ("guides/city-test-guide.yaml", "differs from what was signed"),
                "manifest": ("manifest.json", "signature does not match")}[target]  # fmt: skip
    assert caught.value.member == expected[0]
    assert expected[1] in str(caught.value) and str(bad) in str(caught.value)
    assert "current catalog stays in use" in str(caught.value)
    assert snapshot(counter) == before
    assert installed_pack(counter).catalog_version == 1


def _made(hq: Path, out: Path, version: int) -> Path:
    make(hq, out, version)
    return out


def test_untrusted_and_unsigned_packs_are_refused(hq: Path, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    pack = _made(hq, tmp_path / "p.zip", 1)
    with pytest.raises(PackError) as caught:
        install_pack(pack, stranger, forms_dir())
    assert "'city-hq' is not in the trusted sites" in str(caught.value)

    def unsign(name: str, data: bytes):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["signature"] = {"status": "unsigned", "reason": "no keyring", "fix": "-"}
            data = json.dumps(manifest).encode()
        return [(name, data)]

    with pytest.raises(PackError) as caught:
        install_pack(rewrite(pack, tmp_path / "u.zip", unsign), stranger, forms_dir())
    assert caught.value.member == "manifest.json" and "not signed" in str(caught.value)
    assert installed_pack(stranger) is None and not (stranger / POINTER_FILE).exists()


def test_no_keyring_means_no_pack_is_written(tmp_path: Path, no_keyring) -> None:
    city = tmp_path / "city"
    write_guide(city, sourced_guide())
    out = tmp_path / "p.zip"
    with pytest.raises(PackError):
        make_pack(city, out, site_id="city-hq", data_dir=tmp_path, forms=forms_dir())
    assert not out.exists()


def test_an_older_or_same_pack_is_refused(hq: Path, counter: Path, tmp_path: Path) -> None:
    old = _made(hq, tmp_path / "v1.zip", 1)
    new = _made(hq, tmp_path / "v2.zip", 2)
    install_pack(old, counter, forms_dir())
    install_pack(new, counter, forms_dir())
    before = snapshot(counter)
    for pack in (old, new):
        with pytest.raises(PackError) as caught:
            install_pack(pack, counter, forms_dir())
        assert "not newer than the installed version 2" in str(caught.value)
    assert snapshot(counter) == before
    assert len(list((counter / "catalog-packs").iterdir())) == 1  # the v1 folder was cleaned up


@pytest.mark.parametrize(
    ("bad_name", "key"),
    [
        ("../evil.yaml", "Not a name a pack may hold"),
        ("/etc/evil.yaml", "Not a name a pack may hold"),
        ("guides/../../evil.yaml", "Not a name a pack may hold"),
        ("guides/city-test-guide.yaml", "The same member name appears twice"),
    ],
)
def test_unsafe_member_names_are_refused(
    hq: Path, counter: Path, tmp_path: Path, bad_name: str, key: str
) -> None:
    pack = _made(hq, tmp_path / "p.zip", 1)

    def add(name: str, data: bytes):
        extra = [(bad_name, b"id: x\n")] if name == "manifest.json" else []
        return [(name, data), *extra]

    with pytest.warns(UserWarning) if "twice" in key else _nothing():
        bad = rewrite(pack, tmp_path / "bad.zip", add)
    with pytest.raises(PackError) as caught:
        install_pack(bad, counter, forms_dir())
    assert key in str(caught.value) and caught.value.member == bad_name
    assert not (tmp_path / "evil.yaml").exists() and installed_pack(counter) is None


def test_an_oversized_member_is_refused_before_it_is_read(
    hq: Path, counter: Path, tmp_path: Path
) -> None:
    pack = _made(hq, tmp_path / "p.zip", 1)

    def grow(name: str, data: bytes):
        if name == "guides/city-test-guide.yaml":
            data += b"#" * (MAX_MEMBER_BYTES + 1)  # compresses to almost nothing
        return [(name, data)]

    big = rewrite(pack, tmp_path / "big.zip", grow)
    assert big.stat().st_size < MAX_MEMBER_BYTES
    with pytest.raises(PackError) as caught:
        install_pack(big, counter, forms_dir())
    assert "Member too large" in str(caught.value)


def test_a_broken_guide_is_never_packed(hq: Path, tmp_path: Path) -> None:
    city = hq.parent / "city"
    guide = sourced_guide()
    del guide["steps"][1]["sources"]  # a content rule broken
    write_guide(city, guide)
    out = tmp_path / "p.zip"
    with pytest.raises(PackError) as caught:
        make(hq, out)
    assert "cites no source" in str(caught.value) and not out.exists()


def test_messages_in_japanese_name_pack_and_member(hq: Path, counter: Path, tmp_path) -> None:
    set_ui_language("ja")
    pack = _made(hq, tmp_path / "p.zip", 1)
    bad = rewrite(pack, tmp_path / "t.zip", lambda n, d: [(n, d.replace(b"id:", b"id: "))])
    with pytest.raises(PackError) as caught:
        install_pack(bad, counter, forms_dir())
    text = str(caught.value)
    assert text.startswith(f"カタログパック {bad} の guides/")
    assert "中身が署名したときと違います" in text and "今のカタログはそのまま使われます" in text


def test_cli_pack_then_install(hq: Path, counter: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli.zip"
    assert main(["--lang", "en", "--data-dir", str(hq), "forms", "pack", "--out", str(out)]) == 0
    assert "Made catalog pack" in capsys.readouterr().out
    assert main(["--lang", "en", "--data-dir", str(counter), "forms", "install", str(out)]) == 0
    assert "Installed catalog pack version 1" in capsys.readouterr().out
    assert main(["--lang", "en", "--data-dir", str(counter), "forms", "install", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"Catalog pack {out}, manifest.json:" in err and "not newer" in err
    shutil.rmtree(hq.parent / "city")
    assert main(["--data-dir", str(hq), "forms", "pack", "--out", str(out)]) == 1


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
