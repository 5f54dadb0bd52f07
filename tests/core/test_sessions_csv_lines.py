"""sessions.csv's lines as SQLite writes them (``ExportQueries.sessions_csv_lines``) are, byte
for byte, what the csv module writes of the same rows, for dxdesk's own values and for values
no dxdesk code writes (a comma, a quote, a line break, blockers stored out of order)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export.demo import demo_rows
from dxdesk.core.paths import forms_dir
from dxdesk.core.store import Store

MONTH = "2024-10"
START, END = dt.date(2024, 10, 1), dt.date(2024, 10, 31)


def _csv_module(store) -> list[str]:
    out = []
    for batch in store.queries.procedure_attempt_batches(START, END):
        for row in batch:
            text = io.StringIO()
            csv.writer(text, lineterminator="").writerow(row)
            out.append(text.getvalue())
    return out


def _sqlite(store) -> list[str]:
    return [line for _date, lines in store.queries.sessions_csv_lines(START, END) for line in lines]


def test_sqlite_writes_the_lines_the_csv_module_writes(tmp_path) -> None:
    with Store.open(tmp_path) as store:
        store.imports.import_procedure_attempt_rows(
            demo_rows(
                load_catalog(forms_dir()),
                sessions=400,
                months=[MONTH],
                sites=["kita-1", "minami-2"],
                seed=3,
            )  # fmt: skip
        )
        db = sqlite3.connect(store.path, isolation_level=None)
        ids = [r[0] for r in db.execute(
            "SELECT session_id FROM sessions WHERE ended IS NOT NULL ORDER BY 1 LIMIT 5"
        )]  # fmt: skip
        odd = ["step,with comma", 'say "hello"', "two\nlines", "cr\rhere"]
        for sid, value in zip(ids, odd, strict=False):
            db.execute("UPDATE procedure_attempts SET last_step_id = ? WHERE session_id = ?",
                       [value, sid])  # fmt: skip
        db.execute("UPDATE procedure_attempts SET outcome = NULL WHERE session_id = ?", [ids[4]])
        # blockers stored in reverse order of their ids
        db.execute("DELETE FROM attempt_blockers WHERE session_id = ?", [ids[0]])
        for blocker in ("zz-last", "mm-middle", "aa-first"):
            db.execute("INSERT INTO attempt_blockers (session_id, attempt_no, blocker_id)"
                       " VALUES (?, 1, ?)", [ids[0], blocker])  # fmt: skip
        db.close()
        written = _sqlite(store)
        expected = _csv_module(store)
    assert len(written) == len(expected) > 300
    assert written == expected
    assert any('"step,with comma"' in line for line in written)
    assert any("aa-first;mm-middle;zz-last" in line for line in written)
