"""An attacker of a dxdesk publication: reads every number back from summary.xlsx and
report.pdf, and bounds every hidden count by integer programming (HiGHS).

It knows what anyone can know: the published rules ("<k" is 1..k-1; "x" is k or more, except in
a row or column whose total is below k, where it is 0..k-1), the sheets' structure (rows and
columns add up to their totals, the outcome sheets share their totals, a part is at most its
whole) and the report's figures (its KPIs, rates and bars). It uses no dxdesk suppression code:
only the labels, to find a figure's row. Run on any publication zip, old or new.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
TOTAL = "合計"
BIG = 1e7


def _col_index(ref: str) -> tuple[int, int]:
    m = re.match(r"([A-Z]+)(\d+)", ref)
    assert m
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def read_xlsx(data: bytes) -> dict[str, dict[tuple[int, int], object]]:
    """Sheet name -> {(row, col): str or float}, as Excel would read the file."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                strings.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        rels = {
            r.get("Id"): r.get("Target")
            for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall(
                "rel:Relationship", NS
            )
        }
        out = {}
        book = ET.fromstring(z.read("xl/workbook.xml"))
        for sheet in book.find("m:sheets", NS):
            target = rels[sheet.get(f"{{{NS['r']}}}id")].lstrip("/")
            path = target if target.startswith("xl/") else f"xl/{target}"
            cells = {}
            for c in ET.fromstring(z.read(path)).iter(f"{{{NS['m']}}}c"):
                v = c.find("m:v", NS)
                if v is None:
                    is_ = c.find("m:is", NS)
                    if is_ is None:
                        continue
                    value: object = "".join(t.text or "" for t in is_.iter(f"{{{NS['m']}}}t"))
                elif c.get("t") == "s":
                    value = strings[int(v.text)]
                elif c.get("t") == "str":
                    value = v.text or ""
                else:
                    value = float(v.text)
                cells[_col_index(c.get("r"))] = value
            out[sheet.get("name")] = cells
    return out


@dataclass
class Table:
    name: str
    rows: list[str]
    cols: list[str]
    row_totals: bool
    col_totals: bool
    grid: dict[tuple[int, int], object] = field(default_factory=dict)  # incl. margins

    @property
    def n(self) -> int:
        return len(self.rows)

    @property
    def m(self) -> int:
        return len(self.cols)

    def lines(self):
        r, c = self.n, self.m
        out = []
        if self.row_totals:
            out += [([(i, j) for j in range(c)], (i, c)) for i in range(r)]
        if self.col_totals:
            out += [([(i, j) for i in range(r)], (r, j)) for j in range(c)]
        if self.row_totals and self.col_totals:
            out.append(([(r, j) for j in range(c)], (r, c)))
            out.append(([(i, c) for i in range(r)], (r, c)))
        return out


def tables_of(sheets: dict[str, dict], header_row: int = 4) -> dict[str, Table]:
    """Each sheet's table: the header row, then rows until the totals row (or a blank)."""
    out = {}
    for name, cells in sheets.items():
        width = max((c for (r, c) in cells if r == header_row), default=-1) + 1
        header = [cells.get((header_row, c)) for c in range(width)]
        if width < 2:
            continue
        row_totals = header[-1] == TOTAL
        cols = [str(h) for h in header[1 : width - 1 if row_totals else width]]
        rows, r, col_totals = [], header_row + 1, False
        while (r, 0) in cells:
            if cells[(r, 0)] == TOTAL:
                col_totals = True
                break
            rows.append(str(cells[(r, 0)]))
            r += 1
        t = Table(name, rows, cols, row_totals, col_totals)
        for i in range(len(rows) + (1 if col_totals else 0)):
            for j in range(len(cols) + (1 if row_totals else 0)):
                t.grid[(i, j)] = cells.get((header_row + 1 + i, 1 + j), 0.0)
        out[name] = t
    return out


