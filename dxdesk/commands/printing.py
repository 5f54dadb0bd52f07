"""``dxdesk slip`` and ``dxdesk paper``: print a hand-off slip or a paper fallback to a PDF."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dxdesk.commands import data_dir_of, settings_or_none, write_output
from dxdesk.core.i18n import RESIDENT_LANGUAGES, tr
from dxdesk.core.printing import SLIP_FORMAT_NAMES


def register(sub: argparse._SubParsersAction) -> None:
    slip = sub.add_parser("slip", help=tr("cli.printing.slip.help"))
    slip.add_argument("procedure", metavar="PROCEDURE_ID", help=tr("cli.printing.procedure"))
    # No argparse 'choices': a wrong value gets our message listing what is valid.
    slip.add_argument(
        "--lang",
        dest="slip_lang",
        default="ja",
        metavar="LANG",
        help=tr("cli.printing.lang", langs=", ".join(RESIDENT_LANGUAGES)),
    )
    slip.add_argument(
        "--format",
        dest="slip_format",
        default="a6",
        metavar="FORMAT",
        help=tr("cli.printing.format", formats=", ".join(SLIP_FORMAT_NAMES)),
    )
    slip.add_argument(
        "--done", action="append", default=[], metavar="STEP_ID",
        help=tr("cli.printing.done_help"),
    )  # fmt: skip
    slip.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf", help=tr("cli.printing.out")
    )
    slip.set_defaults(handler=cmd_slip)

    paper = sub.add_parser("paper", help=tr("cli.printing.paper.help"))
    paper.add_argument("procedure", metavar="PROCEDURE_ID", help=tr("cli.printing.procedure"))
    paper.add_argument(
        "--lang", dest="paper_lang", default="ja", metavar="LANG",
        help=tr("cli.printing.lang", langs=", ".join(RESIDENT_LANGUAGES)),
    )  # fmt: skip
    paper.add_argument(
        "--fill", action="append", default=[], metavar="KEY=VALUE", help=tr("cli.printing.fill")
    )
    paper.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf", help=tr("cli.printing.out")
    )
    paper.set_defaults(handler=cmd_paper)  # fmt: skip


def _guide(procedure: str, data_dir: Path):
    from dxdesk.core.active_catalog import load_active_catalog

    catalog = load_active_catalog(data_dir)  # the city folder and an installed pack included
    guide = catalog.guides.get(procedure)
    if guide is None:
        print(tr("cli.printing.unknown_procedure", procedure=procedure,
                 known=", ".join(sorted(catalog.guides))), file=sys.stderr)  # fmt: skip
    return guide


def cmd_slip(args: argparse.Namespace) -> int:
    from dxdesk.core.handoff import new_handoff_code
    from dxdesk.core.printing import SlipError, render_slip

    if args.slip_lang not in RESIDENT_LANGUAGES:
        print(tr("cli.printing.unknown_lang", language=args.slip_lang,
                 known=", ".join(RESIDENT_LANGUAGES)), file=sys.stderr)  # fmt: skip
        return 2
    if args.slip_format not in SLIP_FORMAT_NAMES:
        print(tr("cli.printing.unknown_format", format=args.slip_format,
                 known=", ".join(SLIP_FORMAT_NAMES)), file=sys.stderr)  # fmt: skip
        return 2
    guide = _guide(args.procedure, data_dir_of(args))
    if guide is None:
        return 2
    settings = settings_or_none(data_dir_of(args))
    if settings is None:
        return 1
    from dxdesk.core.printing.slip import done_today_texts, slip_warnings

    step_ids = [s.id for s in guide.steps]
    for step in args.done:
        if step not in step_ids:
            print(tr("cli.printing.unknown_step", step=step, guide=guide.id,
                     known=", ".join(step_ids)), file=sys.stderr)  # fmt: skip
            return 2
    code = new_handoff_code()
    try:
        for message in slip_warnings(guide, args.slip_lang, args.done):
            print(tr("cli.printing.warning", message=message), file=sys.stderr)
        done = done_today_texts(guide, args.slip_lang, args.done).texts
        pdf = render_slip(guide, settings, args.slip_lang, args.slip_format, code,
                          done, dt.date.today())  # fmt: skip
    except SlipError as exc:
        print(tr("cli.printing.refused", reason=exc), file=sys.stderr)
        return 1
    print(tr("cli.printing.handoff_code", code=code), file=sys.stderr)
    return write_output(args.out, pdf)


def cmd_paper(args: argparse.Namespace) -> int:
    from dxdesk.core.printing import PaperError, render_paper

    if args.paper_lang not in RESIDENT_LANGUAGES:
        print(tr("cli.printing.unknown_lang", language=args.paper_lang,
                 known=", ".join(RESIDENT_LANGUAGES)), file=sys.stderr)  # fmt: skip
        return 2
    values: dict[str, str] = {}
    for pair in args.fill:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            print(tr("cli.printing.bad_fill", pair=pair.split("=")[0]), file=sys.stderr)
            return 2
        values[key.strip()] = value
    guide = _guide(args.procedure, data_dir_of(args))
    if guide is None:
        return 2
    try:
        pdf = render_paper(guide, values or None, dt.date.today(), args.paper_lang)
    except PaperError as exc:
        print(tr("cli.printing.refused", reason=exc), file=sys.stderr)
        return 1
    return write_output(args.out, pdf)
