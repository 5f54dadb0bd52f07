"""The bundle format: member names, size caps, the manifest, and what export and import raise.

Export is in ``bundle_export.py``, import in ``bundle_import.py``; both follow this format.

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

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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
