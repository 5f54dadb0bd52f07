"""``dxdesk export|import|keys|sites|demo-data``: monthly bundles, signing keys and demo data."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dxdesk.commands import data_dir_of, settings_or_none
from dxdesk.core.i18n import tr


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help=tr("cli.export.help"))
    export.add_argument("--month", required=True, metavar="YYYY-MM", help=tr("cli.export.month"))
    export.add_argument("--out", required=True, metavar="DIR", help=tr("cli.export.out"))
    export.add_argument("--publish", action="store_true", help=tr("cli.export.publish"))
    export.add_argument("--all-sites", action="store_true", help=tr("cli.export.all_sites"))
    export.add_argument("--k", type=int, metavar="K", help=tr("cli.export.k"))
    export.add_argument("--force", action="store_true", help=tr("cli.export.force"))
    export.set_defaults(handler=cmd_export)

    imp = sub.add_parser("import", help=tr("cli.import.help"))
    imp.add_argument("bundles", nargs="+", metavar="BUNDLE", help=tr("cli.import.bundles"))
    imp.add_argument("--allow-unsigned", action="store_true", help=tr("cli.import.allow_unsigned"))
    imp.set_defaults(handler=cmd_import)

    keys = sub.add_parser("keys", help=tr("cli.keys.help"))
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    pub = keys_sub.add_parser("export-public", help=tr("cli.keys.export_public.help"))
    pub.add_argument("--out", required=True, metavar="FILE", help=tr("cli.keys.export_public.out"))
    pub.set_defaults(handler=cmd_export_public)

    sites = sub.add_parser("sites", help=tr("cli.sites.help"))
    sites_sub = sites.add_subparsers(dest="sites_command", metavar="ACTION", required=True)
    trust = sites_sub.add_parser("trust", help=tr("cli.sites.trust.help"))
    trust.add_argument("file", metavar="FILE", help=tr("cli.sites.trust.file"))
    trust.add_argument("--replace", action="store_true", help=tr("cli.sites.trust.replace"))
    trust.add_argument("--also-for", nargs="+", default=[], metavar="SITE",
                       help=tr("cli.sites.trust.also_for"))  # fmt: skip
    trust.set_defaults(handler=cmd_trust)

    demo = sub.add_parser("demo-data", help=tr("cli.demo.help"))
    demo.add_argument("--sessions", type=int, required=True, metavar="N")
    demo.add_argument("--months", type=int, default=1, metavar="M")
    demo.add_argument("--sites", type=int, default=1, metavar="S")
    demo.add_argument("--seed", type=int, default=0, metavar="X")
    demo.add_argument("--classes", type=int, default=4, metavar="C", help=tr("cli.demo.classes"))
    demo.set_defaults(handler=cmd_demo)


def _site_id(data_dir: Path) -> str | None:
    settings = settings_or_none(data_dir)
    if settings is None:
        return None
    return settings.site_id or None


def cmd_export(args: argparse.Namespace) -> int:
    from dxdesk.core.export import ExportError, export_month
    from dxdesk.core.store import Store, StoreError

    data_dir = data_dir_of(args)
    site_id = _site_id(data_dir)
    if not site_id:
        print(tr("export.no_site_id"), file=sys.stderr)
        return 2
    try:
        with Store.open(data_dir, create=False) as store:
            path = export_month(
                store, args.month, Path(args.out), publish=args.publish,
                all_sites=args.all_sites, k=args.k, site_id=site_id, overwrite=args.force,
            )  # fmt: skip
    except (ExportError, StoreError, ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    from dxdesk.core.export import read_manifest

    manifest = read_manifest(path, publication=args.publish)
    if args.publish:
        print(tr("cli.export.published", path=path))
    else:
        print(tr("cli.export.done", path=path, rows=manifest["rows"]["sessions.csv"]))
    sig = manifest["signature"]
    if sig["status"] != "signed":
        print(tr("cli.export.unsigned", reason=sig["reason"], fix=sig["fix"]), file=sys.stderr)
    else:
        _warn_plaintext_keyring()
    return 0


def _warn_plaintext_keyring() -> None:
    from dxdesk.core.signing import keyring_storage_warning

    warning = keyring_storage_warning()
    if warning:
        print(warning, file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from dxdesk.core.export import BundleRejected, import_bundles
    from dxdesk.core.signing import TrustStore, TrustStoreError
    from dxdesk.core.store import Store, StoreError

    data_dir = data_dir_of(args)
    try:
        trust = TrustStore.load(data_dir)
        with Store.open(data_dir) as store:
            result = import_bundles(
                store, [Path(b) for b in args.bundles], trust,
                require_signature=not args.allow_unsigned,
            )  # fmt: skip
    except BundleRejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(tr("cli.import.nothing_stored"), file=sys.stderr)
        return 1
    except (TrustStoreError, StoreError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    for path in result.unsigned:
        print(tr("cli.import.was_unsigned", path=path), file=sys.stderr)
    if result.unknown_steps:
        print(tr("cli.import.unknown_steps", rows=result.unknown_steps), file=sys.stderr)
    print(tr("cli.import.done", bundles=len(result.bundles), inserted=result.inserted,
             skipped=result.skipped))  # fmt: skip
    if result.classes_inserted or result.classes_skipped:
        print(tr("cli.import.classes_done", inserted=result.classes_inserted,
                 skipped=result.classes_skipped))  # fmt: skip
    return 0


def cmd_export_public(args: argparse.Namespace) -> int:
    from dxdesk.core import signing

    site_id = _site_id(data_dir_of(args))
    if not site_id:
        print(tr("export.no_site_id"), file=sys.stderr)
        return 2
    try:
        fp = signing.export_public_key(site_id, Path(args.out))
    except signing.KeyringUnavailable as exc:
        print(exc.reason, file=sys.stderr)
        print(exc.fix, file=sys.stderr)
        return 2
    except (signing.SignatureError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(tr("cli.keys.exported", path=args.out, site_id=site_id, fingerprint=fp))
    _warn_plaintext_keyring()
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from dxdesk.core import signing

    try:
        trust = signing.TrustStore.load(data_dir_of(args))
        site_id, key = signing.read_public_key_file(Path(args.file))
        fp = trust.add(site_id, key, replace=args.replace)
        if args.also_for:
            trust.trust_also_for(site_id, args.also_for)
        trust.save()
    except (signing.TrustStoreError, signing.SignatureError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(tr("cli.sites.trusted", site_id=site_id, fingerprint=fp))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.export.demo import fill_demo_store
    from dxdesk.core.paths import forms_dir
    from dxdesk.core.store import Store, StoreError

    if args.sessions < 1 or args.months < 1 or args.sites < 1 or args.classes < 0:
        print(tr("cli.demo.bad_counts"), file=sys.stderr)
        return 2
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)  # the last whole month
    data_dir = data_dir_of(args)
    try:
        with Store.open(data_dir) as store:
            if store.maintenance.meta("is_demo") != "1" and store.queries.sites():
                print(tr("cli.demo.real_store", path=data_dir), file=sys.stderr)
                return 2
            inserted, _ = fill_demo_store(
                store, load_catalog(forms_dir()), sessions=args.sessions, months=args.months,
                sites=args.sites, seed=args.seed, last_month=f"{last.year:04d}-{last.month:02d}",
                classes_per_site_month=args.classes,
            )  # fmt: skip
    except (StoreError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(tr("cli.demo.done", rows=inserted, path=data_dir))
    return 0
