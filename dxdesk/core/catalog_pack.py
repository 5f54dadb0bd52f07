"""Signed catalog packs: the city's guides, made by the supervisor and installed at counters.

A pack is a zip of ``guides/<id>.yaml`` and ``manifest.json`` (catalog version and date, the
signer's site id, the SHA-256 and size of every member, and an Ed25519 signature over the
canonical manifest by the signer's site key from the OS keyring, as for export bundles).

Installing verifies everything against the trust store of ``dxdesk sites trust`` before a byte
reaches the active catalog: member names (no absolute paths, no ``..``, no duplicates), sizes,
hashes, signature, a catalog version newer than the installed one, and the guides themselves
(the loader's checks). The guides are unpacked into a new folder under the data folder and the
one-line pointer file is replaced atomically, so a refused or interrupted install leaves the
active catalog as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dxdesk.core.catalog import CONTENT, ERROR, GUIDES_SUBDIR, CatalogLayer, load_catalog
from dxdesk.core.files import write_atomically
from dxdesk.core.i18n import tr
from dxdesk.core.paths import CATALOG_PACK_POINTER

if TYPE_CHECKING:
    from dxdesk.core import signing

FORMAT = "dxdesk-catalog-pack"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PACKS_DIR = "catalog-packs"  # in the data folder: one folder per installed pack
POINTER_FILE = CATALOG_PACK_POINTER  # in the data folder: which of them is active
MADE_FILE = "catalog-packs-made.json"  # on the supervisor's machine: the last version made

MAX_PACK_BYTES = 8 * 1024 * 1024
MAX_MEMBERS = 400
MAX_MEMBER_BYTES = 512 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
_PACK_FOLDER = re.compile(r"^v[0-9]+-[0-9a-f]{12}$")
_MEMBER_NAME = re.compile(r"^guides/[a-z0-9][a-z0-9-]{0,59}\.yaml$")


class PackError(Exception):
    """A pack cannot be made or installed; the message names the pack and the member."""

    def __init__(self, pack: Path | str, member: str, reason: str) -> None:
        super().__init__(tr("pack.rejected", pack=str(pack), member=member, reason=reason))
        self.pack, self.member, self.reason = str(pack), member, reason


@dataclass(frozen=True)
class PackInfo:
    """What the app shows about an installed pack."""

    catalog_version: int
    catalog_date: dt.date
    signer_site: str
    guides: list[dict]
    folder: Path


def canonical_manifest(manifest: dict) -> bytes:
    """The bytes the signature covers: the manifest without its signature, canonical JSON."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- making a pack


def next_catalog_version(data_dir: Path) -> int:
    try:
        made = json.loads((data_dir / MADE_FILE).read_text(encoding="utf-8"))
        return int(made["catalog_version"]) + 1
    except (OSError, ValueError, KeyError, TypeError):
        return 1


