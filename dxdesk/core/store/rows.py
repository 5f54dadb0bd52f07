"""Row checks for what enters the store from outside: sessions.csv and classes.csv rows.

One validation per row kind, shared by an import and by a class record saved from the GUI.
A failing row raises with its number (counted within its bundle) and the column.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from dxdesk.core.catalog import ID_PATTERN
from dxdesk.core.contract import (
    AGE_BANDS,
    ALL_OUTCOMES,
    CLASS_COUNT_COLUMNS,
    CLASS_CSV_COLUMNS,
    DEVICES,
    HELP_LANGUAGES,
    INT_COLUMNS,
    SESSIONS_CSV_COLUMNS,
)
from dxdesk.core.handoff import is_valid_handoff_code
from dxdesk.core.i18n import tr
from dxdesk.core.settings import SITE_ID_PATTERN
from dxdesk.core.store.errors import ImportRowError

# Upper bounds of imported numbers: far above any real visit, far below a phone or card number.
INT_LIMITS = {"attempt_no": 99, "hour": 23, "guide_version": 9999, "steps_reached": 999,
              "duration_min": 1440, "session_duration_min": 1440}  # fmt: skip

CLASS_INT_COLUMNS = frozenset({"hour", "duration_min", *CLASS_COUNT_COLUMNS})
CLASS_COUNT_LIMIT = 999  # people in one class; far below a phone, card or My Number
CLASS_INT_LIMITS = {"hour": 23, "duration_min": 1440}


_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
_IDENT = re.compile(ID_PATTERN)
_CHANNEL = re.compile(r"^[a-z][a-z_]{0,19}$")


def validated_attempt_row(raw: object, number: int) -> dict[str, Any]:
    """Check one sessions.csv row; values may be str (from a CSV) or int."""
    if not isinstance(raw, dict):
        raise ImportRowError(tr("store.import.not_a_row", row=number), number, None)
    missing = extra = []
    if raw.keys() != _CSV_COLUMN_SET:
        missing = [c for c in SESSIONS_CSV_COLUMNS if c not in raw]
        extra = [c for c in raw if c not in SESSIONS_CSV_COLUMNS]
    if missing or extra:
        raise ImportRowError(
            tr(
                "store.import.columns",
                row=number,
                missing=", ".join(missing) or "-",
                extra=", ".join(map(str, extra)) or "-",
            ),  # fmt: skip
            number,
            (missing or extra)[0],
        )

    def bad(column: str, expected: str) -> ImportRowError:
        return ImportRowError(
            tr(
                "store.import.bad_value",
                row=number,
                column=column,
                value=raw[column],
                expected=expected,
            ),  # fmt: skip
            number,
            column,
        )

    row: dict[str, Any] = {}
    for column in SESSIONS_CSV_COLUMNS:
        value = raw[column]
        if column in INT_COLUMNS:
            value = plain_int(value)
            if value is None or value > INT_LIMITS[column]:
                raise bad(column, f"an integer up to {INT_LIMITS[column]}")
        else:
            value = "" if value is None else str(value).strip()
        row[column] = value

    # Checked in column order; _EXPECTED says what a failing column must hold.
    checks = (
        ("session_id", _SESSION_ID.match(row["session_id"])),
        ("attempt_no", row["attempt_no"] >= 1),
        ("site_id", SITE_ID_PATTERN.match(row["site_id"])),
        ("channel", _CHANNEL.match(row["channel"])),
        ("date", is_iso_date(row["date"])),
        ("hour", 0 <= row["hour"] <= 23),
        ("procedure_id", _IDENT.match(row["procedure_id"])),
        ("guide_version", row["guide_version"] >= 1),
        ("outcome", row["outcome"] in ALL_OUTCOMES),
        ("steps_reached", row["steps_reached"] >= 0),
        ("last_step_id", not row["last_step_id"] or _IDENT.match(row["last_step_id"])),
        ("duration_min", row["duration_min"] >= 0),
        ("session_duration_min", row["session_duration_min"] >= 0),
        ("age_band", row["age_band"] in AGE_BANDS),
        ("device", row["device"] in DEVICES),
        ("help_language", row["help_language"] in HELP_LANGUAGES),
        ("handoff_code", not row["handoff_code"] or is_valid_handoff_code(row["handoff_code"])),
        ("return_of_code",
         not row["return_of_code"] or is_valid_handoff_code(row["return_of_code"])),
        ("hygiene_confirmed", row["hygiene_confirmed"] in ("", "0", "1")),
        ("ended", row["ended"] in ("finished", "abandoned")),
    )  # fmt: skip
    for column, ok in checks:
        if not ok:
            raise bad(column, _EXPECTED[column])
    blockers = [b for b in row["blockers"].split(";") if b]
    if any(not _IDENT.match(b) for b in blockers) or len(set(blockers)) != len(blockers):
        raise bad("blockers", "blocker ids joined by ';'")
    for column in _SESSION_ID_TEXT:
        if not identity_free(row[column]):
            raise bad(column, "an id that is not personal data")
    row["blockers"] = sorted(blockers)
    return row


_CSV_COLUMN_SET = frozenset(SESSIONS_CSV_COLUMNS)
# What a sessions.csv column must hold, for the message when a row does not.
_EXPECTED: dict[str, str] = {
    "session_id": "32 hex digits",
    "attempt_no": "1 or more",
    "site_id": "a site id like kita-ward-1",
    "channel": "a channel such as counter",
    "date": "a date YYYY-MM-DD",
    "hour": "0-23",
    "procedure_id": "a guide id",
    "guide_version": "1 or more",
    "outcome": " | ".join(ALL_OUTCOMES),
    "steps_reached": "0 or more",
    "last_step_id": "a step id or empty",
    "duration_min": "0 or more",
    "session_duration_min": "0 or more",
    "age_band": " | ".join(AGE_BANDS),
    "device": " | ".join(DEVICES),
    "help_language": " | ".join(HELP_LANGUAGES),
    "handoff_code": "a hand-off code or empty",
    "return_of_code": "a hand-off code or empty",
    "hygiene_confirmed": "1, 0 or empty",
    "ended": "finished | abandoned",
}


def is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


_CLASS_ID = _SESSION_ID
_SESSION_ID_TEXT = ("site_id", "channel", "procedure_id", "blockers", "last_step_id")


def plain_int(value: object) -> int | None:
    """A non-negative integer written with ASCII digits only (a CSV cell or an int), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else None


