"""dxdesk.gui's cheaper answer to PySide6's "does this module use PySide6?" is PySide6's own."""

from __future__ import annotations

import sys

import dxdesk.gui  # noqa: F401  (installs the cheaper check)
import dxdesk.gui.app  # noqa: F401  (modules that use PySide6 and modules that do not)


def test_the_cheaper_check_answers_as_pyside_does() -> None:
    feature = sys.modules["shibokensupport.feature"]
    check = feature._mod_uses_pyside
    assert check.reads_bytes  # installed: the first window pays no inspect.getsource per module
    modules = [m for m in list(sys.modules.values()) if m is not None]
    answers = {m.__name__: check(m) for m in modules}
    assert answers == {m.__name__: check.original(m) for m in modules}
    assert answers["dxdesk.gui.main_window"] and not answers["dxdesk.core.settings"]
