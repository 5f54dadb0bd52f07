"""The procedure catalog: YAML guides in ``forms/guides`` and the shared taxonomy.

Each guide is loaded with safe-YAML semantics and validated by the pydantic schema in
``dxdesk.core.guide_schema``; the app works on the plain dataclasses below, which a start-up cache
restores without importing pydantic or YAML. Problems are reported as ``path:LINE: message``; a
broken guide goes to ``Catalog.problems`` and never stops the others.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxdesk.core.i18n import RESIDENT_LANGUAGES

if TYPE_CHECKING:
    import yaml

GUIDES_SUBDIR = "guides"
TAXONOMY_FILE = "taxonomy.yaml"
REVIEW_MAX_AGE_DAYS = 365

OUTCOMES: tuple[str, ...] = (
    "completed_online",
    "handed_off",
    "paper_fallback",
    "referred",
    "not_completed",
)

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


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
    guide: str | None = None  # a guide that resolves it


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


# Schema names that other modules import from here; served lazily so the app never loads pydantic.
_SCHEMA_NAMES = frozenset(
    {"Identifier", "StaffText", "Title", "ResidentText", "_Model", "_pydantic_problems"}
)


def __getattr__(name: str) -> Any:
    if name in _SCHEMA_NAMES:
        from dxdesk.core import guide_schema

        return getattr(guide_schema, name)
    raise AttributeError(f"module 'dxdesk.core.catalog' has no attribute {name!r}")


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Catalog:
    taxonomy: Taxonomy | None
    guides: dict[str, ProcedureGuide] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    def guide(self, guide_id: str) -> ProcedureGuide:
        try:
            return self.guides[guide_id]
        except KeyError:
            known = ", ".join(sorted(self.guides)) or "(none loaded)"
            raise KeyError(f"unknown procedure '{guide_id}'; known: {known}") from None

    def search(self, query: str) -> list[ProcedureGuide]:
        """Guides whose title, kana reading, keywords or id contain every word of ``query``."""
        words = [w for w in _fold(query).split() if w]
        found = []
        for guide in self.guides.values():
            haystack = _fold(
                " ".join(
                    [
                        guide.id,
                        guide.kana,
                        *guide.title.values(),
                        *guide.keywords,
                        *guide.summary.values(),
                    ]
                )
            )
            if all(w in haystack for w in words):
                found.append(guide)
        return found


def _fold(text: str) -> str:
    """Case- and width-insensitive; katakana folded to hiragana so readings match."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


class _Lines:
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


def _yaml_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


def _read_yaml(path: Path) -> tuple[Any, _Lines] | Problem:
    import yaml

    _Loader = _yaml_loader()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return Problem(path, 1, f"not UTF-8 text ({exc.reason}); save the file as UTF-8")
    except OSError as exc:
        return Problem(path, 1, f"cannot be read ({exc.strerror})")
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        return Problem(path, line, f"YAML syntax error: {what}{context}")
    except yaml.YAMLError as exc:
        return Problem(path, 1, f"YAML error: {exc}")
    lines = _Lines(node)
    if lines.duplicates:
        key, line = lines.duplicates[0]
        return Problem(path, line, f"duplicate key '{key}'")
    return data, lines


def load_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem]]:
    read = _read_yaml(path)
    if isinstance(read, Problem):
        return None, [read]
    data, lines = read
    from dxdesk.core.guide_schema import Taxonomy as TaxonomySchema
    from dxdesk.core.guide_schema import ValidationError, _pydantic_problems, to_runtime

    try:
        return to_runtime(TaxonomySchema.model_validate(data)), []
    except ValidationError as exc:
        return None, _pydantic_problems(path, lines, exc)


