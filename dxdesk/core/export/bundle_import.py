"""Reading bundles: checked from the zip directory up, verified, then stored all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from dxdesk.core import signing
from dxdesk.core.export.bundle import (
    CLASSES_CSV,
    DATA_MEMBERS,
    FIELD_CAP,
    FORMAT,
    MANIFEST,
    MANIFEST_CAP,
    MEMBER_CAPS,
    PUBLICATION_FORMAT,
    READ_CHUNK,
    SESSIONS_CSV,
    BundleProblem,
    BundleRejected,
    ImportResult,
    Progress,
    canonical_manifest,
)
from dxdesk.core.export.columns import (
    BUNDLE_SCHEMA_VERSION,
    CLASS_COLUMNS,
    CLASS_COLUMNS_V1,
    SESSION_COLUMNS,
)
from dxdesk.core.export.summary import (
    month_bounds,
)
from dxdesk.core.i18n import tr
from dxdesk.core.store import ImportRowError
from dxdesk.core.store.rows import (  # the store's row models: a row is checked once, here
    AttemptRow,
    ClassRow,
    validated_attempt_row,
    validated_class_row,
)

_PROGRESS_EVERY = 5000  # import: rows between two reports


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


def bundle_rows(
    path: Path, manifest: dict, known: _Known | None = None
) -> Iterator[tuple[int, AttemptRow]]:
    """Stream (line, row) of a verified bundle's sessions.csv, checking header, sites, period,
    the catalog's ids and the row model; every problem names the bundle, the member and the
    line within it (a row is numbered within its own bundle)."""
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
            try:  # the store's row model, checked once here with this bundle's line
                checked = validated_attempt_row(row, line_no)
            except ImportRowError as exc:
                raise BundleRejected(
                    [BundleProblem(path, f"{SESSIONS_CSV}:{line_no}", str(exc))]
                ) from None
            if row["last_step_id"] and row["last_step_id"] not in steps:
                known.unknown_steps += 1  # an older guide's step: stored, and said
            count += 1
            yield line_no, checked
        if count != manifest.get("rows", {}).get(SESSIONS_CSV):
            raise BundleRejected([BundleProblem(path, SESSIONS_CSV, tr("import.row_count"))])


def bundle_class_rows(path: Path, manifest: dict) -> list[ClassRow]:
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

    rows: list[ClassRow] = []
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
            try:  # the store's row model, checked once, before anything is stored
                rows.append(validated_class_row(row, line_no))
            except ImportRowError as exc:
                raise BundleRejected([BundleProblem(path, where, str(exc))]) from None
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
    class_rows: list[ClassRow] = []
    for p, manifest in verified:
        try:
            class_rows += bundle_class_rows(p, manifest)
        except BundleRejected as exc:
            problems.extend(exc.problems)
    if problems:
        raise BundleRejected(problems)

    current: list = []  # the bundle and the line being stored (a refused row is named)
    total = sum(int((m.get("rows") or {}).get(SESSIONS_CSV, 0) or 0) for _p, m in verified)
    known = _Known()

    def all_rows() -> Iterator[AttemptRow]:
        done = 0
        for p, manifest in verified:
            current[:] = [p, None]
            manifest["_known"] = known  # one catalog for every bundle; unknown steps counted
            for line, row in bundle_rows(p, manifest):
                current[1] = line
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
        where, line = current
        member = SESSIONS_CSV if line is None else f"{SESSIONS_CSV}:{line}"
        raise BundleRejected([BundleProblem(where, member, str(exc))]) from exc
    if progress is not None:
        progress(total, total)
    result = ImportResult([p for p, _ in verified], inserted, skipped)
    result.classes_inserted, result.classes_skipped = class_inserted, class_skipped
    result.unsigned = [
        p for p, m in verified if (m.get("signature") or {}).get("status") != "signed"
    ]
    result.unknown_steps = known.unknown_steps
    return result


def _after(rows: list[ClassRow], first: Callable[[], object]) -> Iterator[ClassRow]:
    """Yield ``rows`` after calling ``first`` (marks that the attempt rows are all read)."""
    first()
    yield from rows
