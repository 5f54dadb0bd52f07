"""``dxdesk retention purge [--months N] [--dry-run]``: apply the retention period now."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dxdesk.commands import data_dir_of, settings_or_none
from dxdesk.core.i18n import tr
from dxdesk.core.retention import purge_expired
from dxdesk.core.store import Store, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    retention = sub.add_parser("retention", help=tr("cli.retention.help"))
    actions = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    purge = actions.add_parser("purge", help=tr("cli.retention.purge.help"))
    purge.add_argument("--months", type=int, metavar="N", help=tr("cli.retention.months"))
    purge.add_argument("--dry-run", action="store_true", help=tr("cli.retention.dry_run"))
    purge.set_defaults(handler=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    months = args.months
    if months is None:
        settings = settings_or_none(data_dir)
        if settings is None:
            return 2
        months = settings.retention_months
    if not 1 <= months <= 120:
        print(tr("cli.retention.bad_months", months=months), file=sys.stderr)
        return 2
    try:
        with Store.open(data_dir, create=False) as store:
            result = purge_expired(store, months, dt.date.today(), dry_run=args.dry_run)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    key = "cli.retention.would_purge" if result.dry_run else "cli.retention.purged"
    print(tr(key, months=months, before=result.before_month, sessions=result.sessions,
             attempts=result.attempts, classes=result.classes))  # fmt: skip
    return 0
