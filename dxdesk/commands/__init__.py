"""Headless subcommands of ``dxdesk``; each module has ``register(subparsers)``. No Qt here.

What the commands share lives here, so that no command imports ``dxdesk.cli`` (which imports
them): the layers contract in pyproject.toml keeps the CLI above its commands.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def data_dir_of(args: argparse.Namespace) -> Path:
    from dxdesk.core.paths import resolve_data_dir

    return resolve_data_dir(args.data_dir)


def settings_or_none(data_dir: Path):
    """The site settings, or None after printing why they cannot be read (the caller exits)."""
    from dxdesk.core.settings import SettingsError, load_settings

    try:
        return load_settings(data_dir)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return None


def write_output(path: Path, data: bytes) -> int:
    """Write a command's file atomically; 0, or 1 with the reason on stderr."""
    from dxdesk.core.files import write_atomically
    from dxdesk.core.i18n import tr

    try:
        write_atomically(path, data)
    except OSError as exc:
        print(tr("cli.printing.cannot_write", path=path, error=exc.strerror or exc),
              file=sys.stderr)  # fmt: skip
        return 1
    print(tr("cli.printing.written", path=path), file=sys.stderr)
    return 0
