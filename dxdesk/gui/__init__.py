"""The desktop app's windows: the only package that imports PySide6.

PySide6 reads the whole source of every module imported after it (``inspect.getsource``, to
see whether it says "PySide6", for its ``__feature__`` switching, PYSIDE-2029): about 10 ms
over the ~80 modules of the first window, which a one-file PySide6 script never pays. The same
question asked of the file's bytes gives the same answer for a ``.py`` module; anything else
still goes to PySide6's own check.
"""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401  (installs the import hook made cheaper below)


def _cheaper_pyside_source_check() -> None:
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "reads_bytes", False):
        return  # another PySide6 layout, or done already

    def mod_uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as fh:
                return b"PySide6" in fh.read()
        except OSError:
            return original(module)

    mod_uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    mod_uses_pyside.original = original  # type: ignore[attr-defined]  (for the test)
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[union-attr]


_cheaper_pyside_source_check()
