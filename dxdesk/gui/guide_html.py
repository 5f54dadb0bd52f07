"""A guide as HTML for the detail pane (QTextBrowser's rich-text subset). No widget code here."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from dxdesk.core.i18n import pick, tr
from dxdesk.core.settings import CITY_URL_SETTINGS, SiteSettings
from dxdesk.gui.resources import GUIDE_CSS, GUIDE_CSS_HIGH_CONTRAST  # noqa: F401  (re-exported)

if TYPE_CHECKING:  # the guide types load with the catalog, after the first paint
    import datetime as dt

    from dxdesk.core.catalog import ProcedureGuide, Taxonomy


def _t(texts: dict[str, str] | None, lang: str) -> str:
    return escape(pick(texts, lang, "ja") or "")


def route_text(guide: ProcedureGuide, settings: SiteSettings, lang: str) -> str:
    route = guide.online_route
    if route.url:
        return f'<a href="{escape(route.url)}">{escape(route.url)}</a>'
    url = settings.city_url(route.setting or "")
    if url:
        return f'<a href="{escape(url)}">{escape(url)}</a>'
    name = pick(CITY_URL_SETTINGS[route.setting or ""], lang, "ja") or route.setting
    return (
        f'<span style="color:#8a3b00"><b>{escape(tr("guide.route_unset", setting=name))}</b></span>'
    )


def guide_html(
    guide: ProcedureGuide,
    taxonomy: Taxonomy | None,
    settings: SiteSettings,
    lang: str,
    today: dt.date | None = None,
) -> str:
    from dxdesk.core.catalog import ruby_html

    parts: list[str] = [f"<h1>{_t(guide.title, lang)}</h1>"]
    category = ""
    if taxonomy:
        try:
            category = _t(taxonomy.category(guide.category).label, lang)
        except KeyError:
            category = escape(guide.category)
    review = escape(tr("guide.reviewed_on", date=guide.reviewed_on.isoformat()))
    if guide.review_overdue(today):
        review = (
            f'<span style="color:#b00000"><b>{escape(tr("guide.review_overdue"))}</b></span> '
            + review
        )
    parts.append(
        f"<p>{category} ・ {escape(tr('guide.version', version=guide.version))} ・ {review}</p>"
    )
    parts.append(f"<p>{_t(guide.summary, lang)}</p>")
    parts.append(f"<h2>{escape(tr('guide.online_route'))}</h2>")
    parts.append(
        f"<p>{_t(guide.online_route.label, lang)}<br>{route_text(guide, settings, lang)}</p>"
    )
    if guide.bring:
        parts.append(f"<h2>{escape(tr('guide.bring'))}</h2><ul>")
        parts.extend(f"<li>{_t(item, lang)}</li>" for item in guide.bring)
        parts.append("</ul>")
    parts.append(f"<h2>{escape(tr('guide.steps'))}</h2><ol>")
    for step in guide.steps:
        say = ruby_html(pick(step.say, "ja-easy") or "")
        parts.append(
            f"<li><b>{_t(step.title, lang)}</b><br>{_t(step.staff, lang)}"
            f"<br><span class='say'>{_icon('speak.svg')}{say}</span>"
        )
        if step.branch:
            answers = " / ".join(_t(a.label, lang) for a in step.branch.answers)
            open_, close = ("（", "）") if lang == "ja" else (" (", ")")
            parts.append(
                f"<br>{_icon('question.svg')}{_t(step.branch.question, lang)}"
                f"{open_}{answers}{close}"
            )
        for pitfall in step.pitfalls:
            parts.append(f"<br>⚠ {_t(pitfall.problem, lang)} → {_t(pitfall.fix, lang)}")
        parts.append("</li>")
    parts.append("</ol>")
    if guide.blockers and taxonomy:
        labels = []
        for bid in guide.blockers:
            try:
                labels.append(_t(taxonomy.blocker(bid).label, lang))
            except KeyError:
                labels.append(escape(bid))
        sep = "、" if lang == "ja" else ", "
        parts.append(f"<h2>{escape(tr('guide.blockers'))}</h2><p>{sep.join(labels)}</p>")
    if guide.paper:
        parts.append(
            f"<h2>{escape(tr('guide.paper'))}</h2><p>{_t(guide.paper.title, lang)} — "
            f"{_t(guide.paper.where, lang)}</p>"
        )
    parts.append(f"<h2>{escape(tr('guide.sources'))}</h2><ul>")
    for source in guide.sources:
        parts.append(
            f'<li>{escape(source.title)} <a href="{escape(source.url)}">{escape(source.url)}</a> '
            f"({escape(tr('guide.checked_on', date=source.checked_on.isoformat()))})<br>"
            f"{escape(source.about)}</li>"
        )
    parts.append("</ul>")
    if guide.changes:
        parts.append(f"<h2>{escape(tr('guide.changes_heading'))}</h2><ul>")
        for change in sorted(guide.changes, key=lambda c: -c.version):  # newest first
            text = change.en if lang == "en" else change.ja
            parts.append(f"<li>v{change.version} ({change.date.isoformat()}): {escape(text)}</li>")
        parts.append("</ul>")
    return "\n".join(parts)


def _icon(name: str) -> str:
    """A shipped SVG icon inline (an emoji shows as a box on a PC without an emoji font)."""
    from pathlib import Path

    from dxdesk.gui.resources import icon_path

    return f'<img src="{Path(icon_path(name)).as_uri()}" width="18" height="18"> '
