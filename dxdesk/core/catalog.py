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

from dxdesk.core.guide import (  # noqa: F401  (the runtime types, re-exported for the app)
    CONTENT,
    ERROR,
    ID_PATTERN,
    PUBLISHER_KINDS,
    REVIEW,
    REVIEW_MAX_AGE_DAYS,
    REVIEW_WINDOW_DAYS,
    BlockerKind,
    Branch,
    BranchAnswer,
    Category,
    Change,
    OnlineRoute,
    PaperFallback,
    PaperField,
    Pitfall,
    Problem,
    ProcedureGuide,
    SlipText,
    Source,
    Step,
    Taxonomy,
    Texts,
    YamlLines,
)
from dxdesk.core.i18n import RESIDENT_LANGUAGES

if TYPE_CHECKING:
    pass


GUIDES_SUBDIR = "guides"
TAXONOMY_FILE = "taxonomy.yaml"
SEARCH_WORDS_FILE = "search-words.yaml"  # everyday words -> catalog words, for search only


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class CatalogLayer:
    """A folder of guides laid over the shipped ones: adds guides and overrides them by id.

    ``kind`` is "pack" (an installed, signed catalog pack) or "city" (the city's own folder,
    from the site setting ``city_forms_dir`` or ``--forms DIR``)."""

    kind: str
    folder: Path


@dataclass
class Catalog:
    taxonomy: Taxonomy | None
    guides: dict[str, ProcedureGuide] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # errors: those guides are not loaded
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)  # content-rule breaks and review notes
    origins: dict[str, str] = field(default_factory=dict)  # guide id -> "shipped", "pack", "city"
    overridden: dict[str, Path] = field(default_factory=dict)  # guide id -> the file it replaced
    layers: list[CatalogLayer] = field(default_factory=list)  # folders laid over the shipped one
    search_words: dict[str, list[str]] = field(default_factory=dict)  # folded word -> words
    _index: dict[str, tuple] = field(default_factory=dict, repr=False, compare=False)

    def origin(self, guide_id: str) -> str:
        return self.origins.get(guide_id, "shipped")

    def review_notes(self, today: dt.date | None = None) -> list[Problem]:
        """The loader's notes plus the guides past their review date (depends on today)."""
        overdue = [
            Problem(
                self.files.get(g.id, Path(g.id)),
                1,
                f"guide '{g.id}' was last reviewed on {g.reviewed_on.isoformat()}, more than "
                f"{REVIEW_MAX_AGE_DAYS} days ago: re-read every source and move 'reviewed_on'",
                REVIEW,
            )
            for g in sorted(self.guides.values(), key=lambda g: g.id)
            if g.review_overdue(today)
        ]
        return [*self.notes, *overdue]

    def guide(self, guide_id: str) -> ProcedureGuide:
        try:
            return self.guides[guide_id]
        except KeyError:
            known = ", ".join(sorted(self.guides)) or "(none loaded)"
            raise KeyError(f"unknown procedure '{guide_id}'; known: {known}") from None

    def search(self, query: str) -> list[ProcedureGuide]:
        """Guides that match every word of ``query``, best first.

        A word matches when it, or a word that ``forms/search-words.yaml`` maps it to (also for
        the start of a longer key: かくてい -> かくていしんこく), appears in the guide's title,
        kana or id (best), its keywords, or its summary or ruby readings; hiragana and
        katakana, width and case are all folded. Among equal matches, the guide whose title or
        keyword the word fills most comes first."""
        words = [w for w in _fold(query).split() if w]
        if not words:  # the whole list, by reading: no guide needs folding for it
            return sorted(self.guides.values(), key=lambda g: g.kana)
        found: list[tuple[int, float, str, ProcedureGuide]] = []
        for guide in self.guides.values():
            if guide.id not in self._index:  # folded once per guide, not per keystroke
                self._index[guide.id] = _search_index(guide)
            tiers = self._index[guide.id]
            rank, fill = 0, 0.0
            for word in words:
                best = _best_match([word, *self._expansions(word)], tiers)
                if best is None:
                    break
                rank, fill = rank + best[0], fill + best[1]
            else:
                found.append((-rank, -fill, guide.kana, guide))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found]

    def _expansions(self, word: str) -> list[str]:
        if word in self.search_words:
            return self.search_words[word]
        if len(word) < 2:
            return []
        return [w for key, words in self.search_words.items() if key.startswith(word)
                for w in words]  # fmt: skip


