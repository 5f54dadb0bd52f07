"""One dxdesk per data directory: an OS file lock on ``<data_dir>/dxdesk.lock``.

The operating system drops the lock when the process ends, however it ends, so a crash never
leaves a stale lock behind (a pid file would). POSIX uses flock, Windows msvcrt.locking.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from dxdesk.core.i18n import tr

LOCK_FILE = "dxdesk.lock"


class InstanceLockError(Exception):
    """Another dxdesk already uses this data directory (or the lock file cannot be made)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


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
            raise InstanceLockError(
                tr("lock.error.cannot_create", path=self.path, detail=exc.strerror), self.path
            ) from exc
        try:
            _lock(fh)
        except OSError as exc:
            fh.close()
            raise InstanceLockError(
                tr("lock.error.in_use", path=self.path.parent, pid=_holder(self.path)), self.path
            ) from exc
        # The pid is only a hint for the message above; the OS lock is what counts.
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
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
