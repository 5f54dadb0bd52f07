"""The files and modules a catalog is built from, found without loading the catalog.

The start-up caches are keyed by them: the typed catalog (``catalog.load_catalog_cached``) and
the main window's first screen (``dxdesk.gui.first_screen``), so both go stale together.
Nothing here imports the guide types, YAML or pydantic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

GUIDES_SUBDIR = "guides"
TAXONOMY_FILE = "taxonomy.yaml"  # the blockers and categories, in forms/
SEARCH_WORDS_FILE = "search-words.yaml"  # everyday words -> catalog words, for search only
# The modules that build a catalog from its files: a change to one means a rebuild.
BUILDER_MODULES = (
    "dxdesk.core.catalog",
    "dxdesk.core.guide_files",
    "dxdesk.core.guide_checks",
    "dxdesk.core.guide_schema",
)


def guide_files(paths: Iterable[Path]) -> list[Path]:
    """The guide files in each folder (its ``guides/`` when it has one), or the file itself."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            sub = p / GUIDES_SUBDIR if (p / GUIDES_SUBDIR).is_dir() else p
            files.extend(sorted(f for f in sub.glob("*.yaml") if f.name != TAXONOMY_FILE))
        else:
            files.append(p)
    return files


def catalog_inputs(forms: Path, layer_folders: Sequence[Path] = ()) -> list[Path]:
    """Every file the catalog of ``forms`` plus these layers is built from.

    A layer's folder is listed too: its mtime changes when a guide is added or removed."""
    files = [forms / TAXONOMY_FILE, *guide_files([forms])]
    if (forms / SEARCH_WORDS_FILE).exists():
        files.append(forms / SEARCH_WORDS_FILE)
    for folder in layer_folders:
        guides = folder / GUIDES_SUBDIR
        files.append(guides if guides.is_dir() else folder)
        if folder.is_dir():
            files.extend(guide_files([folder]))
    return files
