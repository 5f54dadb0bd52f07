"""The README's data dictionary lists every table and column of the live store schema."""

from __future__ import annotations

import re
from pathlib import Path

from dxdesk.core.store import CLASS_CSV_COLUMNS, SESSIONS_CSV_COLUMNS, Store

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = re.compile(r"^###\s+`([^`]+)`")
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*$")


def _dictionary() -> dict[str, list[tuple[str, str, str]]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- data-dictionary:start -->")
    end = text.index("<!-- data-dictionary:end -->")
    tables: dict[str, list[tuple[str, str, str]]] = {}
    current: str | None = None
    for line in text[start:end].splitlines():
        if m := HEADING.match(line):
            current = m.group(1)
            tables[current] = []
        elif current and (m := ROW.match(line)):
            tables[current].append(m.groups())
    return tables


def test_every_table_and_column_of_the_store_is_documented(data_dir):
    documented = _dictionary()
    with Store.open(data_dir) as store:
        db = store.database.connection
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        assert tables, "the store has no tables"
        for table in tables:
            assert table in documented, f"README data dictionary has no section for `{table}`"
            listed = {column: kind for column, kind, _ in documented[table]}
            for _, column, kind, *_ in db.execute(f"PRAGMA table_info({table})"):
                assert column in listed, f"README lists no column `{column}` of `{table}`"
                assert listed[column].upper() == kind.upper(), (
                    f"README gives `{table}.{column}` type {listed[column]}, the store has {kind}"
                )
            assert all(meaning for *_, meaning in documented[table]), f"`{table}`: empty meaning"


def test_the_sessions_csv_columns_are_documented_in_order():
    documented = _dictionary()
    assert [c for c, _, _ in documented["sessions.csv"]] == list(SESSIONS_CSV_COLUMNS)


def test_the_classes_csv_columns_are_documented_in_order():
    documented = _dictionary()
    assert [c for c, _, _ in documented["classes.csv"]] == list(CLASS_CSV_COLUMNS)
