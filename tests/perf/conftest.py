"""Benchmarks: run on demand with `uv run pytest tests/perf -s`; the summary prints one table."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from .report import RESULTS, PerfResult, machine, record, table

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def perf_record():
    """``perf_record(name, value, baseline, unit, baseline_name, target=None, ...)``."""

    def add(*args, **kwargs) -> PerfResult:
        return record(PerfResult(*args, **kwargs))

    return add


@pytest.fixture(scope="session")
def big_store():
    """The 1,000,000-session store (``DXDESK_PERF_SESSIONS``), built once and kept in
    ``$DXDESK_PERF_STORE`` (else a folder in the temp dir named by its size and schema) for the
    export and big-store benchmarks, which only read it."""
    import shutil
    import tempfile
    from pathlib import Path

    from dxdesk.core.store import SCHEMA_VERSION

    from .test_export import SESSIONS, _build

    default = Path(tempfile.gettempdir()) / f"dxdesk-perf-{SESSIONS}-v{SCHEMA_VERSION}"
    folder = Path(os.environ.get("DXDESK_PERF_STORE", default))
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        _build(folder)
        done.touch()
    return folder


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    terminalreporter.write_sep("=", "dxdesk performance report")
    terminalreporter.write_line(f"measured {dt.date.today().isoformat()} on {machine()}")
    terminalreporter.write_line(table())
