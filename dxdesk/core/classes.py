"""Smartphone classes (スマホ教室): the course menu, one class record, and the staffing rule.

The menu is ``forms/class-menu.yaml`` (one shared taxonomy modelled on the national curriculum),
loaded into typed models with ``path:LINE: message`` problems like the guide catalog. A class
record holds counts only: learners by age band and by result, tutors and assistants, optional
satisfaction counts, and a short note that passed the privacy guard. Nothing names a person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, model_validator

from dxdesk.core.catalog import Catalog, Problem, plain_text
from dxdesk.core.contract import CLASS_AGE_BANDS, CLASS_CSV_COLUMNS
from dxdesk.core.guide_files import read_yaml
from dxdesk.core.guide_schema import (
    Identifier,
    SchemaModel,
    join_folded_japanese,
    known_langs,
    needs_texts,
    pydantic_problems,
)
from dxdesk.core.i18n import RESIDENT_LANGUAGES, pick, tr
from dxdesk.core.privacy import PersonalDataError, ensure_no_personal_data

CLASS_MENU_FILE = "class-menu.yaml"
AGE_COLUMN: dict[str, str] = {
    band: "learners_age_unknown" if band == "unknown" else f"learners_{band.replace('-', '_')}"
    for band in CLASS_AGE_BANDS
}
RESULTS: tuple[str, ...] = ("reached", "partly", "not")
RESULT_COLUMN: dict[str, str] = {r: f"results_{r}" for r in RESULTS}
SATISFACTION_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)
# 総務省 デジタル活用支援: one tutor or assistant per 4 learners, at least one trained tutor.
LEARNERS_PER_STAFF = 4
STAFFING_CODES: tuple[str, ...] = ("no_trained_tutor", "ratio")
NOTE_MAX_CHARS = 200
MAX_COUNT = 999
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# The class_records columns of the store contract, in order.
CLASS_ROW_COLUMNS: tuple[str, ...] = (*CLASS_CSV_COLUMNS, "note", "origin", "recorded_at")


# --------------------------------------------------------------------------- the menu


# A topic's label (Japanese and English for staff) and goal (Japanese), and any resident
# language for the learner's handout (the shipped menu has all nine: tests/core/test_classes.py).
MenuLabel = Annotated[
    dict[str, str],
    AfterValidator(known_langs(RESIDENT_LANGUAGES)),
    AfterValidator(needs_texts("ja", "en")),
    AfterValidator(join_folded_japanese),
]
MenuGoal = Annotated[
    dict[str, str],
    AfterValidator(known_langs(RESIDENT_LANGUAGES)),
    AfterValidator(needs_texts("ja")),
    AfterValidator(join_folded_japanese),
]


def _unique_ids(topics: list[ClassTopic]) -> list[ClassTopic]:
    seen: set[str] = set()
    for topic in topics:
        if topic.id in seen:
            raise ValueError(f"duplicate topic id '{topic.id}'")
        seen.add(topic.id)
    return topics


class ClassTopic(SchemaModel):
    id: Identifier
    kind: Literal["basic", "applied"]
    label: MenuLabel
    goal: MenuGoal = Field(description="what a learner can do at the end, in each language")
    guide: Identifier | None = Field(
        default=None, description="a guide whose online_route is the topic's official route"
    )

    def title(self, lang: str) -> str:
        return pick(self.label, lang, "ja") or self.id

    def for_learner(self, lang: str) -> tuple[str, str]:
        """The label and goal a learner reads in ``lang`` (やさしい日本語 falls back to Japanese,
        any other language to English)."""
        chain = (lang, "ja") if lang.startswith("ja") else (lang, "en")
        label = next(self.label[c] for c in (*chain, "ja") if self.label.get(c))
        goal = next(self.goal[c] for c in (*chain, "ja") if self.goal.get(c))
        return label, goal


class ClassMenu(SchemaModel):
    topics: Annotated[list[ClassTopic], AfterValidator(_unique_ids)] = Field(min_length=1)

    @model_validator(mode="after")
    def _both_kinds(self) -> ClassMenu:
        kinds = {t.kind for t in self.topics}
        if kinds != {"basic", "applied"}:
            raise ValueError("the menu needs basic and applied topics (the national curriculum)")
        return self

    def topic(self, topic_id: str) -> ClassTopic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        known = ", ".join(t.id for t in self.topics)
        raise KeyError(f"unknown class topic '{topic_id}'; known: {known}")

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.topics]


class ClassMenuError(ValueError):
    """The menu file cannot be used; ``problems`` are ``path:LINE: message`` each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_class_menu(path: Path, catalog: Catalog | None = None) -> ClassMenu:
    """Load and validate the menu; with ``catalog``, every ``guide:`` must name a loaded guide."""
    read = read_yaml(path)
    if isinstance(read, Problem):
        raise ClassMenuError([read])
    data, lines = read
    try:
        menu = ClassMenu.model_validate(data)
    except ValidationError as exc:
        raise ClassMenuError(pydantic_problems(path, lines, exc)) from None
    if catalog is not None:
        problems = [
            Problem(
                path,
                lines.line(("topics", i, "guide")),
                f"'topics.{i}.guide': unknown guide '{t.guide}' (see forms/guides/)",
            )
            for i, t in enumerate(menu.topics)
            if t.guide and t.guide not in catalog.guides
        ]
        if problems:
            raise ClassMenuError(problems)
    return menu


