"""Bundles that lie are refused, each with a message naming the bundle, member and line, and
the store is left as it was. A forged bundle is re-hashed and re-signed with the site's real key
(the attacker holds a counter's key), so that each check is reached on its own."""

from __future__ import annotations

import hashlib
import json
import warnings
import zipfile
from pathlib import Path

import pytest

from dxdesk.core import signing
from dxdesk.core.catalog import load_catalog
from dxdesk.core.export import BundleRejected, export_month, import_bundles
from dxdesk.core.export.bundle import canonical_manifest
from dxdesk.core.export.demo import demo_class_rows, demo_rows
from dxdesk.core.i18n import set_ui_language, ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.core.signing import TrustStore
from dxdesk.core.store import Store

MONTH = "2026-10"
SITE = "kita-1"


@pytest.fixture
def english():
    before = ui_language()
    set_ui_language("en")
    yield
    set_ui_language(before)


def _site_store(path: Path, site: str = SITE) -> Store:
    store = Store.open(path)
    store.imports.import_rows(
        demo_rows(load_catalog(forms_dir()), sessions=40, months=[MONTH], sites=[site], seed=2),
        demo_class_rows(per_site_month=2, months=[MONTH], sites=[site], seed=2),
    )
    return store


def forge(bundle: Path, out: Path, *, members=None, manifest=None, extra=(), sign=True,
          site=SITE) -> Path:  # fmt: skip
    """A copy of ``bundle`` with members replaced (name -> bytes), the manifest changed by
    ``manifest(dict)``, raw ``extra`` (name, bytes) entries added, re-hashed and re-signed."""
    members = members or {}
    with zipfile.ZipFile(bundle) as src:
        data = {n: src.read(n) for n in src.namelist() if n != "manifest.json"}
        man = json.loads(src.read("manifest.json"))
    data.update(members)
    man["files"] = {
        n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
        for n, d in data.items()
        if n in man["files"]
    }
    if manifest:
        manifest(man)
    if sign:
        man["signature"] = signing.sign(site, canonical_manifest(man)).as_manifest()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name we want
        for n, d in data.items():
            dst.writestr(n, d)
        dst.writestr("manifest.json", json.dumps(man, ensure_ascii=False))
        for n, d in extra:
            dst.writestr(n, d)
    return out


def _csv_with(bundle: Path, member: str, line: int, column: str, value: str) -> bytes:
    with zipfile.ZipFile(bundle) as zf:
        text = zf.read(member).decode("utf-8-sig")
    rows = text.split("\r\n")
    header = rows[0].split(",")
    values = rows[line - 1].split(",")
    values[header.index(column)] = value
    rows[line - 1] = ",".join(values)
    return ("\ufeff" + "\r\n".join(rows)).encode("utf-8")


