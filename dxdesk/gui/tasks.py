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


class _Task(QRunnable):
    def __init__(self, func: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.func = func
        self.relay = relay

    @Slot()
    def run(self) -> None:
        try:
            result = self.func()
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
    func: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception, str], None] | None = None,
) -> None:
    if _immediate:
        try:
            result = func()
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
    relay.done.connect(finish)
    relay.failed.connect(finish)
    QThreadPool.globalInstance().start(_Task(func, relay))


def wait_for_tasks(msecs: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(msecs)
