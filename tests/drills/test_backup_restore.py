"""Drill: daily backups through SQLite's online backup API, and `dxdesk store restore BACKUP`."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from drills_support import record_visits, table_dump

from dxdesk.cli import main as cli_main
from dxdesk.core.backup import (
    KEEP_DAILY,
    daily_backup_path,
    ensure_daily_backup,
    list_backups,
    newest_good_backup,
    take_backup,
    verify_backup,
)
from dxdesk.core.store import STORE_FILE, Store

pytestmark = pytest.mark.usefixtures("english")


def test_daily_backup_while_the_store_is_open_holds_every_committed_visit(
    data_dir: Path, catalog
) -> None:
    record_visits(data_dir, catalog, 3)
    with Store.open(data_dir) as live:  # the app is running; recent commits sit in the -wal
        session = live.sessions.start_session(catalog, "kita-1")
        session.add_procedure("convenience-store-certificates")
        assert (data_dir / f"{STORE_FILE}-wal").stat().st_size > 0
        made = ensure_daily_backup(data_dir, dt.date(2026, 11, 23))
        assert made == daily_backup_path(data_dir, dt.date(2026, 11, 23))
        assert ensure_daily_backup(data_dir, dt.date(2026, 11, 23)) is None  # once a day
        session.answer(0)  # the app goes on writing after the copy
    check = verify_backup(made)
    assert check.ok and check.integrity == ["ok"]
    assert not Path(f"{made}-wal").exists()  # one self-contained file
    copy = made.parent / "copy"
    copy.mkdir()
    (copy / STORE_FILE).write_bytes(made.read_bytes())
    with Store.open(copy, create=False) as restored:
        assert restored.maintenance.check().counts["sessions_local"] == 4
        assert len(restored.sessions.interrupted_sessions()) == 1


def test_rotation_keeps_the_newest_seven_days(data_dir: Path, catalog) -> None:
    record_visits(data_dir, catalog, 1)
    start = dt.date(2026, 11, 1)
    for i in range(10):
        ensure_daily_backup(data_dir, start + dt.timedelta(days=i))
    days = [b.day for b in list_backups(data_dir)]
    assert len(days) == KEEP_DAILY
    assert days[0] == dt.date(2026, 11, 10) and days[-1] == dt.date(2026, 11, 4)


def test_a_damaged_store_never_replaces_a_good_backup(data_dir: Path, catalog) -> None:
    record_visits(data_dir, catalog, 40)
    good = ensure_daily_backup(data_dir, dt.date(2026, 11, 22))
    store = data_dir / STORE_FILE
    store.write_bytes(store.read_bytes()[: store.stat().st_size // 2])
    with pytest.raises(Exception) as failed:
        ensure_daily_backup(data_dir, dt.date(2026, 11, 23))
    assert str(store) in str(failed.value) and "store check" in str(failed.value)
    assert [b.path for b in list_backups(data_dir)] == [good]
    assert newest_good_backup(data_dir).path == good


def test_restore_command_swaps_in_the_backup_and_keeps_the_replaced_store(
    data_dir: Path, catalog, capsys
) -> None:
    record_visits(data_dir, catalog, 2)
    assert cli_main(["--lang", "en", "store", "backup"]) == 0
    backup = list_backups(data_dir)[0].path
    expected = table_dump(data_dir)
    record_visits(data_dir, catalog, 5)  # later visits, then the store is lost
    store = data_dir / STORE_FILE
    store.write_bytes(b"\x00" * 4096 + store.read_bytes()[4096:])
    capsys.readouterr()
    assert cli_main(["--lang", "en", "store", "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert f"Restored {backup}" in out and "dxdesk.sqlite3.replaced" in out
    assert table_dump(data_dir) == expected
    replaced = data_dir / "dxdesk.sqlite3.replaced"
    assert replaced.read_bytes()[:4096] == b"\x00" * 4096  # the damaged file, kept as it was
    assert cli_main(["--lang", "en", "store", "check"]) == 0


@pytest.mark.parametrize("damage", ["truncated", "random", "not_sqlite", "newer_schema"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    data_dir: Path, catalog, tmp_path: Path, capsys, damage: str
) -> None:
    record_visits(data_dir, catalog, 30)
    bad = take_backup(data_dir, tmp_path / "bad.sqlite3")
    data = bad.read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 3])
    elif damage == "random":
        bad.write_bytes(data[:100] + bytes(range(256)) * ((len(data) - 100) // 256))
    elif damage == "not_sqlite":
        bad.write_text("sessions.csv,not a database\n", encoding="utf-8")
    else:
        import sqlite3

        db = sqlite3.connect(bad)
        db.execute("PRAGMA user_version = 99")
        db.close()
    before = (data_dir / STORE_FILE).read_bytes()
    assert cli_main(["--lang", "en", "store", "restore", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err
    assert {"truncated": "damaged", "random": "damaged", "not_sqlite": "not a dxdesk backup",
            "newer_schema": "newer dxdesk"}[damage] in err  # fmt: skip
    assert (data_dir / STORE_FILE).read_bytes() == before
    assert not (data_dir / "dxdesk.sqlite3.replaced").exists()


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from dxdesk.core.instance_lock import InstanceLock
    lock = InstanceLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_restore_refuses_while_dxdesk_runs(data_dir: Path, catalog, capsys) -> None:
    record_visits(data_dir, catalog, 1)
    backup = take_backup(data_dir)
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout.readline().strip() == "locked"
        before = (data_dir / STORE_FILE).read_bytes()
        assert cli_main(["--lang", "en", "store", "restore", str(backup)]) == 2
        err = capsys.readouterr().err
        assert "Close dxdesk" in err and str(other.pid) in err
        assert (data_dir / STORE_FILE).read_bytes() == before
    finally:
        other.kill()
        other.wait()
    assert cli_main(["--lang", "en", "store", "restore", str(backup)]) == 0