Key = tuple[str, int, int]


@dataclass
class Model:
    """Hidden entries with what their marks say, and linear facts over published entries."""

    k: int
    tables: dict[str, Table]
    facts: list[tuple[dict[Key | str, float], float, float]] = field(default_factory=list)
    extra: dict[str, tuple[float, float]] = field(default_factory=dict)  # report-only numbers

    def value(self, key: Key):
        name, i, j = key
        return self.tables[name].grid.get((i, j), 0.0)

    def is_hidden(self, key: Key) -> bool:
        return isinstance(self.value(key), str)

    def fact(self, terms: dict, lo: float, hi: float) -> None:
        self.facts.append((dict(terms), lo, hi))

    def equal(self, a: Key, b: Key) -> None:
        self.fact({a: 1, b: -1}, 0, 0)

    def at_most(self, part: Key, whole: Key) -> None:
        self.fact({part: 1, whole: -1}, -BIG, 0)

    def small_upper(self) -> set[Key]:
        """Entries known to be at most k-1: "<k", and cells of a line whose total is."""
        known = {
            (n, *e) for n, t in self.tables.items() for e, v in t.grid.items()
            if isinstance(v, str) and v.startswith("<")
        }  # fmt: skip
        changed = True
        while changed:
            changed = False
            for n, t in self.tables.items():
                for cells, total in t.lines():
                    if (n, *total) in known:
                        for c in cells:
                            if (n, *c) not in known:
                                known.add((n, *c))
                                changed = True
        return known

    def bounds(self, key: Key, small: set[Key]) -> tuple[float, float]:
        v = self.value(key)
        if v.startswith("<"):
            return 1.0, float(int(v[1:]) - 1)
        if key in small:
            return 0.0, float(self.k - 1)
        return float(self.k), BIG


def attack(model: Model, need: int) -> tuple[list[tuple[Key, float, float, str]], bool]:
    """Each hidden entry narrowed beyond the rule: (entry, least, greatest, mark). The rule:
    a "<k" keeps ``need`` values; an "x" is never exact unless it is 0; an "x" known to be a
    count of 1..k-1 keeps ``need`` values. Also whether the published numbers are consistent
    with the rules at all (False: the rules as published are not what the file does)."""
    import highspy
    import numpy as np

    small = model.small_upper()
    hidden = [
        (n, *e)
        for n, t in model.tables.items()
        for e in sorted(t.grid)
        if isinstance(t.grid[e], str)
    ]
    extra = sorted(model.extra)
    names = hidden + extra
    index = {key: i for i, key in enumerate(names)}
    lo = [model.bounds(key, small)[0] for key in hidden] + [model.extra[x][0] for x in extra]
    hi = [model.bounds(key, small)[1] for key in hidden] + [model.extra[x][1] for x in extra]
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(len(names), np.array(lo), np.array(hi))
    n_all = len(names)
    every = np.arange(n_all, dtype=np.int32)
    kinds = highspy.HighsVarType

    def solve() -> np.ndarray:
        """The optimum over the integers: an LP optimum at a lattice point is one (the LP
        bound is never worse); otherwise ask the MILP."""
        h.run()
        x = np.asarray(h.getSolution().col_value)
        if np.any(np.abs(x - x.round()) > 1e-6):
            h.changeColsIntegrality(n_all, every, np.array([kinds.kInteger] * n_all))
            h.run()
            x = np.asarray(h.getSolution().col_value)
            h.changeColsIntegrality(n_all, every, np.array([kinds.kContinuous] * n_all))
        return x.round()

    rows = defaultdict(int)
    for terms, flo, fhi in model.facts:
        idx, val, const = [], [], 0.0
        for key, coef in terms.items():
            if key in index:
                idx.append(index[key])
                val.append(float(coef))
            else:
                const += coef * float(model.value(key))
        if not idx:
            continue
        rows["n"] += 1
        h.addRow(flo - const, fhi - const, len(idx), np.array(idx, dtype=np.int32), np.array(val))
    h.changeColsIntegrality(n_all, every, np.array([kinds.kInteger] * n_all))
    h.run()  # is there an integer table at all that the rules allow?
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return [], False
    h.changeColsIntegrality(n_all, every, np.array([kinds.kContinuous] * n_all))
    seen_lo = np.asarray(h.getSolution().col_value).round()
    seen_hi = seen_lo.copy()
    findings = []
    for j, key in enumerate(hidden):
        mark = model.value(key)

        def ok(lo_, hi_, j=j, key=key, mark=mark) -> bool:
            a, b = lo_[j], hi_[j]
            if mark.startswith("<") or (key in small and a >= 1):
                return b - a + 1 >= need
            return b > a or b == 0

        if ok(seen_lo, seen_hi):
            continue
        result = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h.changeColCost(j, 1.0)
            h.changeObjectiveSense(sense)
            x = solve()
            h.changeColCost(j, 0.0)
            seen_lo, seen_hi = np.minimum(seen_lo, x), np.maximum(seen_hi, x)
            result.append(x[j])
        if not ok(seen_lo, seen_hi):
            findings.append((key, result[0], result[1], mark))
    return findings, True


