"""Display names for the coded values in the log (procedure ids, blockers, bands, outcomes)."""

from __future__ import annotations

from functools import cache

from dxdesk.core.catalog import Catalog, load_catalog_cached
from dxdesk.core.i18n import LANGUAGE_NAMES_EN, LANGUAGE_NAMES_JA, catalog, tr
from dxdesk.core.paths import forms_dir


@cache
def _shipped_catalog() -> Catalog:
    return load_catalog_cached(forms_dir())  # labels only: the start-up copy will do


def _message(key: str, lang: str) -> str | None:
    return tr(key, lang=lang) if key in catalog("ui") else None


def outcome_label(outcome: str, lang: str = "ja") -> str:
    return _message(f"export.outcome.{outcome}", lang) or outcome


def dimension_label(dimension: str, lang: str = "ja") -> str:
    return _message(f"export.dim.{dimension}", lang) or dimension


def value_label(dimension: str, value: str, lang: str = "ja") -> str:
    """The name of one value of a dimension, falling back to the stored id."""
    if dimension == "procedure_id":
        guide = _shipped_catalog().guides.get(value)
        return guide.title.get(lang) or guide.title["ja"] if guide else value
    if dimension == "blocker":
        taxonomy = _shipped_catalog().taxonomy
        if taxonomy is not None:
            for blocker in taxonomy.blockers:
                if blocker.id == value:
                    return blocker.label.get(lang) or blocker.label["ja"]
        return value
    if dimension == "age_band":
        return _message(f"export.age.{value}", lang) or value
    if dimension == "device":
        return _message(f"export.device.{value}", lang) or value
    if dimension == "channel":
        return _message(f"export.channel.{value}", lang) or value
    if dimension == "help_language":
        # named in the reader's language: a supervisor's PC may have no Devanagari or Hangul font
        names = LANGUAGE_NAMES_JA if lang == "ja" else LANGUAGE_NAMES_EN
        return names.get(value) or _message(f"export.lang.{value}", lang) or value
    return value


def procedure_order(procedure_ids: list[str]) -> list[str]:
    """Procedures as the app lists them: by category, then by kana reading; ids no longer in
    the catalog last, by id. A fixed order, never by count."""
    shipped = _shipped_catalog()
    categories = [c.id for c in shipped.taxonomy.categories] if shipped.taxonomy else []

    def key(pid: str) -> tuple:
        guide = shipped.guides.get(pid)
        if guide is None:
            return (1, 0, "", pid)
        rank = categories.index(guide.category) if guide.category in categories else 0
        return (0, rank, guide.kana, pid)

    return sorted(procedure_ids, key=key)
