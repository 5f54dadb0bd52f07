"""One translation mechanism, kept complete: a missing key or language fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dxdesk.core import i18n

PACKAGE = Path(i18n.__file__).resolve().parent.parent


def used_keys(function: str) -> set[tuple[str, str]]:
    """(file, key) for every literal first argument of tr()/slip_tr() in the package."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == function
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add((str(path.relative_to(PACKAGE)), node.args[0].value))
    return found


@pytest.mark.parametrize(("function", "domain"), [("tr", "ui"), ("slip_tr", "slip")])
def test_every_key_used_in_code_is_in_the_catalog(function: str, domain: str) -> None:
    catalog = i18n.catalog(domain)
    missing = sorted(f"{f}: {k}" for f, k in used_keys(function) if k not in catalog)
    assert not missing, (
        f"untranslated strings (add them to resources/i18n/{domain}*.yaml): {missing}"
    )


def test_f_strings_build_only_known_keys() -> None:
    # Dynamic keys are built from fixed prefixes; the settings dialog's kinds are the one case.
    for kind in ("counter", "class_venue"):
        assert f"settings.kind.{kind}" in i18n.catalog("ui")


@pytest.mark.parametrize("domain", sorted(i18n.CATALOG_LANGUAGES))
def test_every_entry_has_every_language(domain: str) -> None:
    needed = i18n.CATALOG_LANGUAGES[domain]
    incomplete = {
        key: [lang for lang in needed if not str(entry.get(lang) or "").strip()]
        for key, entry in i18n.catalog(domain).items()
    }
    incomplete = {k: v for k, v in incomplete.items() if v}
    assert not incomplete, (
        f"entries missing languages in resources/i18n/{domain}*.yaml: {incomplete}"
    )


def test_placeholders_agree_across_languages() -> None:
    import string

    for domain in i18n.CATALOG_LANGUAGES:
        for key, entry in i18n.catalog(domain).items():
            fields = {
                lang: {f for _, f, _, _ in string.Formatter().parse(text) if f and "|" not in f}
                for lang, text in entry.items()  # {漢字|かんじ} is ruby markup, not a placeholder
            }
            assert len({frozenset(v) for v in fields.values()}) <= 1, (key, fields)


def test_tr_switches_language_and_formats() -> None:
    try:
        i18n.set_ui_language("en")
        assert i18n.tr("cli.forms.check.ok", count=3) == "All good (3 guides)."
        i18n.set_ui_language("ja")
        assert i18n.tr("cli.forms.check.ok", count=3) == "問題はありません（ガイド 3 件）。"
        assert i18n.tr("cli.forms.check.ok", lang="en", count=1) == "All good (1 guides)."
    finally:
        i18n.set_ui_language("ja")


def test_ruby_markup_survives_formatting() -> None:
    assert i18n._format("{今日|きょう} {count}", {"count": 3}) == "{今日|きょう} 3"


def test_unknown_language_and_key_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown UI language 'fr'"):
        i18n.set_ui_language("fr")
    with pytest.raises(KeyError, match="no message 'nope.nothing'"):
        i18n.tr("nope.nothing")
