"""One dxdesk per data directory: an OS file lock on ``<data_dir>/dxdesk.lock``.

The operating system drops the lock when the process ends, however it ends, so a crash never
leaves a stale lock behind (a pid file would). POSIX uses flock, Windows msvcrt.locking.
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import IO

from dxdesk.core.i18n import tr

LOCK_FILE = "dxdesk.lock"


class InstanceLockError(Exception):
    """Another dxdesk already uses this data directory (or the lock file cannot be made)."""

    def __init__(self, message: str, path: Path, kind: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        # 'in_use', 'read_only' (the folder cannot be written), 'full' (the disk is full), None
        self.kind = kind


class InstanceLock:
    """``with InstanceLock(data_dir):`` or ``lock = InstanceLock(data_dir).acquire()``."""

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self) -> InstanceLock:
        if self._fh is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = self.path.open("a+", encoding="ascii")
        except OSError as exc:
            raise _cannot_create(self.path, exc) from exc
        try:
            _lock(fh)
        except OSError as exc:
            fh.close()
            raise InstanceLockError(
                tr("lock.error.in_use", path=self.path.parent, pid=_holder(self.path)),
                self.path, "in_use",
            ) from exc  # fmt: skip
        # The pid is only a hint for the message above; the OS lock is what counts, so a disk
        # too full to take the pid costs nothing.
        with suppress(OSError):  # unbuffered: nothing is left to fail again at close()
            os.ftruncate(fh.fileno(), 0)
            os.write(fh.fileno(), f"{os.getpid()}\n".encode("ascii"))
        self._fh = fh
        return self

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            _unlock(fh)
        finally:
            fh.close()

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _cannot_create(path: Path, exc: OSError) -> InstanceLockError:
    """The lock file cannot be made: a full disk and a read-only folder each say what to do."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return InstanceLockError(tr("lock.error.disk_full", path=path.parent), path, "full")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return InstanceLockError(tr("lock.error.read_only", path=path.parent), path, "read_only")
    return InstanceLockError(
        tr("lock.error.cannot_create", path=path, detail=exc.strerror or exc), path
    )


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except OSError:
        return "?"
    return text if text.isdigit() else "?"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fh: IO[str]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh: IO[str]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fh: IO[str]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: IO[str]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
