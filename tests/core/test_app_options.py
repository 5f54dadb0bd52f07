"""The app's command line: its global options read as the full parser reads them; a command is
left to the CLI."""

from __future__ import annotations

import pytest

from dxdesk import cli

KEYS = ("data_dir", "lang", "city_forms", "quit_after_startup")


def _argparse_app_options(argv: list[str]) -> dict:
    """What the full argparse parser of ``dxdesk`` reads from the same command line."""
    parsed = vars(cli.build_parser().parse_args(argv))
    assert parsed["command"] is None
    return {key: parsed[key] for key in KEYS}


PLAIN = [
    [],
    ["--quit-after-startup"],
    ["--data-dir", "/tmp/d", "--quit-after-startup"],
    ["--data-dir=/tmp/d", "--lang", "en"],
    ["--lang=ja", "--forms", "city guides", "--data-dir", "rel/dir"],
    ["--data-dir", "a", "--data-dir", "b"],  # the last one wins, as in argparse
    ["--data-dir="],
    ["--forms=--odd"],
]
COMMANDS = [["store", "check"], ["--data-dir", "/tmp/d", "store", "check"]]


@pytest.mark.parametrize("argv", PLAIN, ids=repr)
def test_app_command_lines_read_as_the_full_parser_reads_them(argv: list[str]) -> None:
    assert vars(cli.app_options(argv)) == _argparse_app_options(argv)


@pytest.mark.parametrize("argv", COMMANDS, ids=repr)
def test_a_command_is_left_to_the_cli(argv: list[str]) -> None:
    assert cli.app_options(argv) is None
