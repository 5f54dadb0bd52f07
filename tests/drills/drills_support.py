"""Helpers shared by the drills: real visits through the real store, and table dumps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dxdesk.core.catalog import Catalog
from dxdesk.core.store import STORE_FILE, Store

GUIDE = "convenience-store-certificates"


def record_visits(data_dir: Path, catalog: Catalog, count: int, site: str = "kita-1") -> None:
    """``count`` finished visits recorded through the real session and store."""
    with Store.open(data_dir) as store:
        for _ in range(count):
            session = store.sessions.start_session(catalog, site)
            session.add_procedure(GUIDE)
            session.answer(0)
            session.set_outcome("handed_off")
            session.finish()


def table_dump(data_dir: Path) -> list[tuple]:
    """Every row of the data tables, for "the store is unchanged" checks: every table but
    ``month_counts_memo``, whose remembered counts any read (an export, the dashboard) may
    write; ``month_changes`` proves that what they count is unchanged."""
    db = sqlite3.connect(f"{(data_dir / STORE_FILE).as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name <> 'month_counts_memo' ORDER BY name"
            )
        ]
        rows = [("schema", db.execute("PRAGMA user_version").fetchone()[0])]
        for table in tables:  # every table, so a change to any of them is seen
            rows += [(table, *r) for r in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
        return rows
    finally:
        db.close()
