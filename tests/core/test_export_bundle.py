"""Monthly bundles: written atomically, verified on import, rejected whole when anything is off."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from dxdesk.core import signing
from dxdesk.core.catalog import load_catalog
from dxdesk.core.export import BundleRejected, ExportError, export_month, import_bundles
from dxdesk.core.export.columns import SESSION_COLUMNS
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.export.labels import value_label
from dxdesk.core.paths import forms_dir
from dxdesk.core.signing import TrustStore
from dxdesk.core.store import Store

MONTH = "2026-10"
SITE = "kita-1"


def _store(path: Path, *, demo: bool = False, sessions: int = 400, site: str = SITE) -> Store:
    store = Store.open(path)
    if demo:
        store.maintenance.set_meta("is_demo", "1")
    store.imports.import_procedure_attempt_rows(
        demo_rows(
            load_catalog(forms_dir()),
            sessions=sessions,
            months=["2026-09", MONTH],
            sites=[site],
            seed=7,
        )
    )
    return store


def _count(store: Store) -> int:
    return sum(1 for _ in store.queries.procedure_attempt_rows(*_bounds()))


def _bounds():
    import datetime as dt

    return dt.date(2000, 1, 1), dt.date(2100, 1, 1)


def _trust_site(tmp_path: Path, data_dir: Path, site: str = SITE) -> TrustStore:
    signing.export_public_key(site, tmp_path / f"{site}.pem")
    trust = TrustStore.load(data_dir)
    trust.add(*signing.read_public_key_file(tmp_path / f"{site}.pem"))
    return trust


def _rewrite(bundle: Path, out: Path, change) -> Path:
    """Copy a bundle member by member, letting ``change(name, data)`` alter any member."""
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, change(name, src.read(name)))
    return out


def test_export_writes_every_member_with_matching_hashes(file_keyring, tmp_path):
    store = _store(tmp_path / "site")
    bundle = export_month(store, MONTH, tmp_path / "out", site_id=SITE)
    assert bundle.name == f"dxdesk-{SITE}-{MONTH}.zip"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [bundle.name]  # no temp left
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        for name, entry in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == entry["sha256"]
        raw = zf.read("sessions.csv")
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert tuple(rows[0]) == SESSION_COLUMNS
        assert len(rows) - 1 == manifest["rows"]["sessions.csv"] > 0
        assert all(r[4].startswith(MONTH) for r in rows[1:])
        assert zf.read("classes.csv").decode("utf-8-sig").startswith("class_id,site_id,date,")
        pdf = PdfReader(io.BytesIO(zf.read("report.pdf")))
        assert "月次報告" in pdf.pages[0].extract_text()
    assert manifest["signature"]["status"] == "signed"
    assert manifest["sites"] == [SITE] and manifest["is_demo"] is False


def test_round_trip_and_second_import_changes_nothing(file_keyring, tmp_path, data_dir):
    site = _store(tmp_path / "site")
    bundle = export_month(site, MONTH, tmp_path / "out", site_id=SITE)
    trust = _trust_site(tmp_path, data_dir)
    hq = Store.open(tmp_path / "hq")
    result = import_bundles(hq, [bundle], trust)
    expected = sum(1 for _ in site.queries.procedure_attempt_rows(*_month()))
    assert (result.inserted, result.skipped) == (expected, 0)
    again = import_bundles(hq, [bundle], trust)
    assert (again.inserted, again.skipped) == (0, expected)
    assert _count(hq) == expected
    # What was imported exports the same rows again
    assert list(hq.queries.procedure_attempt_rows(*_month())) == list(
        site.queries.procedure_attempt_rows(*_month())
    )


def _month():
    import datetime as dt

    return dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def _assert_rejected(hq: Store, paths, trust, fragment: str, **kw) -> BundleRejected:
    before = _count(hq)
    with pytest.raises(BundleRejected) as info:
        import_bundles(hq, paths, trust, **kw)
    assert fragment in str(info.value), str(info.value)
    assert _count(hq) == before  # nothing of it stored
    return info.value


def test_tampered_member_is_rejected_naming_file_and_member(file_keyring, tmp_path, data_dir):
    bundle = export_month(_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)
    trust = _trust_site(tmp_path, data_dir)

    def flip_one_byte(name: str, data: bytes) -> bytes:
        if name != "sessions.csv":
            return data
        i = data.index(b",counter,") + 1
        return data[:i] + b"C" + data[i + 1 :]

    bad = _rewrite(bundle, tmp_path / "tampered.zip", flip_one_byte)
    problem = _assert_rejected(Store.open(tmp_path / "hq"), [bad], trust, "sessions.csv")
    assert problem.problems[0].path == bad


def test_tampered_manifest_breaks_the_signature(file_keyring, tmp_path, data_dir):
    bundle = export_month(_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)
    trust = _trust_site(tmp_path, data_dir)

    def more_rows(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["k"] = 1
        return json.dumps(manifest).encode()

    bad = _rewrite(bundle, tmp_path / "t.zip", more_rows)
    _assert_rejected(Store.open(tmp_path / "hq"), [bad], trust, "manifest.json")


def test_truncated_bundle_is_rejected(file_keyring, tmp_path, data_dir):
    bundle = export_month(_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)
    cut = tmp_path / "cut.zip"
    data = bundle.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    _assert_rejected(Store.open(tmp_path / "hq"), [cut], _trust_site(tmp_path, data_dir), "cut.zip")


def test_one_bad_bundle_keeps_the_good_one_out_too(file_keyring, tmp_path, data_dir):
    good = export_month(_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[:-100])
    hq = Store.open(tmp_path / "hq")
    _assert_rejected(hq, [good, cut], _trust_site(tmp_path, data_dir), "cut.zip")
    assert _count(hq) == 0


def test_unknown_site_is_rejected(file_keyring, tmp_path, data_dir):
    bundle = export_month(_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)
    _assert_rejected(Store.open(tmp_path / "hq"), [bundle], TrustStore.load(data_dir), SITE)


def test_unsigned_needs_allow_unsigned(no_keyring, tmp_path, data_dir):
    bundle = export_month(_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    assert manifest["signature"]["status"] == "unsigned"
    assert "gnome-keyring" in manifest["signature"]["fix"]
    hq = Store.open(tmp_path / "hq")
    _assert_rejected(hq, [bundle], TrustStore.load(data_dir), "--allow-unsigned")
    result = import_bundles(hq, [bundle], TrustStore.load(data_dir), require_signature=False)
    assert result.inserted > 0 and result.unsigned == [bundle]


def test_newer_schema_is_rejected(no_keyring, tmp_path, data_dir):
    bundle = export_month(_store(tmp_path / "site"), MONTH, tmp_path / "out", site_id=SITE)

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "schema_version": 99}).encode()

    bad = _rewrite(bundle, tmp_path / "newer.zip", newer)
    _assert_rejected(
        Store.open(tmp_path / "hq"), [bad], TrustStore.load(data_dir), "99",
        require_signature=False,
    )  # fmt: skip


def test_demo_bundle_is_refused_by_a_real_store(no_keyring, tmp_path, data_dir):
    bundle = export_month(
        _store(tmp_path / "site", demo=True), MONTH, tmp_path / "out", site_id=SITE
    )
    with zipfile.ZipFile(bundle) as zf:
        assert json.loads(zf.read("manifest.json"))["is_demo"] is True
        title_page = PdfReader(io.BytesIO(zf.read("report.pdf"))).pages[0].extract_text()
        assert "デモデータ" in title_page
    trust = TrustStore.load(data_dir)
    _assert_rejected(Store.open(tmp_path / "hq"), [bundle], trust, "demo", require_signature=False)
    demo_hq = Store.open(tmp_path / "demo-hq")
    demo_hq.maintenance.set_meta("is_demo", "1")
    assert import_bundles(demo_hq, [bundle], trust, require_signature=False).inserted > 0


def test_failed_export_leaves_no_zip(no_keyring, tmp_path):
    store = _store(tmp_path / "site")

    real = store.queries

    class BreaksMidway:
        """The real store's queries, whose row stream fails after some rows (a disk error, say)."""

        def __getattr__(self, name):
            return getattr(real, name)

        def sessions_csv_lines(self, *a, **kw):
            for date, lines in real.sessions_csv_lines(*a, **kw):
                yield date, lines[:50]  # some rows reach the zip ...
                raise OSError("disk went away")  # ... then the disk fails

    store.queries = BreaksMidway()
    with pytest.raises(OSError):
        export_month(store, MONTH, tmp_path / "out", site_id=SITE)
    assert list((tmp_path / "out").iterdir()) == []


