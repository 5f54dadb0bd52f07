"""Monthly export of a large store against a raw SQLite GROUP BY, and import throughput.

Run on demand: ``uv run pytest -s tests/perf/test_export.py``. Builds a store of 1,000,000
sessions (24 sites, 12 months; about 1.2 attempts each) with executemany, kept in
``$DXDESK_PERF_STORE`` (default: a folder in the system temp folder, as test_store_size) for the
next run; then exports one month for all sites and compares with a bare
``GROUP BY procedure_id, outcome`` over the same month in the same run (target: export <= 4x
the GROUP BY). The export is timed three ways: the first (no month's counts remembered), the
monthly round (last month's export remembered that month's counts, ``store/memo.py``; this
month's are counted afresh) and again (both remembered). All are timed ``DXDESK_PERF_RUNS``
times (default 3), interleaved with the GROUP BY, and the medians compared: the machine may be
shared. Peak Python memory of the export is measured
with tracemalloc in a further export run (tracemalloc slows code, so not timed).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
import tracemalloc
from pathlib import Path

from dxdesk.core import signing
from dxdesk.core.catalog import load_catalog
from dxdesk.core.export import export_month, import_bundles
from dxdesk.core.export.demo import demo_months, demo_rows
from dxdesk.core.paths import forms_dir
from dxdesk.core.signing import TrustStore
from dxdesk.core.store import STORE_FILE, Store

SESSIONS = int(os.environ.get("DXDESK_PERF_SESSIONS", "1000000"))
RUNS = int(os.environ.get("DXDESK_PERF_RUNS", "3"))
SITES = 24
MONTHS = 12
LAST_MONTH = "2026-10"
PREVIOUS_MONTH = "2026-09"
TARGET_RATIO = 4.0


def _build(data_dir: Path) -> int:
    """Fill the store's tables directly with executemany (the fixture, not the thing measured)."""
    Store.open(data_dir).close()  # the real schema
    db = sqlite3.connect(data_dir / STORE_FILE)
    db.execute("PRAGMA synchronous=OFF")
    rows = demo_rows(
        load_catalog(forms_dir()),
        sessions=SESSIONS,
        months=demo_months(MONTHS, LAST_MONTH),
        sites=[f"site-{i:02d}" for i in range(SITES)],
        seed=1,
    )
    sessions, attempts, blockers = [], [], []
    count = 0

    def flush() -> None:
        db.executemany(
            "INSERT INTO sessions (session_id, origin, site_id, channel, date, hour, ended,"
            " session_duration_min, age_band, device, help_language, return_of_code,"
            " hygiene_confirmed) VALUES (?, 'imported', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            sessions,
        )
        db.executemany(
            "INSERT INTO procedure_attempts (session_id, attempt_no, procedure_id, guide_version,"
            " outcome, steps_reached, last_step_id, duration_min, handoff_code)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            attempts,
        )
        db.executemany(
            "INSERT INTO attempt_blockers (session_id, attempt_no, blocker_id) VALUES (?, ?, ?)",
            blockers,
        )
        sessions.clear()
        attempts.clear()
        blockers.clear()

    for r in rows:
        count += 1
        if r["attempt_no"] == 1:
            sessions.append(
                (r["session_id"], r["site_id"], r["channel"], r["date"], r["hour"], r["ended"],
                 r["session_duration_min"], r["age_band"], r["device"], r["help_language"],
                 r["return_of_code"], r["hygiene_confirmed"])
            )  # fmt: skip
        attempts.append(
            (r["session_id"], r["attempt_no"], r["procedure_id"], r["guide_version"], r["outcome"],
             r["steps_reached"], r["last_step_id"], r["duration_min"], r["handoff_code"])
        )  # fmt: skip
        blockers += [(r["session_id"], r["attempt_no"], b) for b in r["blockers"].split(";") if b]
        if len(attempts) >= 50_000:
            flush()
    flush()
    db.commit()
    db.close()
    return count


