"""The main window's first screen as the last start drew it, so it paints before the catalog loads.

What the first screen shows of the catalog (the guide list, the first guide's detail, the
problems tab, the catalog label) is kept as plain texts in the start-up cache, keyed like the
typed catalog's own copy (the same guide files and building modules, see
``dxdesk.core.catalog_inputs``) plus the code and interface texts that draw it. A kept screen is
used only for the same interface language and site settings, and until a guide's review falls
due. The typed catalog loads right after the first paint (or at once when a key
needs it before then); the screen drawn from it is compared with the kept one, which is redrawn
and replaced when they differ. No Qt here: plain data in, plain data out.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxdesk.core.active_catalog import layer_folders
from dxdesk.core.catalog_inputs import BUILDER_MODULES, catalog_inputs
from dxdesk.core.i18n import pick, tr
from dxdesk.core.paths import CATALOG_PACK_POINTER, forms_dir, resource_path

if TYPE_CHECKING:
    import datetime as dt

    from dxdesk.core.catalog import Catalog, ProcedureGuide
    from dxdesk.core.settings import SiteSettings

CACHE_NAME = "first-screen"
# The code that turns a catalog into the first screen's texts: a change to one means a redraw.
DRAWING_MODULES = (
    *BUILDER_MODULES,
    "dxdesk.core.active_catalog",
    "dxdesk.core.i18n",
    "dxdesk.gui.first_screen",
    "dxdesk.gui.guide_html",
)

Rows = list[tuple[str, list[tuple[str, str, str]]]]  # (category, [(title, guide id, tooltip)])


def guide_rows(catalog: Catalog, guides: list[ProcedureGuide], lang: str) -> Rows:
    """The guide list's rows: each category (in the taxonomy's order) with its guides by
    reading; a guide past its review date, from a city folder or a pack, or overriding a
    shipped guide says so."""
    by_category: dict[str, list[ProcedureGuide]] = {}
    for guide in guides:
        by_category.setdefault(guide.category, []).append(guide)
    taxonomy = catalog.taxonomy
    order = [c.id for c in taxonomy.categories] if taxonomy else []
    labels = {c.id: c.label for c in taxonomy.categories} if taxonomy else {}
    rows: Rows = []
    for category in sorted(by_category, key=lambda c: (order.index(c) if c in order else 99, c)):
        items = []
        for guide in sorted(by_category[category], key=lambda g: g.kana):
            title = pick(guide.title, lang, "ja") or guide.id
            if guide.review_overdue():
                title += "  " + tr("main.review_overdue_mark")
            origin = catalog.origin(guide.id)
            if origin != "shipped":  # a city or pack guide: say so, and what it replaces
                title = f"{tr('main.guide_origin.' + origin)} {title}"
            tip = guide.kana
            if guide.id in catalog.overridden:
                tip += "\n" + tr("main.guide_overrides", path=catalog.overridden[guide.id])
            items.append((title, guide.id, tip))
        rows.append((pick(labels.get(category), lang, "ja") or category, items))
    return rows


def first_guide(catalog: Catalog) -> ProcedureGuide | None:
    """The guide shown when the window opens: the first by reading."""
    return min(catalog.guides.values(), key=lambda g: g.kana, default=None)


def detail_html(
    guide: ProcedureGuide | None, catalog: Catalog | None, settings: SiteSettings
) -> str:
    """The detail pane's page for ``guide`` (``catalog``: the one it is in), or for none."""
    from dxdesk.core.i18n import ui_language
    from dxdesk.gui.guide_html import guide_html

    if guide is None or catalog is None:
        return f"<p>{tr('main.no_guide')}</p>"
    return guide_html(guide, catalog.taxonomy, settings, ui_language())


def layers_text(catalog: Catalog) -> str:
    """Where the guides come from: the shipped ones, then each layer with its overrides."""
    origins = [catalog.origin(g) for g in catalog.guides]
    lines = [tr("main.catalog_layers.shipped", count=origins.count("shipped"))]
    for layer in catalog.layers:
        ids = [g for g in catalog.guides if catalog.origin(g) == layer.kind]
        overrides = sum(1 for g in ids if g in catalog.overridden)
        lines.append(tr(f"main.catalog_layers.{layer.kind}", path=str(layer.folder),
                        count=len(ids), overrides=overrides))  # fmt: skip
    return "\n".join(lines)


