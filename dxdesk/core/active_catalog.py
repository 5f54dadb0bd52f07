"""The catalog in use: the shipped guides, then an installed catalog pack, then the city folder.

A guide in a later layer overrides a guide with the same id. The city folder comes from
``--forms DIR`` (for this run) or the site setting ``city_forms_dir``; an installed pack lives in
the data folder (see ``dxdesk.core.catalog_pack``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dxdesk.core.paths import CATALOG_PACK_POINTER, forms_dir

if TYPE_CHECKING:
    from dxdesk.core.catalog import Catalog, CatalogLayer
    from dxdesk.core.settings import SiteSettings

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


def layer_folders(data_dir: Path | None, settings: SiteSettings | None) -> list[tuple[str, Path]]:
    """(kind, folder) of each layer over the shipped guides, found without loading a guide."""
    layers = []
    # The pack module (zip, hashes) loads only when a pack was ever installed here.
    if data_dir is not None and (data_dir / CATALOG_PACK_POINTER).exists():
        from dxdesk.core.catalog_pack import installed_pack

        pack = installed_pack(data_dir)
        if pack is not None:
            layers.append((PACK_LAYER, pack.folder / "guides"))
    city = city_forms_dir(data_dir, settings)
    if city is not None:
        layers.append((CITY_LAYER, city))
    return layers


def catalog_layers(data_dir: Path | None, settings: SiteSettings | None) -> list[CatalogLayer]:
    from dxdesk.core.catalog import CatalogLayer

    return [CatalogLayer(kind, folder) for kind, folder in layer_folders(data_dir, settings)]


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
    from dxdesk.core.catalog import load_catalog, load_catalog_cached

    layers = catalog_layers(data_dir, settings)
    root = forms or forms_dir()
    if cached:
        return load_catalog_cached(root, layers)
    return load_catalog(root, layers=layers, only=only)


def catalog_stamp(catalog: Catalog, data_dir: Path | None) -> tuple[str, str]:
    """(version, date) of the catalog in use, as the app and ``forms list`` show them.

    With an installed pack: the pack's catalog version and date. Otherwise the dxdesk release
    and the newest review date of the shipped guides. A city folder adds its newest review date.
    """
    from dxdesk.core.i18n import tr

    pack = None
    if data_dir is not None and any(layer.kind == PACK_LAYER for layer in catalog.layers):
        from dxdesk.core.catalog_pack import installed_pack

        pack = installed_pack(data_dir)
    if pack is not None:
        version = tr("catalog.stamp.pack", version=pack.catalog_version, signer=pack.signer_site)
        date = pack.catalog_date
    else:
        from dxdesk import __version__

        version = tr("catalog.stamp.shipped", version=__version__)
        shipped = [g.reviewed_on for gid, g in catalog.guides.items()
                   if catalog.origin(gid) == "shipped"]  # fmt: skip
        date = max(shipped) if shipped else None
    city = [g.reviewed_on for gid, g in catalog.guides.items() if catalog.origin(gid) == CITY_LAYER]
    if city:
        version += tr("catalog.stamp.city", count=len(city))
        date = max([d for d in (date, max(city)) if d is not None])
    return version, date.isoformat() if date else "-"
