"""The checks on one loaded guide beyond its schema: references, walks and content rules.

A broken reference or walk keeps the guide out of the catalog (an error); a broken content rule
(sourcing, change log) is a ``content`` problem or a ``review`` note, and the guide still loads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dxdesk.core.guide import (
    CONTENT,
    PUBLISHER_KINDS,
    REVIEW,
    REVIEW_WINDOW_DAYS,
    TAXONOMY_FILE,
    Problem,
    ProcedureGuide,
    Taxonomy,
    YamlLines,
)
from dxdesk.core.i18n import RESIDENT_LANGUAGES

MAX_GUIDE_VERSION = 9999  # the store's bound on guide_version


def check_walks(path: Path, lines: YamlLines, guide: ProcedureGuide) -> list[Problem]:
    """Every step can reach an outcome; no step points at itself; a step either asks a
    question (branch) or ends the walk (outcome); the version is a sane number."""
    problems: list[Problem] = []

    def add(loc: Sequence[Any], message: str) -> None:
        problems.append(Problem(path, lines.line(loc), message))

    if not 1 <= guide.version <= MAX_GUIDE_VERSION:
        add(("version",), f"'version': {guide.version} is not a version number; use 1 to "
            f"{MAX_GUIDE_VERSION} and add 1 at each change")  # fmt: skip
    ids = {s.id for s in guide.steps}
    successors: dict[str, list[str]] = {}
    ends: set[str] = set()
    for i, step in enumerate(guide.steps):
        if step.branch and step.outcome:
            add(("steps", i, "outcome"), f"'steps.{i}': step '{step.id}' has both 'branch' and "
                "'outcome'; a step either asks a question or ends the walk")  # fmt: skip
        if step.next == step.id:
            add(("steps", i, "next"), f"'steps.{i}.next': step '{step.id}' points at itself")
        if step.branch:
            gotos = [a.goto for a in step.branch.answers if a.goto in ids]
            if any(not a.goto for a in step.branch.answers):
                ends.add(step.id)  # an answer without goto ends the walk with its outcome
            successors[step.id] = gotos
        else:
            nxt = guide.next_step_id(step.id)
            if nxt is None:
                ends.add(step.id)
            successors[step.id] = [nxt] if nxt in ids else []
    finishing = set(ends)
    changed = True
    while changed:  # steps from which some walk reaches an end
        changed = False
        for sid, after in successors.items():
            if sid not in finishing and any(a in finishing for a in after):
                finishing.add(sid)
                changed = True
    reachable = reachable_steps(guide)
    for i, step in enumerate(guide.steps):
        if step.id in reachable and step.id not in finishing:
            add(("steps", i, "id"), f"step '{step.id}' can never reach an outcome: every way "
                "on from it loops back (give one step an 'outcome' or 'next: end')")  # fmt: skip
    return problems


def check_references(
    path: Path, lines: YamlLines, guide: ProcedureGuide, taxonomy: Taxonomy | None
) -> list[Problem]:
    problems: list[Problem] = []
    step_ids = [s.id for s in guide.steps]
    source_ids = {s.id for s in guide.sources}

    def add(loc: Sequence[Any], message: str) -> None:
        problems.append(Problem(path, lines.line(loc), message))

    seen: set[str] = set()
    for i, step in enumerate(guide.steps):
        if step.id in seen:
            add(("steps", i, "id"), f"duplicate step id '{step.id}'")
        seen.add(step.id)
    seen = set()
    for i, source in enumerate(guide.sources):
        if source.id in seen:
            add(("sources", i, "id"), f"duplicate source id '{source.id}'")
        seen.add(source.id)
    blocker_ids = {b.id for b in taxonomy.blockers} if taxonomy else None
    category_ids = {c.id for c in taxonomy.categories} if taxonomy else None

    def check_sources(loc: tuple, refs: Iterable[str]) -> None:
        for j, ref in enumerate(refs):
            if ref not in source_ids:
                add((*loc, j), f"'{'.'.join(map(str, (*loc, j)))}': no source with id '{ref}'")

    def check_blocker(loc: tuple, ref: str | None) -> None:
        if ref and blocker_ids is not None and ref not in blocker_ids:
            add(
                loc,
                f"'{'.'.join(map(str, loc))}': unknown blocker '{ref}' "
                f"(not in forms/{TAXONOMY_FILE})",
            )

    if category_ids is not None and guide.category not in category_ids:
        add(
            ("category",),
            f"'category': unknown category '{guide.category}' "
            f"(known: {', '.join(sorted(category_ids))})",
        )
    for j, ref in enumerate(guide.blockers):
        check_blocker(("blockers", j), ref)
    for i, step in enumerate(guide.steps):
        base = ("steps", i)
        check_sources((*base, "sources"), step.sources)
        for k, pitfall in enumerate(step.pitfalls):
            check_sources((*base, "pitfalls", k, "sources"), pitfall.sources)
        if step.next and step.next != "end" and step.next not in step_ids:
            add((*base, "next"), f"'steps.{i}.next': no step with id '{step.next}' in this guide")
        if step.branch:
            for k, answer in enumerate(step.branch.answers):
                loc = (*base, "branch", "answers", k)
                if answer.goto and answer.goto not in step_ids:
                    add(
                        (*loc, "goto"),
                        f"'{'.'.join(map(str, loc))}.goto': no step with id "
                        f"'{answer.goto}' in this guide",
                    )
                if answer.goto == step.id:
                    add((*loc, "goto"), f"'{'.'.join(map(str, loc))}.goto': points at its own step")
                check_blocker((*loc, "blocker"), answer.blocker)
                check_sources((*loc, "sources"), answer.sources)
    check_sources(("summary_sources",), guide.summary_sources)
    if guide.paper:
        check_sources(("paper", "sources"), guide.paper.sources)
        seen = set()
        for k, paper_field in enumerate(guide.paper.fields):
            if paper_field.key in seen:
                add(("paper", "fields", k, "key"), f"duplicate paper field key '{paper_field.key}'")
            seen.add(paper_field.key)
    for lang in guide.slip:
        if lang not in RESIDENT_LANGUAGES:
            add(
                ("slip", lang),
                f"'slip.{lang}': unknown language code; use {', '.join(RESIDENT_LANGUAGES)}",
            )
    for needed in ("ja", "ja-easy"):
        if needed not in guide.slip:
            add(("slip",), f"'slip': needs at least the '{needed}' text")
    for lang, slip_text in guide.slip.items():
        for step_id in slip_text.done:
            if step_id not in step_ids:
                add(("slip", lang, "done", step_id),
                    f"'slip.{lang}.done.{step_id}': no step with id '{step_id}' in this guide")  # fmt: skip
    # Every step must be reachable from the first one, or it is dead text.
    reachable = reachable_steps(guide)
    for i, step in enumerate(guide.steps):
        if step.id not in reachable:
            add(("steps", i, "id"), f"step '{step.id}' cannot be reached from the first step")
    return problems


_HOME_PAGE_PATH = re.compile(r"^/*((index|default|top|home)\.(html?|php|aspx?|jsp))?$", re.I)


def is_home_page(url: str) -> bool:
    """True for a site's front page (``https://x.jp/``, ``/index.html``): too vague to cite."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return not parts.query and bool(_HOME_PAGE_PATH.match(parts.path))


