"""No identity ever reaches the disk: personal data pushed through every public write path is
refused or kept in memory, and the bytes of the store, its WAL/SHM, every file of the data
folder and every member of an export bundle hold none of it (half- or full-width, UTF-8 or
UTF-16). The one place allowed is the paper-form PDF the clerk explicitly saved."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from pathlib import Path

import pypdf
import pytest

from dxdesk.core import classes
from dxdesk.core.catalog import load_catalog
from dxdesk.core.export import export_month, import_bundles
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.files import write_atomically
from dxdesk.core.handoff import new_handoff_code
from dxdesk.core.paths import forms_dir
from dxdesk.core.printing import render_paper
from dxdesk.core.privacy import PersonalDataError, ensure_no_personal_data
from dxdesk.core.session import SessionError, SupportSession
from dxdesk.core.signing import TrustStore
from dxdesk.core.store import (
    CLASS_CSV_COLUMNS,
    SESSIONS_CSV_COLUMNS,
    ImportRowError,
    Store,
)
from tests.core.test_store_classes import _record

JST = dt.timezone(dt.timedelta(hours=9))
SITE = "kita-ward-1"
PERSONAL = {
    "my_number": "123456789018",
    "phone": "090-1234-5678",
    "email": "yamada.taro@example.jp",
    "address": "北区1丁目2番3号",
    "name": "山田太郎さん",
    "card": "4111111111111111",
}


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _needles() -> dict[bytes, str]:
    """Every form a value could take on disk, mapped to the value it came from."""
    out: dict[bytes, str] = {}
    for kind, value in PERSONAL.items():
        forms = {value, _full_width(value), value.replace("-", ""), unicodedata.normalize(
            "NFKC", value)}  # fmt: skip
        if kind == "name":
            forms.add("山田太郎")
        for form in forms:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                out[form.encode(encoding)] = f"{kind} ({encoding}: {form})"
    return out


def _found(blob: bytes) -> list[str]:
    return sorted({label for needle, label in _needles().items() if needle in blob})


def _texts_of(name: str, blob: bytes) -> list[tuple[str, bytes]]:
    """The bytes to scan: the member itself, nested zips (xlsx), and a PDF's extracted text."""
    parts = [(name, blob)]
    if blob[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            for member in zf.namelist():
                parts += _texts_of(f"{name}!{member}", zf.read(member))
    if blob[:5] == b"%PDF-":
        reader = pypdf.PdfReader(io.BytesIO(blob))
        text = "".join(page.extract_text() for page in reader.pages) + str(reader.metadata)
        parts.append((f"{name} (text)", text.encode("utf-8")))
    return parts


def _scan(*folders: Path) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            for name, blob in _texts_of(str(path), path.read_bytes()):
                if found := _found(blob):
                    hits[name] = found
    return hits


def _clock():
    moments = iter(dt.datetime(2026, 10, 14, 10, 0, tzinfo=JST) + dt.timedelta(minutes=i)
                   for i in range(1000))  # fmt: skip
    return lambda: next(moments)


def test_the_scanner_finds_each_value_in_every_form():
    for kind, value in PERSONAL.items():
        assert _found(value.encode()) and _found(_full_width(value).encode("utf-16-be")), kind
        assert _found(f"x{value}x".encode()), kind


def test_personal_data_through_every_write_path_never_reaches_the_disk(
    data_dir, tmp_path, no_keyring
):
    catalog = load_catalog(forms_dir())
    menu = classes.shipped_class_menu()
    topic = menu.topics[0].id
    values = [*PERSONAL.values(), *(_full_width(v) for v in PERSONAL.values())]
    with Store.open(data_dir) as store:
        # A visit: every free-text and coded field is offered each value.
        session = SupportSession.start(catalog, SITE, recorder=store, clock=_clock())
        session.add_procedure("convenience-store-certificates")
        for value in values:
            with pytest.raises(PersonalDataError):
                session.set_note(value)
            with pytest.raises(PersonalDataError):
                session.mark_blocker("other", note=f"本人 {value} が来所")
            with pytest.raises(SessionError):
                session.set_context(return_of_code=value)
            for context in ("age_band", "device", "help_language"):
                with pytest.raises(SessionError):
                    session.set_context(**{context: value})
            with pytest.raises((SessionError, ValueError)):
                session.record_handoff_code(value)
        session.set_note("カード読み取りに時間がかかった")
        session.mark_blocker("other", note="読み取り機の不調")
        session.record_handoff_code(new_handoff_code())
        session.set_outcome("handed_off")
        session.finish()

        # A class: the note goes through CLASS's validation and the store's own guard.
        for value in values:
            record = classes.ClassRecord(
                site_id=SITE, date=dt.date(2026, 10, 14), start_time="13:00", menu=(topic,),
                tutors=1, trained_tutors=1, learners=1, note=f"受講者 {value}",
            )  # fmt: skip
            record.ages["80plus"] = 1
            with pytest.raises((classes.ClassRecordError, PersonalDataError)):
                classes.save_class_record(store, record, menu)
            with pytest.raises(PersonalDataError):
                store.classes.save_class_record(_record(date="2026-10-14", note=value))
            with pytest.raises(PersonalDataError):
                ensure_no_personal_data(value, "class_note")
        store.classes.save_class_record(_record(date="2026-10-14", note="雨で少なめ"))

        # Imports: identities in any column of a CSV row are refused, nothing is stored.
        good = next(demo_rows(catalog, sessions=1, months=["2026-10"], sites=[SITE], seed=5))
        store.imports.import_procedure_attempt_rows([good])  # the row itself is fine
        for value in values:
            for column in SESSIONS_CSV_COLUMNS:
                with pytest.raises(ImportRowError):
                    store.imports.import_procedure_attempt_rows([{**good, "session_id": "f" * 32,
                                                          column: value}])  # fmt: skip
                assert store.maintenance.check().counts["sessions_imported"] == 1, column
            for column in CLASS_CSV_COLUMNS:
                with pytest.raises(ImportRowError):
                    store.imports.import_class_record_rows([{**_record(), column: value}])
            with pytest.raises(ImportRowError):  # no note column exists to smuggle one in
                store.imports.import_class_record_rows([{**_record(), "note": value}])

        # The paper fallback, filled with identities, saved where the clerk chose.
        saved = tmp_path / "saved-by-clerk" / "paper.pdf"
        fill = {"name": PERSONAL["name"],
                "address": f"{PERSONAL['address']} {PERSONAL['phone']} {PERSONAL['email']}"}  # fmt: skip
        write_atomically(saved, render_paper(catalog.guides["pin-reset"], fill, dt.date.today()))

        # An export bundle of the month, and its import into a second (HQ) store.
        bundle = export_month(store, "2026-10", tmp_path / "exports", site_id=SITE)
        counts = store.maintenance.check().counts
    hq_dir = tmp_path / "hq"
    with Store.open(hq_dir) as hq:
        result = import_bundles(hq, [bundle], TrustStore(tmp_path / "trust.json"),
                                require_signature=False)  # fmt: skip
        assert result.inserted >= 2

    assert counts["sessions_local"] == 1 and counts["class_records"] == 1
    assert counts["sessions_imported"] == 1
    assert (data_dir / "dxdesk.sqlite3-wal").exists() or (data_dir / "dxdesk.sqlite3").exists()
    # The paper PDF holds them (the clerk saved it on purpose); nothing else does.
    assert _scan(saved.parent)
    hits = _scan(data_dir, hq_dir, tmp_path / "exports")
    assert hits == {}, hits
    everything_else = [p for p in tmp_path.rglob("*") if p.is_file() and saved.parent not in
                       p.parents]  # fmt: skip
    assert everything_else
    for path in everything_else:
        assert not _found(path.read_bytes()), path


def test_the_store_is_scanned_while_open_including_its_wal_and_shm(data_dir):
    """The WAL and SHM exist only while the store is open: scan them then."""
    with Store.open(data_dir) as store:
        with pytest.raises(PersonalDataError):
            store.classes.save_class_record(_record(note=PERSONAL["my_number"]))
        store.classes.save_class_record(_record(note="晴れ"))
        files = {p.name for p in data_dir.iterdir()}
        assert {"dxdesk.sqlite3", "dxdesk.sqlite3-wal", "dxdesk.sqlite3-shm"} <= files
        assert _scan(data_dir) == {}


IDENTITY_WORDS = ("name", "address", "phone", "email", "mail", "birth", "my_number",
                  "mynumber", "account", "card", "tel")  # fmt: skip
# Columns whose names contain such a word but hold no identity, and why.
NOT_IDENTITIES: dict[str, str] = {}


def test_no_column_of_the_schema_or_the_exports_is_named_like_an_identity(data_dir):
    with Store.open(data_dir) as store:
        db = store.database.connection
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
        columns = [f"{t}.{r[1]}" for t in tables for r in db.execute(f"PRAGMA table_info({t})")]
    columns += [f"sessions.csv.{c}" for c in SESSIONS_CSV_COLUMNS]
    columns += [f"classes.csv.{c}" for c in CLASS_CSV_COLUMNS]
    assert len(columns) > 50
    suspicious = [c for c in columns
                  if any(w in c.rsplit(".", 1)[1].lower() for w in IDENTITY_WORDS)]  # fmt: skip
    assert sorted(set(suspicious) - set(NOT_IDENTITIES)) == []
