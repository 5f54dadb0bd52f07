"""The procedure catalog: YAML guides in ``forms/guides`` and the shared taxonomy.

Each guide is loaded with safe-YAML semantics into typed models. Problems are reported as
``path:LINE: message``; a broken guide goes to ``Catalog.problems`` and never stops the others.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from dxdesk.core.i18n import RESIDENT_LANGUAGES, UI_LANGUAGES
from dxdesk.core.settings import CITY_URL_SETTINGS

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

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
Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]


def _needs(*langs: str):
    def check(value: dict[str, str]) -> dict[str, str]:
        missing = [lang for lang in langs if not (value.get(lang) or "").strip()]
        if missing:
            raise ValueError(f"missing text for {', '.join(missing)}")
        return value

    return check


def _known_langs(allowed: Sequence[str]):
    def check(value: dict[str, str]) -> dict[str, str]:
        unknown = [lang for lang in value if lang not in allowed]
        if unknown:
            raise ValueError(
                f"unknown language code {', '.join(unknown)}; use {', '.join(allowed)}"
            )
        return value

    return check


_FOLDED_CJK_BREAK = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \n]+(?=[\u3000-\u9fff\uff00-\uffef])"
)


def _join_folded_japanese(value: dict[str, str]) -> dict[str, str]:
    """YAML folding turns a line break into a space, which Japanese prose must not have."""
    if "ja" in value:
        value = {**value, "ja": _FOLDED_CJK_BREAK.sub("", value["ja"])}
    return value


# Staff-facing text: Japanese required, English optional (shown when the UI is in English).
StaffText = Annotated[
    dict[str, str],
    AfterValidator(_known_langs(UI_LANGUAGES)),
    AfterValidator(_needs("ja")),
    AfterValidator(_join_folded_japanese),
]
# Titles appear in both UI languages.
Title = Annotated[
    dict[str, str], AfterValidator(_known_langs(UI_LANGUAGES)), AfterValidator(_needs("ja", "en"))
]
# What the resident hears or reads: やさしい日本語 required, any resident language optional.
ResidentText = Annotated[
    dict[str, str],
    AfterValidator(_known_langs(RESIDENT_LANGUAGES)),
    AfterValidator(_needs("ja-easy")),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(_Model):
    id: Identifier
    url: Annotated[str, Field(pattern=r"^https?://")]
    checked_on: dt.date
    about: str = Field(min_length=1, description="what the source supports, in Japanese")


class Pitfall(_Model):
    problem: StaffText
    fix: StaffText
    sources: list[Identifier] = Field(default_factory=list)


class BranchAnswer(_Model):
    label: StaffText
    goto: Identifier | None = None
    outcome: Literal[OUTCOMES] | None = None  # type: ignore[valid-type]
    blocker: Identifier | None = None
    guide: Identifier | None = Field(default=None, description="suggest switching to this guide")

    @model_validator(mode="after")
    def _leads_somewhere(self) -> BranchAnswer:
        if not (self.goto or self.outcome or self.guide):
            raise ValueError("an answer needs 'goto' (a step id), 'outcome' or 'guide'")
        if self.goto and self.outcome:
            raise ValueError("an answer leads either to a step ('goto') or to an 'outcome'")
        return self


class Branch(_Model):
    question: StaffText
    say: ResidentText | None = None
    answers: list[BranchAnswer] = Field(min_length=2, max_length=9)


class Step(_Model):
    id: Identifier
    title: StaffText
    staff: StaffText = Field(description="instruction to the clerk, plain Japanese")
    say: ResidentText = Field(description="the sentence to say to the resident")
    screen: StaffText | None = Field(default=None, description="what the screen should show")
    pitfalls: list[Pitfall] = Field(default_factory=list)
    sources: list[Identifier] = Field(default_factory=list)
    branch: Branch | None = None
    next: Identifier | None = Field(default=None, description="a step id, or 'end'")
    outcome: Literal[OUTCOMES] | None = Field(  # type: ignore[valid-type]
        default=None, description="the outcome this step ends with, if it is an end step"
    )


class OnlineRoute(_Model):
    url: Annotated[str, Field(pattern=r"^https://")] | None = None
    setting: str | None = Field(default=None, description="name of a city URL in site settings")
    label: StaffText

    @model_validator(mode="after")
    def _one_target(self) -> OnlineRoute:
        if bool(self.url) == bool(self.setting):
            raise ValueError("give exactly one of 'url' (national) or 'setting' (city-specific)")
        if self.setting and self.setting not in CITY_URL_SETTINGS:
            raise ValueError(
                f"unknown site setting '{self.setting}'; known: {', '.join(CITY_URL_SETTINGS)}"
            )
        return self


class PaperField(_Model):
    key: Identifier
    label: StaffText
    kind: Literal["text", "date", "choice", "check", "digits"] = "text"
    choices: list[str] = Field(default_factory=list)
    lines: int = Field(default=1, ge=1, le=6)
    help: StaffText | None = None
    signature: bool = Field(default=False, description="left blank for the resident to sign")

    @model_validator(mode="after")
    def _choices(self) -> PaperField:
        if self.kind == "choice" and len(self.choices) < 2:
            raise ValueError("a 'choice' field needs at least two 'choices'")
        return self


class PaperFallback(_Model):
    title: StaffText
    where: StaffText = Field(description="where the resident hands the paper in")
    note: StaffText | None = None
    fields: list[PaperField] = Field(min_length=1)
    sources: list[Identifier] = Field(default_factory=list)


class SlipText(_Model):
    title: str = Field(min_length=1)
    steps: list[str] = Field(min_length=1, description="what the resident does at home")
    prepare: list[str] = Field(default_factory=list)


class ProcedureGuide(_Model):
    id: Identifier
    version: int = Field(ge=1)
    reviewed_on: dt.date
    title: Title
    kana: Annotated[str, Field(pattern=r"^[\u3041-\u309f\u30fc・ ]+$")]
    category: Identifier
    keywords: list[str] = Field(default_factory=list)
    summary: StaffText
    bring: list[StaffText] = Field(default_factory=list)
    online_route: OnlineRoute
    steps: list[Step] = Field(min_length=1)
    blockers: list[Identifier] = Field(default_factory=list)
    paper: PaperFallback | None = None
    slip: dict[str, SlipText]
    sources: list[Source] = Field(min_length=1)
    related: list[Identifier] = Field(default_factory=list)

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


class BlockerKind(_Model):
    id: Identifier
    label: Title
    hint: StaffText = Field(description="what the clerk can do about it")
    guide: Identifier | None = Field(default=None, description="a guide that resolves it")


class Category(_Model):
    id: Identifier
    label: Title


class Taxonomy(_Model):
    categories: list[Category] = Field(min_length=1)
    blockers: list[BlockerKind] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        for name, items in (("categories", self.categories), ("blockers", self.blockers)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"duplicate id '{item.id}' in {name}")
                seen.add(item.id)
        if "other" not in {b.id for b in self.blockers}:
            raise ValueError("the blockers must include 'other' (a short note, privacy-checked)")
        return self

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


def _read_yaml(path: Path) -> tuple[Any, _Lines] | Problem:
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


def _pydantic_problems(path: Path, lines: _Lines, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
        where = ".".join(str(p) for p in loc) or "(top level)"
        kind = err["type"]
        if kind == "missing":
            message = f"'{where}': required field is missing"
        elif kind == "extra_forbidden":
            message = f"'{where}': unknown key (check the spelling; see forms/README.md)"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            got = err.get("input")
            shown = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
            message = f"'{where}': {msg}{shown}"
            if kind == "string_type" and isinstance(got, bool):
                message += "; YAML reads yes/no/on/off as true/false: put the text in quotes"
            elif kind == "string_type" and got is None and loc and " " in str(loc[-1]):
                message += "; a comma inside {...} starts a new key: put the text in quotes"
        problems.append(Problem(path, lines.line(loc), message))
    return problems


def load_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem]]:
    read = _read_yaml(path)
    if isinstance(read, Problem):
        return None, [read]
    data, lines = read
    try:
        return Taxonomy.model_validate(data), []
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
    try:
        guide = ProcedureGuide.model_validate(data)
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

CACHE_FORMAT = 1


def _catalog_fingerprint(forms: Path) -> tuple:
    """What a cached catalog depends on: every catalog file, this schema module, the version."""
    from dxdesk import __version__

    files = [forms / TAXONOMY_FILE, *_guide_files([forms])]
    stamps = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            return ()
        stamps.append((str(f), st.st_size, st.st_mtime_ns))
    schema = Path(__file__).stat()
    return (CACHE_FORMAT, __version__, str(forms), schema.st_size, schema.st_mtime_ns, *stamps)


def load_catalog_cached(forms: Path, cache_dir: Path | None) -> Catalog:
    """``load_catalog`` with a validated copy kept in ``cache_dir`` for fast start-up.

    The cache lives in the user's own cache folder and is only ever a copy: any mismatch or
    unreadable file means a full load, never an error.
    """
    import pickle

    if cache_dir is None:
        return load_catalog(forms)
    cache = cache_dir / "catalog.pickle"
    fingerprint = _catalog_fingerprint(forms)
    try:
        with cache.open("rb") as fh:
            stored_fingerprint, catalog = pickle.load(fh)
        if fingerprint and stored_fingerprint == fingerprint and isinstance(catalog, Catalog):
            return catalog
    except Exception:  # a stale, partial or foreign cache is simply rebuilt
        pass
    catalog = load_catalog(forms)
    if fingerprint:
        try:
            from dxdesk.core.settings import write_atomically

            write_atomically(cache, pickle.dumps((fingerprint, catalog)))
        except OSError:
            pass  # no cache this time; the catalog itself is fine
    return catalog


def ruby_html(text: str, reading_scale: int = 55) -> str:
    """Ruby markup as rich text: readings small after their kanji (Qt has no <ruby>)."""
    from html import escape

    return "".join(
        escape(base)
        if reading is None
        else f"{escape(base)}<span style='font-size:{reading_scale}%'>（{escape(reading)}）</span>"
        for base, reading in ruby_segments(text)
    )
