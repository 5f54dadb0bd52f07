"""Disclosure control for published tables: small counts hidden, and hidden ones kept hidden.

A table is published with its margins (row totals, column totals, grand total). Each row and
each column, together with its published total, is one linear equation; a line with exactly one
hidden entry gives that entry away. Primary suppression hides every count 1..k-1 (zeros stay
visible: a zero reveals no person); secondary suppression then hides, in every line that has
exactly one hidden entry, the next-smallest nonzero visible cell (or, when the line has no other
nonzero cell, its total), and repeats until nothing changes. A primary cell is shown as "<k",
a secondary one as "x" (the mark of Japan's official statistics for a withheld value). Applied
after merging sites, to summary.xlsx and report.pdf only (the internal sessions.csv is not a
publication).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DEFAULT_K = 3
PUBLISH_K = 10
# Japan's official statistics (e-Stat) print "x" for a value withheld for confidentiality.
SECONDARY_MARK = "x"

# An entry of the table with its margins: (row, col); row == n_rows is the totals row,
# col == n_cols is the totals column.
Entry = tuple[int, int]


@dataclass
class SuppressedTable:
    """Counts with their margins and which of them must not be shown."""

    counts: list[list[int]]
    k: int
    has_row_totals: bool
    has_col_totals: bool
    row_totals: list[int] = field(default_factory=list)
    col_totals: list[int] = field(default_factory=list)
    grand_total: int = 0
    hidden: set[Entry] = field(default_factory=set)
    primary: set[Entry] = field(default_factory=set)
    width: int = 0

    @property
    def n_rows(self) -> int:
        return len(self.counts)

    @property
    def n_cols(self) -> int:
        return len(self.counts[0]) if self.counts else self.width

    def value(self, row: int, col: int) -> int:
        if row == self.n_rows and col == self.n_cols:
            return self.grand_total
        if row == self.n_rows:
            return self.col_totals[col]
        if col == self.n_cols:
            return self.row_totals[row]
        return self.counts[row][col]

    def is_hidden(self, row: int, col: int) -> bool:
        return (row, col) in self.hidden

    def shown(self, row: int, col: int) -> int | str:
        """The published value: the count; "<k" for a count from 1 to k-1; SECONDARY_MARK for
        a count hidden only so that no small one can be worked out (it is not small, and "<k"
        would say it is)."""
        if (row, col) in self.primary:
            return f"<{self.k}"
        if (row, col) in self.hidden:
            return SECONDARY_MARK
        return self.value(row, col)

    def mark(self, row: int, col: int) -> str | None:
        """What a hidden entry shows instead of its count ("<k" or "x"); None when it is shown."""
        return str(self.shown(row, col)) if (row, col) in self.hidden else None

    def shown_row_total(self, row: int) -> int | str:
        return self.shown(row, self.n_cols)

    def shown_col_total(self, col: int) -> int | str:
        return self.shown(self.n_rows, col)

    def shown_grand_total(self) -> int | str:
        return self.shown(self.n_rows, self.n_cols)

    def lines(self) -> list[tuple[list[Entry], Entry]]:
        """Every published equation as (its cells, its total entry)."""
        r, c = self.n_rows, self.n_cols
        result: list[tuple[list[Entry], Entry]] = []
        if self.has_row_totals:
            result += [([(i, j) for j in range(c)], (i, c)) for i in range(r)]
        if self.has_col_totals:
            result += [([(i, j) for i in range(r)], (r, j)) for j in range(c)]
        if self.has_row_totals and self.has_col_totals:
            result.append(([(r, j) for j in range(c)], (r, c)))
            result.append(([(i, c) for i in range(r)], (r, c)))
        return result


def suppress(
    counts: Sequence[Sequence[int]],
    k: int = DEFAULT_K,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    width: int | None = None,
    also_hidden: Iterable[Entry] = (),
) -> SuppressedTable:
    """Apply primary and secondary suppression to a table of non-negative counts.

    ``row_totals``/``col_totals`` say which margins are published; the grand total is published
    when both are. A table without margins needs primary suppression only. ``width`` gives the
    number of columns of a table with no rows. ``also_hidden`` are entries hidden elsewhere (a
    margin another published table shares) that must be hidden here too; secondary
    suppression then protects them like any other.
    """
    if k < 1:
        raise ValueError(f"the suppression threshold k must be at least 1 (got {k})")
    matrix = [[int(v) for v in row] for row in counts]
    widths = {len(row) for row in matrix}
    if len(widths) > 1:
        raise ValueError("every row of a table must have the same number of cells")
    if any(v < 0 for row in matrix for v in row):
        raise ValueError("counts cannot be negative")
    table = SuppressedTable(matrix, k, row_totals, col_totals, width=width or 0)
    table.row_totals = [sum(row) for row in matrix]
    table.col_totals = (
        [sum(col) for col in zip(*matrix, strict=True)] if matrix else [0] * table.width
    )
    table.grand_total = sum(table.row_totals)

    published: list[Entry] = [(i, j) for i in range(table.n_rows) for j in range(table.n_cols)]
    if row_totals:
        published += [(i, table.n_cols) for i in range(table.n_rows)]
    if col_totals:
        published += [(table.n_rows, j) for j in range(table.n_cols)]
    if row_totals and col_totals:
        published.append((table.n_rows, table.n_cols))
    for entry in published:
        if 0 < table.value(*entry) < k:
            table.primary.add(entry)
    table.hidden = set(table.primary)
    table.hidden |= {e for e in also_hidden if e in published and table.value(*e) > 0}

    close_lines(table)
    return table


def close_lines(table: SuppressedTable) -> None:
    """Secondary suppression by lines: in every line (a row or column with its total) with
    exactly one hidden entry, hide the smallest visible nonzero cell (or, with none, the total),
    until no line has exactly one. A cheap first pass; ``disclosure.protect`` then checks the
    whole pattern with a solver."""
    lines = table.lines()
    changed = True
    while changed:  # each pass hides at least one more entry, so this ends
        changed = False
        for cells, total in lines:
            members = [*cells, total]
            hidden = [e for e in members if e in table.hidden]
            if len(hidden) != 1 or table.value(*hidden[0]) == 0:  # a lone hidden 0 tells nothing
                continue
            candidates = [e for e in cells if e not in table.hidden and table.value(*e) > 0]
            if candidates:
                table.hidden.add(min(candidates, key=lambda e: (table.value(*e), e)))
            else:  # the only nonzero cell is hidden: its total would give it away
                table.hidden.add(total)
            changed = True