def _group_by(path: Path, month: str) -> tuple[float, int]:
    start = f"{month}-01"
    end = f"{month}-31"
    db = sqlite3.connect(path)
    t = time.perf_counter()
    rows = db.execute(
        "SELECT a.procedure_id, a.outcome, count(*) FROM procedure_attempts a"
        " JOIN sessions s USING (session_id) WHERE s.date BETWEEN ? AND ?"
        " GROUP BY a.procedure_id, a.outcome",
        (start, end),
    ).fetchall()
    elapsed = time.perf_counter() - t
    db.close()
    return elapsed, sum(r[2] for r in rows)


def _forget_counts(path: Path) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM month_counts_memo")
    db.close()


def _raw_import(bundle: Path, path: Path) -> tuple[float, int]:
    """The floor for import: read sessions.csv from the zip and executemany it, one commit."""
    import csv
    import io
    import zipfile

    Store.open(path).close()  # the real schema, empty
    db = sqlite3.connect(path / STORE_FILE, isolation_level=None)
    db.execute("PRAGMA synchronous=FULL")
    t = time.perf_counter()
    with zipfile.ZipFile(bundle) as zf, zf.open("sessions.csv") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")))
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT OR IGNORE INTO sessions (session_id, origin, site_id, channel, date, hour, ended)"
        " VALUES (?, 'imported', ?, ?, ?, ?, ?)",
        [(r["session_id"], r["site_id"], r["channel"], r["date"], r["hour"], r["ended"])
         for r in rows],
    )  # fmt: skip
    db.executemany(
        "INSERT INTO procedure_attempts (session_id, attempt_no, procedure_id, guide_version,"
        " outcome) VALUES (?, ?, ?, ?, ?)",
        [(r["session_id"], r["attempt_no"], r["procedure_id"], r["guide_version"], r["outcome"])
         for r in rows],
    )  # fmt: skip
    db.execute("COMMIT")
    elapsed = time.perf_counter() - t
    db.close()
    return elapsed, len(rows)


def _raw_rows_peak(path: Path, month: str) -> int:
    """The floor for export memory: the month's joined rows fetched whole by plain sqlite3."""
    db = sqlite3.connect(path)
    tracemalloc.start()
    db.execute(
        "SELECT * FROM procedure_attempts a JOIN sessions s USING (session_id)"
        " WHERE s.date BETWEEN ? AND ?",
        (f"{month}-01", f"{month}-31"),
    ).fetchall()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    db.close()
    return peak


