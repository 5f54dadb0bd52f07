"""What a slip says besides its layout: dates in the resident's convention, the online route's
URL, the counter's name and hours per language, the slip text (or its fallback) and the
"done today" texts, and what the clerk is warned of before printing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dxdesk.core.catalog import ProcedureGuide, SlipText, plain_text
from dxdesk.core.i18n import slip_tr
from dxdesk.core.printing.errors import SlipError
from dxdesk.core.settings import SiteSettings

_ERAS = (  # (first day, name): the Japanese era a date falls in
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 1, 25), "明治"),
)
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "tl": ("Enero", "Pebrero", "Marso", "Abril", "Mayo", "Hunyo", "Hulyo", "Agosto",
           "Setyembre", "Oktubre", "Nobyembre", "Disyembre"),
}  # fmt: skip


def japanese_era(day: dt.date) -> str:
    """和暦: 令和8年11月23日 (the first year of an era is 元年)."""
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def format_date(day: dt.date, lang: str) -> str:
    """A date as the resident reads dates: 和暦 in Japanese, 23 November 2026 in English..."""
    if lang == "ja":
        return japanese_era(day)
    if lang in _MONTHS:  # month names: 23 November 2026, Nobyembre 23, 2026
        month = _MONTHS[lang][day.month - 1]
        return f"{day.day} {month} {day.year}" if lang == "en" else f"{month} {day.day}, {day.year}"
    return slip_tr("slip.date", lang, y=day.year, m=day.month, d=day.day)


def route_url(guide: ProcedureGuide, settings: SiteSettings) -> str:
    """The online route's URL; a city-specific route needs its site setting."""
    route = guide.online_route
    if route.url:
        return route.url
    url = settings.city_url(route.setting or "")
    if not url:
        from dxdesk.core.i18n import tr, ui_language
        from dxdesk.core.settings import CITY_URL_SETTINGS

        setting = route.setting or ""
        label = CITY_URL_SETTINGS.get(setting, {}).get(ui_language(), setting)
        title = plain_text(guide.title.get(ui_language()) or guide.title["ja"])
        raise SlipError(
            tr("printing.error.city_url_missing", guide=title, setting=label), setting=setting
        )
    return url


def counter_name(settings: SiteSettings, lang: str) -> str:
    """The counter's name in the resident's language when the site has set one."""
    return _per_language(settings, "site_name", lang)


def counter_hours(settings: SiteSettings, lang: str) -> str:
    """The opening hours in the resident's language when the site has set them."""
    return _per_language(settings, "counter_hours", lang)


def _per_language(settings: SiteSettings, name: str, lang: str) -> str:
    translations = getattr(settings, f"{name}_by_language", None) or {}
    for code in (lang, "ja") if lang == "ja-easy" else (lang,):
        text = (translations.get(code) or "").strip()
        if text:
            return text
    return getattr(settings, name)


def require_counter_details(settings: SiteSettings) -> None:
    """A slip names the counter: its name, phone and hours must be set."""
    from dxdesk.core.i18n import tr

    for name in ("site_name", "counter_phone", "counter_hours"):
        if not getattr(settings, name).strip():
            raise SlipError(
                tr("printing.error.counter_missing", setting=tr(f"settings.{name}")),
                setting=name,
            )


def slip_text_for(guide: ProcedureGuide, lang: str) -> tuple[SlipText, bool]:
    """The guide's slip text in ``lang``, else in やさしい日本語; True when it fell back."""
    if lang in guide.slip:
        return guide.slip[lang], False
    for fallback in ("ja-easy", "ja"):
        if fallback in guide.slip:
            return guide.slip[fallback], True
    raise SlipError(f"guide '{guide.id}' has no slip text in any language")


@dataclass(frozen=True)
class DoneToday:
    """What the slip says was done today, in the resident's words (never the clerk's titles)."""

    texts: list[str]
    left_out: list[str]  # step ids with no resident text in the slip's language


def done_today_texts(guide: ProcedureGuide, lang: str, step_ids: Sequence[str]) -> DoneToday:
    """The guide's resident-facing "done today" text of each step, in the language the slip is
    printed in (やさしい日本語 when the guide has no text in ``lang``); a step without one is left
    out rather than printed in another language or as the clerk's step title."""
    text, _ = slip_text_for(guide, lang)
    texts, left_out = [], []
    for step_id in dict.fromkeys(step_ids):
        done = text.done.get(step_id, "").strip()
        if done:
            texts.append(done)
        else:
            left_out.append(step_id)
    return DoneToday(texts, left_out)


def slip_warnings(guide: ProcedureGuide, lang: str, step_ids: Sequence[str] = ()) -> list[str]:
    """What the clerk must know before this slip prints (interface language): a fallback to
    やさしい日本語, or done-today steps that have no text for the resident."""
    from dxdesk.core.i18n import LANGUAGE_NAMES_EN, LANGUAGE_NAMES_JA, tr, ui_language

    name = (LANGUAGE_NAMES_JA if ui_language() == "ja" else LANGUAGE_NAMES_EN).get(lang, lang)
    warnings = []
    _, fell_back = slip_text_for(guide, lang)
    if fell_back:
        warnings.append(tr("print.warn.slip_fallback", language=name))
    left_out = done_today_texts(guide, lang, step_ids).left_out
    if left_out:
        titles = tr("common.list_separator").join(
            (guide.step(s).title.get(ui_language()) or guide.step(s).title["ja"]) for s in left_out
        )
        warnings.append(tr("print.warn.done_left_out", language=name, steps=titles))
    return warnings
