"""Monthly export bundles and publications, and the verified import of bundles.

Two kinds of zip, never confused:

- the internal *bundle* ``dxdesk-<site>-<month>.zip`` (format ``dxdesk-monthly-export``) holds
  sessions.csv (the per-attempt log, UTF-8 with BOM), classes.csv, summary.xlsx and report.pdf
  (k = 3 by default) for the supervisor who merges sites; it is never published;
- the *publication* ``dxdesk-publication-<scope>-<month>.zip`` (format ``dxdesk-publication``)
  holds tables only: summary.xlsx, report.pdf and one CSV per sheet under ``tables/``, all from
  one suppression pattern. It carries no row, no id and no hand-off or return code, and import
  refuses it.

Each has manifest.json with the SHA-256 of every member and a signature over the canonical
manifest. The zip is written to a temp file and moved into place, so a failed export never
leaves a partial zip under the final name; an existing file is never replaced unless asked.
Import checks every bundle completely before storing anything, then stores all rows in one
transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dxdesk import __version__
from dxdesk.core import signing
from dxdesk.core.export import published
from dxdesk.core.export.class_summary import ClassSummary, summarise_classes
from dxdesk.core.export.columns import (
    BUNDLE_SCHEMA_VERSION,
    CLASS_COLUMNS,
    CLASS_COLUMNS_V1,
    DURATION_BAND_BOUNDS,
    SESSION_COLUMNS,
)
from dxdesk.core.export.report import write_report_pdf
from dxdesk.core.export.summary import (
    MonthSummary,
    kpi_summary,
    month_bounds,
    previous_month,
)
from dxdesk.core.export.suppression import DEFAULT_K, PUBLISH_K
from dxdesk.core.export.xlsx import write_summary_xlsx
from dxdesk.core.i18n import tr
from dxdesk.core.store import ImportRowError
from dxdesk.core.store.rows import (  # the store's row checks, shared on purpose
    validated_attempt_row,
    validated_class_row,
)

FORMAT = "dxdesk-monthly-export"
PUBLICATION_FORMAT = "dxdesk-publication"
PUBLICATION_PREFIX = "dxdesk-publication-"
TABLES_DIR = "tables/"
MANIFEST = "manifest.json"
SESSIONS_CSV = "sessions.csv"
CLASSES_CSV = "classes.csv"
SUMMARY_XLSX = "summary.xlsx"
REPORT_PDF = "report.pdf"
DATA_MEMBERS = (SESSIONS_CSV, CLASSES_CSV, SUMMARY_XLSX, REPORT_PDF)
READ_CHUNK = 1 << 20
# What a bundle may hold, checked from the zip's directory before anything is read: a
# manifest is about 1 kB; a month of 100,000 visits is a sessions.csv of about 25 MB.
MANIFEST_CAP = 16 * 1024
MEMBER_CAPS = {
    SESSIONS_CSV: 512 * 1024 * 1024,
    CLASSES_CSV: 16 * 1024 * 1024,
    SUMMARY_XLSX: 64 * 1024 * 1024,
    REPORT_PDF: 64 * 1024 * 1024,
    MANIFEST: MANIFEST_CAP,
}
FIELD_CAP = 1000  # characters in one CSV value (ids, codes, blocker and topic lists)
# Deflate level 3: a month's sessions.csv compresses in less than half the time of the default
# level 6, for a bundle about 15 % larger (4.0 instead of 3.4 MB for 100,000 rows).
ZIP_LEVEL = 3


Progress = Callable[[int, int], None]
PROGRESS_TOTAL = 1000  # progress is reported in thousandths
_ROWS_SHARE = 900  # of which writing sessions.csv takes this much
_DATE = SESSION_COLUMNS.index("date")
_PROGRESS_EVERY = 5000  # import: rows between two reports


class ExportError(Exception):
    """The export cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class BundleProblem:
    path: Path
    member: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.member}: {self.reason}"


