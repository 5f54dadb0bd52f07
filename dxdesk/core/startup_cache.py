"""Validated copies of shipped data (guides, message catalogs) kept for fast start-up.

A copy is keyed by the size and modification time of every file it was built from, the module
that builds it and the dxdesk version; any change, or an unreadable copy, means a full rebuild.
The copies live in the user's cache folder and are safe to delete.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
CACHE_DIR_ENV = "DXDESK_CACHE_DIR"
_FORMAT = 1


def cache_dir() -> Path | None:
    """$DXDESK_CACHE_DIR, else the platform's user cache folder; None when neither works."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env)
    if sys.platform.startswith("linux"):  # platformdirs' XDG rule, without its ~7 ms import
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        return Path(xdg if os.path.isabs(xdg) else os.path.expanduser("~/.cache"), "dxdesk")
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("dxdesk", appauthor=False))
    except Exception:
        return None


_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # dxdesk/


def _module_file(name: str) -> Path | None:
    """The source of a module, found without importing it (that is the point of the cache).

    dxdesk's own modules are plain files under the package; anything else is looked up."""
    package, _, rest = name.partition(".")
    if package == _PACKAGE_DIR.name and rest:
        candidate = _PACKAGE_DIR.joinpath(*rest.split(".")).with_suffix(".py")
        if candidate.is_file():
            return candidate
    from importlib.util import find_spec

    spec = find_spec(name)
    return Path(spec.origin) if spec and spec.origin else None


def _fingerprint(files: list[Path], modules: tuple[str, ...]) -> tuple | None:
    from dxdesk import __version__

    stamps = []
    for f in [*(_module_file(m) for m in modules), *files]:
        try:
            st = f.stat()  # type: ignore[union-attr]
        except (OSError, AttributeError):
            return None
        stamps.append((str(f), st.st_size, st.st_mtime_ns))
    return (_FORMAT, __version__, tuple(stamps))


def _copy_path(folder: Path, name: str, files: list[Path], plain: bool) -> Path:
    # One copy per set of inputs: a test's private forms/ never evicts the shipped catalog's.
    key = f"{zlib.crc32(chr(0).join(str(f) for f in files).encode()):08x}"
    return folder / f"{name}-{key}.{'marshal' if plain else 'pickle'}"


def _read(path: Path, plain: bool) -> Any:
    """(fingerprint, value) from a copy. ``plain``: a value of dicts, lists, tuples, strings and
    numbers only, kept with marshal (built in: the first window never imports pickle)."""
    data = path.read_bytes()
    if plain:
        import marshal

        return marshal.loads(data)
    import pickle

    return pickle.loads(data)


def cached(
    name: str,
    files: list[Path],
    modules: tuple[str, ...],
    build: Callable[[], T],
    *,
    plain: bool = False,
) -> T:
    """``build()``'s result, from the cache while ``files`` and the ``modules`` building it are
    unchanged (``plain``: see :func:`_read`)."""
    folder = cache_dir()
    fingerprint = _fingerprint(files, modules)
    if folder is None or fingerprint is None:
        return build()
    path = _copy_path(folder, name, files, plain)
    try:
        stored, value = _read(path, plain)
        if stored == fingerprint:
            return value
    except Exception:  # missing, stale, partial or foreign: rebuild
        pass
    value = build()
    _write(path, fingerprint, value, plain)
    return value


def peek(name: str, files: list[Path], modules: tuple[str, ...]) -> Any:
    """The plain value kept by :func:`keep` while ``files`` and ``modules`` are unchanged,
    else None."""
    folder = cache_dir()
    fingerprint = _fingerprint(files, modules)
    if folder is None or fingerprint is None:
        return None
    try:
        stored, value = _read(_copy_path(folder, name, files, True), True)
    except Exception:  # missing, partial or foreign: none
        return None
    return value if stored == fingerprint else None


def keep(name: str, files: list[Path], modules: tuple[str, ...], value: Any) -> None:
    """Keep a plain ``value`` (see :func:`_read`) for :func:`peek`, keyed like :func:`cached`;
    no copy when it cannot be written."""
    folder = cache_dir()
    fingerprint = _fingerprint(files, modules)
    if folder is not None and fingerprint is not None:
        _write(_copy_path(folder, name, files, True), fingerprint, value, True)


def _write(path: Path, fingerprint: tuple, value: Any, plain: bool) -> None:
    if plain:
        import marshal

        try:
            data = marshal.dumps((fingerprint, value))
        except ValueError:  # not plain after all (a date in a YAML file): no copy
            return
    else:
        import pickle

        data = pickle.dumps((fingerprint, value), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        from dxdesk.core.files import write_atomically

        write_atomically(path, data)
    except OSError:
        pass  # no cache this time; the value itself is fine