def catalog_texts(catalog: Catalog, data_dir: Path | None) -> dict[str, Any]:
    """The main window's texts about the catalog: the problems tab and the catalog label."""
    from dxdesk.core.active_catalog import catalog_stamp

    count = len(catalog.problems)
    notes = catalog.review_notes()
    intro = "main.problems_intro" if count else "main.problems_notes_only"
    version, date = catalog_stamp(catalog, data_dir)
    return {
        "problem_count": count,
        "problems_tab": tr("main.tab_problems_and_notes", count=count, notes=len(notes))
        if notes
        else tr("main.tab_problems", count=count),
        "problems_intro": tr(intro if count or notes else "main.problems_none"),
        "layers": layers_text(catalog),
        # not loaded: the plain path:line: message; loaded, but a rule or a review asks to look
        "problems": [str(p) for p in catalog.problems]
        + [f"{tr('main.problem_kind.' + n.kind)} {n.path}:{n.line}: {n.message}" for n in notes],
        "catalog_label": tr("main.catalog_label", version=version, date=date),
    }


def screen_key(settings: SiteSettings, lang: str) -> tuple[str, int]:
    """What the texts depend on besides the catalog: the language and every site setting
    (a digest of them: no copy of the settings goes to the cache)."""
    return lang, zlib.crc32(repr(settings).encode())


def _good_until(catalog: Catalog, today: dt.date) -> str:
    """The first day on which a guide's review becomes overdue (its mark, notes and detail
    change): the screen kept today holds until the day before."""
    import datetime as dt

    from dxdesk.core.catalog import REVIEW_MAX_AGE_DAYS

    days = [g.reviewed_on + dt.timedelta(days=REVIEW_MAX_AGE_DAYS + 1)
            for g in catalog.guides.values() if not g.review_overdue(today)]  # fmt: skip
    return min(days, default=dt.date.max).isoformat()


def first_screen(
    catalog: Catalog, data_dir: Path | None, settings: SiteSettings, lang: str
) -> dict[str, Any]:
    """Everything the first screen shows of ``catalog``, as plain texts (what is kept)."""
    import datetime as dt

    first = first_guide(catalog)
    today = dt.date.today()
    return {
        **catalog_texts(catalog, data_dir),
        "key": screen_key(settings, lang),
        "drawn_on": today.isoformat(),  # the review marks hold from this day ...
        "good_until": _good_until(catalog, today),  # ... to the day before this one
        "rows": guide_rows(catalog, catalog.search(""), lang),
        "first": first.id if first is not None else None,
        "detail": detail_html(first, catalog, settings),
    }


def _inputs(data_dir: Path | None, settings: SiteSettings, forms: Path | None) -> list[Path]:
    layers = [folder for _, folder in layer_folders(data_dir, settings)]
    files = catalog_inputs(forms or forms_dir(), layers)
    folder = resource_path("i18n")
    files += sorted(folder.glob("ui.yaml")) + sorted(folder.glob("ui-*.yaml"))
    if data_dir is not None and (data_dir / CATALOG_PACK_POINTER).exists():
        files.append(data_dir / CATALOG_PACK_POINTER)
    return files


def kept_first_screen(
    data_dir: Path | None, settings: SiteSettings, lang: str, forms: Path | None = None
) -> dict[str, Any] | None:
    """The first screen the last start kept, when nothing it depends on has changed since."""
    from dxdesk.core.startup_cache import peek

    kept = peek(CACHE_NAME, _inputs(data_dir, settings, forms), DRAWING_MODULES)
    try:
        today = time.strftime("%Y-%m-%d")  # ISO dates compare as their text
        if (
            kept["key"] == screen_key(settings, lang)
            and kept["drawn_on"] <= today < kept["good_until"]
        ):
            return kept
    except (TypeError, KeyError):  # none kept, or from an older layout
        pass
    return None


def keep_first_screen(
    data_dir: Path | None, settings: SiteSettings, screen: dict, forms: Path | None = None
) -> None:
    """Keep ``screen`` (from :func:`first_screen`) for the next start; ``forms``: the shipped
    guides' folder it was drawn from (default: the app's)."""
    from dxdesk.core.startup_cache import keep

    keep(CACHE_NAME, _inputs(data_dir, settings, forms), DRAWING_MODULES, screen)
