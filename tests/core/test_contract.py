"""Every list derived from the shared vocabulary (dxdesk.core.contract) agrees with it."""

from __future__ import annotations

import sqlite3
import typing

from dxdesk.core import contract
from dxdesk.core.classes import AGE_COLUMN
from dxdesk.core.export import columns
from dxdesk.core.export.class_summary import AGE_70_PLUS_COLUMNS
from dxdesk.core.guide_schema import Step
from dxdesk.core.i18n import tr
from dxdesk.core.printing.slip import SLIP_FORMATS
from dxdesk.core.store import MIGRATIONS


def _schema() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    for statements in MIGRATIONS:
        for statement in statements:
            db.execute(statement)
    return db


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def test_the_export_reads_the_contract() -> None:
    assert columns.SESSION_COLUMNS == contract.SESSIONS_CSV_COLUMNS
    assert columns.CLASS_COLUMNS == contract.CLASS_CSV_COLUMNS
    assert columns.OUTCOMES == contract.ALL_OUTCOMES
    assert set(contract.INT_COLUMNS) <= set(contract.SESSIONS_CSV_COLUMNS)


def test_the_store_schema_holds_every_contract_column() -> None:
    db = _schema()
    stored = set(_columns(db, "sessions")) | set(_columns(db, "procedure_attempts"))
    derived = {"blockers"}  # joined from attempt_blockers at export
    assert set(contract.SESSIONS_CSV_COLUMNS) - derived <= stored
    assert set(contract.CLASS_CSV_COLUMNS) <= set(_columns(db, "class_records"))


def test_class_age_columns_follow_the_age_bands() -> None:
    assert sorted(contract.CLASS_AGE_BANDS) == sorted(contract.AGE_BANDS)
    assert list(AGE_COLUMN) == list(contract.CLASS_AGE_BANDS)
    assert set(AGE_COLUMN.values()) <= set(contract.CLASS_COUNT_COLUMNS)
    assert set(AGE_70_PLUS_COLUMNS) == {AGE_COLUMN[b] for b in contract.AGE_70_PLUS}


def test_the_row_models_read_the_contract() -> None:
    """An imported or saved row is checked by a model whose columns and vocabulary are the
    contract's: a new outcome, band, device or language is accepted without another edit."""
    from dxdesk.core.store.rows import AttemptRow, ClassRow

    assert tuple(AttemptRow.model_fields) == AttemptRow.COLUMNS == contract.SESSIONS_CSV_COLUMNS
    assert set(AttemptRow.INT_LIMITS) == set(contract.INT_COLUMNS)
    vocabulary = {"outcome": contract.ALL_OUTCOMES, "age_band": contract.AGE_BANDS,
                  "device": contract.DEVICES, "help_language": contract.HELP_LANGUAGES,
                  "ended": contract.ENDED}  # fmt: skip
    for column, values in vocabulary.items():
        assert typing.get_args(AttemptRow.model_fields[column].annotation) == values, column
    assert vocabulary == AttemptRow.VOCABULARY  # what a refused value is told it may be
    assert ClassRow.COLUMNS == contract.CLASS_CSV_COLUMNS
    assert set(ClassRow.model_fields) == set(contract.CLASS_CSV_COLUMNS)
    assert set(contract.CLASS_COUNT_COLUMNS) <= set(ClassRow.INT_LIMITS)


def test_guides_and_slips_use_the_contract() -> None:
    outcome = Step.model_fields["outcome"].annotation
    literal = next(a for a in typing.get_args(outcome) if typing.get_origin(a) is typing.Literal)
    assert typing.get_args(literal) == contract.OUTCOMES
    assert tuple(SLIP_FORMATS) == contract.SLIP_FORMAT_IDS
    assert contract.ABANDONED not in contract.OUTCOMES


def test_every_vocabulary_value_has_a_label_in_both_ui_languages() -> None:
    groups = {
        "wizard.outcome": contract.OUTCOMES,
        "wizard.age_band": contract.AGE_BANDS,
        "wizard.device": contract.DEVICES,
        "export.outcome": contract.ALL_OUTCOMES,
        "export.device": contract.DEVICES,
        "classes.age": contract.CLASS_AGE_BANDS,
    }
    for lang in contract.UI_LANGUAGES:
        for group, values in groups.items():
            for value in values:
                key = f"{group}.{value}"
                assert tr(key, lang=lang) != key, f"no {lang} label for {key}"


def test_sql_list_quotes_fixed_identifiers() -> None:
    assert contract.sql_list(contract.AGE_70_PLUS) == "('70-74', '75-79', '80plus')"
