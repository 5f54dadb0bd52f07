"""The columns of the exported CSV files (a cross-team contract: never reorder or rename)."""

from __future__ import annotations

from dxdesk.core.contract import (  # noqa: F401  (re-exported for the export modules)
    AGE_70_PLUS,
    AGE_BANDS,
    ALL_OUTCOMES,
    CLASS_CSV_COLUMNS,
    DEVICES,
    ENDED,
    INT_COLUMNS,
    SESSIONS_CSV_COLUMNS,
)

BUNDLE_SCHEMA_VERSION = 2

# sessions.csv: one definition, in dxdesk.core.contract.
SESSION_COLUMNS: tuple[str, ...] = SESSIONS_CSV_COLUMNS

# classes.csv: the store's class_records columns without note, origin and recorded_at.
CLASS_COLUMNS: tuple[str, ...] = CLASS_CSV_COLUMNS
# The classes.csv header of schema 1 bundles (always header-only: classes were not recorded).
CLASS_COLUMNS_V1: tuple[str, ...] = (
    "date", "hour", "site_id", "duration_min", "menu", "tutors", "assistants", "learners",
    "learners_by_age", "results_reached", "results_partly", "results_not",
    *(f"satisfaction_{i}" for i in range(1, 6)),
)  # fmt: skip

# The export's tables show every stored outcome, abandoned included.
OUTCOMES: tuple[str, ...] = ALL_OUTCOMES
# Upper bounds (exclusive) of the duration bands, in whole minutes; the last band is open.
DURATION_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 5),
    (5, 10),
    (10, 15),
    (15, 20),
    (20, 30),
    (30, 45),
    (45, 60),
    (60, None),
)


def duration_band(minutes: int) -> str:
    for low, high in DURATION_BANDS:
        if high is None or minutes < high:
            return f"{low}-{high - 1}" if high is not None else f"{low}+"
    raise AssertionError("unreachable")


DURATION_BAND_LABELS: tuple[str, ...] = tuple(
    f"{low}-{high - 1}" if high is not None else f"{low}+" for low, high in DURATION_BANDS
)
# (low, high or None, label) per band, for a store query that bands minutes in SQL.
DURATION_BAND_BOUNDS: tuple[tuple[int, int | None, str], ...] = tuple(
    (low, high, label)
    for (low, high), label in zip(DURATION_BANDS, DURATION_BAND_LABELS, strict=True)
)
