"""One locator for the shipped files (forms/, resources/, ui/) and the per-user data directory.

From a source checkout (or an editable install) the top-level folders sit next to the package;
in a wheel, hatchling's force-include puts them under ``dxdesk/_data``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

APP_NAME = "dxdesk"
DATA_DIR_ENV = "DXDESK_DATA_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


# In the data folder: which installed catalog pack is active (see core/catalog_pack.py).
CATALOG_PACK_POINTER = "catalog-pack.json"


@cache
def shipped_dir(name: str) -> Path:
    """Return the shipped top-level folder ``name`` ('forms', 'resources' or 'ui')."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"dxdesk cannot find its '{name}' folder (looked in {_PACKAGE_DIR / '_data'} and "
        f"{_PACKAGE_DIR.parent}); reinstall dxdesk or run it from a full source checkout."
    )


def forms_dir() -> Path:
    return shipped_dir("forms")


def resource_path(*parts: str) -> Path:
    return shipped_dir("resources").joinpath(*parts)


def ui_path(*parts: str) -> Path:
    return shipped_dir("ui").joinpath(*parts)


def font_path(file_name: str) -> Path:
    return resource_path("fonts", file_name)


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir wins over DXDESK_DATA_DIR, which wins over the platform default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()
