"""``dxdesk store check|sessions|backup|backups|restore``: the session store without the GUI."""

from __future__ import annotations

import argparse
import sys

from dxdesk.commands import data_dir_of
from dxdesk.core.backup import BackupError, list_backups, restore_backup, take_backup
from dxdesk.core.i18n import tr
from dxdesk.core.store import STORE_FILE, Store, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    store = sub.add_parser("store", help=tr("cli.store.help"))
    store_sub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    check = store_sub.add_parser("check", help=tr("cli.store.check.help"))
    check.set_defaults(handler=cmd_check)
    sessions = store_sub.add_parser("sessions", help=tr("cli.store.sessions.help"))
    sessions.add_argument("--open", action="store_true", help=tr("cli.store.sessions.open"))
    sessions.set_defaults(handler=cmd_sessions)
    backup = store_sub.add_parser("backup", help=tr("cli.store.backup.help"))
    backup.add_argument("--to", metavar="FILE", help=tr("cli.store.backup.to"))
    backup.set_defaults(handler=cmd_backup)
    backups = store_sub.add_parser("backups", help=tr("cli.store.backups.help"))
    backups.set_defaults(handler=cmd_backups)
    restore = store_sub.add_parser("restore", help=tr("cli.store.restore.help"))
    restore.add_argument("backup", metavar="BACKUP", help=tr("cli.store.restore.backup"))
    restore.set_defaults(handler=cmd_restore)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        with Store.open(data_dir_of(args), create=False) as store:
            result = store.maintenance.check()
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
                    for s in store.sessions.interrupted_sessions()
                ]  # fmt: skip
            else:
                rows = [tuple(str(v or "") for v in r) for r in store.sessions.recent_sessions()]
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not rows:
        print(tr("cli.store.no_open" if args.open else "cli.store.no_sessions"))
        return 0
    for row in rows:
        print("\t".join(row))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        path = take_backup(data_dir_of(args), args.to)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(tr("cli.store.backup.done", path=path))
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    found = list_backups(data_dir_of(args))
    if not found:
        print(tr("cli.store.backup.none"))
    for info in found:
        print(tr("cli.store.backup.list", path=info.path, day=info.day.isoformat(),
                 size=(info.size + 1023) // 1024))  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    directory = data_dir_of(args)
    try:
        replaced = restore_backup(directory, args.backup)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(tr("cli.store.restore.done", backup=args.backup, path=directory / STORE_FILE))
    if replaced is not None:
        print(tr("cli.store.restore.kept", path=replaced))
    return 0