def test_publication_is_suppressed_and_the_internal_csv_is_not(no_keyring, tmp_path):
    store = _store(tmp_path / "site", sessions=60)
    internal = export_month(store, MONTH, tmp_path / "out", site_id=SITE, all_sites=True)
    bundle = export_month(store, MONTH, tmp_path / "out", site_id=SITE, publish=True,
                          all_sites=True)  # fmt: skip
    assert bundle.name == f"dxdesk-publication-{SITE}-all-sites-{MONTH}.zip" != internal.name
    with zipfile.ZipFile(internal) as zf:
        csv_text = zf.read("sessions.csv").decode("utf-8-sig")
    assert "<10" not in csv_text
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["k"] == 10 and manifest["format"] == "dxdesk-publication"
        assert "sessions.csv" not in zf.namelist() and "classes.csv" not in zf.namelist()
        with zipfile.ZipFile(io.BytesIO(zf.read("summary.xlsx"))) as xlsx:
            strings = xlsx.read("xl/sharedStrings.xml").decode()
            sheets = [n for n in xlsx.namelist() if n.startswith("xl/worksheets/sheet")]
            charts = [n for n in xlsx.namelist() if n.startswith("xl/charts/chart")]
        assert "&lt;10" in strings and "手続き" in strings
        assert len(sheets) == 9 + 5 and len(charts) >= 7  # + the site sheet, the class sheets
        # the report names what residents came for, each procedure with its count or mark
        pages = PdfReader(io.BytesIO(zf.read("report.pdf"))).pages
        report = "".join(p.extract_text() for p in pages).replace(" ", "").replace("\n", "")
        assert "手続き別の試行数" in report and "<10" in report
        column = SESSION_COLUMNS.index("procedure_id")
        procedures = {r.split(",")[column] for r in csv_text.splitlines()[1:]}
        for pid in procedures:
            title = value_label("procedure_id", pid, "ja").replace(" ", "")
            assert title[:12] in report, pid


