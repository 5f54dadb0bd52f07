"""Row models for what enters the store from outside: sessions.csv and classes.csv rows.

One pydantic model per row kind (:class:`AttemptRow`, :class:`ClassRow`), its vocabulary taken
from ``dxdesk.core.contract`` (a new outcome, band or device is added there, once). A row is
validated once: by an import (numbered within its bundle) or, for a class, when it is saved at
the counter. A failing row raises with its number and the column, in the UI language.

pydantic is not on the app's start-up path: the store imports this module when a row arrives.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dxdesk.core.catalog import ID_PATTERN
from dxdesk.core.contract import (
    AGE_BANDS,
    ALL_OUTCOMES,
    CLASS_COUNT_COLUMNS,
    CLASS_CSV_COLUMNS,
    DEVICES,
    ENDED,
    HELP_LANGUAGES,
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
_START_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_WARNING = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


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


# --------------------------------------------------------------------------- the models
# A CSV cell is read first (trimmed text; a number written with ASCII digits, else None), in one
# pass per row; the model then checks every column. A row is checked in stages, as a reader
# would: every number, then every value, then the lists, then personal data. Of several bad
# columns, the first of the earliest stage is named (the message shows its raw value).
NUMBER, VALUE, LIST, IDENTITY = 1, 2, 3, 4


def _problem(stage: int, expected: str | None = None, column: str | None = None):
    """A row problem; without ``expected`` the message shows the column's EXPECTED."""
    ctx = {"stage": stage, "expected": expected, "column": column}
    return PydanticCustomError("row", "{expected}", ctx)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _holds(test: Callable[[Any], object], stage: int = VALUE) -> AfterValidator:
    def check(value: Any) -> Any:
        if not test(value):
            raise _problem(stage)
        return value

    return AfterValidator(check)


