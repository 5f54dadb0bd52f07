"""``dxdesk store check|sessions``: look into the session store without the GUI."""

from __future__ import annotations

import argparse
import sys

from dxdesk.cli import data_dir_of
from dxdesk.core.i18n import tr
from dxdesk.core.store import Store, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    store = sub.add_parser("store", help=tr("cli.store.help"))
    store_sub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    check = store_sub.add_parser("check", help=tr("cli.store.check.help"))
    check.set_defaults(handler=cmd_check)
    sessions = store_sub.add_parser("sessions", help=tr("cli.store.sessions.help"))
    sessions.add_argument("--open", action="store_true", help=tr("cli.store.sessions.open"))
    sessions.set_defaults(handler=cmd_sessions)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        with Store.open(data_dir_of(args), create=False) as store:
            result = store.check()
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(tr("cli.store.file", path=result.path))
    print(tr("cli.store.schema", version=result.schema_version))
    print(tr("cli.store.integrity", result="; ".join(result.integrity)))
    for name, count in result.counts.items():
        print(tr("cli.store.count", name=name, count=count))
    return 0 if result.ok else 1


def cmd_sessions(args: argparse.Namespace) -> int:
    try:
        with Store.open(data_dir_of(args), create=False) as store:
            if args.open:
                rows = [
                    (s.session_id, s.started_at.isoformat(timespec="minutes"),
                     s.last_event_at.isoformat(timespec="minutes"), s.site_id,
                     " ".join(s.procedures), s.last_step_id or "")
                    for s in store.interrupted_sessions()
                ]  # fmt: skip
            else:
                rows = [tuple(str(v or "") for v in r) for r in store.recent_sessions()]
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not rows:
        print(tr("cli.store.no_open" if args.open else "cli.store.no_sessions"))
        return 0
    for row in rows:
        print("\t".join(row))
    return 0
