"""Drill (issue 13, item 1): another process opens the store while the app records; kill -9.

The recording process opens a second ``Store`` on the same file (as the dashboard and the
daily backup do), a separate ``dxdesk store check`` process opens and closes the store, the
recorder goes on, and then it is killed with SIGKILL. Every event the recorder was told is on
disk must be in the store afterwards. Before the fix, the second open read the file header with
Python's ``open()``; closing that descriptor dropped the recorder's POSIX locks, the other
process took the store for unused, checkpointed and deleted the WAL, and later commits went to
a deleted file.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dxdesk.core.store import STORE_FILE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and POSIX locks")

# Records visits; prints "confirmed N" after each event record() returned for.
RECORDER = textwrap.dedent(
    """
    import sys
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.paths import forms_dir
    from dxdesk.core.store import Store

    data_dir = sys.argv[1]
    catalog = load_catalog(forms_dir())
    store = Store.open(data_dir)

    def visits(count):
        for _ in range(count):
            session = store.sessions.start_session(catalog, "kita-1")
            session.add_procedure("convenience-store-certificates")
            session.answer(0)
            session.set_outcome("handed_off")
            session.finish()
        # What this process was told is committed (its own connection reads it back).
        count_now = store.database.query("SELECT count(*) FROM session_events")[0][0]
        print(f"confirmed {count_now}", flush=True)

    visits(20)
    Store.open(data_dir).close()  # the dashboard / the backup opening the store in-process
    print("second store closed", flush=True)
    sys.stdin.readline()  # the other process has opened and closed the store meanwhile
    visits(20)
    print("ready to be killed", flush=True)
    sys.stdin.readline()
    """
)


def _events(data_dir: Path) -> int:
    db = sqlite3.connect(data_dir / STORE_FILE)
    try:
        return db.execute("SELECT count(*) FROM session_events").fetchone()[0]
    finally:
        db.close()


def test_other_process_opening_the_store_loses_no_event_after_kill_9(data_dir: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    recorder = subprocess.Popen(
        [sys.executable, "-c", RECORDER, str(data_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        lines = []

        def expect(prefix: str) -> str:
            line = recorder.stdout.readline().strip()
            lines.append(line)
            assert line.startswith(prefix), f"recorder said {lines!r}"
            return line

        expect("confirmed")
        expect("second store closed")
        check = subprocess.run(
            [sys.executable, "-c", "import sys; from dxdesk.__main__ import main; sys.exit(main())",
             "--data-dir", str(data_dir), "store", "check"],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert check.returncode == 0, check.stderr
        recorder.stdin.write("go\n")
        recorder.stdin.flush()
        confirmed = int(expect("confirmed").split()[1])
        expect("ready to be killed")
        recorder.send_signal(signal.SIGKILL)
        recorder.wait(timeout=30)
    finally:
        recorder.kill()
        recorder.wait()
    assert confirmed > 0
    assert _events(data_dir) == confirmed


def test_restore_refuses_while_this_process_has_the_store_open(data_dir: Path, catalog) -> None:
    from drills_support import record_visits

    from dxdesk.core.backup import BackupError, restore_backup, take_backup
    from dxdesk.core.i18n import set_ui_language
    from dxdesk.core.store import Store

    record_visits(data_dir, catalog, 2)
    backup = take_backup(data_dir, data_dir.parent / "copy.sqlite3")
    set_ui_language("en")
    try:
        with Store.open(data_dir), pytest.raises(BackupError) as refused:
            restore_backup(data_dir, backup)  # copying the file would drop this process's locks
    finally:
        set_ui_language("ja")
    assert "is open in this dxdesk" in str(refused.value)
    assert restore_backup(data_dir, backup) is not None  # closed: it goes ahead


def test_only_store_connect_opens_an_sqlite_file() -> None:
    """One way to open the store (GUI, workers, backups, CLI): no other sqlite3.connect."""
    import dxdesk

    package = Path(dxdesk.__file__).parent
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "sqlite3.connect(" in line
        and path.relative_to(package).as_posix() != "core/store/connection.py"
    ]
    assert offenders == []