def _ids(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """Ids joined by ';' (empty allowed), each matching ``pattern``, none twice."""

    def test(text: str) -> bool:
        ids = [i for i in text.split(";") if i]
        return all(pattern.match(i) for i in ids) and len(set(ids)) == len(ids)

    return test


def _empty_or(test: Callable[[str], object]) -> Callable[[str], bool]:
    return lambda text: not text or bool(test(text))


def _matching(pattern: re.Pattern[str]) -> Any:
    # checked by pydantic-core; the text is trimmed first, so '$' means the same as in Python
    return Field(pattern=pattern.pattern)


# A number cell that is not a plain integer arrives as None and fails here (stage NUMBER).
_Count = Annotated[int, Field(strict=True)]


class _Row(BaseModel):
    """A validated row: its fields are the CSV's columns (``COLUMNS``, in the contract's order)."""

    model_config = ConfigDict(frozen=True)
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    COLUMN_SET: ClassVar[frozenset[str]] = frozenset()
    INT_LIMITS: ClassVar[dict[str, int]] = {}  # the number columns and their upper bounds
    VOCABULARY: ClassVar[dict[str, tuple[str, ...]]] = {}  # the Literal columns' values
    # What a column must hold, for the message: store.row.expected.<name> (ui-rows.yaml).
    EXPECTED: ClassVar[dict[str, str]] = {}
    NUMBER_EXPECTED: ClassVar[str] = "integer_up_to"
    # The id-shaped columns that must not hold personal data, checked last, in this order.
    IDENTITY_COLUMNS: ClassVar[tuple[str, ...]] = ()
    IDENTITY_EXPECTED: ClassVar[str] = "not_personal"

    @model_validator(mode="before")
    @classmethod
    def _read_cells(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        limits = cls.INT_LIMITS
        cells = {}
        for column, value in raw.items():
            if column in limits:
                number = plain_int(value)
                cells[column] = number if number is not None and number <= limits[column] else None
            else:
                cells[column] = _text(value)
        return cells

    @model_validator(mode="after")
    def _no_personal_data(self) -> Any:
        for column in self.IDENTITY_COLUMNS:
            if not identity_free(getattr(self, column)):
                raise _problem(IDENTITY, self.IDENTITY_EXPECTED, column)
        return self

    @classmethod
    def problem_in(cls, raw: dict, allowed_extra: tuple[str, ...] = ()) -> tuple[Any, dict | None]:
        """(row, None) for a good row, else (None, what is wrong): ``{"column", "missing",
        "extra"}`` for the wrong columns or ``{"column", "value", "expected"}`` for a bad value."""
        if raw.keys() != cls.COLUMN_SET:
            missing = [c for c in cls.COLUMNS if c not in raw]
            extra = [c for c in raw if c not in cls.COLUMN_SET and c not in allowed_extra]
            if missing or extra:
                return None, {"column": (missing or extra)[0], "missing": ", ".join(missing) or "-",
                              "extra": ", ".join(map(str, extra)) or "-"}  # fmt: skip
            raw = {c: raw[c] for c in cls.COLUMNS}
        try:
            return cls.model_validate(raw), None
        except ValidationError as exc:
            column, expected = cls._first_problem(exc)
            return None, {"column": column, "value": raw[column], "expected": expected}

    @classmethod
    def _first_problem(cls, exc: ValidationError) -> tuple[str, str]:
        found = []
        for error in exc.errors(include_url=False, include_input=False):
            column = str(error["loc"][0]) if error["loc"] else error["ctx"]["column"]
            if error["type"] == "row":  # one of ours: it says its stage and maybe its text
                stage, expected = error["ctx"]["stage"], error["ctx"]["expected"]
            elif column in cls.INT_LIMITS and error["type"] != "greater_than_equal":
                stage, expected = NUMBER, cls.NUMBER_EXPECTED
            else:  # a value outside the vocabulary (Literal) or the pattern: EXPECTED says
                stage, expected = VALUE, None
            found.append((stage, cls.COLUMNS.index(column), column, expected))
        _stage, _index, column, expected = min(found)
        if expected is None and column in cls.VOCABULARY:
            return column, " | ".join(cls.VOCABULARY[column])
        key = f"store.row.expected.{expected or cls.EXPECTED[column]}"
        return column, tr(key, limit=cls.INT_LIMITS.get(column, ""))

    def as_dict(self) -> dict[str, Any]:
        """The row as the store keeps it."""
        return {c: getattr(self, c) for c in self.COLUMNS}


class AttemptRow(_Row):
    """One sessions.csv row: one procedure attempt of a visit (the cross-team contract)."""

    COLUMNS = SESSIONS_CSV_COLUMNS
    COLUMN_SET = frozenset(SESSIONS_CSV_COLUMNS)
    INT_LIMITS = INT_LIMITS
    VOCABULARY = {"outcome": ALL_OUTCOMES, "age_band": AGE_BANDS, "device": DEVICES,
                  "help_language": HELP_LANGUAGES, "ended": ENDED}  # fmt: skip
    EXPECTED = {
        "session_id": "hex32",
        "attempt_no": "one_or_more",
        "site_id": "site_id",
        "channel": "channel",
        "date": "date",
        "procedure_id": "guide_id",
        "guide_version": "one_or_more",
        "blockers": "blockers",
        "last_step_id": "step_id",
        "handoff_code": "handoff_code",
        "return_of_code": "handoff_code",
        "hygiene_confirmed": "hygiene",
    }

    IDENTITY_COLUMNS = ("site_id", "channel", "procedure_id", "blockers", "last_step_id")

    session_id: Annotated[str, _matching(_SESSION_ID)]
    attempt_no: Annotated[_Count, Field(ge=1)]
    site_id: Annotated[str, _matching(SITE_ID_PATTERN)]
    channel: Annotated[str, _matching(_CHANNEL)]
    date: Annotated[str, _holds(is_iso_date)]
    hour: _Count
    procedure_id: Annotated[str, _matching(_IDENT)]
    guide_version: Annotated[_Count, Field(ge=1)]
    outcome: Literal[ALL_OUTCOMES]  # type: ignore[valid-type]  (the same tuples as VOCABULARY)
    blockers: Annotated[str, _holds(_ids(_IDENT), LIST)]  # as written; stored as blocker_ids
    steps_reached: _Count
    last_step_id: Annotated[str, _holds(_empty_or(_IDENT.match))]
    duration_min: _Count
    session_duration_min: _Count
    age_band: Literal[AGE_BANDS]  # type: ignore[valid-type]
    device: Literal[DEVICES]  # type: ignore[valid-type]
    help_language: Literal[HELP_LANGUAGES]  # type: ignore[valid-type]
    handoff_code: Annotated[str, _holds(_empty_or(is_valid_handoff_code))]
    return_of_code: Annotated[str, _holds(_empty_or(is_valid_handoff_code))]
    hygiene_confirmed: Literal["", "0", "1"]
    ended: Literal[ENDED]  # type: ignore[valid-type]

    @property
    def blocker_ids(self) -> list[str]:
        """The blockers as stored: the ids, sorted."""
        return sorted(i for i in self.blockers.split(";") if i)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "blockers": self.blocker_ids}


def _sorted_ids(text: str) -> str:
    return ";".join(sorted(i for i in text.split(";") if i))


class _ClassRowBase(_Row):
    """A classes.csv row without its count columns (ClassRow adds them from the contract)."""

    COLUMNS = CLASS_CSV_COLUMNS
    COLUMN_SET = frozenset(CLASS_CSV_COLUMNS)
    INT_LIMITS = {c: CLASS_INT_LIMITS.get(c, CLASS_COUNT_LIMIT) for c in CLASS_INT_COLUMNS}
    NUMBER_EXPECTED = "integer_from_0_to"
    IDENTITY_COLUMNS = ("site_id", "menu", "staffing_warning")
    IDENTITY_EXPECTED = "not_personal_ids"
    EXPECTED = {
        "class_id": "hex32",
        "site_id": "site_id",
        "date": "date",
        "start_time": "start_time",
        "menu": "menu",
        "staffing_warning": "staffing_warning",
    }

    class_id: Annotated[str, _matching(_SESSION_ID)]
    site_id: Annotated[str, _matching(SITE_ID_PATTERN)]
    date: Annotated[str, _holds(is_iso_date)]
    hour: _Count
    start_time: Annotated[str, _matching(_START_TIME)]
    duration_min: _Count
    menu: Annotated[str, _holds(_ids(_IDENT))]  # as written; stored sorted (as_dict)
    staffing_warning: Annotated[str, _holds(_ids(_WARNING))]  # likewise

    @field_validator("start_time")
    @classmethod
    def _within_the_hour(cls, value: str, info: ValidationInfo) -> str:
        hour = info.data.get("hour")  # absent when the hour itself is wrong (named first)
        if hour is not None and int(value[:2]) != hour:
            raise _problem(VALUE)
        return value

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "menu": _sorted_ids(self.menu),
                "staffing_warning": _sorted_ids(self.staffing_warning)}  # fmt: skip


