"""Every path by which text enters the four note columns goes through the privacy guard,
and notes are blanked after the note retention period while the counts stay.

The first test finds the paths itself: every SQL statement in dxdesk/ that inserts into or
updates a table with a ``note`` column. A new one fails the test until it is listed here with
the guard that covers it (and a test below that shows the guard refusing personal data).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import sqlite3
import sys
import uuid
from pathlib import Path

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.events import NoteSet
from dxdesk.core.note_retention import blank_expired_notes
from dxdesk.core.paths import forms_dir
from dxdesk.core.privacy import PersonalDataError
from dxdesk.core.settings import SiteSettings
from dxdesk.core.store import CLASS_CSV_COLUMNS, NOTE_TABLES, STORE_FILE, Store

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_store_classes import _as_csv, _record  # noqa: E402

PERSONAL = "山田太郎 090-1234-5678"
GUIDE = "convenience-store-certificates"
JST = dt.timezone(dt.timedelta(hours=9))

# (module, function, table) -> how text reaches the note column there, and what guards it.
NOTE_WRITE_PATHS = {
    ("sessions.py", "record", "session_events"): "event.note: SupportSession._guard_note, then "
    "store/sessions._guard_event_note",
    ("sessions.py", "record", "sessions"): "inserts no note (the row starts empty)",
    ("sessions.py", "_write_session_row", "sessions"): "session.note, set only by a guarded event",
    ("sessions.py", "_write_attempt_rows", "attempt_blockers"): "mark.note, set only by a guarded "
    "'blocker' event",
    ("sessions.py", "abandon_interrupted", "session_events"): "inserts no note",
    ("sessions.py", "abandon_interrupted", "sessions"): "writes no note",
    ("imports.py", "_insert_attempt_rows", "sessions"): "imports carry no note column",
    ("imports.py", "_insert_attempt_rows", "attempt_blockers"): "imports carry no note column",
    ("classes.py", "save_class_record", "class_records"): "ensure_no_personal_data('class_note')",
    ("imports.py", "_insert_class_rows", "class_records"): "classes.csv has no note column",
    ("retention.py", "blank_notes_before", "*"): "writes NULL only (note retention)",
}
_WRITE_RE = re.compile(
    rf"\b(?:INSERT(?: OR \w+)? INTO|UPDATE)\s+(?P<table>{'|'.join(NOTE_TABLES)}|{{table}})(?!\w)",
    re.IGNORECASE,
)


def note_table_writes() -> set[tuple[str, str, str]]:
    """(file, function, table) of every INSERT/UPDATE on a note table in dxdesk/."""
    found = set()
    for path in sorted((ROOT / "dxdesk").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            # SQL built in a variable first (sql = f"INSERT INTO ..."; db.execute(sql, ...)).
            assigned = {
                t.id: ast.unparse(n.value)
                for n in ast.walk(func)
                if isinstance(n, ast.Assign)
                for t in n.targets
                if isinstance(t, ast.Name)
            }
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                    "execute", "executemany", "executescript"
                ):  # fmt: skip
                    arg = node.args[0] if node.args else None
                    if isinstance(arg, ast.Name):
                        sql = assigned.get(arg.id, "")
                    else:
                        sql = ast.unparse(arg) if arg is not None else ""
                    for m in _WRITE_RE.finditer(sql):
                        table = "*" if m["table"] == "{table}" else m["table"]
                        found.add((path.name, func.name, table))
    return found


def test_every_path_into_a_note_column_is_listed_with_its_guard() -> None:
    found = note_table_writes()
    unlisted = found - set(NOTE_WRITE_PATHS)
    assert not unlisted, f"new writes into a note table, guard them and list them: {unlisted}"
    gone = set(NOTE_WRITE_PATHS) - found
    assert not gone, f"listed paths no longer in the code (update the list): {gone}"


# --- each path refuses personal data ---------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


def test_session_note_and_blocker_note_are_refused(catalog, data_dir: Path) -> None:
    store = Store.open(data_dir)
    try:
        session = store.sessions.start_session(catalog, "kita-1")
        session.add_procedure(GUIDE)
        with pytest.raises(PersonalDataError):
            session.set_note(PERSONAL)
        with pytest.raises(PersonalDataError):
            session.mark_blocker("other", "山田太郎は初めて")
        with pytest.raises(PersonalDataError):
            session.mark_blocker("other", "携帯090\u200b1234\u200b5678")
        # An event forged past the session is refused by the store itself; nothing is written.
        forged = NoteSet(seq=999, at=dt.datetime.now(JST), note=PERSONAL)
        with pytest.raises(PersonalDataError):
            store.record(session, forged)
        session.set_note("娘さんと来所")
    finally:
        store.close()
    db = sqlite3.connect(data_dir / STORE_FILE)
    notes = [r[0] for t in NOTE_TABLES for r in db.execute(f"SELECT note FROM {t}") if r[0]]
    db.close()
    assert notes and all("山田" not in n and "090" not in n for n in notes)


def test_class_notes_are_refused_and_imports_carry_no_note(data_dir: Path) -> None:
    store = Store.open(data_dir)
    try:
        with pytest.raises(PersonalDataError):
            store.classes.save_class_record(_record(note="受講者 サトウ ハナコ 080-1111-2222"))
        assert "note" not in CLASS_CSV_COLUMNS
        store.imports.import_class_record_rows([_as_csv(_record())])
    finally:
        store.close()


# --- note retention -------------------------------------------------------------------------


def test_the_note_retention_setting_defaults_to_90_days_and_is_checked() -> None:
    assert SiteSettings().note_retention_days == 90
    assert SiteSettings.from_dict({"note_retention_days": "30"}).note_retention_days == 30
    with pytest.raises(ValueError):
        SiteSettings(note_retention_days=0)


def test_old_notes_are_blanked_in_all_four_tables_and_counts_stay(catalog, data_dir: Path) -> None:
    store = Store.open(data_dir)
    try:
        for when in (
            dt.datetime(2026, 6, 1, 10, tzinfo=JST),
            dt.datetime(2026, 11, 20, 10, tzinfo=JST),
        ):
            session = store.sessions.start_session(catalog, "kita-1", clock=lambda when=when: when)
            session.add_procedure(GUIDE)
            session.mark_blocker("other", "老眼鏡を忘れた")
            session.set_note("家族と来所")
            store.classes.save_class_record(
                _record(class_id=uuid.uuid4().hex, date=when.date().isoformat(), note="雨で少なめ")
            )
        db = sqlite3.connect(data_dir / STORE_FILE)
        rows_before = {
            t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in NOTE_TABLES
        }
        blanked = blank_expired_notes(store, 90, today=dt.date(2026, 11, 23))
        notes = {t: db.execute(f"SELECT count(note) FROM {t}").fetchone()[0] for t in NOTE_TABLES}
        rows_after = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in NOTE_TABLES}
        db.close()
    finally:
        store.close()
    assert rows_after == rows_before  # every count stays
    # The June visit and class lost their notes; the November ones keep theirs.
    assert notes == {"sessions": 1, "session_events": 2, "attempt_blockers": 1, "class_records": 1}
    assert blanked == 5