def test_a_month_without_sessions_still_exports(no_keyring, tmp_path):
    bundle = export_month(Store.open(tmp_path / "empty"), MONTH, tmp_path / "out", site_id=SITE)
    with zipfile.ZipFile(bundle) as zf:
        assert json.loads(zf.read("manifest.json"))["rows"]["sessions.csv"] == 0


def test_export_and_import_report_their_progress(file_keyring, tmp_path, data_dir):
    """Export: thousandths, rising with the day of the month written, ending at 1000/1000.
    Import: rows stored out of all the bundles' rows, ending at total/total."""
    site = _store(tmp_path / "site", sessions=12000)  # a month of several 1000-row batches
    heard: list[tuple[int, int]] = []
    bundle = export_month(
        site, MONTH, tmp_path / "out", site_id=SITE, progress=lambda *p: heard.append(p)
    )
    assert heard[-1] == (1000, 1000)
    done = [d for d, _ in heard]
    assert done == sorted(done) and len(set(done)) > 3  # several days reported, never backwards
    assert all(total == 1000 for _, total in heard)

    rows = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))["rows"]["sessions.csv"]
    heard.clear()
    hq = Store.open(tmp_path / "hq")
    import_bundles(
        hq, [bundle], _trust_site(tmp_path, data_dir), progress=lambda *p: heard.append(p)
    )
    assert heard[-1] == (rows, rows) and rows > 5000
    assert len(heard) > 1 and all(total == rows for _, total in heard)
    assert [d for d, _ in heard] == sorted(d for d, _ in heard)


