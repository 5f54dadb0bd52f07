"""A month's publication (solver included) against the old ``--all-sites --publish``.

Run on demand: ``uv run pytest -s tests/perf/test_publication.py``. Builds a store of two
months of 100,000 visits each over 24 sites, then times, each in a fresh process (so that both
pay their own lazy imports), the code before issue 15 (``git archive 5f4056e``: it wrote the
rows and suppressed by lines) and this code, both making the city's ``--publish`` of the last
month. Target: the publication in at most 2x the old time. Peak Python memory of the new path
is measured too (tracemalloc, in a third process).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import pytest

from dxdesk.core.store import STORE_FILE
from tests.perf.test_export import _build, _forget_counts

ROOT = Path(__file__).resolve().parents[2]
OLD_COMMIT = "5f4056e"
MONTH = "2026-10"
TARGET_RATIO = 2.0

_TIMED = r"""
import sys, time, tracemalloc
import keyring, keyring.backends.fail
keyring.set_keyring(keyring.backends.fail.Keyring())
from pathlib import Path
from dxdesk.core.export import export_month
from dxdesk.core.store import Store
memory = sys.argv[3] == "memory"
with Store.open(Path(sys.argv[1])) as store:
    if memory:
        tracemalloc.start()
    t = time.perf_counter()
    export_month(store, sys.argv[4], Path(sys.argv[2]), publish=True, all_sites=True,
                 site_id="site-00")
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
print(elapsed, peak)
"""


def _old_code(into: Path) -> Path | None:
    try:
        data = subprocess.run(
            ["git", "-C", str(ROOT), "archive", OLD_COMMIT, "dxdesk", "resources", "forms"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def _at_schema_of(code_root: Path, store: Path, into: Path) -> Path:
    """A copy of the store labelled with the old code's schema version, which refuses a newer
    store. What the migrations since added (columns of the kept class counts) is not read by a
    month that was never purged."""
    import shutil
    import sqlite3

    from dxdesk.core.store import STORE_FILE

    version = subprocess.run(
        [sys.executable, "-c", "from dxdesk.core.store import SCHEMA_VERSION as v; print(v)"],
        check=True, capture_output=True, text=True, cwd=tempfile.gettempdir(),
        env={**os.environ, "PYTHONPATH": str(code_root)},
    ).stdout.strip()  # fmt: skip
    shutil.copytree(store, into)
    with sqlite3.connect(into / STORE_FILE) as db:
        db.execute(f"PRAGMA user_version = {int(version)}")
    return into


def _run(code_root: Path | None, store: Path, out: Path, mode: str = "time") -> tuple[float, int]:
    env = dict(os.environ)
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root)
    with tempfile.TemporaryDirectory() as cwd:  # not the checkout: PYTHONPATH decides
        result = subprocess.run(
            [sys.executable, "-c", _TIMED, str(store), str(out), mode, MONTH],
            check=True, capture_output=True, text=True, env=env, cwd=cwd,
        )  # fmt: skip
    elapsed, peak = result.stdout.split()[-2:]
    return float(elapsed), int(peak)


def test_publication_against_the_old_publish(tmp_path: Path, perf_record, monkeypatch) -> None:
    import tests.perf.test_export as base

    monkeypatch.setattr(base, "SESSIONS", 200_000)  # two months of about 100,000 visits
    monkeypatch.setattr(base, "MONTHS", 2)
    data_dir = tmp_path / "store"
    _build(data_dir)
    old = _old_code(tmp_path / "old")
    if old is None:
        pytest.skip(f"git archive {OLD_COMMIT} is not available here")
    env_cache = tmp_path / "cache"
    os.environ["DXDESK_CACHE_DIR"] = str(env_cache)
    old_store = _at_schema_of(old, data_dir, tmp_path / "old-store")
    old_s = min(_run(old, old_store, tmp_path / f"old{i}")[0] for i in range(2))
    new_s = min(_fresh(data_dir, tmp_path / f"new{i}") for i in range(2))
    again_s = _run(None, data_dir, tmp_path / "again")[0]  # the months' counts remembered
    _forget_counts(data_dir / STORE_FILE)
    _elapsed, peak = _run(None, data_dir, tmp_path / "mem", "memory")
    ratio = new_s / old_s
    print(
        f"\nold --all-sites --publish ({OLD_COMMIT}): {old_s:.2f} s"
        f"\npublication (solver included): {new_s:.2f} s  (ratio {ratio:.2f}x, target <= "
        f"{TARGET_RATIO:.0f}x)\npublication peak Python memory: {peak / 1e6:.1f} MB"
    )
    perf_record("publication (100,000 visits, 24 sites)", new_s, old_s, "s",
                f"old --all-sites --publish ({OLD_COMMIT})", TARGET_RATIO)  # fmt: skip
    perf_record("publication again, the months' counts remembered", again_s, old_s, "s",
                f"old --all-sites --publish ({OLD_COMMIT})")  # fmt: skip


def _fresh(data_dir: Path, out: Path) -> float:
    """A publication's time with no month's counts remembered (as the old code never had)."""
    _forget_counts(data_dir / STORE_FILE)
    return _run(None, data_dir, out)[0]


def test_publication_memory_stays_flat_as_the_month_grows(tmp_path, perf_record, monkeypatch):
    """Peak Python memory of the publication for a month of 25,000 and of 100,000 visits (24
    sites): rows are counted as they stream, so the larger month must not need much more."""
    import tests.perf.test_export as base

    monkeypatch.setattr(base, "MONTHS", 2)
    os.environ["DXDESK_CACHE_DIR"] = str(tmp_path / "cache")
    peaks = {}
    for visits in (25_000, 100_000):
        monkeypatch.setattr(base, "SESSIONS", 2 * visits)
        data_dir = tmp_path / f"store{visits}"
        _build(data_dir)
        peaks[visits] = _run(None, data_dir, tmp_path / f"mem{visits}", "memory")[1]
    ratio = peaks[100_000] / peaks[25_000]
    print(
        f"\npublication peak Python memory: 25,000 visits {peaks[25_000] / 1e6:.1f} MB, "
        f"100,000 visits {peaks[100_000] / 1e6:.1f} MB (ratio {ratio:.2f}x for 4x the rows)"
    )
    perf_record("publication peak memory, 4x the visits", peaks[100_000] / 1e6,
                peaks[25_000] / 1e6, "MB", "the same at 25,000 visits", 1.5)  # fmt: skip
