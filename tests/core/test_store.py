"""The store on real SQLite files: schema, durability settings, bad files, lock, export/import."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import pytest

from dxdesk.cli import main as cli_main
from dxdesk.core import i18n
from dxdesk.core.catalog import load_catalog
from dxdesk.core.handoff import new_handoff_code
from dxdesk.core.instance_lock import InstanceLock, InstanceLockError
from dxdesk.core.paths import forms_dir
from dxdesk.core.session import SupportSession
from dxdesk.core.store import (
    SCHEMA_VERSION,
    SESSIONS_CSV_COLUMNS,
    STORE_FILE,
    ImportRowError,
    Store,
    StoreError,
)
from dxdesk.core.store import connection as store_module  # where the store is opened

GUIDE = "convenience-store-certificates"
JST = dt.timezone(dt.timedelta(hours=9))
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


def _clock(start=dt.datetime(2026, 11, 23, 14, 5, tzinfo=JST)):
    moments = iter(start + dt.timedelta(minutes=i) for i in range(10_000))
    return lambda: next(moments)


def _finished_session(store, catalog, *, device="own_iphone", clock=None) -> SupportSession:
    s = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=clock or _clock())
    s.add_procedure(GUIDE)
    s.set_context(device=device, age_band="75-79", help_language="ja-easy")
    s.answer(0)
    s.answer(1)  # PIN forgotten: referred, blocker pin-forgotten
    s.mark_blocker("outside-hours")
    s.set_outcome("referred")
    s.add_procedure(GUIDE)
    s.answer(0)
    s.answer(0)
    s.advance()
    s.record_handoff_code(new_handoff_code())
    s.set_outcome("handed_off")
    if device == "counter_terminal":
        s.confirm_hygiene(logged_out=True, browser_closed=True, card_returned=True)
    s.finish()
    return s


def test_a_new_store_is_wal_full_sync_with_foreign_keys_and_the_latest_schema(data_dir):
    with Store.open(data_dir) as store:
        db = store.database.connection
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.schema_version == SCHEMA_VERSION
    # Reopening does not migrate again.
    with Store.open(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.maintenance.check().ok


def test_a_failing_migration_leaves_the_store_at_the_previous_version(data_dir, monkeypatch):
    Store.open(data_dir).close()
    broken = [*store_module.MIGRATIONS, ["CREATE TABLE extra (x)", "THIS IS NOT SQL"]]
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(broken))
    with pytest.raises(StoreError):
        Store.open(data_dir)
    db = sqlite3.connect(data_dir / STORE_FILE)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(broken) - 1
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "extra" not in tables
    db.close()


def test_a_store_from_a_newer_dxdesk_is_refused_with_a_clear_message(data_dir):
    Store.open(data_dir).close()
    db = sqlite3.connect(data_dir / STORE_FILE)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError) as err:
        Store.open(data_dir)
    assert str(data_dir / STORE_FILE) in str(err.value) and "dxdesk" in str(err.value)


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 64,  # random bytes
        "氏名,住所\n".encode() * 100,  # a CSV saved under the wrong name
        b"SQLite format 3\x00" + b"\xff" * 200,  # a header and nothing valid after it
    ],
    ids=["random-bytes", "text-file", "header-only"],
)
def test_a_file_that_is_not_a_store_gives_a_store_error_naming_it(data_dir, content):
    (data_dir / STORE_FILE).write_bytes(content)
    with pytest.raises(StoreError) as err:
        Store.open(data_dir)
    assert str(data_dir / STORE_FILE) in str(err.value)


def test_a_truncated_store_gives_a_store_error(data_dir, catalog):
    with Store.open(data_dir) as store:
        for _ in range(30):
            _finished_session(store, catalog)
        store.database.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = data_dir / STORE_FILE
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreError) as err:
        store = Store.open(data_dir)
        store.queries.procedure_attempt_rows(DAY, DAY)  # pragma: no cover - open already fails
    assert str(path) in str(err.value)


def test_the_cli_reports_a_corrupt_store_without_a_traceback(data_dir):
    (data_dir / STORE_FILE).write_bytes(b"not a database at all" * 10)
    proc = subprocess.run(
        [sys.executable, "-m", "dxdesk.cli", "--lang", "en", "store", "check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "is not a dxdesk store" in proc.stderr


def test_store_commands_check_and_list_open_sessions(data_dir, catalog, capsys, monkeypatch):
    monkeypatch.setattr(i18n, "_current_ui_language", "ja")  # --lang en must not leak
    with Store.open(data_dir) as store:
        _finished_session(store, catalog)
        open_one = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=_clock())
        open_one.add_procedure(GUIDE)
    assert cli_main(["--lang", "en", "store", "check"]) == 0
    out = capsys.readouterr().out
    assert "Integrity: ok" in out and "sessions_open: 1" in out
    assert cli_main(["store", "sessions", "--open"]) == 0
    out = capsys.readouterr().out
    assert open_one.session_id in out and "check-eligibility" in out


def test_a_second_instance_on_the_same_data_dir_is_refused(data_dir):
    with InstanceLock(data_dir):
        with pytest.raises(InstanceLockError) as err:
            InstanceLock(data_dir).acquire()
        assert str(data_dir) in str(err.value)
        child = subprocess.run(
            [sys.executable, "-c",
             "import sys; from dxdesk.core.instance_lock import InstanceLock;"
             f"InstanceLock({str(data_dir)!r}).acquire()"],
            capture_output=True, text=True,
        )  # fmt: skip
        assert child.returncode != 0 and "InstanceLockError" in child.stderr
    # Released: the next one gets it.
    InstanceLock(data_dir).acquire().release()


def test_a_killed_instance_leaves_no_stale_lock(data_dir):
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from dxdesk.core.instance_lock import InstanceLock;"
         f"lock = InstanceLock({str(data_dir)!r}).acquire(); print('locked', flush=True);"
         "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout.readline().strip() == "locked"
    with pytest.raises(InstanceLockError):
        InstanceLock(data_dir).acquire()
    child.kill()
    child.wait()
    InstanceLock(data_dir).acquire().release()


def test_export_rows_have_exactly_the_contract_columns(data_dir, catalog):
    with Store.open(data_dir) as store:
        s = _finished_session(store, catalog, device="counter_terminal")
        rows = list(store.queries.procedure_attempt_rows(DAY, DAY))
        assert (
            list(store.queries.procedure_attempt_rows(DAY + dt.timedelta(1), DAY + dt.timedelta(9)))
            == []
        )
        assert list(store.queries.procedure_attempt_rows(DAY, DAY, site_ids=["other-site"])) == []
    assert [list(r) for r in rows] == [list(SESSIONS_CSV_COLUMNS)] * 2
    first, second = rows
    assert first["session_id"] == s.session_id and first["attempt_no"] == 1
    assert (first["date"], first["hour"], first["channel"]) == ("2026-11-23", 14, "counter")
    assert first["outcome"] == "referred"
    assert first["blockers"] == "outside-hours;pin-forgotten"  # sorted
    assert (first["steps_reached"], first["last_step_id"]) == (2, "check-pin")
    assert (
        second["outcome"] == "handed_off" and second["handoff_code"] == s.attempts[1].handoff_code
    )
    assert second["blockers"] == "" and second["last_step_id"] == "explain-kiosk"
    assert first["session_duration_min"] == second["session_duration_min"] == 16
    # The clock ticks a minute per event: attempt 1 spans events 1-8, attempt 2 events 9-14.
    assert first["duration_min"] == 7 and second["duration_min"] == 5
    assert {r["hygiene_confirmed"] for r in rows} == {"1"}
    assert {r["ended"] for r in rows} == {"finished"}


def test_open_sessions_are_not_exported_but_counted_today(data_dir, catalog):
    with Store.open(data_dir) as store:
        _finished_session(store, catalog)
        abandoned = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=_clock())
        abandoned.add_procedure(GUIDE)
        abandoned.abandon()
        still_open = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=_clock())
        still_open.add_procedure(GUIDE)
        assert {r["session_id"] for r in store.queries.procedure_attempt_rows(DAY, DAY)} == {
            r["session_id"] for r in store.queries.procedure_attempt_rows(DAY, DAY)
        } - {still_open.session_id}
        summary = store.sessions.today_summary(DAY)
        assert (summary.finished_sessions, summary.abandoned_sessions) == (1, 1)
        assert summary.open_sessions == 1
        assert summary.by_outcome["referred"] == 1 and summary.by_outcome["handed_off"] == 1
        assert summary.by_outcome["abandoned"] == 1 and summary.procedures == 3
        assert store.sessions.today_summary(DAY - dt.timedelta(days=1)).procedures == 0


def test_an_interrupted_session_can_be_closed_as_abandoned_at_its_last_moment(data_dir, catalog):
    with Store.open(data_dir) as store:
        s = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=_clock())
        s.add_procedure(GUIDE)
        s.set_context(device="counter_terminal")
        s.answer(0)
        store.sessions.abandon_interrupted(s.session_id)
        assert store.sessions.interrupted_sessions() == []
        (row,) = store.queries.procedure_attempt_rows(DAY, DAY)
        assert row["outcome"] == "abandoned" and row["ended"] == "abandoned"
        assert row["hygiene_confirmed"] == "0" and row["session_duration_min"] == 3
        with pytest.raises(StoreError):
            store.sessions.abandon_interrupted(s.session_id)
        with pytest.raises(StoreError):
            store.sessions.load_session(s.session_id, catalog)


def _rows_of_another_site(store_dir, catalog, count=3):
    with Store.open(store_dir) as other:
        for _ in range(count):
            s = SupportSession.start(catalog, "minami-1", recorder=other, clock=_clock())
            s.add_procedure(GUIDE)
            s.answer(1)
            s.set_outcome("referred")
            s.finish()
        rows = list(other.queries.procedure_attempt_rows(DAY, DAY))
    # As they come back from a CSV file: every value a string.
    return [{k: str(v) for k, v in r.items()} for r in rows]


def test_import_stores_other_sites_and_skips_duplicates(data_dir, tmp_path, catalog):
    rows = _rows_of_another_site(tmp_path / "other", catalog)
    with Store.open(data_dir) as store:
        _finished_session(store, catalog)
        own = list(store.queries.procedure_attempt_rows(DAY, DAY))
        assert store.imports.import_procedure_attempt_rows(rows) == (3, 0)
        assert store.imports.import_procedure_attempt_rows(rows + own) == (0, 5)
        assert store.queries.sites() == ["kita-ward-1", "minami-1"]
        imported = list(store.queries.procedure_attempt_rows(DAY, DAY, site_ids=["minami-1"]))
        assert [{k: str(v) for k, v in r.items()} for r in imported] == sorted(
            rows, key=lambda r: (r["hour"], r["session_id"])
        )
        # Imported visits are not this counter's open work, nor its today panel.
        assert store.sessions.interrupted_sessions() == []
        assert store.sessions.today_summary(DAY).procedures == 2


def test_a_bad_row_imports_nothing_and_names_the_row_and_column(data_dir, tmp_path, catalog):
    rows = _rows_of_another_site(tmp_path / "other", catalog)
    rows[2] = {**rows[2], "age_band": "73"}
    with Store.open(data_dir) as store:
        with pytest.raises(ImportRowError) as err:
            store.imports.import_procedure_attempt_rows(iter(rows))
        assert err.value.row_number == 3 and err.value.column == "age_band"
        assert "73" in str(err.value) and "70-74 | 75-79" in str(err.value)  # what it may be
        for column, value, expected in (("session_id", "xyz", "32 hex digits"),
                                        ("outcome", "done", "completed_online | "),
                                        ("ended", "maybe", "finished | abandoned")):  # fmt: skip
            with pytest.raises(ImportRowError) as err:
                store.imports.import_procedure_attempt_rows([{**rows[0], column: value}])
            assert err.value.column == column and expected in str(err.value)
        assert (
            store.queries.sites() == []
            and list(store.queries.procedure_attempt_rows(DAY, DAY)) == []
        )
        missing = {k: v for k, v in rows[0].items() if k != "device"}
        with pytest.raises(ImportRowError, match="device"):
            store.imports.import_procedure_attempt_rows([missing])
        with pytest.raises(ImportRowError, match="blockers"):
            store.imports.import_procedure_attempt_rows([{**rows[0], "blockers": "氏名 山田"}])
        assert store.maintenance.check().counts["procedure_attempts"] == 0


def test_a_refused_row_says_what_the_column_must_hold_in_the_ui_language(data_dir, tmp_path,
                                                                          catalog):  # fmt: skip
    rows = _rows_of_another_site(tmp_path / "other", catalog, count=1)
    bad = [({"date": "2026-02-30"}, "YYYY-MM-DD の形の日付", "a date YYYY-MM-DD"),
           ({"hour": "２４"}, "半角数字で 23 までの整数", "an integer up to 23"),
           ({"blockers": "a;a"}, "「;」で区切ったつまずきのID", "blocker ids joined by ';'")]  # fmt: skip
    with Store.open(data_dir) as store:
        for change, ja, en in bad:
            for lang, expected in (("ja", ja), ("en", en)):
                i18n.set_ui_language(lang)
                with pytest.raises(ImportRowError) as err:
                    store.imports.import_procedure_attempt_rows([{**rows[0], **change}])
                assert expected in str(err.value), (lang, str(err.value))
                assert err.value.column == next(iter(change))
        i18n.set_ui_language("ja")
        assert store.maintenance.check().counts["procedure_attempts"] == 0


def test_meta_values_are_kept(data_dir):
    with Store.open(data_dir) as store:
        assert store.maintenance.meta("is_demo") is None
        store.maintenance.set_meta("is_demo", "1")
        store.maintenance.set_meta("is_demo", "0")
    with Store.open(data_dir) as store:
        assert store.maintenance.meta("is_demo") == "0"


def test_every_event_is_on_disk_when_the_call_returns(data_dir, catalog):
    with Store.open(data_dir) as store:
        s = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=_clock())
        s.add_procedure(GUIDE)
        s.answer(0)
        # A separate connection (another process would see the same) finds the step.
        other = sqlite3.connect(data_dir / STORE_FILE)
        kinds = [
            r[0]
            for r in other.execute(
                "SELECT kind FROM session_events WHERE session_id = ? ORDER BY seq",
                (s.session_id,),
            )
        ]
        last_step = other.execute(
            "SELECT last_step_id FROM procedure_attempts WHERE session_id = ?", (s.session_id,)
        ).fetchone()[0]
        other.close()
    assert kinds == ["start", "add_procedure", "answer"] and last_step == "check-pin"


def test_a_busy_store_says_so_and_the_session_stays_as_it_was(data_dir, catalog, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.05)
    with Store.open(data_dir) as store:
        s = SupportSession.start(catalog, "kita-ward-1", recorder=store, clock=_clock())
        s.add_procedure(GUIDE)
        other = sqlite3.connect(data_dir / STORE_FILE, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # e.g. a long import holding the write lock
        with pytest.raises(StoreError) as err:
            s.answer(0)
        assert str(data_dir / STORE_FILE) in str(err.value)
        assert "壊れて" not in str(err.value) and "damaged" not in str(err.value)
        assert s.current_step.id == "check-eligibility" and len(s.events) == 2
        other.execute("ROLLBACK")
        other.close()
        assert s.answer(0).step.id == "check-pin"
        assert [e.seq for e in store.sessions.session_events(s.session_id)] == [1, 2, 3]


def test_a_full_disk_is_reported_as_full_not_damaged_and_loses_nothing(data_dir):
    from dxdesk.core.store import CLASS_CSV_COLUMNS

    record = dict.fromkeys(CLASS_CSV_COLUMNS, 0)
    record.update(site_id="kita-ward-1", date="2026-11-23", hour=10, start_time="10:00",
                  menu="", staffing_warning="")  # fmt: skip
    with Store.open(data_dir) as store:
        pages = store.database.connection.execute("PRAGMA page_count").fetchone()[0]
        store.database.connection.execute(
            f"PRAGMA max_page_count = {pages}"
        )  # the disk is full now
        saved = 0
        with pytest.raises(StoreError) as err:
            for i in range(10_000):
                store.classes.save_class_record({**record, "class_id": f"{i:032x}"})
                saved += 1
        message = str(err.value)
        assert "full" in message and "damaged" not in message
        assert store.maintenance.check().counts["class_records"] == saved
        store.database.connection.execute("PRAGMA max_page_count = 1073741823")  # space returns
        store.classes.save_class_record({**record, "class_id": "f" * 32})
        assert store.maintenance.check().ok