def test_the_previous_month_column_hides_what_that_months_report_hid(no_keyring, tmp_path):
    """September's own report hides its completion rate (its total would give a '<3' cell
    away); October's report must not print it in the 'previous month' column."""
    catalog = load_catalog(forms_dir())
    template = next(demo_rows(catalog, sessions=1, months=["2026-09"], sites=[SITE], seed=1))
    counts = {"pin-reset": (7, 0), "mynaportal-registration": (1, 2),
              "moving-onestop": (6, 0), "etax-smartphone": (3, 0)}  # fmt: skip
    rows, n = [], 0
    for month in ("2026-09", MONTH):
        for procedure, per_outcome in counts.items():
            for outcome, times in zip(("completed_online", "handed_off"), per_outcome, strict=True):
                for _ in range(times):
                    n += 1
                    rows.append({**template, "session_id": f"{n:032x}", "date": f"{month}-07",
                                 "procedure_id": procedure, "outcome": outcome,
                                 "handoff_code": "", "return_of_code": ""})  # fmt: skip
    store = Store.open(tmp_path / "site")
    store.imports.import_procedure_attempt_rows(rows)
    for month in ("2026-09", MONTH):
        bundle = export_month(store, month, tmp_path / month, site_id=SITE)
        page = PdfReader(io.BytesIO(zipfile.ZipFile(bundle).read("report.pdf"))).pages[0]
        lines = page.extract_text().splitlines()  # name, this month, previous month
        i = next(n for n, x in enumerate(lines) if "オンライン完了率" in x)
        assert lines[i + 1] == "—", (month, lines[i : i + 3])  # a rate withheld
    assert lines[i + 2] == "—", lines[i : i + 3]  # October's column for September


def test_a_visit_recorded_during_the_export_never_ships_counts_that_disagree_with_rows(
    no_keyring, tmp_path
):
    """The counts and the rows are read on two snapshots. A bundle imported (or a visit ended)
    after the rows were read but before the counts were is refused, and nothing is written."""
    import threading

    store = _store(tmp_path / "site", sessions=60)
    other = Store.open(tmp_path / "site")  # another connection, as the counter's window has
    real = store.queries
    rows_read = threading.Event()

    class RecordedMeanwhile:
        """The real store's queries; between the row stream and the counts, a late bundle's
        visits of the month arrive through a second connection."""

        def __getattr__(self, name):
            return getattr(real, name)

        def sessions_csv_lines(self, *a, **kw):
            batches = list(real.sessions_csv_lines(*a, **kw))  # the rows are read ...
            late = demo_rows(load_catalog(forms_dir()), sessions=3, months=[MONTH],
                             sites=["kita-2"], seed=11)  # fmt: skip
            other.imports.import_procedure_attempt_rows(late)  # ... then more arrive
            rows_read.set()
            yield from batches

        def month_counts(self, month, *a, **kw):
            if month == MONTH:
                assert rows_read.wait(30)
            return real.month_counts(month, *a, **kw)

    store.queries = RecordedMeanwhile()
    try:
        with pytest.raises(ExportError, match=MONTH):
            export_month(store, MONTH, tmp_path / "out", site_id=SITE, all_sites=True)
        assert list((tmp_path / "out").iterdir()) == []
        store.queries = real  # once nothing changes meanwhile, the same export goes through
        export_month(store, MONTH, tmp_path / "out", site_id=SITE, all_sites=True)
    finally:
        other.close()
