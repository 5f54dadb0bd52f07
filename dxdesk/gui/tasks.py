"""The one way to run work off the GUI thread (after Picard's run_task).

``run_task(func, on_done, on_error)`` runs ``func`` on a QThreadPool; its result or exception
is posted back to the GUI thread. The background function never touches a widget. Tests call
``use_immediate_runner()`` to run tasks at once on the calling thread.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object, str)
    progress = Signal(int, int)


class _Task(QRunnable):
    def __init__(self, func: Callable[..., Any], relay: _Relay, reports: bool) -> None:
        super().__init__()
        self.func = func
        self.relay = relay
        self.reports = reports

    @Slot()
    def run(self) -> None:
        try:
            # A reporting task gets a callable that posts (done, total) to the GUI thread.
            result = self.func(self.relay.progress.emit) if self.reports else self.func()
        except Exception as exc:  # reported on the GUI thread, never swallowed
            self.relay.failed.emit(exc, traceback.format_exc())
        else:
            self.relay.done.emit(result)


_immediate = False
_live_relays: set[_Relay] = set()


def use_immediate_runner(enabled: bool = True) -> None:
    """Run tasks synchronously (tests, or a headless batch)."""
    global _immediate
    _immediate = enabled


def run_task(
    func: Callable[..., Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception, str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run ``func()`` off the GUI thread; with ``on_progress``, run ``func(report)`` instead,
    where ``report(done, total)`` reaches ``on_progress`` on the GUI thread."""
    if _immediate:
        try:
            result = func(on_progress) if on_progress else func()
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc, traceback.format_exc())
        else:
            if on_done:
                on_done(result)
        return
    relay = _Relay()
    _live_relays.add(relay)  # keep the relay alive until the task reports back

    def finish(_: object = None, *__: object) -> None:
        _live_relays.discard(relay)

    if on_done:
        relay.done.connect(on_done)
    if on_error:
        relay.failed.connect(on_error)
    if on_progress:
        relay.progress.connect(on_progress)
    relay.done.connect(finish)
    relay.failed.connect(finish)
    QThreadPool.globalInstance().start(_Task(func, relay, on_progress is not None))


def wait_for_tasks(msecs: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(msecs)
