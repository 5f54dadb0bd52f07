"""The Qt binding must not lose references to None or True (PySide6 6.12.0 on Python 3.11 lost
one to None on every void call and one to True on every emit; a clerk typing a thousand
characters into the search box aborted the app with 'none_dealloc'). pyproject pins PySide6
below 6.12; this test fails on any build that leaks, before a user meets it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

CALLS = 2000


class _Source(QObject):
    changed = Signal(int)


def test_widget_calls_and_emits_keep_none_and_true_alive(qapp) -> None:
    label, edit, button, source = QLabel(), QLineEdit(), QPushButton(), _Source()
    heard: list[int] = []
    source.changed.connect(heard.append)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(CALLS):
        label.setText("x")
        edit.setText("y")
        button.setEnabled(True)
        source.changed.emit(i)
    qapp.processEvents()
    # A leaking build loses one reference per call: thousands. Allow for ordinary churn.
    assert sys.getrefcount(None) - none_before > -CALLS // 4
    assert sys.getrefcount(True) - true_before > -CALLS // 4
    assert len(heard) == CALLS