@functools.lru_cache(maxsize=4096)
def identity_free(text: str) -> bool:
    """An id-shaped value (site, guide, topic) may still be a phone or My Number: refuse it."""
    from dxdesk.core.privacy import find_personal_data  # compiled on first use

    return not find_personal_data(text.replace(";", " "))


_START_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_WARNING = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_class_row(raw: dict) -> tuple[tuple[str, str] | None, dict[str, Any]]:
    """Normalise one classes.csv row: (None, row) or ((column, expected), partial row)."""
    row: dict[str, Any] = {}
    for column in CLASS_CSV_COLUMNS:
        value = raw[column]
        if column in CLASS_INT_COLUMNS:
            value = plain_int(value)
            limit = CLASS_INT_LIMITS.get(column, CLASS_COUNT_LIMIT)
            if value is None or value > limit:
                return (column, f"an integer from 0 to {limit}"), row
        else:
            value = "" if value is None else str(value).strip()
        row[column] = value
    menu = [m for m in row["menu"].split(";") if m]
    warnings = [w for w in row["staffing_warning"].split(";") if w]
    checks: list[tuple[str, bool, str]] = [
        ("class_id", bool(_CLASS_ID.match(row["class_id"])), "32 hex digits"),
        ("site_id", bool(SITE_ID_PATTERN.match(row["site_id"])), "a site id like kita-ward-1"),
        ("date", is_iso_date(row["date"]), "a date YYYY-MM-DD"),
        ("hour", row["hour"] <= 23, "0-23"),
        ("start_time", bool(_START_TIME.match(row["start_time"]))
         and int(row["start_time"][:2]) == row["hour"], "HH:MM within the hour"),
        ("menu", all(_IDENT.match(m) for m in menu) and len(set(menu)) == len(menu),
         "topic ids joined by ';'"),
        ("staffing_warning", all(_WARNING.match(w) for w in warnings)
         and len(set(warnings)) == len(warnings), "empty or codes joined by ';'"),
    ]  # fmt: skip
    for column, ok, expected in checks:
        if not ok:
            return (column, expected), row
    for column in ("site_id", "menu", "staffing_warning"):
        if not identity_free(row[column]):
            return (column, "ids that are not personal data"), row
    row["menu"] = ";".join(sorted(menu))
    row["staffing_warning"] = ";".join(sorted(warnings))
    return None, row


def class_row_problem(
    raw: dict, allowed_extra: tuple[str, ...] = ()
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(row, None) for a good classes.csv row, else (None, what is wrong): ``{"column",
    "missing", "extra"}`` for the wrong columns or ``{"column", "expected"}`` for a bad value.
    One check for a class saved at the counter and for one imported from a bundle."""
    missing = [c for c in CLASS_CSV_COLUMNS if c not in raw]
    extra = [c for c in raw if c not in CLASS_CSV_COLUMNS and c not in allowed_extra]
    if missing or extra:
        return None, {"column": (missing or extra)[0], "missing": ", ".join(missing) or "-",
                      "extra": ", ".join(map(str, extra)) or "-"}  # fmt: skip
    problem, row = check_class_row(raw)
    if problem:
        column, expected = problem
        return None, {"column": column, "value": raw[column], "expected": expected}
    return row, None


def validated_class_row(raw: object, number: int) -> dict[str, Any]:
    """Check one classes.csv row to import; values may be str (from a CSV) or int."""
    if not isinstance(raw, dict):
        raise ImportRowError(tr("store.import.not_a_row", row=number), number, None)
    row, problem = class_row_problem(raw)
    if problem is None:
        return row  # type: ignore[return-value]
    key = "store.import.class_columns" if "missing" in problem else "store.import.bad_value"
    raise ImportRowError(tr(key, row=number, **problem), number, problem["column"])