# One class (スマホ教室 session), counts only: the count columns come from the contract.
ClassRow = create_model(
    "ClassRow",
    __base__=_ClassRowBase,
    __doc__="One classes.csv row: one smartphone class, counts only (the cross-team contract).",
    **{column: (_Count, ...) for column in CLASS_COUNT_COLUMNS},
)


# --------------------------------------------------------------------------- the checks


def validated_attempt_row(raw: object, number: int) -> AttemptRow:
    """Check one sessions.csv row; values may be str (from a CSV) or int."""
    if not isinstance(raw, dict):
        raise ImportRowError(tr("store.import.not_a_row", row=number), number, None)
    row, problem = AttemptRow.problem_in(raw)
    if problem is None:
        return row
    key = "store.import.columns" if "missing" in problem else "store.import.bad_value"
    raise ImportRowError(tr(key, row=number, **problem), number, problem["column"])


def class_row_problem(
    raw: dict, allowed_extra: tuple[str, ...] = ()
) -> tuple[_ClassRowBase | None, dict[str, Any] | None]:
    """(row, None) for a good classes.csv row, else (None, what is wrong): ``{"column",
    "missing", "extra"}`` for the wrong columns or ``{"column", "value", "expected"}`` for a bad
    value. One check for a class saved at the counter and for one imported from a bundle."""
    return ClassRow.problem_in(raw, allowed_extra)


def validated_class_row(raw: object, number: int) -> _ClassRowBase:
    """Check one classes.csv row to import; values may be str (from a CSV) or int."""
    if not isinstance(raw, dict):
        raise ImportRowError(tr("store.import.not_a_row", row=number), number, None)
    row, problem = class_row_problem(raw)
    if problem is None:
        return row  # type: ignore[return-value]
    key = "store.import.class_columns" if "missing" in problem else "store.import.bad_value"
    raise ImportRowError(tr(key, row=number, **problem), number, problem["column"])