def test_export_month_against_group_by(
    big_store: Path, tmp_path: Path, perf_record, file_keyring
) -> None:
    data_dir = big_store
    sites = [f"site-{i:02d}" for i in range(SITES)]
    with sqlite3.connect(data_dir / STORE_FILE) as db:
        total_rows = db.execute("SELECT count(*) FROM procedure_attempts").fetchone()[0]
    baselines: list[float] = []
    exports: list[float] = []  # nothing remembered: the first export after the month changed
    monthly: list[float] = []  # the previous month's counts remembered by its own export
    remembered: list[float] = []  # both months' counts remembered (store/memo.py)
    with Store.open(data_dir) as store:
        _group_by(data_dir / STORE_FILE, LAST_MONTH)  # warm the OS file cache for both
        for i in range(RUNS):  # interleaved: load on a shared machine hits both alike
            baseline_s, month_rows = _group_by(data_dir / STORE_FILE, LAST_MONTH)
            baselines.append(baseline_s)
            _forget_counts(data_dir / STORE_FILE)
            t = time.perf_counter()
            bundle = export_month(store, LAST_MONTH, tmp_path / f"out{i}", all_sites=True,
                                  site_id="site-00")  # fmt: skip
            exports.append(time.perf_counter() - t)
            # The monthly round: last month's export remembered its counts; this month's are
            # counted afresh.
            _forget_counts(data_dir / STORE_FILE)
            export_month(store, PREVIOUS_MONTH, tmp_path / f"previous{i}", all_sites=True,
                         site_id="site-00")  # fmt: skip
            t = time.perf_counter()
            export_month(store, LAST_MONTH, tmp_path / f"monthly{i}", all_sites=True,
                         site_id="site-00")  # fmt: skip
            monthly.append(time.perf_counter() - t)
            t = time.perf_counter()
            export_month(store, LAST_MONTH, tmp_path / f"again{i}", all_sites=True,
                         site_id="site-00")  # fmt: skip
            remembered.append(time.perf_counter() - t)
        tracemalloc.start()
        export_month(store, LAST_MONTH, tmp_path / "traced", all_sites=True, site_id="site-00")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    baseline_s, export_s = statistics.median(baselines), statistics.median(exports)
    remembered_s = statistics.median(remembered)
    monthly_s = statistics.median(monthly)
    hq = Store.open(tmp_path / "hq")
    trust = TrustStore(tmp_path / "t.json")  # the hub trusts site-00 for every site's rows
    trust.add("site-00", signing.site_private_key("site-00").public_key())
    trust.trust_also_for("site-00", sites)
    t = time.perf_counter()
    result = import_bundles(hq, [bundle], trust)
    import_s = time.perf_counter() - t
    hq.close()
    raw_import_s, raw_rows = _raw_import(bundle, tmp_path / "raw-hq")
    raw_peak = _raw_rows_peak(data_dir / STORE_FILE, LAST_MONTH)
    ratio = export_s / baseline_s
    print(
        f"\nstore: {SESSIONS:,} sessions, {total_rows:,} attempt rows, {SITES} sites, "
        f"{MONTHS} months ({data_dir})"
        f"\nmonth {LAST_MONTH}: {month_rows:,} attempt rows; medians of {RUNS} runs"
        f"\nraw GROUP BY: {baseline_s * 1000:.0f} ms  (runs: "
        f"{', '.join(f'{b * 1000:.0f}' for b in baselines)})"
        f"\nexport_month: {export_s * 1000:.0f} ms  (runs: "
        f"{', '.join(f'{e * 1000:.0f}' for e in exports)}; ratio {ratio:.1f}x, target <= "
        f"{TARGET_RATIO:.0f}x)"
        f"\nexport_month after last month's export: {monthly_s * 1000:.0f} ms  (runs: "
        f"{', '.join(f'{e * 1000:.0f}' for e in monthly)}; ratio "
        f"{monthly_s / baseline_s:.1f}x)"
        f"\nexport_month again, counts remembered: {remembered_s * 1000:.0f} ms  (runs: "
        f"{', '.join(f'{e * 1000:.0f}' for e in remembered)}; ratio "
        f"{remembered_s / baseline_s:.1f}x)"
        f"\nexport peak Python memory (tracemalloc): {peak / 1e6:.1f} MB "
        f"({peak / max(month_rows, 1):.0f} B per month row)"
        f"\nimport: {result.inserted:,} rows in {import_s:.1f} s "
        f"({result.inserted / import_s:,.0f} rows/s)"
        f"\nbundle size: {bundle.stat().st_size / 1e6:.1f} MB"
    )
    perf_record(
        f"month export ({SESSIONS:,} sessions)",
        export_s,
        baseline_s,
        "s",
        "raw SQLite GROUP BY",
        TARGET_RATIO,
    )
    perf_record(
        "month export after last month's export (its counts remembered)",
        monthly_s,
        baseline_s,
        "s",
        "raw SQLite GROUP BY",
        TARGET_RATIO,
    )
    perf_record(
        "month export again, both months' counts remembered",
        remembered_s,
        baseline_s,
        "s",
        "raw SQLite GROUP BY",
    )
    perf_record(
        "month export peak Python memory",
        peak / 1e6,
        raw_peak / 1e6,
        "MB",
        "raw fetchall of the month's rows",
    )
    perf_record(
        "import throughput",
        result.inserted / import_s,
        raw_rows / raw_import_s,
        "rows/s",
        "csv + executemany, one commit",
        higher_is_better=True,
    )
    assert result.inserted == month_rows
