"""The shared vocabulary: outcomes, age bands, devices, languages, slip formats, CSV columns.

Defined once here and imported everywhere (session, store, export, printing, gui); a value in
SQL or a widget that repeats one of these is a copy waiting to drift. This module imports
nothing of dxdesk, so any layer may use it. ``tests/core/test_contract.py`` ties every derived
list to it.
"""

from __future__ import annotations

# How a procedure attempt ended, as the clerk chooses it on the outcome page.
OUTCOMES: tuple[str, ...] = (
    "completed_online",
    "handed_off",
    "paper_fallback",
    "referred",
    "not_completed",
)
ABANDONED = "abandoned"  # set by the app when a visit is abandoned, never chosen
ALL_OUTCOMES: tuple[str, ...] = (*OUTCOMES, ABANDONED)  # every outcome a stored attempt can have

AGE_BANDS: tuple[str, ...] = (
    "unknown", "under60", "60-64", "65-69", "70-74", "75-79", "80plus",
)  # fmt: skip
AGE_70_PLUS: frozenset[str] = frozenset({"70-74", "75-79", "80plus"})
# Learners' age bands as counted at a class, in the order of the store's columns.
CLASS_AGE_BANDS: tuple[str, ...] = (*AGE_BANDS[1:], AGE_BANDS[0])

DEVICES: tuple[str, ...] = (
    "unknown", "own_android", "own_iphone", "own_other", "counter_terminal", "none",
)  # fmt: skip
SHARED_TERMINAL = "counter_terminal"

UI_LANGUAGES: tuple[str, ...] = ("ja", "en")
RESIDENT_LANGUAGES: tuple[str, ...] = ("ja", "ja-easy", "en", "zh", "ko", "vi", "tl", "ne", "pt")
HELP_LANGUAGES: tuple[str, ...] = ("unknown", *RESIDENT_LANGUAGES)

SLIP_FORMAT_IDS: tuple[str, ...] = ("a6", "a5", "receipt80")

ENDED: tuple[str, ...] = ("finished", "abandoned")

# One row per procedure attempt, in this order (the cross-team sessions.csv contract).
SESSIONS_CSV_COLUMNS: tuple[str, ...] = (
    "session_id", "attempt_no", "site_id", "channel", "date", "hour", "procedure_id",
    "guide_version", "outcome", "blockers", "steps_reached", "last_step_id", "duration_min",
    "session_duration_min", "age_band", "device", "help_language", "handoff_code",
    "return_of_code", "hygiene_confirmed", "ended",
)  # fmt: skip
INT_COLUMNS: tuple[str, ...] = (
    "attempt_no", "hour", "guide_version", "steps_reached", "duration_min", "session_duration_min",
)  # fmt: skip

# One row per class (スマホ教室 session), in this order (the cross-team classes.csv contract).
CLASS_COUNT_COLUMNS: tuple[str, ...] = (
    "tutors", "trained_tutors", "assistants", "learners",
    "learners_under60", "learners_60_64", "learners_65_69", "learners_70_74", "learners_75_79",
    "learners_80plus", "learners_age_unknown",
    "results_reached", "results_partly", "results_not",
    "satisfaction_1", "satisfaction_2", "satisfaction_3", "satisfaction_4", "satisfaction_5",
)  # fmt: skip
CLASS_CSV_COLUMNS: tuple[str, ...] = (
    "class_id", "site_id", "date", "hour", "start_time", "duration_min", "menu",
    *CLASS_COUNT_COLUMNS, "staffing_warning",
)  # fmt: skip


def sql_list(values: tuple[str, ...] | frozenset[str]) -> str:
    """``('a', 'b')`` for an SQL ``IN``: the values are this module's fixed identifiers."""
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"