def content_rules(path: Path, lines: YamlLines, guide: ProcedureGuide) -> list[Problem]:
    """Sourcing and change-log rules (forms/README.md "出典"): the guide still loads when one
    is broken, so an older guide keeps working, but ``forms check`` fails ("content") or lists
    a note for the reviewer ("review")."""
    out: list[Problem] = []

    def add(loc: Sequence[Any], message: str, kind: str = CONTENT) -> None:
        out.append(Problem(path, lines.line(loc), message, kind))

    for i, source in enumerate(guide.sources):
        loc = ("sources", i)
        if not source.title.strip():
            add((*loc, "id"), f"source '{source.id}': add 'title' (the page's own title)")
        if source.publisher is None:
            add(
                (*loc, "id"),
                f"source '{source.id}': add 'publisher' ({', '.join(PUBLISHER_KINDS)})",
            )
        if is_home_page(source.url):
            add(
                (*loc, "url"),
                f"source '{source.id}': '{source.url}' is a site's home page; cite the page "
                "that states the fact",
            )
        if source.checked_on > guide.reviewed_on:
            add(
                (*loc, "checked_on"),
                f"source '{source.id}' was read on {source.checked_on.isoformat()}, after "
                f"'reviewed_on' {guide.reviewed_on.isoformat()}: move 'reviewed_on' only once "
                "every source has been re-read",
            )
        elif (guide.reviewed_on - source.checked_on).days > REVIEW_WINDOW_DAYS:
            add(
                (*loc, "checked_on"),
                f"source '{source.id}' was read on {source.checked_on.isoformat()}, more than "
                f"{REVIEW_WINDOW_DAYS} days before 'reviewed_on' {guide.reviewed_on.isoformat()}"
                ": re-read it and update 'checked_on', or keep the earlier review date",
            )
        if source.publisher == "commercial" and not (source.no_official or "").strip():
            add(
                (*loc, "publisher"),
                f"source '{source.id}' is a commercial page: cite the agency or city page that "
                "says the same, or say in 'no_official' why there is none",
                REVIEW,
            )
    if not guide.summary_sources:
        add(("summary",), "'summary_sources': the summary cites no source")
    for i, step in enumerate(guide.steps):
        if not step.sources:
            add(("steps", i, "id"), f"step '{step.id}' cites no source ('sources: [id]')")
        for k, pitfall in enumerate(step.pitfalls):
            if not pitfall.sources:
                add(
                    ("steps", i, "pitfalls", k),
                    f"'steps.{i}.pitfalls.{k}': the pitfall cites no source",
                    REVIEW,
                )
    if guide.online_route.url and is_home_page(guide.online_route.url):
        add(
            ("online_route", "url"),
            f"'online_route.url': '{guide.online_route.url}' is a site's home page; point the "
            "QR code at the page that starts the procedure if there is one",
            REVIEW,
        )
    versions = [c.version for c in guide.changes]
    if guide.version not in versions:
        add(
            ("version",),
            f"'changes': no entry for version {guide.version} "
            "(add {version, date, ja, en} saying what changed)",
        )
    for k, change in enumerate(guide.changes):
        if change.version > guide.version:
            add(("changes", k, "version"), f"'changes.{k}': version {change.version} is newer "
                f"than the guide's version {guide.version}")  # fmt: skip
        if versions.count(change.version) > 1:
            add(("changes", k, "version"), f"'changes.{k}': version {change.version} is listed "
                "twice")  # fmt: skip
    return out


def reachable_steps(guide: ProcedureGuide) -> set[str]:
    ids = {s.id for s in guide.steps}
    todo, seen = [guide.steps[0].id], set()
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in ids:
            continue
        seen.add(sid)
        step = guide.step(sid)
        if step.branch:
            todo.extend(a.goto for a in step.branch.answers if a.goto)
        else:
            nxt = guide.next_step_id(sid)
            if nxt:
                todo.append(nxt)
    return seen
