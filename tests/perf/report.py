"""One table of every benchmark: each number beside its baseline measured in the same run.

Benchmarks call the ``perf_record`` fixture (tests/perf/conftest.py); the terminal summary of
``uv run pytest tests/perf -s`` prints the table, ready to paste into the README.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class PerfResult:
    name: str  # what was measured, e.g. "step commit p99"
    value: float
    baseline: float
    unit: str  # "ms", "s", "MB", "rows/s"
    baseline_name: str  # what the baseline is
    target: float | None = None  # the ratio must be <= target (None: no target)
    higher_is_better: bool = False  # throughputs: the ratio is baseline / value

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.baseline / self.value if self.value else float("inf")
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "-"
        return "met" if self.ratio <= self.target else "MISSED"


RESULTS: list[PerfResult] = []


def record(result: PerfResult) -> PerfResult:
    RESULTS.append(result)
    return result


def _num(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value:,.0f} {unit}"
    return f"{value:,.3f} {unit}" if value < 10 else f"{value:,.1f} {unit}"


def machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {sys.version.split()[0]}")  # fmt: skip


def table(results: list[PerfResult] | None = None) -> str:
    """A Markdown table: benchmark | dxdesk | baseline | ratio | target | verdict."""
    rows = results if results is not None else RESULTS
    lines = [
        "| benchmark | dxdesk | baseline (same run) | ratio | target | |",
        "|---|---:|---|---:|---:|---|",
    ]
    for r in rows:
        target = f"<= {r.target:g}x" if r.target is not None else "-"
        lines.append(
            f"| {r.name} | {_num(r.value, r.unit)} | {r.baseline_name}: "
            f"{_num(r.baseline, r.unit)} | {r.ratio:.2f}x | {target} | {r.verdict} |"
        )
    return "\n".join(lines)
