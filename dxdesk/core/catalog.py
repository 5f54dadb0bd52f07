"""The procedure catalog: YAML guides in ``forms/guides`` and the shared taxonomy.

Each guide is loaded with safe-YAML semantics and validated by the pydantic schema in
``dxdesk.core.guide_schema``; the app works on the plain dataclasses below, which a start-up cache
restores without importing pydantic or YAML. Problems are reported as ``path:LINE: message``; a
broken guide goes to ``Catalog.problems`` and never stops the others.

One file is read by ``guide_files`` and checked by ``guide_checks``; this module lays the files
and layers together, searches the catalog, and keeps the ruby-markup helpers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dxdesk.core.catalog_inputs import (  # noqa: F401  (GUIDES_SUBDIR: re-exported)
    BUILDER_MODULES,
    GUIDES_SUBDIR,
    SEARCH_WORDS_FILE,
    catalog_inputs,
)
from dxdesk.core.catalog_inputs import guide_files as _guide_files
from dxdesk.core.guide import (  # noqa: F401  (the runtime types, re-exported for the app)
    CONTENT,
    ERROR,
    ID_PATTERN,
    PUBLISHER_KINDS,
    REVIEW,
    REVIEW_MAX_AGE_DAYS,
    REVIEW_WINDOW_DAYS,
    TAXONOMY_FILE,
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
        candidates = [self._candidates(word) for word in words]  # once, not once per guide
        for guide in self.guides.values():
            if guide.id not in self._index:  # folded once per guide, not per keystroke
                self._index[guide.id] = _search_index(guide)
            tiers = self._index[guide.id]
            rank, fill = 0, 0.0
            for word_candidates in candidates:
                best = _best_match(word_candidates, tiers)
                if best is None:
                    break
                rank, fill = rank + best[0], fill + best[1]
            else:
                found.append((-rank, -fill, guide.kana, guide))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found]

    def _candidates(self, word: str) -> list[str]:
        """The word, what search-words.yaml maps it to, and the same for its hiragana when it
        was typed in romaji with the input method off (kakutei -> かくてい)."""
        from dxdesk.core.romaji import to_hiragana  # only once the clerk searches

        candidates = [word, *self._expansions(word)]
        kana = to_hiragana(word)
        if kana and kana != word:
            candidates += [kana, *self._expansions(kana)]
        return candidates

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
    from dxdesk.core.guide_files import read_taxonomy  # not on a start from the cache

    taxonomy, problems, taxonomy_lines = read_taxonomy(forms / TAXONOMY_FILE)
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
    from dxdesk.core.guide_files import read_yaml

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
    from dxdesk.core.guide_files import load_guide

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

    files = catalog_inputs(forms, [layer.folder for layer in layers])
    return cached("catalog", files, BUILDER_MODULES, lambda: load_catalog(forms, layers=layers))


def ruby_html(text: str, reading_scale: int = 55) -> str:
    """Ruby markup as rich text: readings small after their kanji (Qt has no <ruby>)."""
    from html import escape

    return "".join(
        escape(base)
        if reading is None
        else f"{escape(base)}<span style='font-size:{reading_scale}%'>（{escape(reading)}）</span>"
        for base, reading in ruby_segments(text)
    )
