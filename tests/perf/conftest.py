"""Benchmarks: run on demand with `uv run pytest tests/perf -s`; each prints its numbers."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
