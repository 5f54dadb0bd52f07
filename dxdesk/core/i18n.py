"""The app's one translation mechanism: YAML message catalogs keyed by message id.

``resources/i18n/ui*.yaml`` hold the interface strings (Japanese and English);
``resources/i18n/slip*.yaml`` hold what is printed for residents, in every resident language.
Qt-free so that the core can render PDFs and the CLI can speak without Qt; the GUI calls the
same ``tr``. A test fails when a key used in code or an entry lacks a language.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from dxdesk.core.contract import RESIDENT_LANGUAGES, UI_LANGUAGES  # noqa: F401  (re-exported)
from dxdesk.core.paths import resource_path

LANGUAGE_NAMES: dict[str, str] = {
    "ja": "日本語",
    "ja-easy": "やさしい日本語",
    "en": "English",
    "zh": "中文（简体）",
    "ko": "한국어",
    "vi": "Tiếng Việt",
    "tl": "Filipino",
    "ne": "नेपाली",
    "pt": "Português",
}
# The resident languages named for staff (a supervisor's PC may lack Devanagari or Hangul fonts).
LANGUAGE_NAMES_JA: dict[str, str] = {
    "ja": "日本語",
    "ja-easy": "やさしい日本語",
    "en": "英語",
    "zh": "中国語（簡体字）",
    "ko": "韓国語",
    "vi": "ベトナム語",
    "tl": "フィリピノ語（タガログ語）",
    "ne": "ネパール語",
    "pt": "ポルトガル語",
}
LANGUAGE_NAMES_EN: dict[str, str] = {
    "ja": "Japanese",
    "ja-easy": "Easy Japanese",
    "en": "English",
    "zh": "Chinese (simplified)",
    "ko": "Korean",
    "vi": "Vietnamese",
    "tl": "Filipino (Tagalog)",
    "ne": "Nepali",
    "pt": "Portuguese",
}
CATALOG_LANGUAGES: dict[str, tuple[str, ...]] = {"ui": UI_LANGUAGES, "slip": RESIDENT_LANGUAGES}

_current_ui_language = "ja"


@cache
def catalog(domain: str) -> dict[str, dict[str, str]]:
    """One message catalog: ``{domain}.yaml`` plus any ``{domain}-*.yaml`` (one per area)."""
    from dxdesk.core.startup_cache import cached

    folder = resource_path("i18n")
    files = sorted(folder.glob(f"{domain}.yaml")) + sorted(folder.glob(f"{domain}-*.yaml"))
    return cached(f"i18n-{domain}", files, ("dxdesk.core.i18n",), lambda: _read_catalog(files),
                  plain=True)  # fmt: skip


def _read_catalog(files: list[Path]) -> dict[str, dict[str, str]]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in files:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=loader) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: the catalog must be a mapping of message ids")
        for key, entry in data.items():
            if key in merged:
                raise ValueError(f"{path}: message id '{key}' is also defined in {origin[key]}")
            merged[key] = entry
            origin[key] = path.name
    return merged


def set_ui_language(lang: str) -> None:
    global _current_ui_language
    if lang not in UI_LANGUAGES:
        raise ValueError(f"unknown UI language {lang!r}; choose one of {', '.join(UI_LANGUAGES)}")
    _current_ui_language = lang


def ui_language() -> str:
    return _current_ui_language


def _lookup(domain: str, key: str, lang: str) -> str:
    entry = catalog(domain).get(key)
    if entry is None:
        raise KeyError(f"no message '{key}' in resources/i18n/{domain}.yaml")
    text = entry.get(lang)
    if text is None:
        # ja-easy falls back to ja; everything else to English, then Japanese.
        for fallback in ("ja",) if lang == "ja-easy" else ("en", "ja"):
            if fallback in entry:
                return entry[fallback]
        raise KeyError(f"message '{key}' has no '{lang}' text in resources/i18n/{domain}.yaml")
    return text


_RUBY = re.compile(r"\{([^{}|]+)\|([^{}]+)\}")


def _format(text: str, params: dict[str, Any]) -> str:
    """str.format that leaves ruby markup ``{漢字|かんじ}`` alone."""
    if not params:
        return text
    protected = _RUBY.sub(lambda m: "{{" + m.group(1) + "|" + m.group(2) + "}}", text)
    return protected.format(**params)


def tr(key: str, /, lang: str | None = None, **params: Any) -> str:
    """An interface string in the current UI language (or ``lang``), formatted with params."""
    return _format(_lookup("ui", key, lang or _current_ui_language), params)


def slip_tr(key: str, /, lang: str, **params: Any) -> str:
    """A printed string for a resident, in the resident's language."""
    if lang not in RESIDENT_LANGUAGES:
        raise ValueError(
            f"unknown language {lang!r}; choose one of {', '.join(RESIDENT_LANGUAGES)}"
        )
    return _format(_lookup("slip", key, lang), params)


def pick(texts: dict[str, str] | None, lang: str, *fallbacks: str) -> str | None:
    """Choose a guide text in ``lang``, else in the first fallback present."""
    if not texts:
        return None
    for code in (lang, *fallbacks):
        if texts.get(code):
            return texts[code]
    return None