@cache
def shipped_class_menu() -> ClassMenu:
    from dxdesk.core.paths import forms_dir

    return load_class_menu(forms_dir() / CLASS_MENU_FILE)


# --------------------------------------------------------------------------- a class record


@dataclass(frozen=True)
class ClassProblem:
    """One reason a record cannot be saved, naming the field."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ClassRecordError(ValueError):
    def __init__(self, problems: list[ClassProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _zero_ages() -> dict[str, int]:
    return dict.fromkeys(CLASS_AGE_BANDS, 0)


def _zero_results() -> dict[str, int]:
    return dict.fromkeys(RESULTS, 0)


@dataclass
class ClassRecord:
    """One class as a volunteer records it after (or during) the class."""

    site_id: str
    date: dt.date
    start_time: str  # 'HH:MM'
    duration_min: int = 60
    menu: tuple[str, ...] = ()
    tutors: int = 0
    trained_tutors: int = 0
    assistants: int = 0
    learners: int = 0
    ages: dict[str, int] = field(default_factory=_zero_ages)
    results: dict[str, int] = field(default_factory=_zero_results)
    satisfaction: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    note: str = ""
    class_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def copy(self, **changes) -> ClassRecord:
        base = dataclasses.replace(self, ages=dict(self.ages), results=dict(self.results))
        return dataclasses.replace(base, **changes)

    @property
    def hour(self) -> int:
        return int(self.start_time[:2])

    @property
    def staff(self) -> int:
        return self.tutors + self.assistants

    # ----------------------------------------------------------------- tally

    def add_result(self, result: str) -> None:
        """One more learner with this result (live tally); the learner's age is not known."""
        if result not in RESULTS:
            raise ValueError(f"unknown result '{result}'; use {', '.join(RESULTS)}")
        self.results[result] += 1
        self.learners += 1
        self.ages["unknown"] += 1

    def remove_result(self, result: str) -> None:
        """Undo one tally tap."""
        if self.results.get(result, 0) < 1:
            raise ValueError(f"no learner with result '{result}' to take back")
        self.results[result] -= 1
        self.learners -= 1
        if self.ages["unknown"] > 0:
            self.ages["unknown"] -= 1
        else:  # ages were moved out of 'unknown' meanwhile: take one from the largest band
            largest = max(CLASS_AGE_BANDS, key=lambda b: self.ages[b])
            self.ages[largest] -= 1

    # ----------------------------------------------------------------- checks

    def problems(self, menu: ClassMenu, *, draft: bool = False) -> list[ClassProblem]:
        """Every reason this record cannot be saved; a draft (live tally) may have no menu yet."""
        out: list[ClassProblem] = []

        def bad(field_name: str, key: str, **params) -> None:
            out.append(ClassProblem(field_name, tr(f"classes.problem.{key}", **params)))

        if not self.site_id.strip():
            bad("site_id", "no_site")
        if not _TIME.match(self.start_time or ""):
            bad("start_time", "bad_time", value=self.start_time)
        if not 1 <= self.duration_min <= 600:
            bad("duration_min", "bad_duration", value=self.duration_min)
        counts = {
            "tutors": self.tutors,
            "trained_tutors": self.trained_tutors,
            "assistants": self.assistants,
            "learners": self.learners,
            **{AGE_COLUMN[b]: self.ages.get(b, 0) for b in CLASS_AGE_BANDS},
            **{RESULT_COLUMN[r]: self.results.get(r, 0) for r in RESULTS},
            **{f"satisfaction_{i}": n for i, n in zip(SATISFACTION_LEVELS, self.satisfaction,
                                                       strict=True)},
        }  # fmt: skip
        for name, value in counts.items():
            if not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
                bad(name, "bad_count", value=value, max=MAX_COUNT)
        if set(self.ages) != set(CLASS_AGE_BANDS):
            bad("ages", "bad_keys", keys=", ".join(CLASS_AGE_BANDS))
        if set(self.results) != set(RESULTS):
            bad("results", "bad_keys", keys=", ".join(RESULTS))
        if out:
            return out
        if self.trained_tutors > self.tutors:
            bad("trained_tutors", "trained_over_tutors", trained=self.trained_tutors,
                tutors=self.tutors)  # fmt: skip
        age_sum = sum(self.ages.values())
        if age_sum != self.learners:
            bad("ages", "ages_sum", total=age_sum, learners=self.learners)
        result_sum = sum(self.results.values())
        if result_sum != self.learners:
            bad("results", "results_sum", total=result_sum, learners=self.learners)
        if sum(self.satisfaction) > self.learners:
            bad("satisfaction", "satisfaction_sum", total=sum(self.satisfaction),
                learners=self.learners)  # fmt: skip
        known = set(menu.ids)
        unknown = [t for t in self.menu if t not in known]
        if unknown:
            bad("menu", "unknown_topic", topics=", ".join(unknown))
        if len(set(self.menu)) != len(self.menu):
            bad("menu", "duplicate_topic")
        if not self.menu and not draft:
            bad("menu", "no_topic")
        if len(self.note) > NOTE_MAX_CHARS:
            bad("note", "note_too_long", max=NOTE_MAX_CHARS, length=len(self.note))
        elif self.note.strip():
            try:
                ensure_no_personal_data(self.note, field="class_note", visit_year=self.date.year)
            except PersonalDataError as exc:
                out.append(ClassProblem("note", str(exc)))
        return out

    def checked(self, menu: ClassMenu, *, draft: bool = False) -> ClassRecord:
        problems = self.problems(menu, draft=draft)
        if problems:
            raise ClassRecordError(problems)
        return self

    # ----------------------------------------------------------------- the store row

    def to_row(self, *, recorded_at: dt.datetime | None = None) -> dict:
        """The store's class_records row (contract columns), staffing warnings included."""
        recorded = (recorded_at or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        row = {
            "class_id": self.class_id,
            "site_id": self.site_id.strip(),
            "date": self.date.isoformat(),
            "hour": self.hour,
            "start_time": self.start_time,
            "duration_min": self.duration_min,
            "menu": ";".join(sorted(self.menu)),
            "tutors": self.tutors,
            "trained_tutors": self.trained_tutors,
            "assistants": self.assistants,
            "learners": self.learners,
            **{AGE_COLUMN[b]: self.ages[b] for b in CLASS_AGE_BANDS},
            **{RESULT_COLUMN[r]: self.results[r] for r in RESULTS},
            **{f"satisfaction_{i}": n for i, n in zip(SATISFACTION_LEVELS, self.satisfaction,
                                                       strict=True)},
            "staffing_warning": ";".join(staffing_warnings(self)),
            "note": self.note.strip(),
            "origin": "local",
            "recorded_at": recorded,
        }  # fmt: skip
        assert tuple(row) == CLASS_ROW_COLUMNS
        return row

    @classmethod
    def from_row(cls, row: Mapping) -> ClassRecord:
        """A record from a store or classes.csv row (values may be text)."""

        def n(name: str) -> int:
            return int(row.get(name) or 0)

        return cls(
            class_id=str(row["class_id"]),
            site_id=str(row["site_id"]),
            date=dt.date.fromisoformat(str(row["date"])),
            start_time=str(row.get("start_time") or f"{n('hour'):02d}:00"),
            duration_min=n("duration_min"),
            menu=tuple(t for t in str(row.get("menu") or "").split(";") if t),
            tutors=n("tutors"),
            trained_tutors=n("trained_tutors"),
            assistants=n("assistants"),
            learners=n("learners"),
            ages={b: n(AGE_COLUMN[b]) for b in CLASS_AGE_BANDS},
            results={r: n(RESULT_COLUMN[r]) for r in RESULTS},
            satisfaction=tuple(n(f"satisfaction_{i}") for i in SATISFACTION_LEVELS),  # type: ignore[arg-type]
            note=str(row.get("note") or ""),
        )


def staffing_warnings(record: ClassRecord) -> list[str]:
    """Codes of the staffing rules this class does not meet (sorted; empty when it does)."""
    codes = []
    if record.trained_tutors < 1:
        codes.append("no_trained_tutor")
    if record.learners > LEARNERS_PER_STAFF * record.staff:
        codes.append("ratio")
    return sorted(codes)


def staffing_message(codes: Sequence[str], record: ClassRecord, lang: str | None = None) -> str:
    """One line per unmet staffing rule, for the volunteer."""
    needed = -(-record.learners // LEARNERS_PER_STAFF)
    return "\n".join(
        tr(
            f"classes.staffing.{code}",
            lang=lang,
            learners=record.learners,
            staff=record.staff,
            needed=needed,
        )  # fmt: skip
        for code in codes
    )


def save_class_record(store, record: ClassRecord, menu: ClassMenu, *, draft: bool = False) -> dict:
    """Validate and store (upsert by class_id); returns the row stored. Staffing warnings never
    stop a save: they are recorded with it."""
    record.checked(menu, draft=draft)
    row = record.to_row()
    # origin and recorded_at are the store's to set
    store.classes.save_class_record(
        {k: v for k, v in row.items() if k not in ("origin", "recorded_at")}
    )
    return row


# --------------------------------------------------------------------------- handouts


def topic_route(topic: ClassTopic, catalog: Catalog, settings) -> str | None:
    """The official online route of a topic (its guide's), or None when it has none."""
    if not topic.guide:
        return None
    from dxdesk.core.printing.slip import route_url

    return route_url(catalog.guide(topic.guide), settings)


def render_handout(
    topic_ids: Sequence[str],
    menu: ClassMenu,
    catalog: Catalog,
    settings,
    printed_on: dt.date,
    lang: str = "ja",
) -> bytes:
    """An A4 handout: per topic its goal, the steps to do at home and the official route's QR.

    Built with the slip renderer's layout (UD font, ruby, kinsoku, vector QR); raises SlipError
    when a topic's route needs a city setting that is not set (never a placeholder).
    """
    from dxdesk.core.i18n import RESIDENT_LANGUAGES, slip_tr
    from dxdesk.core.printing.layout import (
        MM,
        Block,
        Flow,
        PlacedLine,
        TextStyle,
        draw,
        text_block,
    )
    from dxdesk.core.printing.slip import (
        counter_hours,
        counter_name,
        format_date,
        qr_row,
        slip_text_for,
    )
    from dxdesk.core.settings import CITY_URL_SETTINGS

    if lang not in RESIDENT_LANGUAGES:
        raise ValueError(
            f"unknown language '{lang}'; choose one of {', '.join(RESIDENT_LANGUAGES)}"
        )
    topics = [menu.topic(t) for t in topic_ids]
    if not topics:
        raise ValueError("choose at least one topic for the handout")
    text_lang = "ja-easy" if lang == "ja" else lang
    body = TextStyle(lang, 12)
    flow = Flow(210 * MM, 297 * MM, 15 * MM, reserve_bottom=8 * MM)
    cw = flow.content_width
    flow.add(text_block(slip_tr("handout.title", lang), TextStyle(lang, 20, bold=True), cw),
             gap_after=4)  # fmt: skip
    sub = f"{counter_name(settings, lang)}　{format_date(printed_on, lang)}"
    flow.add(text_block(sub, body, cw), gap_after=10)
    for topic in topics:
        url = topic_route(topic, catalog, settings)
        label, goal = topic.for_learner(lang)
        parts = [
            text_block(label, TextStyle(lang, 16, bold=True), cw),
            text_block(slip_tr("handout.goal", lang, goal=goal), body, cw),
        ]  # fmt: skip
        if topic.guide:
            guide = catalog.guide(topic.guide)
            slip, fell_back = slip_text_for(guide, text_lang)
            style = TextStyle("ja-easy" if fell_back else text_lang, 12)
            for n, step in enumerate(slip.steps, start=1):
                parts.append(text_block(step, style, cw, prefix=f"{n}.", indent=12 * 1.6))
        if url:
            parts.append(qr_row(url, 28, slip_tr("handout.scan", lang), url, body, cw, True,
                                 body))  # fmt: skip
        else:
            parts.append(text_block(slip_tr("handout.no_route", lang), body, cw))
        height = sum(p.height for p in parts) + 4 * len(parts) + 12
        items = []
        y = 0.0
        for p in parts:
            items += p.shifted(0, y)
            y += p.height + 4
        items.append(PlacedLine(0, y + 6, cw, y + 6))
        flow.add(Block(height, items))  # one topic never splits across pages
    # who to ask, and every city page the site has set (never a placeholder)
    links = [(key, u) for key in CITY_URL_SETTINGS if key != "survey_url_template"
             and (u := settings.city_url(key))]  # fmt: skip
    contact = [
        text_block(slip_tr("slip.contact", lang), TextStyle(lang, 14, bold=True), cw),
        text_block(counter_name(settings, lang), body, cw),
        text_block(slip_tr("slip.phone", lang, phone=settings.counter_phone), body, cw),
        text_block(slip_tr("slip.hours", lang, hours=counter_hours(settings, lang)), body, cw),
    ]
    if links:
        contact.append(text_block(slip_tr("handout.links", lang), TextStyle(lang, 14, bold=True),
                                  cw))  # fmt: skip
        for key, link in links:
            contact.append(text_block(f"{slip_tr('handout.url.' + key, lang)}: {link}", body, cw))
    y, items = 0.0, []
    for part in contact:
        items += part.shifted(0, y)
        y += part.height
    flow.add(Block(y, items))
    doc = flow.finish(plain_text(slip_tr("handout.title", lang)))
    total = len(doc.pages)
    for n, page in enumerate(doc.pages, start=1):  # page numbers, inside the margins
        footer = text_block(slip_tr("handout.page", lang, n=n, total=total), TextStyle(lang, 10.5),
                            cw, align="right")  # fmt: skip
        page.items.extend(footer.shifted(15 * MM, page.height - 15 * MM - footer.height))
    return draw(doc)


def render_learner_slips(
    topic_id: str,
    learners: int,
    menu: ClassMenu,
    catalog: Catalog,
    settings,
    printed_on: dt.date,
    lang: str = "ja",
    fmt: str = "a5",
) -> bytes:
    """One hand-off slip per learner (render_slip's layout), each with its own code: the guide's
    steps to finish at home and its QR. A5 by default: most guides fit one A5 page, while on A6
    every slip is a two-sided card."""
    from dxdesk.core.handoff import new_handoff_code
    from dxdesk.core.printing.layout import Document, draw
    from dxdesk.core.printing.slip import layout_slip

    topic = menu.topic(topic_id)
    if not topic.guide:
        raise ValueError(tr("classes.handout.no_guide", topic=topic_id))
    if not 1 <= learners <= 60:
        raise ValueError(tr("classes.handout.bad_learners", n=learners))
    guide = catalog.guide(topic.guide)
    pages = []
    for _ in range(learners):
        doc = layout_slip(guide, settings, lang, fmt, new_handoff_code(), [], printed_on)
        pages += doc.pages
    return draw(Document(topic.title("ja"), pages))
