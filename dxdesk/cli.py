"""The ``dxdesk`` commands, all headless (no Qt); ``dxdesk.__main__`` opens the app.

Each feature adds its subcommands through a ``register(subparsers)`` function in its own module
in ``dxdesk/commands/``; this file only wires them together and must never import Qt (an
import-linter contract checks it).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dxdesk import __version__


def _command_modules() -> list[str]:
    """Every module in dxdesk/commands contributes subcommands via register(subparsers)."""
    import pkgutil

    import dxdesk.commands

    return sorted(
        f"dxdesk.commands.{m.name}" for m in pkgutil.iter_modules(dxdesk.commands.__path__)
    )


from dxdesk.core.contract import UI_LANGUAGES as UI_LANGS  # noqa: E402


def _global_options(parser: argparse.ArgumentParser, *, strict: bool = True) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data directory (default: $DXDESK_DATA_DIR, else the platform's user data folder)",
    )
    parser.add_argument(
        "--lang",
        choices=UI_LANGS if strict else None,
        help="interface language (default: the site setting, ja)",
    )
    parser.add_argument(
        "--forms",
        dest="city_forms",
        metavar="DIR",
        help="the city's folder of guides for this run (adds guides, overrides shipped ones by "
        "id; default: the site setting city_forms_dir)",
    )
    parser.add_argument(
        "--quit-after-startup",
        action="store_true",
        help="open the main window, paint it once and exit (for timing start-up)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dxdesk",
        description=(
            "dxdesk — digital-divide support counter desk. With no command, opens the app; "
            "the commands below run headless."
        ),
    )
    parser.add_argument("--version", action="version", version=f"dxdesk {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        importlib.import_module(name).register(sub)
    return parser


def app_options(argv: Sequence[str]) -> argparse.Namespace | None:
    """The global options when ``argv`` names no command (it asks for the app), else None.

    Only the global options are parsed: no command module is imported on the app's path.
    """
    light = argparse.ArgumentParser(prog="dxdesk", add_help=False)
    _global_options(light, strict=False)  # a subcommand's own --lang (e.g. slip --lang ne) passes
    opts, rest = light.parse_known_args(argv)
    if rest:
        return None
    if opts.lang not in (None, *UI_LANGS):
        build_parser().parse_args(argv)  # exits with argparse's message listing the choices
    return opts


def main(argv: Sequence[str] | None = None) -> int:
    """The headless commands; the app itself is started by ``dxdesk.__main__``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    light = argparse.ArgumentParser(prog="dxdesk", add_help=False)
    _global_options(light, strict=False)
    opts, _ = light.parse_known_args(argv)
    if opts.lang in UI_LANGS:  # before the parser is built, so --help speaks it too
        from dxdesk.core.i18n import set_ui_language

        set_ui_language(opts.lang)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    use_city_forms(args.city_forms)  # the global --forms (a subcommand's own --forms differs)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def use_city_forms(folder: str | None) -> None:
    from dxdesk.core.active_catalog import set_city_forms_dir

    set_city_forms_dir(folder)  # None clears it: each run says what it uses


if __name__ == "__main__":
    sys.exit(main())