def _search_index(guide: ProcedureGuide) -> tuple[list[str], list[str], list[str]]:
    """A guide's folded search texts in three tiers: names (title, kana, id), keywords, and
    the rest (summary, ruby readings of what the resident hears and reads)."""
    names = [_fold(t) for t in [*guide.title.values(), guide.kana, guide.id]]
    keywords = [_fold(k) for k in guide.keywords]
    resident_texts = [t for s in guide.steps for t in (s.say or {}).values()]
    resident_texts += [t for s in guide.steps if s.branch and s.branch.say
                       for t in s.branch.say.values()]  # fmt: skip
    for slip in guide.slip.values():
        resident_texts += [slip.title, *slip.steps, *slip.prepare]
    readings = {m.group(2) for t in resident_texts for m in _REF_RE.finditer(t)}
    rest = [_fold(t) for t in [*guide.summary.values(), *(r for r in readings if len(r) > 1)]]
    return names, keywords, rest


def _best_match(
    alternatives: list[str], tiers: tuple[list[str], list[str], list[str]]
) -> tuple[int, float] | None:
    """(tier score, how much of the matched text the word fills) of the best match, or None."""
    for score, texts in zip((3, 2, 1), tiers, strict=True):
        fills = [len(a) / len(t) for a in alternatives for t in texts if a and a in t]
        if fills:
            return score, max(fills)
    return None


