"""``dxdesk settings show|set``: the site settings without the GUI."""

from __future__ import annotations

import argparse
import json
import sys

from dxdesk.commands import data_dir_of, settings_or_none
from dxdesk.core.i18n import tr
from dxdesk.core.settings import (
    CITY_URL_SETTINGS,
    SettingsValueError,
    SiteSettings,
    read_settings,
    save_settings,
)

_SCALAR_FIELDS = (
    "site_id",
    "site_name",
    "site_kind",
    "counter_phone",
    "counter_hours",
    "ui_language",
    "text_scale",
    "high_contrast",
    "retention_months",
    "note_retention_days",
    "city_forms_dir",
)


def register(sub: argparse._SubParsersAction) -> None:
    settings = sub.add_parser("settings", help=tr("cli.settings.help"))
    settings_sub = settings.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = settings_sub.add_parser("show", help=tr("cli.settings.show.help"))
    show.set_defaults(handler=cmd_show)
    set_ = settings_sub.add_parser("set", help=tr("cli.settings.set.help"))
    set_.add_argument(
        "pairs",
        nargs="+",
        metavar="KEY=VALUE",
        help=", ".join((*_SCALAR_FIELDS, *CITY_URL_SETTINGS)),
    )
    set_.set_defaults(handler=cmd_set)


def cmd_show(args: argparse.Namespace) -> int:
    """What could be read, and every problem of the file (exit 1 when there is one)."""
    read = read_settings(data_dir_of(args))
    for problem in read.problems:
        print(problem, file=sys.stderr)
    print(json.dumps(read.settings.as_dict(), ensure_ascii=False, indent=2))
    return 1 if read.problems else 0


def cmd_set(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    settings = settings_or_none(data_dir)
    if settings is None:
        return 2
    values = settings.as_dict()
    for pair in args.pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            print(tr("cli.settings.bad_pair", pair=pair), file=sys.stderr)
            return 2
        base, dot, lang = key.partition(".")
        if key in CITY_URL_SETTINGS:
            values["urls"][key] = value
        elif dot and base in ("site_name", "counter_hours"):  # site_name.en=Kita Ward Office
            values[f"{base}_by_language"][lang] = value
        elif key in _SCALAR_FIELDS:
            values[key] = value
        else:
            known = ", ".join((*_SCALAR_FIELDS, *CITY_URL_SETTINGS))
            print(tr("cli.settings.unknown_key", key=key, known=known), file=sys.stderr)
            return 2
    try:
        new = SiteSettings.from_dict(values)
    except SettingsValueError as exc:
        print(tr("cli.settings.invalid", field=exc.field, error=exc.message), file=sys.stderr)
        return 2
    save_settings(data_dir, new)
    return 0
