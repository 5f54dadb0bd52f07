"""The catalog in use: the shipped guides, then an installed catalog pack, then the city folder.

A guide in a later layer overrides a guide with the same id. The city folder comes from
``--forms DIR`` (for this run) or the site setting ``city_forms_dir``; an installed pack lives in
the data folder (see ``dxdesk.core.catalog_pack``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dxdesk.core.catalog import Catalog, CatalogLayer, load_catalog, load_catalog_cached
from dxdesk.core.paths import forms_dir

if TYPE_CHECKING:
    from dxdesk.core.settings import SiteSettings

PACK_DIR = "catalog-pack"  # in the data folder: the installed pack's guides and its manifest
PACK_LAYER, CITY_LAYER = "pack", "city"

_city_forms_override: Path | None = None


def set_city_forms_dir(folder: str | Path | None) -> None:
    """``--forms DIR``: use this city folder for this run, whatever the site setting says."""
    global _city_forms_override
    _city_forms_override = Path(folder).expanduser().resolve() if folder else None


def city_forms_dir(data_dir: Path | None, settings: SiteSettings | None) -> Path | None:
    if _city_forms_override is not None:
        return _city_forms_override
    configured = settings.city_forms_dir.strip() if settings is not None else ""
    if not configured:
        return None
    folder = Path(configured).expanduser()
    if not folder.is_absolute() and data_dir is not None:
        folder = data_dir / folder  # a relative setting is read from the data folder
    return folder


def installed_pack_dir(data_dir: Path) -> Path:
    return data_dir / PACK_DIR


def catalog_layers(data_dir: Path | None, settings: SiteSettings | None) -> list[CatalogLayer]:
    layers = []
    if data_dir is not None and (installed_pack_dir(data_dir) / "guides").is_dir():
        layers.append(CatalogLayer(PACK_LAYER, installed_pack_dir(data_dir) / "guides"))
    city = city_forms_dir(data_dir, settings)
    if city is not None:
        layers.append(CatalogLayer(CITY_LAYER, city))
    return layers


def _settings_or_none(data_dir: Path | None) -> SiteSettings | None:
    if data_dir is None:
        return None
    from dxdesk.core.settings import SettingsError, load_settings

    try:
        return load_settings(data_dir)
    except SettingsError:
        return None  # the caller reports unreadable settings in its own way


def load_active_catalog(
    data_dir: Path | None,
    settings: SiteSettings | None = None,
    *,
    cached: bool = False,
    forms: Path | None = None,
    only: list[Path] | None = None,
) -> Catalog:
    """The catalog this site uses (``cached``: through the start-up cache, for the app)."""
    if settings is None:
        settings = _settings_or_none(data_dir)
    layers = catalog_layers(data_dir, settings)
    root = forms or forms_dir()
    if cached:
        return load_catalog_cached(root, layers)
    return load_catalog(root, layers=layers, only=only)
