"""A procedure guide as the app runs on it: plain frozen dataclasses, with no YAML or pydantic.

``dxdesk.core.guide_schema`` validates YAML into pydantic models with the same fields and converts
them to these; ``dxdesk.core.catalog`` loads files and checks them. Both import this module, and
it imports neither, so the two never import each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxdesk.core.catalog_inputs import TAXONOMY_FILE  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    import yaml

REVIEW_MAX_AGE_DAYS = 365  # a guide not reviewed for a year is flagged

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

# Who published a source page: a national agency, a city (or prefecture), or a company.
PUBLISHER_KINDS: tuple[str, ...] = ("agency", "city", "commercial")
# reviewed_on means "every source was re-read": all within this many days before it.
REVIEW_WINDOW_DAYS = 31


# --------------------------------------------------------------------------- runtime types
# Plain frozen dataclasses: what the app runs on. dxdesk.core.guide_schema validates YAML into
# pydantic models with the same fields and converts them to these (see the module docstring).

Texts = dict[str, str]  # language code -> text


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    checked_on: dt.date
    about: str
    title: str = ""  # the page's own title
    publisher: str | None = None  # one of PUBLISHER_KINDS
    no_official: str | None = None  # commercial only: why no agency or city page says this


@dataclass(frozen=True)
class Change:
    version: int
    date: dt.date
    ja: str
    en: str


@dataclass(frozen=True)
class Pitfall:
    problem: Texts
    fix: Texts
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BranchAnswer:
    label: Texts
    goto: str | None = None
    outcome: str | None = None
    blocker: str | None = None
    guide: str | None = None  # suggest switching to this guide
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Branch:
    question: Texts
    answers: list[BranchAnswer]
    say: Texts | None = None


@dataclass(frozen=True)
class Step:
    id: str
    title: Texts
    staff: Texts  # instruction to the clerk, plain Japanese
    say: Texts  # the sentence to say to the resident (ja-easy required)
    screen: Texts | None = None  # what the screen should show
    pitfalls: list[Pitfall] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    branch: Branch | None = None
    next: str | None = None  # a step id, or 'end'
    outcome: str | None = None  # the outcome this step ends with, if it is an end step


@dataclass(frozen=True)
class OnlineRoute:
    label: Texts
    url: str | None = None  # national
    setting: str | None = None  # name of a city URL in site settings


@dataclass(frozen=True)
class PaperField:
    key: str
    label: Texts
    kind: str = "text"  # text, date, choice, check, digits
    choices: list[str] = field(default_factory=list)
    lines: int = 1
    help: Texts | None = None
    signature: bool = False  # left blank for the resident to sign


@dataclass(frozen=True)
class PaperFallback:
    title: Texts
    where: Texts  # where the resident hands the paper in
    fields: list[PaperField]
    note: Texts | None = None
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SlipText:
    title: str
    steps: list[str]  # what the resident does at home
    prepare: list[str] = field(default_factory=list)
    done: dict[str, str] = field(default_factory=dict)  # step id -> "done today", for residents


@dataclass(frozen=True)
class ProcedureGuide:
    id: str
    version: int
    reviewed_on: dt.date
    title: Texts
    kana: str
    category: str
    summary: Texts
    online_route: OnlineRoute
    steps: list[Step]
    slip: dict[str, SlipText]
    sources: list[Source]
    keywords: list[str] = field(default_factory=list)
    bring: list[Texts] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    paper: PaperFallback | None = None
    related: list[str] = field(default_factory=list)
    summary_sources: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def next_step_id(self, step_id: str) -> str | None:
        """The step after ``step_id`` when no branch decides: 'next', else the list order."""
        current = self.step(step_id)
        if current.next:
            return None if current.next == "end" else current.next
        if current.outcome:
            return None
        ids = [s.id for s in self.steps]
        index = ids.index(step_id)
        return ids[index + 1] if index + 1 < len(ids) else None

    def review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or dt.date.today()
        return (today - self.reviewed_on).days > REVIEW_MAX_AGE_DAYS

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


@dataclass(frozen=True)
class BlockerKind:
    id: str
    label: Texts
    hint: Texts  # what the clerk can do about it
    resolved_by: str | None = None  # the guide that resolves it; the wizard offers it

    @property
    def guide(self) -> str | None:
        """The older name of ``resolved_by`` (the YAML key ``guide:`` is read as it too)."""
        return self.resolved_by


@dataclass(frozen=True)
class Category:
    id: str
    label: Texts


@dataclass(frozen=True)
class Taxonomy:
    categories: list[Category]
    blockers: list[BlockerKind]

    def blocker(self, blocker_id: str) -> BlockerKind:
        for b in self.blockers:
            if b.id == blocker_id:
                return b
        raise KeyError(blocker_id)

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)


ERROR, CONTENT, REVIEW = "error", "content", "review"


@dataclass(frozen=True)
class Problem:
    """One finding about a catalog file.

    ``kind``: "error" (the guide is not loaded), "content" (a content rule is broken: the guide
    loads, ``forms check`` fails) or "review" (a note for the reviewer; nothing fails).
    """

    path: Path
    line: int
    message: str
    kind: str = ERROR

    def __str__(self) -> str:
        mark = "note: " if self.kind == REVIEW else ""
        return f"{self.path}:{self.line}: {mark}{self.message}"


class YamlLines:
    """Maps a key path inside one YAML document to the line it starts on (1-based)."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.lines: dict[tuple, int] = {}
        self.duplicates: list[tuple[str, int]] = []
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        import yaml

        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.duplicates.append((key, key_node.start_mark.line + 1))
                seen.add(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._walk(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def line(self, path: Sequence[Any]) -> int:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)
