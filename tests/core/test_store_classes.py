"""Class records (スマホ教室) in the real SQLite store: save/upsert, rows, import, validation."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pytest

from dxdesk.core.privacy import PersonalDataError
from dxdesk.core.store import (
    CLASS_CSV_COLUMNS,
    STORE_FILE,
    ClassRowError,
    ImportRowError,
    Store,
)


def _record(**changes) -> dict:
    record = {
        "class_id": uuid.uuid4().hex, "site_id": "kita-community-hall", "date": "2026-11-23",
        "hour": 10, "start_time": "10:30", "duration_min": 90,
        "menu": "mynaportal;basics-power", "tutors": 1, "trained_tutors": 1, "assistants": 1,
        "learners": 6, "learners_under60": 0, "learners_60_64": 1, "learners_65_69": 1,
        "learners_70_74": 2, "learners_75_79": 1, "learners_80plus": 1,
        "learners_age_unknown": 0, "results_reached": 4, "results_partly": 1, "results_not": 1,
        "satisfaction_1": 0, "satisfaction_2": 0, "satisfaction_3": 1, "satisfaction_4": 2,
        "satisfaction_5": 3, "staffing_warning": "ratio",
    }  # fmt: skip
    record.update(changes)
    return record


def _as_csv(record: dict) -> dict:
    """What a CSV reader hands over: strings only, no note."""
    return {c: str(record[c]) for c in CLASS_CSV_COLUMNS}


def test_a_saved_class_is_durable_and_comes_back_as_a_classes_csv_row(data_dir):
    record = _record(note="雨で2名欠席")
    with Store.open(data_dir) as store:
        store.classes.save_class_record(record)
    # Read back with a separate connection: it is on disk, not in a cache.
    db = sqlite3.connect(data_dir / STORE_FILE)
    origin, note, recorded_at = db.execute(
        "SELECT origin, note, recorded_at FROM class_records WHERE class_id = ?",
        (record["class_id"],),
    ).fetchone()
    db.close()
    assert origin == "local" and note == "雨で2名欠席" and recorded_at
    with Store.open(data_dir) as store:
        rows = list(store.queries.class_record_rows(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
        assert store.maintenance.check().counts["class_records"] == 1
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == list(CLASS_CSV_COLUMNS)
    assert "note" not in row and "origin" not in row
    expected = {c: record[c] for c in CLASS_CSV_COLUMNS}
    expected["menu"] = "basics-power;mynaportal"  # sorted
    assert row == expected


def test_a_live_tally_saves_progressively_into_one_row(data_dir):
    record = _record(learners=0, results_reached=0)
    with Store.open(data_dir) as store:
        store.classes.save_class_record(record)
        for learners in range(1, 5):
            store.classes.save_class_record(
                {**record, "learners": learners, "results_reached": learners}
            )
        rows = list(store.queries.class_record_rows(dt.date(2026, 11, 23), dt.date(2026, 11, 23)))
    assert len(rows) == 1
    assert rows[0]["learners"] == 4 and rows[0]["results_reached"] == 4


def test_rows_are_filtered_by_date_range_and_site_and_ordered(data_dir):
    with Store.open(data_dir) as store:
        store.classes.save_class_record(_record(date="2026-10-31", start_time="10:00"))
        store.classes.save_class_record(_record(date="2026-11-01", start_time="14:00", hour=14))
        store.classes.save_class_record(_record(date="2026-11-01", start_time="09:15", hour=9))
        store.classes.save_class_record(_record(date="2026-11-30", site_id="minami-library"))
        store.classes.save_class_record(_record(date="2026-12-01"))
        november = list(
            store.queries.class_record_rows(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        )
        only_kita = list(
            store.queries.class_record_rows(
                dt.date(2026, 11, 1), dt.date(2026, 11, 30), ["kita-community-hall"]
            )
        )
        none = list(
            store.queries.class_record_rows(dt.date(2026, 11, 1), dt.date(2026, 11, 30), [])
        )
    assert [(r["date"], r["start_time"]) for r in november] == [
        ("2026-11-01", "09:15"), ("2026-11-01", "14:00"), ("2026-11-30", "10:30"),
    ]  # fmt: skip
    assert {r["site_id"] for r in only_kita} == {"kita-community-hall"} and len(only_kita) == 2
    assert none == []


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"class_id": "not-hex"}, "class_id"),
        ({"site_id": "Kita Ward"}, "site_id"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "23/11/2026"}, "date"),
        ({"hour": 24, "start_time": "24:00"}, "hour"),
        ({"start_time": "11:30"}, "start_time"),  # not within the hour
        ({"start_time": "10.30"}, "start_time"),
        ({"duration_min": -5}, "duration_min"),
        ({"learners": -1}, "learners"),
        ({"satisfaction_5": "three"}, "satisfaction_5"),
        ({"tutors": True}, "tutors"),
        ({"menu": "mynaportal;Bad Topic"}, "menu"),
        ({"menu": "mynaportal;mynaportal"}, "menu"),
        ({"staffing_warning": "ratio;ratio"}, "staffing_warning"),
    ],
)
def test_a_malformed_class_record_is_refused_naming_the_field(data_dir, changes, column):
    with Store.open(data_dir) as store:
        with pytest.raises(ClassRowError) as err:
            store.classes.save_class_record(_record(**changes))
        assert err.value.column == column
        assert column in str(err.value)
        assert store.maintenance.check().counts["class_records"] == 0


def test_missing_or_unknown_fields_are_refused(data_dir):
    with Store.open(data_dir) as store:
        incomplete = _record()
        del incomplete["tutors"]
        with pytest.raises(ClassRowError) as err:
            store.classes.save_class_record(incomplete)
        assert err.value.column == "tutors"
        with pytest.raises(ClassRowError) as err:
            store.classes.save_class_record(_record(learner_names="山田"))
        assert err.value.column == "learner_names"
        assert store.maintenance.check().counts["class_records"] == 0


def test_a_class_note_with_personal_data_is_refused_and_nothing_stored(data_dir):
    with Store.open(data_dir) as store:
        with pytest.raises(PersonalDataError):
            store.classes.save_class_record(_record(note="連絡先 090-1234-5678"))
        assert store.maintenance.check().counts["class_records"] == 0


def test_import_inserts_new_classes_skips_known_ones_and_marks_them_imported(data_dir, tmp_path):
    mine = _record()
    theirs = [_record(site_id="minami-library"), _record(site_id="minami-library", menu="")]
    with Store.open(data_dir) as store:
        store.classes.save_class_record(mine)
        inserted, skipped = store.imports.import_class_record_rows(
            [_as_csv(mine), *(_as_csv(r) for r in theirs)]
        )
        assert (inserted, skipped) == (2, 1)
        assert store.imports.import_class_record_rows(_as_csv(r) for r in theirs) == (0, 2)
        origins = dict(
            store.database.connection.execute("SELECT class_id, origin FROM class_records")
        )
        rows = list(store.queries.class_record_rows(dt.date(2026, 11, 23), dt.date(2026, 11, 23)))
    assert origins == {mine["class_id"]: "local", **{r["class_id"]: "imported" for r in theirs}}
    assert len(rows) == 3 and all(isinstance(r["learners"], int) for r in rows)


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"learners": "-3"}, "learners"),
        ({"duration_min": "1.5"}, "duration_min"),
        ({"class_id": ""}, "class_id"),
    ],
)
def test_a_bad_import_row_names_row_and_column_and_stores_nothing(data_dir, bad, column):
    good = [_as_csv(_record()) for _ in range(3)]
    broken = {**_as_csv(_record()), **bad}
    with Store.open(data_dir) as store:
        with pytest.raises(ImportRowError) as err:
            store.imports.import_class_record_rows([*good, broken])
        assert err.value.row_number == 4 and err.value.column == column
        assert "4" in str(err.value) and column in str(err.value)
        assert store.maintenance.check().counts["class_records"] == 0


def test_an_import_row_with_a_note_or_missing_column_is_refused(data_dir):
    with Store.open(data_dir) as store:
        with pytest.raises(ImportRowError) as err:
            store.imports.import_class_record_rows([{**_as_csv(_record()), "note": "x"}])
        assert err.value.column == "note" and "classes.csv" in str(err.value)
        short = _as_csv(_record())
        del short["satisfaction_3"]
        with pytest.raises(ImportRowError) as err:
            store.imports.import_class_record_rows([short])
        assert err.value.column == "satisfaction_3"
        with pytest.raises(ImportRowError):
            store.imports.import_class_record_rows(["not a row"])
        assert store.maintenance.check().counts["class_records"] == 0


def test_visits_and_classes_import_in_one_transaction(data_dir, tmp_path):
    """A bad class row after good visit rows stores neither (a failed import changes nothing)."""
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.paths import forms_dir

    catalog = load_catalog(forms_dir())
    with Store.open(tmp_path / "other-site") as other:
        visit = other.sessions.start_session(catalog, "minami-2")
        visit.add_procedure("convenience-store-certificates")
        visit.set_outcome("handed_off")
        visit.finish()
        day = dt.date.today()
        attempts = list(other.queries.procedure_attempt_rows(day, day))
    broken = {**_as_csv(_record()), "learners": "-1"}
    with Store.open(data_dir) as store:
        with pytest.raises(ImportRowError):
            store.imports.import_rows(attempts, [_as_csv(_record()), broken])
        counts = store.maintenance.check().counts
        assert counts["class_records"] == 0
        assert list(store.queries.procedure_attempt_rows(day, day)) == []
        (visits, classes) = store.imports.import_rows(attempts, [_as_csv(_record())])
        assert visits == (1, 0) and classes == (1, 0)