def make_pack(
    city_folder: Path,
    out: Path,
    *,
    site_id: str,
    data_dir: Path,
    forms: Path,
    catalog_version: int | None = None,
    today: dt.date | None = None,
) -> dict:
    """Write a signed pack of the guides in ``city_folder``; return its manifest.

    Refused (PackError, nothing written) when a guide has an error or breaks a content rule,
    or when the site key cannot be used (an unsigned pack could never be installed).
    """
    guide_files = sorted(
        (city_folder / GUIDES_SUBDIR if (city_folder / GUIDES_SUBDIR).is_dir() else city_folder)
        .glob("*.yaml")
    )  # fmt: skip
    if not city_folder.is_dir() or not guide_files:
        raise PackError(out, str(city_folder), tr("pack.no_guides", folder=str(city_folder)))
    catalog = load_catalog(forms, layers=[CatalogLayer("city", city_folder)])
    mine = set(guide_files)
    broken = [p for p in [*catalog.problems, *catalog.notes]
              if p.path in mine and p.kind in (ERROR, CONTENT)]  # fmt: skip
    if broken:
        first = broken[0]
        raise PackError(out, first.path.name, tr("pack.guide_broken", count=len(broken),
                                                 first=str(first)))  # fmt: skip
    version = catalog_version if catalog_version is not None else next_catalog_version(data_dir)
    members: dict[str, bytes] = {f"guides/{f.name}": f.read_bytes() for f in guide_files}
    guides = [
        {"id": g.id, "version": g.version, "reviewed_on": g.reviewed_on.isoformat()}
        for g in sorted(catalog.guides.values(), key=lambda g: g.id)
        if catalog.files[g.id] in mine
    ]
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "catalog_version": version,
        "catalog_date": (today or dt.date.today()).isoformat(),
        "signer_site": site_id,
        "guides": guides,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        },
    }
    from dxdesk.core import signing  # keyring and cryptography: only when signing

    signature = signing.sign(site_id, canonical_manifest(manifest))
    if not signature.signed:
        raise PackError(out, MANIFEST, f"{signature.reason} {signature.fix}")
    manifest["signature"] = signature.as_manifest()
    import zipfile  # not on the start-up path, which only reads the installed pack's manifest

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    write_atomically(out, raw.getvalue())
    write_atomically(
        data_dir / MADE_FILE,
        json.dumps({"catalog_version": version, "out": str(out)}).encode("utf-8"),
    )
    return manifest


# --------------------------------------------------------------------------- reading a pack


