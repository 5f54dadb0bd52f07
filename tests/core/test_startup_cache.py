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
