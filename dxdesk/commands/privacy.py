"""``dxdesk privacy scan [FILE]``: check notes for personal data before they are logged.

One note per line; prints ``LINE:START-END KIND`` per finding (1-based line, 0-based character
offsets within the line). Exit codes: 0 nothing found, 1 personal data found, 2 unreadable input.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from dxdesk.core.i18n import tr
from dxdesk.core.privacy import find_personal_data


def register(sub: argparse._SubParsersAction) -> None:
    privacy = sub.add_parser("privacy", help=tr("cli.privacy.help"))
    privacy_sub = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    scan = privacy_sub.add_parser("scan", help=tr("cli.privacy.scan.help"))
    scan.add_argument(
        "file", nargs="?", type=Path, default=None, metavar="FILE", help=tr("cli.privacy.scan.file")
    )
    scan.add_argument(
        "--visit-year",
        type=int,
        default=None,
        metavar="YEAR",
        help=tr("cli.privacy.scan.visit_year"),
    )
    scan.set_defaults(handler=cmd_scan)


def _allow_counter_phone(args: argparse.Namespace) -> None:
    """The counter's own phone (site settings) is public, as in the app; no settings, none."""
    from dxdesk.commands import data_dir_of
    from dxdesk.core.privacy.allow import allow_site_numbers
    from dxdesk.core.settings import SettingsError, load_settings

    # Unreadable settings: nothing is allowed beyond the hotlines and the guides.
    with contextlib.suppress(OSError, SettingsError):
        allow_site_numbers(load_settings(data_dir_of(args)).counter_phone)


def _read_notes(file: Path | None) -> str:
    if file is None:
        return sys.stdin.buffer.read().decode("utf-8")
    return file.read_bytes().decode("utf-8")


def cmd_scan(args: argparse.Namespace) -> int:
    source = str(args.file) if args.file is not None else "<stdin>"
    try:
        text = _read_notes(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(tr("cli.privacy.scan.unreadable", file=source, reason=reason), file=sys.stderr)
        return 2
    text = text.removeprefix("\ufeff")  # Notepad's UTF-8 BOM is not part of the first note
    _allow_counter_phone(args)
    count = 0
    # Lines split on \n only, so offsets match what an editor shows (no \u2028 surprises).
    for line_no, line in enumerate(text.split("\n"), start=1):
        for finding in find_personal_data(line.removesuffix("\r"), visit_year=args.visit_year):
            print(f"{line_no}:{finding.start}-{finding.end} {finding.kind}")
            count += 1
    if count:
        print(tr("cli.privacy.scan.found", count=count), file=sys.stderr)
        return 1
    print(tr("cli.privacy.scan.clean"), file=sys.stderr)
    return 0
