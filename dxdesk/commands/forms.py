"""``dxdesk forms check|list``: validate and list the procedure catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxdesk.commands import data_dir_of, settings_or_none
from dxdesk.core.active_catalog import load_active_catalog
from dxdesk.core.catalog import CONTENT
from dxdesk.core.i18n import tr
from dxdesk.core.paths import forms_dir


def register(sub: argparse._SubParsersAction) -> None:
    forms = sub.add_parser("forms", help=tr("cli.forms.help"))
    forms_sub = forms.add_subparsers(dest="forms_command", metavar="ACTION", required=True)

    check = forms_sub.add_parser("check", help=tr("cli.forms.check.help"))
    check.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help=tr("cli.forms.check.paths")
    )
    check.add_argument("--forms", type=Path, default=None, metavar="DIR", help=tr("cli.forms.dir"))
    check.set_defaults(handler=cmd_check)

    listing = forms_sub.add_parser("list", help=tr("cli.forms.list.help"))
    listing.add_argument(
        "--forms", type=Path, default=None, metavar="DIR", help=tr("cli.forms.dir")
    )
    listing.add_argument("--changes", action="store_true", help=tr("cli.forms.list.changes"))
    listing.set_defaults(handler=cmd_list)

    pack = forms_sub.add_parser("pack", help=tr("cli.forms.pack.help"))
    pack.add_argument("--out", type=Path, required=True, metavar="PACK",
                      help=tr("cli.forms.pack.out"))  # fmt: skip
    pack.add_argument("--from", dest="source", type=Path, default=None, metavar="DIR",
                      help=tr("cli.forms.pack.from"))  # fmt: skip
    pack.add_argument("--catalog-version", type=int, default=None, metavar="N",
                      help=tr("cli.forms.pack.catalog_version"))  # fmt: skip
    pack.set_defaults(handler=cmd_pack)

    install = forms_sub.add_parser("install", help=tr("cli.forms.install.help"))
    install.add_argument("pack", type=Path, metavar="PACK", help=tr("cli.forms.install.file"))
    install.set_defaults(handler=cmd_install)


def cmd_check(args: argparse.Namespace) -> int:
    root = args.forms or forms_dir()
    for p in args.paths:
        if not p.exists():
            print(f"{p}:1: {tr('cli.forms.no_such_path')}", file=sys.stdout)
            return 1
    catalog = load_active_catalog(data_dir_of(args), forms=root, only=args.paths or None)
    notes = catalog.review_notes()
    for problem in [*catalog.problems, *notes]:
        print(problem)
    broken = [n for n in notes if n.kind == CONTENT]
    reviews = len(notes) - len(broken)
    if reviews:
        print(tr("cli.forms.check.notes", count=reviews), file=sys.stderr)
    if catalog.problems:
        print(tr("cli.forms.check.failed", count=len(catalog.problems)), file=sys.stderr)
    if broken:
        print(tr("cli.forms.check.content_failed", count=len(broken)), file=sys.stderr)
    if catalog.problems or broken:
        return 1
    print(tr("cli.forms.check.ok", count=len(catalog.guides)), file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    catalog = load_active_catalog(data_dir, forms=args.forms or forms_dir())
    from dxdesk.core.active_catalog import catalog_stamp
    from dxdesk.core.i18n import ui_language

    lang = ui_language()
    version, date = catalog_stamp(catalog, data_dir)
    print(tr("cli.forms.list.catalog", version=version, date=date))
    for guide in sorted(catalog.guides.values(), key=lambda g: (g.category, g.id)):
        title = guide.title.get(lang) or guide.title["ja"]
        flag = f"  {tr('cli.forms.review_overdue')}" if guide.review_overdue() else ""
        origin = catalog.origin(guide.id)
        if origin != "shipped":
            flag += f"  {tr('main.guide_origin.' + origin)}"
        print(f"{guide.id}\tv{guide.version}\t{title}\t{guide.reviewed_on.isoformat()}{flag}")
        for change in guide.changes if args.changes else []:
            text = change.en if lang == "en" else change.ja
            print(f"\tv{change.version}\t{change.date.isoformat()}\t{text}")
    for problem in catalog.problems:
        print(problem, file=sys.stderr)
    return 1 if catalog.problems else 0


def cmd_pack(args: argparse.Namespace) -> int:
    from dxdesk.core.active_catalog import city_forms_dir
    from dxdesk.core.catalog_pack import PackError, make_pack

    data_dir = data_dir_of(args)
    settings = settings_or_none(data_dir)
    if settings is None:
        return 2
    folder = args.source or city_forms_dir(data_dir, settings)
    if folder is None:
        print(tr("cli.forms.pack.no_folder"), file=sys.stderr)
        return 2
    if not settings.site_id:
        print(tr("cli.forms.pack.no_site"), file=sys.stderr)
        return 2
    try:
        manifest = make_pack(folder, args.out, site_id=settings.site_id, data_dir=data_dir,
                             forms=forms_dir(), catalog_version=args.catalog_version)  # fmt: skip
    except (PackError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(tr("cli.forms.pack.made", out=args.out, version=manifest["catalog_version"],
             count=len(manifest["guides"]),
             fingerprint=manifest["signature"]["key_fingerprint"]))  # fmt: skip
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    from dxdesk.core.catalog_pack import PackError, install_pack

    try:
        info = install_pack(args.pack, data_dir_of(args), forms_dir())
    except (PackError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(tr("cli.forms.install.done", version=info.catalog_version,
             date=info.catalog_date.isoformat(), signer=info.signer_site,
             count=len(info.guides)))  # fmt: skip
    return 0