class BundleRejected(Exception):
    """One or more bundles failed a check; nothing of any of them was stored."""

    def __init__(self, problems: list[BundleProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ImportResult:
    bundles: list[Path] = field(default_factory=list)
    inserted: int = 0
    skipped: int = 0
    unsigned: list[Path] = field(default_factory=list)
    classes_inserted: int = 0
    classes_skipped: int = 0
    unknown_steps: int = 0  # rows whose last step is not a step of today's guide (stored)


def canonical_manifest(manifest: dict) -> bytes:
    """The bytes the signature covers: the manifest without its signature, canonical JSON."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _previous_summary(
    store, start: dt.date, last: dt.date, site_ids: list[str] | None
) -> MonthSummary:
    """The previous month as the report compares with it: its KPI counts and its outcome
    tables, from two grouped queries on the store's read-only connections (no rows)."""
    summary = kpi_summary(store.queries.kpi_counts(start, last, site_ids))
    summary.add_dimension_counts(
        store.queries.dimension_outcome_counts(start, last, site_ids, DURATION_BAND_BOUNDS)
    )
    return summary


def _month_batches(store, month: str, site_ids: list[str] | None) -> Iterator[list[tuple]]:
    start, end = month_bounds(month)
    yield from store.queries.procedure_attempt_batches(start, end - dt.timedelta(days=1), site_ids)


def _write_sessions_csv(
    zf: zipfile.ZipFile, batches: Iterable[Sequence[tuple]], summary: MonthSummary
) -> tuple[str, int, int]:
    """Stream the batches into the zip, counting and hashing them; return (sha256, size, n)."""
    digest = hashlib.sha256()
    size = count = 0
    with zf.open(SESSIONS_CSV, "w", force_zip64=True) as out:
        text = io.StringIO()
        text.write("\ufeff")  # BOM: Excel on Windows opens UTF-8 CSV correctly only with it
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(SESSION_COLUMNS)
        for batch in batches:
            summary.add_batch(batch)
            writer.writerows(batch)  # the store gives the columns in SESSION_COLUMNS order
            count += len(batch)
            data = text.getvalue().encode("utf-8")
            digest.update(data)
            out.write(data)
            size += len(data)
            text.seek(0)
            text.truncate()
        data = text.getvalue().encode("utf-8")
        digest.update(data)
        out.write(data)
        size += len(data)
    return digest.hexdigest(), size, count


def _month_class_rows(store, month: str, site_ids: list[str] | None) -> Iterator[dict]:
    start, end = month_bounds(month)
    yield from store.queries.class_record_rows(start, end - dt.timedelta(days=1), site_ids)


def _classes_csv(rows: Iterable[dict], summary: ClassSummary) -> tuple[bytes, int]:
    """classes.csv (UTF-8 with BOM, CRLF) and its row count; a month has few classes."""
    text = io.StringIO()
    text.write("\ufeff")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CLASS_COLUMNS)
    count = 0
    for row in rows:
        summary.add(row)
        writer.writerow([row[c] for c in CLASS_COLUMNS])
        count += 1
    return text.getvalue().encode("utf-8"), count


def export_month(
    store,
    month: str,
    out_dir: Path,
    publish: bool = False,
    all_sites: bool = False,
    k: int | None = None,
    *,
    site_id: str | None = None,
    lang: str = "ja",
    progress: Progress | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the month's internal bundle for this site (or every site in the store), or with
    ``publish`` its publication (tables only, see ``export_publication``); return its path.

    ``site_id`` is this site (the signer); by default the site setting of the store's data dir.
    ``progress(done, total)`` hears how far it is, in thousandths: the rows are read in date
    order, so the day reached tells how much of the month is written (up to 900); the tables,
    the report and the signature make the rest. An existing file of the same name is replaced
    only with ``overwrite``; otherwise ExportError says so and nothing is written.
    """
    if site_id is None:
        from dxdesk.core.settings import load_settings

        site_id = load_settings(store.path.parent).site_id
    if not site_id:
        raise ExportError(tr("export.no_site_id"))
    if publish:
        return export_publication(
            store, month, out_dir, all_sites=all_sites, k=k, site_id=site_id, lang=lang,
            progress=progress, overwrite=overwrite,
        )  # fmt: skip
    k = k if k is not None else DEFAULT_K
    if k < 1:
        raise ExportError(tr("export.bad_k", k=k))
    start, end = month_bounds(month)
    site_ids = None if all_sites else [site_id]
    is_demo = store.maintenance.meta("is_demo") == "1"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scope = f"{site_id}-all-sites" if all_sites else site_id
    final = out_dir / f"dxdesk-{scope}-{month}.zip"
    _refuse_existing(final, overwrite)

    summary = MonthSummary()
    files: dict[str, dict] = {}
    fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{final.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    prev_start, prev_end = month_bounds(previous_month(month))
    try:
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="dxdesk-kpis") as pool,
            os.fdopen(fd, "wb") as raw,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf,
        ):
            # The previous month feeds only the report's KPI column: one SQL aggregate, no
            # rows, on its own connection while this thread streams the month.
            # ... and its outcome tables, so that the report's previous-month column hides
            # what that month's own report hid.
            prev_last = prev_end - dt.timedelta(days=1)
            previous_month_summary = pool.submit(
                _previous_summary, store, prev_start, prev_last, site_ids
            )
            batches = _month_batches(store, month, site_ids)
            if progress is not None:
                batches = _reporting_days(batches, start, end, progress)
            sha, size, count = _write_sessions_csv(zf, batches, summary)
            files[SESSIONS_CSV] = {"sha256": sha, "size": size}
            classes = ClassSummary()
            classes_csv, class_count = _classes_csv(
                _month_class_rows(store, month, site_ids), classes
            )
            sites = sorted(summary.sites | classes.sites) if all_sites else [site_id]
            if all_sites and not sites:
                sites = store.queries.sites()
            previous = previous_month_summary.result()
            previous_classes = summarise_classes(
                _month_class_rows(store, previous_month(month), site_ids)
            )
            # A working copy for the supervisor, beside the rows: suppressed by lines only.
            working = published.build_publication(
                summary, classes, previous, previous_classes, k=k, solver=False
            )
            members = {
                CLASSES_CSV: classes_csv,
                SUMMARY_XLSX: write_summary_xlsx(
                    summary, k=k, period=month, sites=sites, is_demo=is_demo, lang=lang,
                    classes=classes, publication=working,
                ),
                REPORT_PDF: write_report_pdf(
                    summary, previous, k=k, month=month, prev_month=previous_month(month),
                    sites=sites, is_demo=is_demo, lang=lang, classes=classes,
                    previous_classes=previous_classes, publication=working,
                ),
            }  # fmt: skip
            for name, data in members.items():
                zf.writestr(name, data)
                files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            manifest = {
                "format": FORMAT,
                "schema_version": BUNDLE_SCHEMA_VERSION,
                "dxdesk_version": __version__,
                "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "signer_site": site_id,
                "sites": sites,
                "all_sites": all_sites,
                "period": {
                    "month": month,
                    "start": start.isoformat(),
                    "end": (end - dt.timedelta(days=1)).isoformat(),
                },
                "kind": "internal",
                "publish": False,
                "k": k,
                "is_demo": is_demo,
                "rows": {SESSIONS_CSV: count, CLASSES_CSV: class_count},
                "files": files,
            }
            manifest["signature"] = signing.sign(
                site_id, canonical_manifest(manifest)
            ).as_manifest()
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            raw.flush()
            os.fsync(raw.fileno())
        _move_into_place(tmp, final, overwrite)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return final


def _refuse_existing(final: Path, overwrite: bool) -> None:
    if final.exists() and not overwrite:
        raise ExportError(tr("export.exists", path=final))


def _move_into_place(tmp: Path, final: Path, overwrite: bool) -> None:
    """Rename the finished temp file to its name; without ``overwrite`` never over a file that
    appeared meanwhile (a hard link fails on an existing name, where a rename would replace)."""
    if overwrite:
        os.replace(tmp, final)
        return
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise ExportError(tr("export.exists", path=final)) from None
    except OSError:  # a file system without hard links: check, then rename
        _refuse_existing(final, overwrite)
        os.replace(tmp, final)
    else:
        tmp.unlink()


def export_publication(
    store,
    month: str,
    out_dir: Path,
    *,
    all_sites: bool,
    k: int | None,
    site_id: str,
    lang: str = "ja",
    progress: Progress | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the month's publication: summary.xlsx, report.pdf and ``tables/*.csv``, every
    number from one suppression pattern (``published.build_publication``), and no row.

    Only the whole store is published (``all_sites``): the city's tables and each site's
    together, from one pattern over city = sum of sites. A site's own tables published alone
    could be subtracted from the city's, so that is refused with a message saying why.
    """
    if not all_sites:
        raise ExportError(tr("export.publish_site_alone", site_id=site_id))
    k = k if k is not None else PUBLISH_K
    if k < 1:
        raise ExportError(tr("export.bad_k", k=k))
    start, end = month_bounds(month)
    is_demo = store.maintenance.meta("is_demo") == "1"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"{PUBLICATION_PREFIX}{site_id}-all-sites-{month}.zip"
    _refuse_existing(final, overwrite)
    prev = previous_month(month)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dxdesk-prev") as pool:
        # The previous month's column must hide what that month's own publication hid: its
        # tables are counted too, on a read-only connection while this thread reads the month.
        previous_future = pool.submit(_month_counts, store, prev, None, None)
        summary, classes = _month_counts(store, month, None, progress)
        previous, previous_classes = previous_future.result()
    sites = sorted(summary.sites | classes.sites) or store.queries.sites()
    try:
        publication = published.build_publication(
            summary, classes, previous, previous_classes, k=k, sites=sites
        )
    except ValueError as exc:
        raise ExportError(tr("export.unprotectable", error=exc)) from exc
    members: dict[str, bytes] = {
        SUMMARY_XLSX: write_summary_xlsx(
            summary, k=k, period=month, sites=sites, is_demo=is_demo, lang=lang,
            classes=classes, publication=publication,
        ),
        REPORT_PDF: write_report_pdf(
            summary, previous, k=k, month=month, prev_month=prev, sites=sites,
            is_demo=is_demo, lang=lang, classes=classes, previous_classes=previous_classes,
            publication=publication,
        ),
    }  # fmt: skip
    for key, data in publication_csvs(publication, lang).items():
        members[f"{TABLES_DIR}{key}.csv"] = data
    files = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in members.items()
    }
    manifest = {
        "format": PUBLICATION_FORMAT,
        "kind": "publication",
        "schema_version": BUNDLE_SCHEMA_VERSION,
        "dxdesk_version": __version__,
        "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "signer_site": site_id,
        "sites": sites,
        "all_sites": True,
        "period": {
            "month": month,
            "start": start.isoformat(),
            "end": (end - dt.timedelta(days=1)).isoformat(),
        },
        "k": k,
        "is_demo": is_demo,
        "files": files,
    }
    manifest["signature"] = signing.sign(site_id, canonical_manifest(manifest)).as_manifest()
    fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{final.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf,
        ):
            for name, data in members.items():
                zf.writestr(name, data)
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            raw.flush()
            os.fsync(raw.fileno())
        _move_into_place(tmp, final, overwrite)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return final


def _month_counts(
    store, month: str, site_ids: list[str] | None, progress: Progress | None
) -> tuple[MonthSummary, ClassSummary]:
    """A month's summary and class summary, its rows counted as they stream (none kept)."""
    start, end = month_bounds(month)
    batches: Iterable[list[tuple]] = _month_batches(store, month, site_ids)
    if progress is not None:
        batches = _reporting_days(batches, start, end, progress)
    summary = MonthSummary()
    for batch in batches:
        summary.add_batch(batch)
    return summary, summarise_classes(_month_class_rows(store, month, site_ids))


def publication_csvs(publication, lang: str = "ja") -> dict[str, bytes]:
    """One CSV per published sheet (UTF-8 with BOM, CRLF): labels, shown counts and marks."""
    out: dict[str, bytes] = {}
    total = tr("export.total", lang=lang)
    for sheet in publication.sheets(lang):
        key, dim_label, row_labels, col_labels, table = sheet
        text = io.StringIO()
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([dim_label, *col_labels, *([total] if table.has_row_totals else [])])
        for i, label in enumerate(row_labels):
            cells = [table.shown(i, j) for j in range(len(col_labels))]
            if table.has_row_totals:
                cells.append(table.shown_row_total(i))
            writer.writerow([label, *cells])
        if table.has_col_totals:
            cells = [table.shown_col_total(j) for j in range(len(col_labels))]
            if table.has_row_totals:
                cells.append(table.shown_grand_total())
            writer.writerow([total, *cells])
        out[key] = text.getvalue().encode("utf-8")
    return out


def _reporting_days(
    batches: Iterable[list[tuple]], start: dt.date, end: dt.date, progress: Progress
) -> Iterator[list[tuple]]:
    """Pass the batches on; after each, report the share of the month's days written."""
    days = max(1, (end - start).days)
    last = -1
    for batch in batches:
        yield batch
        if batch:
            reached = (dt.date.fromisoformat(batch[-1][_DATE]) - start).days + 1
            done = min(_ROWS_SHARE, _ROWS_SHARE * reached // days)
            if done != last:
                progress(done, PROGRESS_TOTAL)
                last = done


# ---------------------------------------------------------------------------- reading


def check_directory(path: Path, zf: zipfile.ZipFile) -> None:
    """Refuse, from the zip's directory alone (nothing is inflated): a member name twice, a
    name that is absolute or climbs out with "..", and a member larger than its cap."""
    seen: set[str] = set()
    for info in zf.infolist():
        name = info.filename
        if name in seen:
            raise BundleRejected([BundleProblem(path, name, tr("import.duplicate_member"))])
        seen.add(name)
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
            raise BundleRejected([BundleProblem(path, name, tr("import.unsafe_name"))])
        cap = MEMBER_CAPS.get(name)
        if cap is not None and info.file_size > cap:
            raise BundleRejected(
                [BundleProblem(path, name, tr("import.member_too_large", size=info.file_size,
                                              cap=cap))]
            )  # fmt: skip


def read_manifest(path: Path, *, publication: bool = False) -> dict:
    """The manifest of a bundle (or, with ``publication``, of a publication), after the zip's
    directory passed ``check_directory``."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            check_directory(path, zf)
            try:
                with zf.open(MANIFEST) as fh:
                    data = fh.read(MANIFEST_CAP + 1)
            except KeyError:
                raise BundleRejected(
                    [BundleProblem(path, MANIFEST, tr("import.no_manifest"))]
                ) from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise BundleRejected(
            [BundleProblem(path, "-", tr("import.not_a_zip", error=exc))]
        ) from None
    if len(data) > MANIFEST_CAP:
        raise BundleRejected(
            [BundleProblem(path, MANIFEST, tr("import.member_too_large", size=len(data),
                                              cap=MANIFEST_CAP))]
        )  # fmt: skip
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRejected(
            [BundleProblem(path, MANIFEST, tr("import.bad_manifest", error=exc))]
        ) from None
    if publication and isinstance(manifest, dict):
        if manifest.get("format") != PUBLICATION_FORMAT:
            raise BundleRejected([BundleProblem(path, MANIFEST, tr("import.not_a_bundle"))])
        return manifest
    if isinstance(manifest, dict) and manifest.get("format") == PUBLICATION_FORMAT:
        raise BundleRejected([BundleProblem(path, MANIFEST, tr("import.is_publication"))])
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleRejected([BundleProblem(path, MANIFEST, tr("import.not_a_bundle"))])
    return manifest


def _check_period(manifest: dict) -> str | None:
    """Why the manifest's month, period and row counts disagree, or None."""
    period = manifest.get("period")
    if not isinstance(period, dict):
        return tr("import.bad_period", month="?", start="?", end="?")
    month, start, end = period.get("month"), period.get("start"), period.get("end")
    try:
        first, after = month_bounds(str(month))
    except ValueError:
        first = after = None
    if (
        first is None
        or start != first.isoformat()
        or end != (after - dt.timedelta(days=1)).isoformat()
    ):
        return tr("import.bad_period", month=month, start=start, end=end)
    rows = manifest.get("rows")
    if not isinstance(rows, dict) or not all(
        isinstance(rows.get(m, 0), int) and rows.get(m, 0) >= 0 for m in (SESSIONS_CSV, CLASSES_CSV)
    ):
        return tr("import.row_count")
    sites = manifest.get("sites")
    if not isinstance(sites, list) or not all(isinstance(x, str) for x in sites):
        return tr("import.bad_sites")
    return None


def verify_bundle(
    path: Path,
    trust: signing.TrustStore,
    *,
    require_signature: bool = True,
    store_is_demo: bool = False,
) -> dict:
    """Check a bundle completely (schema, demo flag, signature, every member's hash and size);
    return its manifest or raise BundleRejected naming the file and member."""
    path = Path(path)
    manifest = read_manifest(path)

    def reject(member: str, reason: str) -> BundleRejected:
        return BundleRejected([BundleProblem(path, member, reason)])

    version = manifest.get("schema_version")
    if not isinstance(version, int) or version > BUNDLE_SCHEMA_VERSION:
        raise reject(
            MANIFEST, tr("import.newer_schema", version=version, ours=BUNDLE_SCHEMA_VERSION)
        )
    if manifest.get("is_demo") and not store_is_demo:
        raise reject(MANIFEST, tr("import.demo_into_real"))
    problem = _check_period(manifest)
    if problem:
        raise reject(MANIFEST, problem)
    signer = manifest.get("signer_site", "")
    if not isinstance(signer, str) or not signer:
        raise reject(MANIFEST, tr("import.no_signer"))
    sig = manifest.get("signature")
    sig = sig if isinstance(sig, dict) else {}
    # --allow-unsigned accepts a bundle with NO signature; a signature that is there is always
    # checked, and a bad one (or one by a site nobody trusts) is always refused.
    if sig.get("status") == "signed":
        try:
            signing.verify(signer, canonical_manifest(manifest), sig, trust)
        except signing.SignatureError as exc:
            raise reject(MANIFEST, str(exc)) from None
        allowed = trust.allowed_sites(signer)
    elif sig.get("status") == "unsigned":
        if require_signature:
            raise reject(MANIFEST, tr("signing.unsigned", reason=sig.get("reason", "?")))
        allowed = {signer}  # nobody vouches for it: its rows may only be its own site's
    else:
        raise reject(MANIFEST, tr("import.bad_signature_field"))
    foreign = sorted(set(manifest["sites"]) - allowed)
    if foreign:
        raise reject(MANIFEST, tr("import.site_not_signers", signer=signer,
                                  sites=", ".join(foreign)))  # fmt: skip
    manifest["_allowed_sites"] = sorted(allowed)

    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != set(DATA_MEMBERS):
        raise reject(MANIFEST, tr("import.members_listed", expected=", ".join(DATA_MEMBERS)))
    try:
        with zipfile.ZipFile(path) as zf:
            check_directory(path, zf)
            names = set(zf.namelist())
            extra = names - {*DATA_MEMBERS, MANIFEST}
            if extra:
                raise reject(", ".join(sorted(extra)), tr("import.extra_member"))
            for name in DATA_MEMBERS:
                if name not in names:
                    raise reject(name, tr("import.missing_member"))
                digest, size = hashlib.sha256(), 0
                try:
                    with zf.open(name) as member:
                        while chunk := member.read(READ_CHUNK):
                            digest.update(chunk)
                            size += len(chunk)
                except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
                    raise reject(name, tr("import.damaged_member", error=exc)) from None
                expected = files[name]
                if digest.hexdigest() != expected.get("sha256") or size != expected.get("size"):
                    raise reject(name, tr("import.hash_mismatch"))
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise reject("-", tr("import.not_a_zip", error=exc)) from None
    return manifest


class _Known:
    """The catalog's procedure, step and blocker ids: a bundle's ids are checked against it."""

    def __init__(self) -> None:
        from dxdesk.core.catalog import load_catalog_cached
        from dxdesk.core.paths import forms_dir

        catalog = load_catalog_cached(forms_dir())
        self.steps = {g.id: {s.id for s in g.steps} for g in catalog.guides.values()}
        taxonomy = catalog.taxonomy
        self.blockers = {b.id for b in taxonomy.blockers} if taxonomy else set()
        self.unknown_steps = 0


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _decoded_lines(raw) -> Iterator[str]:
    """The member's lines as text, decoded one by one so that a bad byte names its line."""
    for number, data in enumerate(raw, start=1):
        if number == 1 and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8(number) from None


def _csv_rows(path: Path, zf: zipfile.ZipFile, member: str) -> Iterator[tuple[int, list[str]]]:
    """(line number in the member, values) of a CSV member, header first; a value that is
    not UTF-8, or longer than FIELD_CAP, is refused naming the member and line."""
    with zf.open(member) as raw:
        reader = csv.reader(_decoded_lines(raw))
        line = 1
        try:
            for values in reader:
                if any(len(v) > FIELD_CAP for v in values):
                    raise BundleRejected(
                        [
                            BundleProblem(
                                path, f"{member}:{line}", tr("import.field_too_long", cap=FIELD_CAP)
                            )
                        ]
                    )
                yield line, values
                line = reader.line_num + 1
        except _NotUtf8 as bad:
            raise BundleRejected(
                [BundleProblem(path, f"{member}:{bad.line}", tr("import.not_utf8"))]
            ) from None
        except csv.Error as exc:
            raise BundleRejected(
                [BundleProblem(path, f"{member}:{line}", tr("import.bad_csv", error=exc))]
            ) from None


def bundle_rows(path: Path, manifest: dict, known: _Known | None = None) -> Iterator[dict]:
    """Stream sessions.csv rows of a verified bundle, checking header, sites, period and the
    catalog's ids; every problem names the bundle, the member and the line within it."""
    path = Path(path)
    sites = set(manifest.get("_allowed_sites", manifest.get("sites", [])))
    period = manifest.get("period", {})
    start, end = period.get("start", ""), period.get("end", "")
    known = known or manifest.get("_known") or _Known()

    def reject(line: int, key: str, **params) -> BundleRejected:
        return BundleRejected([BundleProblem(path, f"{SESSIONS_CSV}:{line}", tr(key, **params))])

    with zipfile.ZipFile(path) as zf:
        rows = _csv_rows(path, zf, SESSIONS_CSV)
        _line, header = next(rows, (1, None))
        if header is None or tuple(header) != SESSION_COLUMNS:
            raise BundleRejected([BundleProblem(path, SESSIONS_CSV, tr("import.bad_header"))])
        count = 0
        for line_no, values in rows:
            if len(values) != len(SESSION_COLUMNS):
                raise reject(line_no, "import.bad_width")
            row = dict(zip(SESSION_COLUMNS, values, strict=True))
            if row["site_id"] not in sites:
                raise reject(line_no, "import.foreign_site", site_id=row["site_id"])
            if not (start <= row["date"] <= end):
                raise reject(line_no, "import.outside_period", date=row["date"])
            steps = known.steps.get(row["procedure_id"])
            if steps is None:
                raise reject(line_no, "import.unknown_procedure", id=row["procedure_id"])
            unknown = [b for b in row["blockers"].split(";") if b and b not in known.blockers]
            if unknown:
                raise reject(line_no, "import.unknown_blocker", id=unknown[0])
            if row["last_step_id"] and row["last_step_id"] not in steps:
                known.unknown_steps += 1  # an older guide's step: stored, and said
            count += 1
            row["_line"] = line_no
            yield row
        if count != manifest.get("rows", {}).get(SESSIONS_CSV):
            raise BundleRejected([BundleProblem(path, SESSIONS_CSV, tr("import.row_count"))])


def bundle_class_rows(path: Path, manifest: dict) -> list[dict]:
    """classes.csv rows of a verified bundle, checking header, width, sites, period and count.

    A schema 1 bundle carries the old header-only classes.csv: it has no class rows.
    """
    path = Path(path)
    sites = set(manifest.get("_allowed_sites", manifest.get("sites", [])))
    period = manifest.get("period", {})
    start, end = period.get("start", ""), period.get("end", "")
    v1 = manifest.get("schema_version") == 1
    expected = CLASS_COLUMNS_V1 if v1 else CLASS_COLUMNS

    def reject(member: str, key: str, **params) -> BundleRejected:
        return BundleRejected([BundleProblem(path, member, tr(key, **params))])

    rows: list[dict] = []
    with zipfile.ZipFile(path) as zf:
        reader = _csv_rows(path, zf, CLASSES_CSV)
        _line, header = next(reader, (1, None))
        if header is None or tuple(header) != expected:
            raise reject(CLASSES_CSV, "import.bad_header")
        for line_no, values in reader:
            where = f"{CLASSES_CSV}:{line_no}"
            if v1 or len(values) != len(CLASS_COLUMNS):
                raise reject(where, "import.bad_width")
            row = dict(zip(CLASS_COLUMNS, values, strict=True))
            if row["site_id"] not in sites:
                raise reject(where, "import.foreign_site", site_id=row["site_id"])
            if not (start <= row["date"] <= end):
                raise reject(where, "import.outside_period", date=row["date"])
            try:  # the store's own row check, run before anything is stored
                validated_class_row(row, line_no)
            except ValueError as exc:
                raise BundleRejected([BundleProblem(path, where, str(exc))]) from None
            rows.append(row)
    if len(rows) != manifest.get("rows", {}).get(CLASSES_CSV, 0):
        raise reject(CLASSES_CSV, "import.row_count")
    return rows


def import_bundles(
    store,
    paths: Sequence[Path],
    trust: signing.TrustStore,
    require_signature: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Verify every bundle, then store all their rows in one transaction.

    ``progress(done, total)`` hears the rows stored so far out of all the bundles' rows.

    Any failed check raises BundleRejected (listing every bad bundle) and stores nothing; rows
    already in the store (same session_id and attempt_no), or of a site and month that a
    retention purge already turned into kept counts, are skipped, so a second import of the
    same bundle changes nothing, before or after a purge.
    """
    store_is_demo = store.maintenance.meta("is_demo") == "1"
    problems: list[BundleProblem] = []
    verified: list[tuple[Path, dict]] = []
    for p in map(Path, paths):
        try:
            verified.append(
                (p, verify_bundle(p, trust, require_signature=require_signature,
                                  store_is_demo=store_is_demo))
            )  # fmt: skip
        except BundleRejected as exc:
            problems.extend(exc.problems)
    if problems:
        raise BundleRejected(problems)

    # Class rows are few: read and check them all before any attempt row is stored.
    class_rows: list[dict] = []
    for p, manifest in verified:
        try:
            class_rows += bundle_class_rows(p, manifest)
        except BundleRejected as exc:
            problems.extend(exc.problems)
    if problems:
        raise BundleRejected(problems)

    current: list = []  # the bundle and the row being stored (a refused row is named)
    total = sum(int((m.get("rows") or {}).get(SESSIONS_CSV, 0) or 0) for _p, m in verified)
    known = _Known()

    def all_rows() -> Iterator[dict]:
        done = 0
        for p, manifest in verified:
            current[:] = [p, None]
            manifest["_known"] = known  # one catalog for every bundle; unknown steps counted
            for row in bundle_rows(p, manifest):
                current[1] = row
                row = {k: v for k, v in row.items() if k != "_line"}
                yield row
                done += 1
                if progress is not None and done % _PROGRESS_EVERY == 0:
                    progress(min(done, total), total)

    try:
        # One transaction for visits and classes: a refused row anywhere stores nothing.
        (inserted, skipped), (class_inserted, class_skipped) = store.imports.import_rows(
            all_rows(), _after(class_rows, lambda: current.clear())
        )
    except BundleRejected:
        raise
    except Exception as exc:  # a row the store refuses: name its bundle and line in it
        if not current:
            raise BundleRejected([BundleProblem(Path("-"), CLASSES_CSV, str(exc))]) from exc
        where, row = current
        if row is None:
            raise BundleRejected([BundleProblem(where, SESSIONS_CSV, str(exc))]) from exc
        line = row["_line"]
        message = str(exc)
        try:  # the store numbers rows across all bundles: say it again with this bundle's line
            validated_attempt_row({k: v for k, v in row.items() if k != "_line"}, line)
        except ImportRowError as again:
            message = str(again)
        except Exception:  # noqa: BLE001 - keep the store's own message
            pass
        raise BundleRejected([BundleProblem(where, f"{SESSIONS_CSV}:{line}", message)]) from exc
    if progress is not None:
        progress(total, total)
    result = ImportResult([p for p, _ in verified], inserted, skipped)
    result.classes_inserted, result.classes_skipped = class_inserted, class_skipped
    result.unsigned = [
        p for p, m in verified if (m.get("signature") or {}).get("status") != "signed"
    ]
    result.unknown_steps = known.unknown_steps
    return result


def _after(rows: list[dict], first: Callable[[], object]) -> Iterator[dict]:
    """Yield ``rows`` after calling ``first`` (marks that the attempt rows are all read)."""
    first()
    yield from rows