def _fold(text: str) -> str:
    """Case- and width-insensitive; katakana folded to hiragana so readings match."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


MAX_YAML_BYTES = 256 * 1024  # a guide is a few KB; anything near this is not a guide
MAX_YAML_NODES = 50_000  # values after alias expansion (the biggest shipped guide has ~2,000)
MAX_GUIDE_VERSION = 9999  # the store's bound on guide_version


def _expanded_nodes(root: Any, limit: int) -> int:
    """How many values the document holds once aliases are expanded (capped at limit + 1),
    in time linear in the document: a shared node is sized once."""
    import yaml

    sizes: dict[int, int] = {}
    order: list[Any] = []
    todo = [root] if root is not None else []
    while todo:  # iterative post-order: a deep document cannot exhaust the stack here
        node = todo.pop()
        if id(node) in sizes:
            continue
        sizes[id(node)] = -1
        order.append(node)
        if isinstance(node, yaml.MappingNode):
            todo.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    for node in reversed(order):
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        sizes[id(node)] = min(limit + 1, 1 + sum(max(sizes[id(c)], 0) for c in children))
    return sizes.get(id(root), 0) if root is not None else 0


def _first_alias_line(text: str) -> int:
    match = re.search(r"(?m)[\s\[,:-]\*[^\s,\]}]+", text)
    return text.count("\n", 0, match.start() + 1) + 1 if match else 1


def _check_walks(path: Path, lines: YamlLines, guide: ProcedureGuide) -> list[Problem]:
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
    reachable = _reachable_steps(guide)
    for i, step in enumerate(guide.steps):
        if step.id in reachable and step.id not in finishing:
            add(("steps", i, "id"), f"step '{step.id}' can never reach an outcome: every way "
                "on from it loops back (give one step an 'outcome' or 'next: end')")  # fmt: skip
    return problems


def _yaml_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


def read_yaml(path: Path) -> tuple[Any, YamlLines] | Problem:
    import yaml

    _Loader = _yaml_loader()
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(path, 1, f"cannot be read ({exc.strerror})")
    if size > MAX_YAML_BYTES:
        return Problem(path, 1, f"the file is {size // 1024} KB; a guide may be at most "
                       f"{MAX_YAML_BYTES // 1024} KB (split it, or remove what is not a guide)")  # fmt: skip
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return Problem(path, 1, f"not UTF-8 text ({exc.reason}); save the file as UTF-8")
    except OSError as exc:
        return Problem(path, 1, f"cannot be read ({exc.strerror})")
    try:
        node = yaml.compose(text, Loader=_Loader)
        # Aliases share nodes: count what they would expand to before anything walks them.
        expanded = _expanded_nodes(node, MAX_YAML_NODES)
        if expanded > MAX_YAML_NODES:
            return Problem(path, _first_alias_line(text), "YAML aliases expand to more than "
                           f"{MAX_YAML_NODES:,} values; a guide needs no such repetition")  # fmt: skip
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        return Problem(path, line, f"YAML syntax error: {what}{context}")
    except yaml.YAMLError as exc:
        return Problem(path, 1, f"YAML error: {exc}")
    except RecursionError:
        return Problem(path, 1, "YAML nested too deeply for a guide")
    lines = YamlLines(node)
    if lines.duplicates:
        key, line = lines.duplicates[0]
        return Problem(path, line, f"duplicate key '{key}'")
    return data, lines


def load_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem]]:
    taxonomy, problems, _lines = _load_taxonomy(path)
    return taxonomy, problems


def _load_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem], YamlLines]:
    read = read_yaml(path)
    if isinstance(read, Problem):
        return None, [read], YamlLines(None)
    data, lines = read
    from dxdesk.core.guide_schema import Taxonomy as TaxonomySchema
    from dxdesk.core.guide_schema import ValidationError, pydantic_problems, to_runtime

    try:
        return to_runtime(TaxonomySchema.model_validate(data)), [], lines
    except ValidationError as exc:
        return None, pydantic_problems(path, lines, exc), lines


def _check_references(
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
    reachable = _reachable_steps(guide)
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


def _content_rules(path: Path, lines: YamlLines, guide: ProcedureGuide) -> list[Problem]:
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
) -> tuple[ProcedureGuide | None, list[Problem], YamlLines | None]:
    read = read_yaml(path)
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
    from dxdesk.core.guide_schema import ValidationError, pydantic_problems, to_runtime

    try:
        guide = to_runtime(GuideSchema.model_validate(data))
    except ValidationError as exc:
        return None, pydantic_problems(path, lines, exc), lines
    problems = _check_references(path, lines, guide, taxonomy)
    problems += _check_walks(path, lines, guide)
    if path.stem != guide.id:
        problems.append(
            Problem(
                path,
                lines.line(("id",)),
                f"'id': '{guide.id}' must match the file name '{path.stem}.yaml'",
            )
        )
    notes = _content_rules(path, lines, guide)
    return (None if problems else guide), problems + notes, lines


def _guide_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            sub = p / GUIDES_SUBDIR if (p / GUIDES_SUBDIR).is_dir() else p
            files.extend(sorted(f for f in sub.glob("*.yaml") if f.name != TAXONOMY_FILE))
        else:
            files.append(p)
    return files


SHIPPED = "shipped"


def load_catalog(
    forms: Path,
    *,
    only: Sequence[Path] | None = None,
    layers: Sequence[CatalogLayer] = (),
) -> Catalog:
    """Load the taxonomy and the guides under ``forms`` (or just the files/folders in ``only``),
    then each layer in order, with the same checks; a later guide overrides one by id.

    A layer's broken guide is a problem and the guide it would override stays in use. Links to
    other guides are checked against ``forms`` even when only some files are checked.
    """
    taxonomy, problems, taxonomy_lines = _load_taxonomy(forms / TAXONOMY_FILE)
    catalog = Catalog(taxonomy=taxonomy, problems=list(problems))
    catalog.layers = list(layers) if only is None else []
    catalog.search_words, word_problems = _load_search_words(forms / SEARCH_WORDS_FILE)
    catalog.problems.extend(word_problems)
    checked = _guide_files(only if only is not None else [forms])
    line_maps: dict[str, YamlLines] = {}
    for path in checked:
        _add_guide(catalog, line_maps, path, taxonomy, SHIPPED)
    for layer in layers if only is None else ():
        if not layer.folder.is_dir():
            catalog.problems.append(
                Problem(layer.folder, 1, f"{layer.kind} folder not found: {layer.folder}")
            )
            continue
        for path in _guide_files([layer.folder]):
            _add_guide(catalog, line_maps, path, taxonomy, layer.kind)
    known = set(catalog.guides)
    if only is not None:  # a partial check still resolves links against the whole catalog
        known |= {f.stem for f in _guide_files([forms])}
        known |= {
            f.stem for lay in layers if lay.folder.is_dir() for f in _guide_files([lay.folder])
        }
    _check_guide_links(catalog, line_maps, known, forms / TAXONOMY_FILE, taxonomy_lines)
    return catalog


def _load_search_words(path: Path) -> tuple[dict[str, list[str]], list[Problem]]:
    if not path.exists():
        return {}, []
    read = read_yaml(path)
    if isinstance(read, Problem):
        return {}, [read]
    data, lines = read
    words = data.get("words") if isinstance(data, dict) else None
    if not isinstance(words, dict):
        return {}, [Problem(path, 1, "'words': a mapping of a word to a list of words is needed")]
    out: dict[str, list[str]] = {}
    problems = []
    for key, values in words.items():
        if (
            not isinstance(key, str)
            or not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v.strip() for v in values)
        ):
            problems.append(Problem(path, lines.line(("words", key)),
                                    f"'words.{key}': give a list of words, e.g. [確定申告]"))  # fmt: skip
            continue
        out[_fold(key)] = [_fold(v) for v in values]
    return out, problems


def _add_guide(
    catalog: Catalog,
    line_maps: dict[str, YamlLines],
    path: Path,
    taxonomy: Taxonomy | None,
    origin: str,
) -> None:
    guide, found, lines = load_guide(path, taxonomy)
    catalog.problems.extend(p for p in found if p.kind == ERROR)
    catalog.notes.extend(p for p in found if p.kind != ERROR)
    if guide is None:
        return
    gid = guide.id
    if gid in catalog.guides:
        first = catalog.files[gid]
        if catalog.origins.get(gid, SHIPPED) == origin:
            catalog.problems.append(
                Problem(path, 1, f"duplicate guide id '{gid}' (also in {first})")
            )
            return
        replaced = catalog.guides[gid]
        if guide.version <= replaced.version:
            catalog.notes.append(
                Problem(
                    path,
                    lines.line(("version",)),  # type: ignore[union-attr]
                    f"'version': {guide.version} overrides '{gid}' version {replaced.version} "
                    f"({first}); give it a higher version so statistics keep the two apart",
                    CONTENT,
                )
            )
        # The overridden file is no longer in use: its notes would only distract.
        catalog.notes = [n for n in catalog.notes if n.path != first]
        catalog.overridden[gid] = first
    catalog.guides[gid] = guide
    catalog.files[gid] = path
    catalog.origins[gid] = origin
    line_maps[gid] = lines  # type: ignore[assignment]


def _check_guide_links(
    catalog: Catalog,
    line_maps: dict[str, YamlLines],
    known: set[str],
    taxonomy_path: Path,
    taxonomy_lines: YamlLines,
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
        for j, blocker in enumerate(catalog.taxonomy.blockers):
            if blocker.resolved_by and blocker.resolved_by not in known:
                line = taxonomy_lines.line(("blockers", j, "resolved_by"))
                if ("blockers", j, "resolved_by") not in taxonomy_lines.lines:
                    line = taxonomy_lines.line(("blockers", j, "guide"))  # the older key
                catalog.problems.append(
                    Problem(
                        taxonomy_path,
                        line,
                        f"blocker '{blocker.id}': 'resolved_by': no guide with id "
                        f"'{blocker.resolved_by}' in the catalog",
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


def load_catalog_cached(forms: Path, layers: Sequence[CatalogLayer] = ()) -> Catalog:
    """``load_catalog`` through the start-up cache (no YAML, no pydantic when nothing changed).

    The copy is keyed by every file it was built from, the layers' guides included: a guide
    added, changed or removed in the city folder or an installed pack means a rebuild."""
    from dxdesk.core.startup_cache import cached

    files = [forms / TAXONOMY_FILE, *_guide_files([forms])]
    if (forms / SEARCH_WORDS_FILE).exists():
        files.append(forms / SEARCH_WORDS_FILE)
    for layer in layers:
        guides = layer.folder / GUIDES_SUBDIR
        # A folder's mtime changes when a guide is added or removed.
        files.append(guides if guides.is_dir() else layer.folder)
        if layer.folder.is_dir():
            files.extend(_guide_files([layer.folder]))
    modules = ("dxdesk.core.catalog", "dxdesk.core.guide_schema")
    return cached("catalog", files, modules, lambda: load_catalog(forms, layers=layers))


def ruby_html(text: str, reading_scale: int = 55) -> str:
    """Ruby markup as rich text: readings small after their kanji (Qt has no <ruby>)."""
    from html import escape

    return "".join(
        escape(base)
        if reading is None
        else f"{escape(base)}<span style='font-size:{reading_scale}%'>（{escape(reading)}）</span>"
        for base, reading in ruby_segments(text)
    )
