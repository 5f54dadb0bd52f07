"""The app's command line: the parser-free reading gives what argparse gives, or steps aside."""

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
OTHERS = [
    ["store", "check"],  # a command
    ["--data", "/tmp/d"],  # an abbreviation argparse accepts
    ["--help"],
    ["--data-dir"],  # no value
    ["--data-dir", "--lang", "en"],  # a value that looks like an option
    ["--lang", "xx"],  # not a UI language: argparse's own message
    ["--quit-after-startup=1"],
    ["--", "--data-dir", "x"],
    ["-h"],
]


@pytest.mark.parametrize("argv", PLAIN, ids=repr)
def test_plain_command_lines_read_as_argparse_reads_them(argv: list[str]) -> None:
    plain = cli.plain_app_options(argv)
    assert plain is not None
    assert vars(plain) == _argparse_app_options(argv)
    assert vars(cli.app_options(argv)) == vars(plain)


@pytest.mark.parametrize("argv", OTHERS, ids=repr)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert cli.plain_app_options(argv) is None