def _bad_bundles(good: Path, tmp: Path) -> list[tuple[str, Path, bool, str]]:
    """(what, bundle, allow_unsigned, expected words of the message)."""
    cases = []

    def add(what, path, expected, allow=False):
        cases.append((what, path, allow, expected))

    with zipfile.ZipFile(good) as zf:
        sessions = zf.read("sessions.csv")
    add("duplicate member", forge(good, tmp / "dup.zip", extra=[("sessions.csv", sessions)]),
        "two or more files of this name")  # fmt: skip
    add("absolute member name", forge(good, tmp / "abs.zip", extra=[("/etc/cron.d/x", b"1")]),
        "absolute or contains")  # fmt: skip
    add("'..' member name", forge(good, tmp / "dots.zip", extra=[("../../x.csv", b"1")]),
        "absolute or contains")  # fmt: skip
    add("manifest padded to 20 kB and signed",
        forge(good, tmp / "pad.zip", manifest=lambda m: m.update(pad=" " * 20_000)),
        "too large")  # fmt: skip
    with (
        zipfile.ZipFile(tmp / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z,
        z.open("manifest.json", "w", force_zip64=True) as fh,
    ):  # 200 MB of spaces, 200 kB in the zip
        for _ in range(200):
            fh.write(b" " * 1_000_000)
    add("manifest that inflates to 200 MB", tmp / "bomb.zip", "too large")
    add("month disagrees with its period",
        forge(good, tmp / "month.zip", manifest=lambda m: m["period"].update(month="2026-11")),
        "does not match its period")  # fmt: skip
    add("row count disagrees with the rows",
        forge(good, tmp / "count.zip", manifest=lambda m: m["rows"].update({"sessions.csv": 3})),
        "number of rows does not match")  # fmt: skip
    other = _csv_with(good, "sessions.csv", 2, "site_id", "minami-2")
    add("signer's key signs another site's rows",
        forge(good, tmp / "foreign.zip", members={"sessions.csv": other},
              manifest=lambda m: m.update(sites=[SITE, "minami-2"])),
        'carries rows of other sites (minami-2)')  # fmt: skip
    add("another site's row, manifest not changed",
        forge(good, tmp / "foreign2.zip", members={"sessions.csv": other}),
        "sessions.csv:2: A row of site 'minami-2'")  # fmt: skip

    def garbage(m):
        m["signature"]["value"] = "AAAA" + m["signature"]["value"][4:]

    add(
        "bad signature, --allow-unsigned",
        forge(good, tmp / "badsig.zip", sign=False, manifest=garbage),
        "signature",
        allow=True,
    )
    add("signed by an unknown site, --allow-unsigned",
        forge(good, tmp / "stranger.zip", site="nishi-9",
              manifest=lambda m: m.update(signer_site="nishi-9")),
        "nishi-9", allow=True)  # fmt: skip
    add("signature field neither signed nor unsigned, --allow-unsigned",
        forge(good, tmp / "weird.zip", sign=False,
              manifest=lambda m: m.update(signature={"status": "trust-me"})),
        'neither "signed" nor "unsigned"', allow=True)  # fmt: skip
    with zipfile.ZipFile(good) as zf:
        classes = zf.read("classes.csv")
    lines = classes.split(b"\r\n")
    lines[2] = lines[2].replace(b"kita-1", b"kita-\xff1", 1)
    add("non-UTF-8 classes.csv",
        forge(good, tmp / "latin.zip", members={"classes.csv": b"\r\n".join(lines)}),
        "classes.csv:3: This line is not valid UTF-8")  # fmt: skip
    add("oversized field in sessions.csv",
        forge(good, tmp / "long.zip",
              members={"sessions.csv": _csv_with(good, "sessions.csv", 4, "blockers",
                                                 ";".join(["pin-forgotten"] * 200))}),
        "sessions.csv:4: A value is too long")  # fmt: skip
    add("unknown procedure id",
        forge(good, tmp / "proc.zip",
              members={"sessions.csv": _csv_with(good, "sessions.csv", 5, "procedure_id",
                                                 "made-up-procedure")}),
        'sessions.csv:5: Procedure id "made-up-procedure"')  # fmt: skip
    add("unknown blocker id",
        forge(good, tmp / "blk.zip",
              members={"sessions.csv": _csv_with(good, "sessions.csv", 6, "blockers",
                                                 "made-up-blocker")}),
        'sessions.csv:6: Blocker id "made-up-blocker"')  # fmt: skip
    add("negative count in a class row",
        forge(good, tmp / "class.zip",
              members={"classes.csv": _csv_with(good, "classes.csv", 3, "learners", "-1")}),
        'classes.csv:3: Row 3, column "learners": "-1" is not valid')  # fmt: skip
    return cases


def test_each_lying_bundle_is_refused_with_its_message_and_nothing_is_stored(
    file_keyring, tmp_path, english
):
    good = export_month(_site_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)
    signing.export_public_key(SITE, tmp_path / "k.pem")
    trust = TrustStore(tmp_path / "trust.json")
    trust.add(*signing.read_public_key_file(tmp_path / "k.pem"))
    hq = Store.open(tmp_path / "hq")
    before = hq.queries.sites()
    table = []
    for what, bundle, allow, expected in _bad_bundles(good, tmp_path):
        with pytest.raises(BundleRejected) as caught:
            import_bundles(hq, [bundle], trust, require_signature=not allow)
        message = str(caught.value)
        assert expected in message, (what, message)
        assert str(bundle) in message, (what, message)  # names the bundle
        table.append((what, message.replace(str(tmp_path) + "/", "")))
    assert hq.queries.sites() == before == []
    assert sum(1 for _ in hq.queries.procedure_attempt_batches(*_all())) == 0
    for what, message in table:  # the closing note's table: pytest -s shows it
        print(f"| {what} | {message} |")
    assert import_bundles(hq, [good], trust).inserted > 0  # the good one still goes in


def _all():
    import datetime as dt

    return dt.date(2000, 1, 1), dt.date(2100, 1, 1), None


def test_a_refused_row_is_named_by_its_line_in_its_own_bundle(file_keyring, tmp_path, english):
    """Two bundles imported together: the second one's bad row is named by its line in the
    second bundle (the store counts rows across both)."""
    first = export_month(_site_store(tmp_path / "a"), MONTH, tmp_path / "out", site_id=SITE)
    second_store = _site_store(tmp_path / "b", "minami-2")
    second = export_month(second_store, MONTH, tmp_path / "out", site_id="minami-2")
    bad = forge(second, tmp_path / "bad.zip", site="minami-2",
                members={"sessions.csv": _csv_with(second, "sessions.csv", 7, "age_band",
                                                   "ninety")})  # fmt: skip
    trust = TrustStore(tmp_path / "trust.json")
    for site in (SITE, "minami-2"):
        signing.export_public_key(site, tmp_path / f"{site}.pem")
        trust.add(*signing.read_public_key_file(tmp_path / f"{site}.pem"))
    hq = Store.open(tmp_path / "hq")
    with pytest.raises(BundleRejected) as caught:
        import_bundles(hq, [first, bad], trust)
    message = str(caught.value)
    assert message.startswith(f'{bad}: sessions.csv:7: Row 7, column "age_band"'), message
    assert hq.queries.sites() == []


def test_a_plaintext_keyring_is_named(tmp_path):
    import keyring

    from tests.keyring_backend import FileKeyring

    class PlaintextKeyring(FileKeyring):  # what keyrings.alt.file calls its plain-text backend
        file_path = str(tmp_path / "keyring_pass.cfg")

    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring(tmp_path / "k.json"))
    try:
        assert "keyring_pass.cfg" in signing.keyring_storage_warning()
    finally:
        keyring.set_keyring(previous)
    keyring.set_keyring(FileKeyring(tmp_path / "k2.json"))
    try:
        assert signing.keyring_storage_warning() is None
    finally:
        keyring.set_keyring(previous)