# ------------------------------------------------------------------ what links the sheets


def link_sheets(model: Model, names: dict[str, str]) -> None:
    """The structure every dxdesk publication has, by sheet (``names``: key -> sheet name)."""
    t = {key: model.tables[name] for key, name in names.items() if name in model.tables}
    for name, table in model.tables.items():
        for cells, total in table.lines():
            model.fact({(name, *total): 1, **{(name, *c): -1 for c in cells}}, 0, 0)
    outcome = [k for k in ("procedure", "age_band", "device", "help_language", "channel",
                           "duration_band", "site") if k in t]  # fmt: skip
    P = t["procedure"]
    pn = names["procedure"]
    for key in outcome[1:]:
        other = t[key]
        for j in range(P.m + 1):
            model.equal((pn, P.n, j), (names[key], other.n, j))
    if "blockers" in t:
        B = t["blockers"]
        for b in range(B.n):
            for j in range(B.m):
                model.at_most((names["blockers"], b, j), (pn, P.n, j))
            model.at_most((names["blockers"], b, B.m), (pn, P.n, P.m))
    if "handoff" in t:
        H = t["handoff"]
        rows = {label: i for i, label in enumerate(P.rows)}
        for i, label in enumerate(H.rows):
            for j in range(2):
                if label in rows:
                    model.at_most((names["handoff"], i, j), (pn, rows[label], P.m))
    if {"class_results", "class_age"} <= set(t):
        R, A = t["class_results"], t["class_age"]
        rn, an = names["class_results"], names["class_age"]
        for s in range(R.n):
            model.equal((rn, s, R.m), (an, A.rows.index(R.rows[s]), A.m))
        model.equal((rn, R.n, R.m), (an, A.n, A.m))
        if "class_satisfaction" in t:
            S, sn = t["class_satisfaction"], names["class_satisfaction"]
            for s in range(S.n):
                model.at_most((sn, s, S.m), (rn, R.rows.index(S.rows[s]), R.m))
            model.at_most((sn, S.n, S.m), (rn, R.n, R.m))
        if "class_staffing" in t and "class_menu" in t:
            C, cn = t["class_staffing"], names["class_staffing"]
            M, mn = t["class_menu"], names["class_menu"]
            for s in range(C.n):
                for j in (1, 2):
                    model.at_most((cn, s, j), (cn, s, 0))
            for i in range(M.n):
                model.at_most((mn, i, 0), (cn, C.n, 0))
                model.at_most((mn, i, 1), (rn, R.n, R.m))
            if M.n:
                model.fact({(cn, C.n, 0): 1, **{(mn, i, 0): -1 for i in range(M.n)}}, -BIG, 0)
                model.fact({(rn, R.n, R.m): 1, **{(mn, i, 1): -1 for i in range(M.n)}}, -BIG, 0)