def _read_members(pack: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and the members of ``pack``, with every structural check on the way."""
    import zipfile

    def bad(member: str, key: str, **kw) -> PackError:
        return PackError(pack, member, tr(key, **kw))

    try:
        size = pack.stat().st_size
    except OSError as exc:
        raise bad("-", "pack.unreadable", error=exc.strerror or exc) from exc
    if size > MAX_PACK_BYTES:
        raise bad("-", "pack.too_big", size=size, limit=MAX_PACK_BYTES)
    try:
        with zipfile.ZipFile(pack) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise bad("-", "pack.too_many", count=len(infos), limit=MAX_MEMBERS)
            names = [i.filename for i in infos]
            seen: set[str] = set()
            total = 0
            for info in infos:
                name = info.filename
                if name in seen:
                    raise bad(name, "pack.duplicate_member")
                seen.add(name)
                if name != MANIFEST and not _MEMBER_NAME.match(name):
                    raise bad(name, "pack.bad_member_name")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise bad(name, "pack.member_too_big", size=info.file_size,
                              limit=MAX_MEMBER_BYTES)  # fmt: skip
                total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise bad("-", "pack.too_big", size=total, limit=MAX_TOTAL_BYTES)
            if MANIFEST not in names:
                raise bad(MANIFEST, "pack.no_manifest")
            data: dict[str, bytes] = {}
            for info in infos:
                with zf.open(info) as fh:  # read no more than declared: a lying header fails
                    blob = fh.read(MAX_MEMBER_BYTES + 1)
                if len(blob) != info.file_size:
                    raise bad(info.filename, "pack.member_damaged")
                data[info.filename] = blob
    except PackError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise bad("-", "pack.not_a_zip", error=exc) from exc
    except Exception as exc:  # zlib.error and friends from a damaged member
        raise bad("-", "pack.not_a_zip", error=exc) from exc
    try:
        manifest = json.loads(data.pop(MANIFEST).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(MANIFEST, "pack.bad_manifest", error=exc) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise bad(MANIFEST, "pack.not_a_pack")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise bad(MANIFEST, "pack.newer_format", version=manifest.get("format_version"))
    return manifest, data


def verify_pack(pack: Path, trust: signing.TrustStore) -> tuple[dict, dict[str, bytes]]:
    """Manifest and guide files of a pack that is complete, intact and signed by a trusted site;
    raise PackError naming the pack and the member otherwise."""
    from dxdesk.core import signing

    manifest, members = _read_members(pack)

    def bad(member: str, reason: str) -> PackError:
        return PackError(pack, member, reason)

    signature = manifest.get("signature") or {}
    if signature.get("status") != "signed":
        raise bad(MANIFEST, tr("pack.unsigned", reason=signature.get("reason", "-")))
    signer = manifest.get("signer_site")
    if not isinstance(signer, str) or not signer:
        raise bad(MANIFEST, tr("pack.bad_manifest", error="signer_site"))
    try:
        signing.verify(signer, canonical_manifest(manifest), signature, trust)
    except signing.SignatureError as exc:
        raise bad(MANIFEST, str(exc)) from exc
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise bad(MANIFEST, tr("pack.bad_manifest", error="files"))
    for name in members:
        if name not in files:
            raise bad(name, tr("pack.extra_member"))
    for name, meta in files.items():
        if name not in members:
            raise bad(name, tr("pack.missing_member"))
        blob = members[name]
        if (
            not isinstance(meta, dict)
            or meta.get("size") != len(blob)
            or (meta.get("sha256") != hashlib.sha256(blob).hexdigest())
        ):
            raise bad(name, tr("pack.hash_mismatch"))
    try:
        int(manifest["catalog_version"])
        dt.date.fromisoformat(manifest["catalog_date"])
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(MANIFEST, tr("pack.bad_manifest", error=exc)) from exc
    return manifest, members


# --------------------------------------------------------------------------- installing


def installed_pack(data_dir: Path) -> PackInfo | None:
    """The active pack, or None (no pack, or a pointer that leads nowhere)."""
    try:
        pointer = json.loads((data_dir / POINTER_FILE).read_text(encoding="utf-8"))
        if not _PACK_FOLDER.match(str(pointer["folder"])):
            return None  # not a folder this module made: never follow it elsewhere
        folder = data_dir / PACKS_DIR / pointer["folder"]
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return PackInfo(
            catalog_version=int(manifest["catalog_version"]),
            catalog_date=dt.date.fromisoformat(manifest["catalog_date"]),
            signer_site=str(manifest["signer_site"]),
            guides=list(manifest.get("guides", [])),
            folder=folder,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def install_pack(pack: Path, data_dir: Path, forms: Path) -> PackInfo:
    """Verify ``pack`` and make it the active catalog pack; on any refusal nothing changes."""
    from dxdesk.core import signing

    try:
        trust = signing.TrustStore.load(data_dir)
    except signing.TrustStoreError as exc:
        raise PackError(pack, "-", str(exc)) from exc
    manifest, members = verify_pack(pack, trust)
    current = installed_pack(data_dir)
    version = int(manifest["catalog_version"])
    if current is not None and version <= current.catalog_version:
        raise PackError(pack, MANIFEST, tr("pack.not_newer", version=version,
                                           installed=current.catalog_version))  # fmt: skip
    packs = data_dir / PACKS_DIR
    packs.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=packs, prefix=".install-"))
    try:
        (staging / GUIDES_SUBDIR).mkdir()
        for name, blob in members.items():
            (staging / name).write_bytes(blob)  # names were checked: guides/<id>.yaml only
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        catalog = load_catalog(forms, layers=[CatalogLayer("pack", staging / GUIDES_SUBDIR)])
        inside = [p for p in catalog.problems if staging in p.path.parents]
        if inside:
            raise PackError(pack, f"{GUIDES_SUBDIR}/{inside[0].path.name}",
                            tr("pack.guide_broken", count=len(inside),
                               first=f"{inside[0].line}: {inside[0].message}"))  # fmt: skip
        digest = hashlib.sha256(canonical_manifest(manifest)).hexdigest()[:12]
        final = packs / f"v{version}-{digest}"
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # The switch: one atomic file replace. Until it lands, the old pack stays active.
    write_atomically(
        data_dir / POINTER_FILE,
        json.dumps({"folder": final.name, "catalog_version": version}).encode("utf-8"),
    )
    for old in packs.iterdir():  # earlier packs are no longer pointed at
        if old != final and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    info = installed_pack(data_dir)
    assert info is not None
    return info
