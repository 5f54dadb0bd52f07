"""The one way to run work off the GUI thread (after Picard's run_task).

``run_task(func, on_done, on_error)`` runs ``func`` on a QThreadPool; its result or exception
is posted back to the GUI thread. The background function never touches a widget. Tests call
``use_immediate_runner()`` to run tasks at once on the calling thread.

A failure is never dropped: without ``on_error`` it is shown to the clerk (``show_task_error``),
naming ``what`` did not happen when the caller says so.
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


_open_error_boxes: set[Any] = set()


def show_task_error(exc: Exception, what: str | None = None) -> None:
    """Tell the clerk a background task failed (non-modal, so no task waits on a click)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    from dxdesk.core.i18n import tr

    text = tr("task.failed", what=what or tr("task.failed_unnamed"), error=str(exc) or repr(exc))
    box = QMessageBox(QMessageBox.Icon.Warning, tr("task.failed_title"), text,
                      parent=QApplication.activeWindow())  # fmt: skip
    box.setObjectName("taskErrorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_error_boxes.add(box)
    box.finished.connect(lambda _=0: _open_error_boxes.discard(box))
    box.show()


def run_task(
    func: Callable[..., Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception, str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    what: str | None = None,
) -> None:
    """Run ``func()`` off the GUI thread; with ``on_progress``, run ``func(report)`` instead,
    where ``report(done, total)`` reaches ``on_progress`` on the GUI thread.

    Without ``on_error`` a failure is shown to the clerk, naming ``what`` when given."""
    if on_error is None:

        def on_error(exc: Exception, _trace: str) -> None:
            show_task_error(exc, what)

    if _immediate:
        try:
            result = func(on_progress) if on_progress else func()
        except Exception as exc:
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
    relay.failed.connect(on_error)
    if on_progress:
        relay.progress.connect(on_progress)
    relay.done.connect(finish)
    relay.failed.connect(finish)
    QThreadPool.globalInstance().start(_Task(func, relay, on_progress is not None))


def wait_for_tasks(msecs: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(msecs)
