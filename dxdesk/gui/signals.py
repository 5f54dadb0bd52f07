"""Emitting a Qt signal from Python: the one way dxdesk does it.

PySide6 6.12 on Python 3.11 returns ``True`` from ``SignalInstance.emit`` without taking a
reference to it, so every emit costs ``True`` one reference. After a few thousand emits (a
working day of keystrokes and steps) the interpreter aborts with "Fatal Python error:
bool_dealloc". :func:`emit` gives the reference back when this PySide6 needs it; it is checked
once, by emitting a probe signal. On Python 3.12 and later ``True`` is immortal and nothing is
needed. Call ``emit(self.saved, row)``, never ``self.saved.emit(row)``, and do not connect a
signal's ``emit`` as a slot (Qt would drop the result the same way): connect ``forward(signal)``.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_steals: bool | None = None  # None: not checked yet


class _Probe(QObject):
    fired = Signal()


def _emit_steals_a_reference() -> bool:
    if sys.version_info >= (3, 12):  # immortal True: a lost reference does no harm
        return False
    probe = _Probe()
    before = sys.getrefcount(True)
    result = probe.fired.emit()
    del result
    lost = before - sys.getrefcount(True)
    if lost > 0:  # give back what the probe itself took
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost > 0


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, keeping ``True``'s reference count whole."""
    global _steals
    if _steals is None:
        _steals = _emit_steals_a_reference()
    result = signal.emit(*args)
    if _steals:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


def forward(signal: SignalInstance) -> Callable[..., None]:
    """A slot that re-emits its arguments on ``signal`` (instead of connecting ``signal.emit``)."""
    return lambda *args: emit(signal, *args)
