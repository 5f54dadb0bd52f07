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


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    terminalreporter.write_sep("=", "dxdesk performance report")
    terminalreporter.write_line(f"measured {dt.date.today().isoformat()} on {machine()}")
    terminalreporter.write_line(table())
