"""Drills (issue 13, item 3): a full disk and a read-only data folder, each told for what it is.

Real file systems, not simulations: a small tmpfs that really fills up, and the same tmpfs
remounted read-only (tests run as root, and chmod does not stop root). Mounting needs root
(CAP_SYS_ADMIN); without it these drills are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from drills_support import GUIDE
from PySide6.QtWidgets import QTreeWidget

from dxdesk.core.catalog import Catalog
from dxdesk.core.instance_lock import InstanceLock, InstanceLockError
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.store import STORE_FILE, Store, StoreError
from dxdesk.gui.app import build_main_window

pytestmark = [
    pytest.mark.usefixtures("english"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tmpfs mounts are Linux"),
]
APP = "import sys; from dxdesk.__main__ import main; sys.exit(main())"


@contextlib.contextmanager
def tmpfs(tmp_path: Path, options: str) -> Iterator[Path]:
    mount = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root/CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def fill(folder: Path, inodes: bool = False) -> None:
    """Take every free block (and, with ``inodes``, every inode) of the file system."""
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()
    with contextlib.suppress(OSError):
        for n in range(100000 if inodes else 0):
            (folder / f"f{n}").touch()


def visit(store: Store, catalog: Catalog) -> None:
    session = store.sessions.start_session(catalog, "kita-1")
    session.add_procedure(GUIDE)
    session.answer(0)
    session.set_outcome("handed_off")
    session.finish()


def start_app(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", APP, "--data-dir", str(data_dir), "--lang", "en",
         "--quit-after-startup"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_disk_fills_while_recording_says_full_and_keeps_what_was_confirmed(
    tmp_path: Path, catalog
) -> None:
    with tmpfs(tmp_path, "size=1m") as mount:
        data = mount / "data"
        store = Store.open(data)
        done = 0
        with pytest.raises(StoreError) as full:
            for _ in range(10000):
                visit(store, catalog)
                done += 1
        assert full.value.kind == "full"
        assert "is full" in str(full.value) and "Free some space" in str(full.value)
        assert "damaged" not in str(full.value)
        store.close()
        with Store.open(data) as again:  # reading still works on the full disk
            assert again.sessions.today_summary(dt.date.today()).finished_sessions == done


def test_full_disk_at_start_up_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    """No block left (the lock file can be made, its pid not written): the app still starts."""
    with tmpfs(tmp_path, "size=256k") as mount:
        data = mount / "data"
        data.mkdir()
        fill(mount)
        started = start_app(data)
    assert "Traceback" not in started.stderr, started.stderr
    assert started.returncode == 0


def test_no_inode_left_for_the_lock_file_says_the_disk_is_full(tmp_path: Path) -> None:
    with tmpfs(tmp_path, "size=256k,nr_inodes=16") as mount:
        data = mount / "data"
        data.mkdir()
        fill(mount, inodes=True)
        with pytest.raises(InstanceLockError) as refused:
            InstanceLock(data).acquire()
    assert refused.value.kind == "full"
    assert "is full" in str(refused.value) and "Free some space" in str(refused.value)


def test_full_disk_with_a_lock_file_already_there_starts(tmp_path: Path) -> None:
    """The lock file exists but the pid hint cannot be written: the lock itself still holds."""
    with tmpfs(tmp_path, "size=256k") as mount:
        data = mount / "data"
        InstanceLock(data).acquire().release()
        fill(mount)
        lock = InstanceLock(data).acquire()
        try:
            assert lock.held
            with pytest.raises(InstanceLockError) as second:
                InstanceLock(data).acquire()
            assert second.value.kind == "in_use"
        finally:
            lock.release()


def test_read_only_data_folder_opens_without_recording(qtbot, tmp_path: Path, catalog) -> None:
    with tmpfs(tmp_path, "size=4m") as mount:
        data = mount / "data"
        save_settings(data, SiteSettings(site_id="kita-1", site_name="北区役所"))
        with Store.open(data) as store:
            visit(store, catalog)
        remount_read_only(mount)
        before = (data / STORE_FILE).stat().st_mtime_ns
        with pytest.raises(InstanceLockError) as refused:
            InstanceLock(data).acquire()
        assert refused.value.kind == "read_only"
        message = str(refused.value)
        assert "cannot be written" in message and "--data-dir" in message

        window, warnings = build_main_window(data, "en", not_recording=message)
        qtbot.addWidget(window)
        assert window.context.store is None
        assert "Not recording" in window.windowTitle()
        assert message in warnings
        tree = window.findChild(QTreeWidget, "procedureList")
        assert tree.topLevelItemCount() > 0  # the guides are there to search and print
        started = start_app(data)
        assert "Traceback" not in started.stderr, started.stderr
        assert started.returncode == 0
        assert (data / STORE_FILE).stat().st_mtime_ns == before


def test_store_on_a_read_only_folder_is_not_called_damaged(tmp_path: Path, catalog) -> None:
    with tmpfs(tmp_path, "size=4m") as mount:
        data = mount / "data"
        with Store.open(data) as store:
            visit(store, catalog)
        remount_read_only(mount)
        with pytest.raises(StoreError) as refused:  # noqa: PT012 - open or first write refuses
            store = Store.open(data)
            visit(store, catalog)
        assert refused.value.kind == "read_only"
        assert "damaged" not in str(refused.value)


def test_store_locked_by_another_program_is_called_locked(data_dir: Path, catalog) -> None:
    import sqlite3

    with Store.open(data_dir) as store:
        visit(store, catalog)
        other = sqlite3.connect(data_dir / STORE_FILE, isolation_level=None)  # another program
        try:
            other.execute("BEGIN EXCLUSIVE")
            store.database.connection.execute(
                "PRAGMA busy_timeout = 50"
            )  # the drill need not wait 10 s
            with pytest.raises(StoreError) as refused:
                visit(store, catalog)
        finally:
            other.close()
        assert refused.value.kind == "busy"
        assert "locked by another program" in str(refused.value)
        assert "damaged" not in str(refused.value)
        visit(store, catalog)  # and once the other program lets go, recording goes on
