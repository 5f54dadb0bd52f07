"""The start-up cache: keyed by its input files and by the modules that build the value."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from dxdesk.core import startup_cache


def test_builder_modules_are_found_as_import_would_find_them() -> None:
    for name in ("dxdesk.core.guide_schema", "dxdesk.core.i18n", "dxdesk.core.export.summary"):
        assert startup_cache._module_file(name) == Path(find_spec(name).origin), name
    assert startup_cache._module_file("json") == Path(find_spec("json").origin)


def test_a_changed_input_file_rebuilds_and_an_unchanged_one_does_not(tmp_path, monkeypatch):
    monkeypatch.setenv(startup_cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    source = tmp_path / "guide.yaml"
    source.write_text("v: 1\n", encoding="utf-8")
    builds = []

    def build():
        builds.append(source.read_text(encoding="utf-8"))
        return len(builds)

    modules = ("dxdesk.core.guide_schema",)
    assert startup_cache.cached("t", [source], modules, build) == 1
    assert startup_cache.cached("t", [source], modules, build) == 1  # from the cache
    source.write_text("v: 22\n", encoding="utf-8")
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert startup_cache.cached("t", [source], modules, build) == 2
    assert builds == ["v: 1\n", "v: 22\n"]


def test_the_cache_folder_is_where_platformdirs_puts_it(tmp_path, monkeypatch) -> None:
    """On Linux the folder is computed without importing platformdirs (start-up); it must be
    the folder platformdirs itself gives, with and without $XDG_CACHE_HOME."""
    import sys

    import pytest
    from platformdirs import user_cache_dir

    if not sys.platform.startswith("linux"):
        pytest.skip("the shortcut is taken on Linux only")
    monkeypatch.delenv(startup_cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for xdg in (None, str(tmp_path / "xdg"), "relative/xdg", ""):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert startup_cache.cache_dir() == Path(user_cache_dir("dxdesk", appauthor=False)), xdg


def test_plain_copies_need_no_pickle_and_refuse_what_is_not_plain(tmp_path, monkeypatch) -> None:
    """The first window's copies (interface texts, the kept first screen) are marshal files;
    a value marshal cannot hold is simply not kept."""
    import datetime as dt

    from dxdesk.core import startup_cache

    monkeypatch.setenv("DXDESK_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "source.yaml"
    source.write_text("x", encoding="utf-8")
    value = {"a": [("b", 1)], "c": None}
    built = []
    for _ in range(2):
        got = startup_cache.cached("plain", [source], (), lambda: built.append(1) or value,
                                   plain=True)  # fmt: skip
        assert got == value
    assert built == [1]  # the second came from the copy
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".marshal"]
    startup_cache.keep("kept", [source], (), {"when": dt.date(2026, 1, 1)})  # not plain
    assert startup_cache.peek("kept", [source], ()) is None
    startup_cache.keep("kept", [source], (), value)
    assert startup_cache.peek("kept", [source], ()) == value
