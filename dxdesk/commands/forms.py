"""``dxdesk forms check|list``: validate and list the procedure catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxdesk.cli import data_dir_of
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
    listing.set_defaults(handler=cmd_list)


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
    catalog = load_active_catalog(data_dir_of(args), forms=args.forms or forms_dir())
    from dxdesk.core.i18n import ui_language

    lang = ui_language()
    for guide in sorted(catalog.guides.values(), key=lambda g: (g.category, g.id)):
        title = guide.title.get(lang) or guide.title["ja"]
        flag = f"  {tr('cli.forms.review_overdue')}" if guide.review_overdue() else ""
        origin = catalog.origin(guide.id)
        if origin != "shipped":
            flag += f"  {tr('main.guide_origin.' + origin)}"
        print(f"{guide.id}\tv{guide.version}\t{title}\t{guide.reviewed_on.isoformat()}{flag}")
    for problem in catalog.problems:
        print(problem, file=sys.stderr)
    return 1 if catalog.problems else 0