# ------------------------------------------------------------------ what the report says

_VALUE = r"([\d,]+(?:\.\d+)?%?|<\d+|x|—)"


def report_lines(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(p.extract_text(extraction_mode="layout") for p in pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def section(lines: list[str], heading: str, stops: list[str]) -> list[tuple[str, list[str]]]:
    """(label, values) of every line after ``heading`` up to the next of ``stops``."""
    out, inside = [], False
    for line in lines:
        if heading in line:
            inside = True
            continue
        if inside and any(s in line for s in stops):
            break
        if inside:
            m = re.match(r"^(.*?\S)\s+" + _VALUE + r"(?:\s+" + _VALUE + r")?$", line)
            if m and re.search(r"[^\d\s,.%]", m.group(1)):
                out.append((m.group(1).strip(), [v for v in m.groups()[1:] if v is not None]))
    return out


def number(text: str) -> float | None:
    return float(text.replace(",", "")) if re.fullmatch(r"[\d,]+(\.\d+)?", text) else None


def rate(text: str) -> float | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", text)
    return float(m.group(1)) / 100 if m else None


def figure(model: Model, key: Key, shown: str) -> None:
    """A count the report prints for an entry of a sheet: equal to it."""
    n = number(shown)
    if n is not None:
        model.fact({key: 1}, n, n)
    elif shown.startswith("<"):
        model.fact({key: 1}, 1, int(shown[1:]) - 1)


def ratio(model: Model, num: dict, den: dict, shown: str) -> None:
    """A rate the report prints, rounded to 0.1 %: num / den within half a step."""
    r = rate(shown)
    if r is None:
        return
    for bound, lo, hi in ((r - 0.0005, 0, BIG), (r + 0.0005, -BIG, 0)):
        terms: dict = defaultdict(float)
        for k, v in num.items():
            terms[k] += v
        for k, v in den.items():
            terms[k] -= bound * v
        model.fact(dict(terms), lo, hi)


SHEETS = (
    "procedure", "blockers", "age_band", "device", "help_language", "channel", "duration_band",
    "handoff", "site", "class_menu", "class_results", "class_age", "class_satisfaction",
    "class_staffing",
)  # fmt: skip


def sheet_names(lang: str = "ja") -> dict[str, str]:
    from dxdesk.core.i18n import tr

    out = {}
    for key in SHEETS:
        try:
            out[key] = tr(f"export.sheet.{key}", lang=lang)[:31]
        except KeyError:  # an older dxdesk, without that sheet
            continue
    return out


def _row(table: Table, label: str) -> int | None:
    """The row a (possibly shortened "…") chart label names."""
    stem = label.rstrip("…").replace(" ", "")
    for i, row in enumerate(table.rows):
        if row.replace(" ", "").startswith(stem):
            return i
    return None


def link_report(model: Model, lines: list[str], names: dict[str, str], lang: str = "ja") -> int:
    """Every figure of the report's this-month column and charts, as facts; returns how many
    figures were read (a test checks that the report was really read)."""
    from dxdesk.core.export.columns import OUTCOMES
    from dxdesk.core.export.labels import outcome_label
    from dxdesk.core.i18n import tr

    t = {key: model.tables.get(name) for key, name in names.items()}
    names = {**{k: "" for k in SHEETS}, **names}
    P, pn = t["procedure"], names["procedure"]
    G = (pn, P.n, P.m)
    heads = {h: tr(f"report.{h}.heading", lang=lang)
             for h in ("kpi", "outcomes", "procedures", "blockers", "age", "classes")}  # fmt: skip
    topics_head = tr("report.classes.topics", lang=lang)
    stops = [*heads.values(), topics_head]
    read = 0

    def col(name: str) -> Table | None:
        return t.get(name)

    # The KPI table: this month's column.
    kpi = {tr(f"report.kpi.{k}", lang=lang): k for k in (
        "sessions", "attempts", "completion_rate", "handoff_rate", "paper_rate", "share_70_plus",
        "mean_minutes", "returns", "hygiene")}  # fmt: skip
    model.extra.update({"sessions": (0, BIG), "hyg_checks": (0, BIG), "hyg_ok": (0, BIG),
                        "s70": (0, BIG), "sknown": (0, BIG)})  # fmt: skip
    model.fact({"sessions": 1, G: -1}, -BIG, 0)  # visits <= attempts
    model.fact({"sknown": 1, "sessions": -1}, -BIG, 0)
    model.fact({"s70": 1, "sknown": -1}, -BIG, 0)
    model.fact({"hyg_ok": 1, "hyg_checks": -1}, -BIG, 0)
    A, an = col("age_band"), names["age_band"]
    if A is not None:  # visits of a band are at most its attempts
        from dxdesk.core.export.labels import value_label

        label = {
            value_label("age_band", b, lang): b for b in ("70-74", "75-79", "80plus", "unknown")
        }
        seventy = [i for i, r in enumerate(A.rows) if label.get(r) in ("70-74", "75-79", "80plus")]
        known = [i for i, r in enumerate(A.rows) if label.get(r) != "unknown"]
        model.fact({"s70": 1, **{(an, i, A.m): -1 for i in seventy}}, -BIG, 0)
        model.fact({"sknown": 1, **{(an, i, A.m): -1 for i in known}}, -BIG, 0)
    D, dn = col("device"), names["device"]
    if D is not None:
        from dxdesk.core.export.labels import value_label

        terminal = [i for i, r in enumerate(D.rows)
                    if r == value_label("device", "counter_terminal", lang)]  # fmt: skip
        model.fact({"hyg_checks": 1, **{(dn, i, D.m): -1 for i in terminal}}, -BIG, 0)
    outcome_col = {o: OUTCOMES.index(o) for o in OUTCOMES}
    for label, values in section(lines, heads["kpi"], [heads["outcomes"]]):
        key = kpi.get(label)
        if key is None or not values:
            continue
        shown = values[0]
        read += 1
        if key == "attempts":
            figure(model, G, shown)
        elif key == "sessions":
            figure(model, "sessions", shown)
        elif key in ("completion_rate", "handoff_rate", "paper_rate"):
            o = {"completion_rate": "completed_online", "handoff_rate": "handed_off",
                 "paper_rate": "paper_fallback"}[key]  # fmt: skip
            ratio(model, {(pn, P.n, outcome_col[o]): 1}, {G: 1}, shown)
        elif key == "returns" and col("handoff") is not None:
            H = t["handoff"]
            figure(model, (names["handoff"], H.n, 1), shown)
        elif key == "share_70_plus":
            ratio(model, {"s70": 1}, {"sknown": 1}, shown)
        elif key == "hygiene":
            ratio(model, {"hyg_ok": 1}, {"hyg_checks": 1}, shown)
    # The bars: the outcome totals, procedures', blockers' and age bands' row totals.
    outcomes = {outcome_label(o, lang): j for o, j in outcome_col.items()}
    for label, values in section(lines, heads["outcomes"], stops):
        if label in outcomes:
            figure(model, (pn, P.n, outcomes[label]), values[0])
            read += 1
    for head, key in (("procedures", "procedure"), ("blockers", "blockers"), ("age", "age_band")):
        table = t.get(key)
        if table is None:
            continue
        for label, values in section(lines, heads[head], stops):
            i = _row(table, label)
            if i is not None:
                figure(model, (names[key], i, table.m), values[0])
                read += 1
    # The classes: KPIs and learners per topic.
    R, S, C, M = (
        col("class_results"),
        col("class_satisfaction"),
        col("class_staffing"),
        col("class_menu"),
    )
    if R is not None and C is not None:
        rn, sn, cn, an2 = (names[k] for k in ("class_results", "class_satisfaction",
                                               "class_staffing", "class_age"))  # fmt: skip
        A2 = t["class_age"]
        learners, classes = (rn, R.n, R.m), (cn, C.n, 0)
        ckpi = {tr(f"report.classes.kpi.{k}", lang=lang): k for k in (
            "classes", "learners", "mean_learners", "reached_rate", "share_70_plus",
            "satisfied_rate", "staffing_warnings")}  # fmt: skip
        model.extra["warned"] = (0, BIG)
        model.fact({"warned": 1, (cn, C.n, 1): -1, (cn, C.n, 2): -1}, -BIG, 0)
        for j in (1, 2):
            model.fact({"warned": 1, (cn, C.n, j): -1}, 0, BIG)
        for label, values in section(lines, heads["classes"], [topics_head]):
            key = ckpi.get(label)
            if key is None or not values:
                continue
            shown = values[0]
            read += 1
            if key == "classes":
                figure(model, classes, shown)
            elif key == "learners":
                figure(model, learners, shown)
            elif key == "mean_learners" and number(shown) is not None:
                m = number(shown)
                model.fact({learners: 1, classes: -(m - 0.05)}, 0, BIG)
                model.fact({learners: 1, classes: -(m + 0.05)}, -BIG, 0)
            elif key == "reached_rate":
                ratio(model, {(rn, R.n, 0): 1}, {learners: 1}, shown)
            elif key == "share_70_plus":
                cols = [j for j, c in enumerate(A2.cols) if any(x in c for x in ("70", "75", "80"))]
                unknown = [j for j in range(A2.m) if j not in cols and "不明" in A2.cols[j]]
                ratio(model, {(an2, A2.n, j): 1 for j in cols},
                      {(an2, A2.n, A2.m): 1, **{(an2, A2.n, j): -1 for j in unknown}}, shown)  # fmt: skip
            elif key == "satisfied_rate" and S is not None:
                ratio(model, {(sn, S.n, 3): 1, (sn, S.n, 4): 1}, {(sn, S.n, S.m): 1}, shown)
            elif key == "staffing_warnings":
                figure(model, "warned", shown)
        if M is not None:
            for label, values in section(lines, topics_head, ["\x00"]):
                i = _row(M, label)
                if i is not None:
                    figure(model, (names["class_menu"], i, 1), values[0])
                    read += 1
    return read


def attack_publication(zip_bytes: bytes, k: int, need: int, lang: str = "ja"):
    """(findings, consistent, figures read from the report) for one publication zip."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        xlsx, pdf = z.read("summary.xlsx"), z.read("report.pdf")
    names = sheet_names(lang)
    model = Model(k, tables_of(read_xlsx(xlsx)))
    link_sheets(model, names)
    read = link_report(model, report_lines(pdf), names, lang)
    findings, consistent = attack(model, need)
    return findings, consistent, read


if __name__ == "__main__":  # attack publication zips: python tests/core/attacker.py ZIP ... [--k K]
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("zips", nargs="+")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    from dxdesk.core.export.disclosure import protected_width

    for path in args.zips:
        with open(path, "rb") as fh:
            findings, consistent, read = attack_publication(
                fh.read(), args.k, protected_width(args.k)
            )
        exact = sum(1 for _k, lo, hi, _m in findings if lo == hi)
        print(
            f"{path}: {read} report figures read; consistent with its rules: {consistent}; "
            f"{len(findings)} hidden counts narrowed beyond the rule, {exact} of them exact"
        )
        for key, lo, hi, mark in findings[:20]:
            print(f"  {key[0]} row {key[1] + 1} col {key[2] + 1}: {mark} is {lo:g}..{hi:g}")
