"""Export rows stream from a read-only snapshot: flat memory, and the clerk can keep recording."""

from __future__ import annotations

import datetime as dt
import threading
import tracemalloc

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.paths import forms_dir
from dxdesk.core.session import SupportSession
from dxdesk.core.store import Store
from dxdesk.core.store import connection as store_module  # where the store is opened
from tests.core.test_store_classes import _record

JST = dt.timezone(dt.timedelta(hours=9))
MONTH = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


def _fill(store: Store, catalog, sessions: int) -> int:
    rows = demo_rows(catalog, sessions=sessions, months=["2026-10"], sites=["kita-ward-1"], seed=3)
    inserted, _ = store.imports.import_procedure_attempt_rows(rows)
    return inserted


def _record_a_visit(store: Store, catalog) -> None:
    moments = iter(dt.datetime(2026, 10, 20, 9, 0, tzinfo=JST) + dt.timedelta(minutes=i)
                   for i in range(100))  # fmt: skip
    s = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=lambda: next(moments))
    s.add_procedure("convenience-store-certificates")
    s.set_outcome("referred")
    s.finish()


def test_the_clerk_records_while_an_export_is_half_way_and_the_export_sees_one_snapshot(
    data_dir, catalog, monkeypatch
):
    monkeypatch.setattr(store_module, "STREAM_BATCH", 7)
    with Store.open(data_dir) as store:
        total = _fill(store, catalog, 60)
        rows = store.queries.procedure_attempt_rows(*MONTH)
        first = [next(rows) for _ in range(10)]  # the export thread pauses between batches
        # A visit recorded from another thread now must not wait for the export to finish.
        clerk = threading.Thread(target=_record_a_visit, args=(store, catalog))
        clerk.start()
        clerk.join(timeout=30)
        assert not clerk.is_alive(), "recording was blocked by the half-read export"
        rest = list(rows)
        assert len(first) + len(rest) == total  # the visit recorded meanwhile is not half-seen
        assert len(list(store.queries.procedure_attempt_rows(*MONTH))) == total + 1


def test_an_export_running_in_another_thread_reads_every_row(data_dir, catalog, monkeypatch):
    monkeypatch.setattr(store_module, "STREAM_BATCH", 5)
    with Store.open(data_dir) as store:
        total = _fill(store, catalog, 80)
        for i in range(23):
            store.classes.save_class_record(_record(date=f"2026-10-{i + 1:02d}"))
        out: dict[str, list] = {}

        def export() -> None:
            out["sessions"] = list(store.queries.procedure_attempt_rows(*MONTH))
            out["classes"] = list(store.queries.class_record_rows(*MONTH))

        worker = threading.Thread(target=export)
        worker.start()
        for _ in range(3):
            _record_a_visit(store, catalog)
        worker.join(timeout=30)
        assert not worker.is_alive()
        assert total <= len(out["sessions"]) <= total + 3
        assert len(out["classes"]) == 23
        keys = [(r["date"], r["hour"], r["session_id"], r["attempt_no"]) for r in out["sessions"]]
        assert keys == sorted(keys)


def test_an_abandoned_export_releases_its_snapshot(data_dir, catalog):
    with Store.open(data_dir) as store:
        _fill(store, catalog, 20)
        rows = store.queries.procedure_attempt_rows(*MONTH)
        next(rows)
        rows.close()  # e.g. the export failed writing the zip
        store.database.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _, _ = store.database.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0


def test_streaming_a_month_keeps_python_memory_flat(data_dir, catalog, monkeypatch):
    """Peak memory while walking the rows is far below holding them all (not a timing test)."""
    monkeypatch.setattr(store_module, "STREAM_BATCH", 500)
    with Store.open(data_dir) as store:
        total = _fill(store, catalog, 20_000)
        tracemalloc.start()
        held = list(store.queries.procedure_attempt_rows(*MONTH))
        _, peak_held = tracemalloc.get_traced_memory()
        del held
        tracemalloc.stop()
        tracemalloc.start()
        count = sum(1 for _ in store.queries.procedure_attempt_rows(*MONTH))
        _, peak_streamed = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert count == total > 20_000
    assert peak_streamed < peak_held / 4, (peak_streamed, peak_held)


def test_the_snapshot_an_export_streams_from_maps_the_store_file(data_dir, catalog):
    # The month's joins probe the attempts all over the file: mapped pages, not a read() each
    # (tests/perf/test_export.py measures it); the clerk's own connection is left as it was.
    with Store.open(data_dir) as store:
        _fill(store, catalog, 5)
        assert list(store.database.stream("PRAGMA mmap_size")) == [
            (store_module.STREAM_MMAP_BYTES,)
        ]
        assert store.database.query("PRAGMA mmap_size") == [(0,)]
        assert len(list(store.queries.procedure_attempt_rows(*MONTH))) > 0
