"""Writing a month: the internal bundle (rows) and the publication (tables only)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from dxdesk import __version__
from dxdesk.core import signing
from dxdesk.core.export import published
from dxdesk.core.export.bundle import (
    CLASSES_CSV,
    FORMAT,
    MANIFEST,
    PROGRESS_TOTAL,
    PUBLICATION_FORMAT,
    PUBLICATION_PREFIX,
    REPORT_PDF,
    SESSIONS_CSV,
    SUMMARY_XLSX,
    TABLES_DIR,
    ZIP_LEVEL,
    ExportError,
    Progress,
    canonical_manifest,
)
from dxdesk.core.export.class_summary import ClassSummary, month_classes
from dxdesk.core.export.columns import (
    BUNDLE_SCHEMA_VERSION,
    CLASS_COLUMNS,
    SESSION_COLUMNS,
)
from dxdesk.core.export.report import write_report_pdf
from dxdesk.core.export.summary import MonthSummary, month_bounds, month_summary, previous_month
from dxdesk.core.export.suppression import DEFAULT_K, PUBLISH_K
from dxdesk.core.export.xlsx import write_summary_xlsx
from dxdesk.core.i18n import tr

_ROWS_SHARE = 900  # of which writing sessions.csv takes this much


def _month_lines(store, month: str, site_ids: list[str] | None) -> Iterator[tuple[str, list[str]]]:
    start, end = month_bounds(month)
    yield from store.queries.sessions_csv_lines(start, end - dt.timedelta(days=1), site_ids)


def _write_sessions_csv(
    zf: zipfile.ZipFile, batches: Iterable[tuple[str, list[str]]]
) -> tuple[str, int, int]:
    """Stream the batches of lines into the zip, hashing them; return (sha256, size, n)."""
    digest = hashlib.sha256()
    size = count = 0
    with zf.open(SESSIONS_CSV, "w", force_zip64=True) as out:
        # BOM: Excel on Windows opens UTF-8 CSV correctly only with it
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(SESSION_COLUMNS)
        data = ("\ufeff" + header.getvalue()).encode("utf-8")
        for _date, lines in batches:
            count += len(lines)
            data += ("\r\n".join(lines) + "\r\n").encode("utf-8")
            digest.update(data)
            out.write(data)
            size += len(data)
            data = b""
        digest.update(data)
        out.write(data)
        size += len(data)
    return digest.hexdigest(), size, count


def _month_class_rows(store, month: str, site_ids: list[str] | None) -> Iterator[dict]:
    start, end = month_bounds(month)
    yield from store.queries.class_record_rows(start, end - dt.timedelta(days=1), site_ids)


def _classes_csv(rows: Iterable[dict]) -> tuple[bytes, int]:
    """classes.csv (UTF-8 with BOM, CRLF) and its row count; a month has few classes."""
    text = io.StringIO()
    text.write("\ufeff")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CLASS_COLUMNS)
    count = 0
    for row in rows:
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

    files: dict[str, dict] = {}
    with (
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="dxdesk-kpis") as pool,
        _zip_into_place(final, overwrite) as zf,
    ):
        # The month's counts and the previous month's (whose tables the report's previous-month
        # column hides as that month's own report did): grouped queries on their own
        # connections, each on a worker, while this thread streams the month's rows. All three
        # are mostly SQLite's work, which holds no GIL (SQLite writes the lines of the rows).
        # The first worker free then writes the tables and the report from the counts.
        month_counts = pool.submit(month_summary, store, month, site_ids)
        previous_counts = pool.submit(month_summary, store, previous_month(month), site_ids)
        tables = pool.submit(
            _internal_tables, store, month, site_ids, month_counts, previous_counts,
            k=k, sites=None if all_sites else [site_id], is_demo=is_demo, lang=lang,
        )  # fmt: skip
        batches = _month_lines(store, month, site_ids)
        if progress is not None:
            batches = _reporting_days(batches, start, end, progress)
        sha, size, count = _write_sessions_csv(zf, batches)
        summary = month_counts.result()
        # The counts and the rows are read on two snapshots: a visit that ended (or a bundle
        # imported) meanwhile would be in one and not the other. Never ship such a pair.
        if summary.attempts - store.queries.kept_attempts(month, site_ids) != count:
            raise ExportError(tr("export.month_changed", month=month))
        files[SESSIONS_CSV] = {"sha256": sha, "size": size}
        members, class_count, sites = tables.result()
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
        manifest["signature"] = signing.sign(site_id, canonical_manifest(manifest)).as_manifest()
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return final


def _internal_tables(
    store, month: str, site_ids: list[str] | None, month_counts: Future, previous_counts: Future,
    *, k: int, sites: list[str] | None, is_demo: bool, lang: str,
) -> tuple[dict[str, bytes], int, list[str]]:  # fmt: skip
    """classes.csv, summary.xlsx and report.pdf of an internal bundle (with classes.csv's row
    count and the bundle's sites: ``sites``, or those of the counts for every site), once the
    month's and the previous month's counts are in."""
    classes_csv, class_count = _classes_csv(_month_class_rows(store, month, site_ids))
    classes = month_classes(store, month, site_ids)
    previous_classes = month_classes(store, previous_month(month), site_ids)
    summary, previous = month_counts.result(), previous_counts.result()
    if sites is None:
        sites = sorted(summary.sites | classes.sites) or store.queries.sites()
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
    return members, class_count, sites


@contextmanager
def _zip_into_place(final: Path, overwrite: bool) -> Iterator[zipfile.ZipFile]:
    """A zip written under a temporary name beside ``final``. When the block succeeds the whole
    file, central directory included, is synced to disk and moved into place; when it fails the
    temporary file is removed, so a failed export never leaves a zip under the final name."""
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf:
                yield zf
            raw.flush()  # after the zip is closed: its central directory is on disk too
            os.fsync(raw.fileno())
        _move_into_place(tmp, final, overwrite)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
    with _zip_into_place(final, overwrite) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return final


def _month_counts(
    store, month: str, site_ids: list[str] | None, progress: Progress | None
) -> tuple[MonthSummary, ClassSummary]:
    """A month's summary and class summary, from grouped queries (no row is read)."""
    summary = month_summary(store, month, site_ids)
    if progress is not None:
        progress(_ROWS_SHARE, PROGRESS_TOTAL)
    return summary, month_classes(store, month, site_ids)


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
    batches: Iterable[tuple[str, list[str]]], start: dt.date, end: dt.date, progress: Progress
) -> Iterator[tuple[str, list[str]]]:
    """Pass the batches on; after each, report the share of the month's days written."""
    days = max(1, (end - start).days)
    last = -1
    for batch in batches:
        yield batch
        reached = (dt.date.fromisoformat(batch[0]) - start).days + 1
        done = min(_ROWS_SHARE, _ROWS_SHARE * reached // days)
        if done != last:
            progress(done, PROGRESS_TOTAL)
            last = done


# ---------------------------------------------------------------------------- reading
