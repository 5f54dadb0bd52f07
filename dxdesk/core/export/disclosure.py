"""Secondary suppression chosen against a solver: no hidden count can be narrowed.

An attacker who holds every published number of a publication knows, for every hidden entry,
that a "<k" entry lies in 1..k-1 and an "x" entry is at least k (an "x" is never a count
below k: those are "<k"), and every linear relation between published entries: each row and
column adds up to its total, the tables of one publication share their totals, a part is at
most its whole (attempts that met a blocker are at most the attempts of that outcome). From
these the attacker can bound each hidden entry by integer programming.

``protect`` audits a pattern with HiGHS: for each hidden entry it finds the least and the
greatest value the published numbers allow. The pattern passes when every "<k" entry can still
take at least ``protected_width(k)`` values (half of 1..k-1 rounded down, never one value) and no "x"
entry is exact. Where an entry fails, the smallest visible count sharing a line with it is
hidden too (greedy, as τ-ARGUS's and sdcTable's heuristics do), and the audit runs again.

Speed: only hidden entries are variables (shown ones are constants); the model falls into
independent parts solved apart; each LP is warm-started from the last; and every solution the
solver returns is a witness for all entries at once, so an entry already seen at two values far
enough apart needs no solve of its own. An LP optimum that is not integral is confirmed as a MILP.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dxdesk.core.export.suppression import SuppressedTable, close_lines

# (table key, row, col): one published number; row == n_rows / col == n_cols are its margins.
Key = tuple[str, int, int]
_BIG = 1e9  # an "x" has no upper bound; a finite one keeps every LP bounded
_EPS = 1e-6


@dataclass(frozen=True)
class Relation:
    """``sum(coef * entry) <sense> 0`` over published entries; sense is "=" or "<="."""

    terms: tuple[tuple[Key, int], ...]
    sense: str = "="


def equal(total: Key, parts: Iterable[Key]) -> Relation:
    return Relation(((total, 1), *((p, -1) for p in parts)), "=")


def at_most(part: Key, whole: Key) -> Relation:
    return Relation(((part, 1), (whole, -1)), "<=")


def sum_at_least(parts: Iterable[Key], whole: Key) -> Relation:
    """sum(parts) >= whole, written as whole - sum(parts) <= 0."""
    return Relation(((whole, 1), *((p, -1) for p in parts)), "<=")


def protected_width(k: int) -> int:
    """How many values a hidden count of 1..k-1 must still be able to take: at least half of
    1..k-1 (5 of 1..9 at k = 10), and never fewer than 2 (never exact)."""
    return max(math.ceil((k - 1) / 2), min(2, k - 1))


@dataclass(frozen=True)
class Finding:
    """A hidden entry the published numbers narrow: its least and greatest possible value."""

    key: Key
    low: float
    high: float
    primary: bool


def line_relations(tables: Mapping[str, SuppressedTable]) -> list[Relation]:
    return [
        equal((name, *total), [(name, *c) for c in cells])
        for name, table in tables.items()
        for cells, total in table.lines()
    ]


def _value(tables: Mapping[str, SuppressedTable], key: Key) -> int:
    name, r, c = key
    return tables[name].value(r, c)


def _hidden(tables: Mapping[str, SuppressedTable], key: Key) -> bool:
    name, r, c = key
    return (r, c) in tables[name].hidden


def _primary(tables: Mapping[str, SuppressedTable], key: Key) -> bool:
    name, r, c = key
    return (r, c) in tables[name].primary


def _hide(tables: Mapping[str, SuppressedTable], key: Key) -> None:
    name, r, c = key
    tables[name].hidden.add((r, c))


def _is_margin(tables: Mapping[str, SuppressedTable], key: Key) -> bool:
    name, r, c = key
    t = tables[name]
    return r == t.n_rows or c == t.n_cols


def small_lines(tables: Mapping[str, SuppressedTable]) -> set[Key]:
    """The cells of every line whose total is 1..k-1: none of them is published, zeros
    included, and all show "x" (not "<k"), so a reader cannot count the nonzero ones and pin
    each to 1..k-m. (Such a total is "<k", or an "x" of a line that is small itself.)"""
    out: set[Key] = set()
    for name, table in tables.items():
        for cells, total in table.lines():
            if 0 < table.value(*total) < table.k:
                out.update((name, *c) for c in cells)
    return out


def bounds(tables: Mapping[str, SuppressedTable], key: Key, small: set[Key]) -> tuple[float, float]:
    """What a reader who knows the rules knows of a hidden entry from its mark alone: "<k" is
    1..k-1; an "x" in a line whose total is "<k" is 0..k-1; any other "x" is at least k (it
    hides a count that is not small: small counts are "<k", zeros are shown)."""
    k = tables[key[0]].k
    if _primary(tables, key):
        return 1.0, float(k - 1)
    if key in small:
        return 0.0, float(k - 1)
    return float(k), _BIG


def propagate(tables: Mapping[str, SuppressedTable], relations: list[Relation]) -> None:
    """Hide every cell of a line whose total is "<k", close every table's lines, and give one
    number shown in two places (an equation of two entries, e.g. a total shared by two sheets)
    one status, until nothing changes."""
    pairs = [r for r in relations if r.sense == "=" and len(r.terms) == 2]
    changed = True
    while changed:
        changed = False
        for name, r, c in small_lines(tables):
            table = tables[name]
            if (r, c) not in table.hidden or (r, c) in table.primary:
                table.hidden.add((r, c))
                table.primary.discard((r, c))
                changed = True
        for table in tables.values():
            before = len(table.hidden)
            close_lines(table)
            changed |= len(table.hidden) != before
        for rel in pairs:
            (a, _), (b, _) = rel.terms
            ha, hb = _hidden(tables, a), _hidden(tables, b)
            if ha != hb:
                _hide(tables, b if ha else a)
                changed = True


def audit(
    tables: Mapping[str, SuppressedTable],
    relations: list[Relation],
    k: int,
    seen: dict[Key, tuple[float, float]] | None = None,
) -> list[Finding]:
    """Every hidden entry that the published numbers narrow beyond the rule (see module doc).

    ``seen`` keeps, per entry, the least and greatest value of the feasible solutions met so
    far; hiding more only adds solutions, so ``protect`` passes it from one round to the next
    and an entry once seen wide needs no solve again."""
    seen = {} if seen is None else seen
    hidden = [(name, r, c) for name, t in tables.items() for (r, c) in sorted(t.hidden)]
    if not hidden:
        return []
    index = {key: i for i, key in enumerate(hidden)}
    # Each relation with a hidden entry: its hidden terms and its constant (shown entries).
    rows: list[tuple[list[tuple[int, int]], float, str]] = []
    for rel in relations:
        terms, const = [], 0.0
        for key, coef in rel.terms:
            if key in index:
                terms.append((index[key], coef))
            else:
                const += coef * _value(tables, key)
        if terms:
            rows.append((terms, -const, rel.sense))
    # Independent parts: entries joined by a relation are solved together.
    parent = list(range(len(hidden)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for terms, _rhs, _s in rows:
        first = find(terms[0][0])
        for i, _c in terms[1:]:
            parent[find(i)] = first
    parts: dict[int, list[int]] = defaultdict(list)
    for i in range(len(hidden)):
        parts[find(i)].append(i)
    part_rows: dict[int, list[int]] = defaultdict(list)
    for n, (terms, _rhs, _s) in enumerate(rows):
        part_rows[find(terms[0][0])].append(n)

    need = protected_width(k)
    small = small_lines(tables)
    findings: list[Finding] = []
    for root, members in parts.items():
        keys = [hidden[g] for g in members]
        box = [bounds(tables, key, small) for key in keys]
        truth = [float(_value(tables, key)) for key in keys]
        part_of = [(rows[n], members) for n in part_rows.get(root, [])]
        audit_part = _PartAudit(members, box, truth, k, need)
        for j, key in enumerate(keys):  # solutions found in earlier rounds
            lo, hi = seen.get(key, (truth[j], truth[j]))
            audit_part.seen_lo[j], audit_part.seen_hi[j] = lo, hi
        for j, low, high in audit_part.run(part_of):
            findings.append(Finding(keys[j], low, high, truth[j] < k))
        for j, key in enumerate(keys):
            seen[key] = (float(audit_part.seen_lo[j]), float(audit_part.seen_hi[j]))
    return findings


class _PartAudit:
    """The least and greatest value of each hidden entry of one independent part."""

    def __init__(self, members: list[int], box: list[tuple[float, float]], truth: list[float],
                 k: int, need: int) -> None:  # fmt: skip
        self.members, self.box, self.truth, self.k, self.need = members, box, truth, k, need
        self.seen_lo, self.seen_hi = list(truth), list(truth)  # the true table is a witness

    def wide(self, j: int) -> bool:
        """A hidden zero reveals no one; a count of 1..k-1 keeps ``need`` values; a larger
        count is never exact."""
        span = self.seen_hi[j] - self.seen_lo[j]
        if self.truth[j] == 0:
            return True
        return span + 1 >= self.need - _EPS if self.truth[j] < self.k else span >= 1 - _EPS

    def run(self, rows) -> list[tuple[int, float, float]]:
        import highspy
        import numpy as np

        n = len(self.members)
        if all(self.wide(j) for j in range(n)):
            return []
        local = {g: j for j, g in enumerate(self.members)}
        h = highspy._Highs()  # the raw class: highspy.Highs() prints a banner on creation
        h.setOptionValue("output_flag", False)
        lower = np.array([lo for lo, _hi in self.box])
        upper = np.array([hi for _lo, hi in self.box])
        h.addVars(n, lower, upper)
        for (terms, rhs, sense), _m in rows:
            idx = np.array([local[i] for i, _c in terms], dtype=np.int32)
            val = np.array([float(c) for _i, c in terms])
            h.addRow(rhs if sense == "=" else -highspy.kHighsInf, rhs, len(idx), idx, val)
        self.h, self.np, self.highspy = h, np, highspy
        self.seen_lo, self.seen_hi = np.array(self.seen_lo), np.array(self.seen_hi)
        self.all_idx = np.arange(n, dtype=np.int32)
        out = []
        for j in range(n):
            if self.wide(j):
                continue
            low = self.solve(j, highspy.ObjSense.kMinimize)
            if self.wide(j):
                continue
            high = self.solve(j, highspy.ObjSense.kMaximize)
            if not self.wide(j):
                out.append((j, low, high))
        return out

    def solve(self, j: int, sense) -> float:
        h, n = self.h, len(self.members)
        kinds = self.highspy.HighsVarType
        h.changeColCost(j, 1.0)
        h.changeObjectiveSense(sense)
        h.run()
        np = self.np
        x = np.asarray(h.getSolution().col_value)
        if np.any(np.abs(x - np.round(x)) > _EPS):  # not a lattice point: ask the MILP
            h.changeColsIntegrality(n, self.all_idx, np.array([kinds.kInteger] * n))
            h.run()
            x = np.asarray(h.getSolution().col_value)
            h.changeColsIntegrality(n, self.all_idx, np.array([kinds.kContinuous] * n))
        h.changeColCost(j, 0.0)
        x = np.round(x)  # a witness for every entry of the part
        self.seen_lo = np.minimum(self.seen_lo, x)
        self.seen_hi = np.maximum(self.seen_hi, x)
        return float(x[j])


def _widen(tables: Mapping[str, SuppressedTable], by_key, start: Key) -> bool:
    """Hide the smallest visible nonzero count nearest to ``start``: first in its own lines
    (equations), then in any relation it is in, then one relation further through the hidden
    entries of those, and so on. False when nothing is left to hide."""
    frontier, seen = {start}, {start}
    while frontier:
        for sense in ("=", None):
            candidates = {
                key
                for entry in frontier
                for rel in by_key[entry]
                if sense is None or rel.sense == sense
                for key, _c in rel.terms
                if not _hidden(tables, key) and _value(tables, key) > 0
            }
            if candidates:
                best = min(candidates, key=lambda e: (_is_margin(tables, e), _value(tables, e), e))
                _hide(tables, best)
                return True
        frontier = {
            key
            for entry in frontier
            for rel in by_key[entry]
            for key, _c in rel.terms
            if key not in seen and _hidden(tables, key)
        }
        seen |= frontier
    return False


def protect(
    tables: Mapping[str, SuppressedTable], relations: list[Relation], k: int
) -> list[Relation]:
    """Extend the tables' hidden sets until ``audit`` finds nothing; return all relations used.

    ``relations`` are the links between tables (the tables' own lines are added here). A
    failing entry gets the smallest visible nonzero entry of its lines hidden (a cell before a
    total); with none, of any relation it is in."""
    everything = line_relations(tables) + list(relations)
    by_key: dict[Key, list[Relation]] = defaultdict(list)
    for rel in everything:
        for key, _c in rel.terms:
            by_key[key].append(rel)
    propagate(tables, everything)
    seen: dict[Key, tuple[float, float]] = {}
    while True:
        findings = audit(tables, everything, k, seen)
        if not findings:
            return everything
        added = False
        for f in findings:
            if _hidden(tables, f.key) and not _widen(tables, by_key, f.key):
                continue
            added = True
        if not added:  # every number joined to it is hidden already: publishing would leak
            raise ValueError(f"no suppression pattern protects {findings[0].key}")
        propagate(tables, everything)
