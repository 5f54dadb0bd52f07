"""Emitting signals must not eat True's reference count (PySide6 6.12 on Python 3.11 did:
after a few thousand emits the interpreter aborted with 'bool_dealloc')."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from dxdesk.gui.signals import emit, forward

GUI = Path(__file__).resolve().parents[2] / "dxdesk" / "gui"


class _Source(QObject):
    changed = Signal(int)
    relayed = Signal(int)


def test_ten_thousand_emits_keep_true_alive(qapp) -> None:
    source, heard = _Source(), []
    source.changed.connect(heard.append)
    source.changed.connect(forward(source.relayed))
    source.relayed.connect(heard.append)
    before = sys.getrefcount(True)
    for i in range(10_000):
        emit(source.changed, i)
    assert len(heard) == 20_000  # every emit arrived, directly and forwarded
    assert sys.getrefcount(True) >= before  # (a bare .emit() here lost 20,000 references)


def test_the_gui_emits_only_through_the_helper() -> None:
    direct = re.compile(r"\.emit\b")
    offenders = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted(GUI.glob("*.py"))
        if path.name != "signals.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if direct.search(line)
    ]
    assert offenders == [], "use dxdesk.gui.signals.emit / forward:\n" + "\n".join(offenders)
