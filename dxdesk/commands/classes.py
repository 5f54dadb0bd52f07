"""``dxdesk classes topics|list|handout``: the class menu, recorded classes, printed handouts."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dxdesk.commands import data_dir_of
from dxdesk.core.i18n import RESIDENT_LANGUAGES, tr


def register(sub: argparse._SubParsersAction) -> None:
    classes = sub.add_parser("classes", help=tr("cli.classes.help"))
    actions = classes.add_subparsers(dest="classes_command", metavar="ACTION", required=True)
    topics = actions.add_parser("topics", help=tr("cli.classes.topics.help"))
    topics.set_defaults(handler=cmd_topics)
    listing = actions.add_parser("list", help=tr("cli.classes.list.help"))
    listing.add_argument("--month", metavar="YYYY-MM", help=tr("cli.classes.list.month"))
    listing.set_defaults(handler=cmd_list)
    handout = actions.add_parser("handout", help=tr("cli.classes.handout.help"))
    handout.add_argument("topics", nargs="+", metavar="TOPIC", help=tr("cli.classes.handout.topic"))
    handout.add_argument("--out", type=Path, required=True, metavar="FILE.pdf",
                         help=tr("cli.printing.out"))  # fmt: skip
    handout.add_argument("--per-learner", type=int, metavar="N",
                         help=tr("cli.classes.handout.per_learner"))  # fmt: skip
    handout.add_argument("--format", dest="slip_format", default="a5", metavar="FORMAT",
                         help=tr("cli.classes.handout.format"))  # fmt: skip
    handout.add_argument("--lang", dest="handout_lang", default="ja", metavar="LANG",
                         help=tr("cli.printing.lang", langs=", ".join(RESIDENT_LANGUAGES)))  # fmt: skip
    handout.set_defaults(handler=cmd_handout)


def _menu_and_catalog(args: argparse.Namespace):
    from dxdesk.core.active_catalog import load_active_catalog
    from dxdesk.core.classes import CLASS_MENU_FILE, load_class_menu
    from dxdesk.core.paths import forms_dir

    catalog = load_active_catalog(data_dir_of(args))
    return load_class_menu(forms_dir() / CLASS_MENU_FILE, catalog), catalog


def cmd_topics(args: argparse.Namespace) -> int:
    from dxdesk.core.classes import ClassMenuError
    from dxdesk.core.i18n import ui_language

    try:
        menu, _catalog = _menu_and_catalog(args)
    except ClassMenuError as exc:
        print(exc, file=sys.stderr)
        return 1
    for t in menu.topics:
        print(f"{t.id}\t{tr('classes.kind.' + t.kind)}\t{t.title(ui_language())}\t{t.guide or '-'}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from dxdesk.core.export.summary import month_bounds
    from dxdesk.core.store import Store, StoreError

    try:
        if args.month:
            start, end = month_bounds(args.month)
            end -= dt.timedelta(days=1)
        else:
            start, end = dt.date(1900, 1, 1), dt.date(9999, 12, 31)
        with Store.open(data_dir_of(args), create=False) as store:
            rows = list(store.queries.class_record_rows(start, end))
    except (StoreError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    for r in rows:
        print(tr("cli.classes.list.row", date=r["date"], time=r["start_time"], site=r["site_id"],
                 learners=r["learners"], reached=r["results_reached"], menu=r["menu"] or "-",
                 warning=r["staffing_warning"] or "-"))  # fmt: skip
    print(tr("cli.classes.list.total", count=len(rows)), file=sys.stderr)
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    from dxdesk.commands import write_output as _write
    from dxdesk.core.classes import ClassMenuError, render_handout, render_learner_slips
    from dxdesk.core.printing import SlipError
    from dxdesk.core.settings import SettingsError, load_settings

    try:
        menu, catalog = _menu_and_catalog(args)
        settings = load_settings(data_dir_of(args))
    except (ClassMenuError, SettingsError) as exc:
        print(exc, file=sys.stderr)
        return 1
    unknown = [t for t in args.topics if t not in menu.ids]
    if unknown:
        print(tr("cli.classes.unknown_topic", topics=", ".join(unknown),
                 known=", ".join(menu.ids)), file=sys.stderr)  # fmt: skip
        return 2
    try:
        if args.per_learner is not None:
            if len(args.topics) != 1:
                print(tr("cli.classes.handout.one_topic"), file=sys.stderr)
                return 2
            pdf = render_learner_slips(args.topics[0], args.per_learner, menu, catalog,
                                       settings, dt.date.today(), lang=args.handout_lang,
                                       fmt=args.slip_format)  # fmt: skip
        else:
            pdf = render_handout(args.topics, menu, catalog, settings, dt.date.today(),
                                 args.handout_lang)  # fmt: skip
    except (SlipError, ValueError) as exc:
        print(tr("cli.printing.refused", reason=exc), file=sys.stderr)
        return 1
    return _write(args.out, pdf)