def _check_references(
    path: Path, lines: _Lines, guide: ProcedureGuide, taxonomy: Taxonomy | None
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
    reachable = _reachable_steps(guide)
    for i, step in enumerate(guide.steps):
        if step.id not in reachable:
            add(("steps", i, "id"), f"step '{step.id}' cannot be reached from the first step")
    return problems


def _reachable_steps(guide: ProcedureGuide) -> set[str]:
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


def load_guide(
    path: Path, taxonomy: Taxonomy | None
) -> tuple[ProcedureGuide | None, list[Problem], _Lines | None]:
    read = _read_yaml(path)
    if isinstance(read, Problem):
        return None, [read], None
    data, lines = read
    if not isinstance(data, dict):
        return (
            None,
            [Problem(path, 1, "a guide must be a YAML mapping (id: ..., title: ...)")],
            lines,
        )
    from dxdesk.core.guide_schema import ProcedureGuide as GuideSchema
    from dxdesk.core.guide_schema import ValidationError, _pydantic_problems, to_runtime

    try:
        guide = to_runtime(GuideSchema.model_validate(data))
    except ValidationError as exc:
        return None, _pydantic_problems(path, lines, exc), lines
    problems = _check_references(path, lines, guide, taxonomy)
    if path.stem != guide.id:
        problems.append(
            Problem(
                path,
                lines.line(("id",)),
                f"'id': '{guide.id}' must match the file name '{path.stem}.yaml'",
            )
        )
    return (None if problems else guide), problems, lines


def _guide_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            sub = p / GUIDES_SUBDIR if (p / GUIDES_SUBDIR).is_dir() else p
            files.extend(sorted(f for f in sub.glob("*.yaml") if f.name != TAXONOMY_FILE))
        else:
            files.append(p)
    return files


def load_catalog(forms: Path, *, only: Sequence[Path] | None = None) -> Catalog:
    """Load the taxonomy and the guides under ``forms`` (or just the files/folders in ``only``).

    Links to other guides are checked against ``forms`` even when only some files are checked.
    """
    taxonomy, problems = load_taxonomy(forms / TAXONOMY_FILE)
    catalog = Catalog(taxonomy=taxonomy, problems=list(problems))
    checked = _guide_files(only if only is not None else [forms])
    line_maps: dict[str, _Lines] = {}
    for path in checked:
        guide, guide_problems, lines = load_guide(path, taxonomy)
        catalog.problems.extend(guide_problems)
        if guide is None:
            continue
        if guide.id in catalog.guides:
            first = catalog.files[guide.id]
            catalog.problems.append(
                Problem(path, 1, f"duplicate guide id '{guide.id}' (also in {first})")
            )
            continue
        catalog.guides[guide.id] = guide
        catalog.files[guide.id] = path
        line_maps[guide.id] = lines
    known = set(catalog.guides)
    if only is not None:  # a partial check still resolves links against the shipped guides
        known |= {f.stem for f in _guide_files([forms])}
    _check_guide_links(catalog, line_maps, known, forms / TAXONOMY_FILE)
    return catalog


def _check_guide_links(
    catalog: Catalog, line_maps: dict[str, _Lines], known: set[str], taxonomy_path: Path
) -> None:
    """Links between guides must land on a guide that exists."""
    for gid, guide in catalog.guides.items():
        path, lines = catalog.files[gid], line_maps[gid]
        links: list[tuple[tuple, str]] = [
            (("related", j), rel) for j, rel in enumerate(guide.related)
        ]
        for i, step in enumerate(guide.steps):
            for k, answer in enumerate(step.branch.answers if step.branch else []):
                if answer.guide:
                    links.append((("steps", i, "branch", "answers", k, "guide"), answer.guide))
        for loc, target in links:
            if target not in known:
                where = ".".join(map(str, loc))
                catalog.problems.append(
                    Problem(
                        path,
                        lines.line(loc),
                        f"'{where}': no guide with id '{target}' in the catalog",
                    )
                )
    if catalog.taxonomy:
        for blocker in catalog.taxonomy.blockers:
            if blocker.guide and blocker.guide not in known:
                catalog.problems.append(
                    Problem(
                        taxonomy_path,
                        1,
                        f"blocker '{blocker.id}': no guide with id "
                        f"'{blocker.guide}' in the catalog",
                    )
                )


_REF_RE = re.compile(r"\{([^|{}]+)\|([^{}]+)\}")


def plain_text(text: str) -> str:
    """Drop ruby markup ``{漢字|かんじ}`` to the base text."""
    return _REF_RE.sub(r"\1", text)


def with_readings(text: str) -> str:
    """Render ruby markup inline as 漢字（かんじ） for screens without ruby support."""
    return _REF_RE.sub(r"\1（\2）", text)


def ruby_segments(text: str) -> list[tuple[str, str | None]]:
    """Split ruby markup into (base, reading) pairs; reading is None for plain runs."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for m in _REF_RE.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], None))
        out.append((m.group(1), m.group(2)))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], None))
    return out


# --------------------------------------------------------------------------- start-up cache


def load_catalog_cached(forms: Path) -> Catalog:
    """``load_catalog`` through the start-up cache (no YAML, no pydantic when nothing changed)."""
    from dxdesk.core.startup_cache import cached

    files = [forms / TAXONOMY_FILE, *_guide_files([forms])]
    modules = ("dxdesk.core.catalog", "dxdesk.core.guide_schema")
    return cached("catalog", files, modules, lambda: load_catalog(forms))


def ruby_html(text: str, reading_scale: int = 55) -> str:
    """Ruby markup as rich text: readings small after their kanji (Qt has no <ruby>)."""
    from html import escape

    return "".join(
        escape(base)
        if reading is None
        else f"{escape(base)}<span style='font-size:{reading_scale}%'>（{escape(reading)}）</span>"
        for base, reading in ruby_segments(text)
    )
