"""The guide schema: pydantic models that validate a guide or the taxonomy as YAML gives it.

Only loading from YAML (a cache miss, ``dxdesk forms check``) imports this module; the app runs on
the plain dataclasses of ``dxdesk.core.guide``, which ``to_runtime`` builds from a validated
model. The two must keep the same fields: tests/core/test_catalog_loader.py checks it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from dxdesk.core import guide as runtime
from dxdesk.core.contract import OUTCOMES
from dxdesk.core.guide import ID_PATTERN, PUBLISHER_KINDS, Problem
from dxdesk.core.i18n import RESIDENT_LANGUAGES, UI_LANGUAGES
from dxdesk.core.settings import CITY_URL_SETTINGS

if TYPE_CHECKING:
    from pathlib import Path

    from dxdesk.core.guide import YamlLines

Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]


def needs_texts(*langs: str):
    """A pydantic check that each of these languages has a text."""

    def check(value: dict[str, str]) -> dict[str, str]:
        missing = [lang for lang in langs if not (value.get(lang) or "").strip()]
        if missing:
            raise ValueError(f"missing text for {', '.join(missing)}")
        return value

    return check


def known_langs(allowed: Sequence[str]):
    """A pydantic check that every language code is one of these."""

    def check(value: dict[str, str]) -> dict[str, str]:
        unknown = [lang for lang in value if lang not in allowed]
        if unknown:
            raise ValueError(
                f"unknown language code {', '.join(unknown)}; use {', '.join(allowed)}"
            )
        return value

    return check


_FOLDED_CJK_BREAK = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \n]+(?=[\u3000-\u9fff\uff00-\uffef])"
)


def join_folded_japanese(value: dict[str, str]) -> dict[str, str]:
    """YAML folding turns a line break into a space, which Japanese prose must not have."""
    if "ja" in value:
        value = {**value, "ja": _FOLDED_CJK_BREAK.sub("", value["ja"])}
    return value


# Staff-facing text: Japanese required, English optional (shown when the UI is in English).
StaffText = Annotated[
    dict[str, str],
    AfterValidator(known_langs(UI_LANGUAGES)),
    AfterValidator(needs_texts("ja")),
    AfterValidator(join_folded_japanese),
]
# Titles appear in both UI languages.
Title = Annotated[
    dict[str, str],
    AfterValidator(known_langs(UI_LANGUAGES)),
    AfterValidator(needs_texts("ja", "en")),
]
# Printed on a paper form: Japanese for the city office, and any resident language beside it.
FormText = Annotated[
    dict[str, str],
    AfterValidator(known_langs(RESIDENT_LANGUAGES)),
    AfterValidator(needs_texts("ja")),
    AfterValidator(join_folded_japanese),
]
# What the resident hears or reads: やさしい日本語 required, any resident language optional.
ResidentText = Annotated[
    dict[str, str],
    AfterValidator(known_langs(RESIDENT_LANGUAGES)),
    AfterValidator(needs_texts("ja-easy")),
]


class SchemaModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(SchemaModel):
    id: Identifier
    url: Annotated[str, Field(pattern=r"^https?://")]
    checked_on: dt.date
    about: str = Field(min_length=1, description="what the source supports, in Japanese")
    # Optional at load so older guides keep working; `forms check` requires title and publisher.
    title: str = Field(default="", description="the page's own title, as shown on the page")
    publisher: Literal[PUBLISHER_KINDS] | None = None  # type: ignore[valid-type]
    no_official: str | None = Field(
        default=None, description="commercial source only: why no agency or city page says this"
    )


class Change(SchemaModel):
    version: int = Field(ge=1)
    date: dt.date
    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Pitfall(SchemaModel):
    problem: StaffText
    fix: StaffText
    sources: list[Identifier] = Field(default_factory=list)


class BranchAnswer(SchemaModel):
    label: StaffText
    goto: Identifier | None = None
    outcome: Literal[OUTCOMES] | None = None  # type: ignore[valid-type]
    blocker: Identifier | None = None
    guide: Identifier | None = Field(default=None, description="suggest switching to this guide")
    sources: list[Identifier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _leads_somewhere(self) -> BranchAnswer:
        if not (self.goto or self.outcome or self.guide):
            raise ValueError("an answer needs 'goto' (a step id), 'outcome' or 'guide'")
        if self.goto and self.outcome:
            raise ValueError("an answer leads either to a step ('goto') or to an 'outcome'")
        return self


class Branch(SchemaModel):
    question: StaffText
    say: ResidentText | None = None
    answers: list[BranchAnswer] = Field(min_length=2, max_length=9)


class Step(SchemaModel):
    id: Identifier
    title: StaffText
    staff: StaffText = Field(description="instruction to the clerk, plain Japanese")
    say: ResidentText = Field(description="the sentence to say to the resident")
    screen: StaffText | None = Field(default=None, description="what the screen should show")
    pitfalls: list[Pitfall] = Field(default_factory=list)
    sources: list[Identifier] = Field(default_factory=list)
    branch: Branch | None = None
    next: Identifier | None = Field(default=None, description="a step id, or 'end'")
    outcome: Literal[OUTCOMES] | None = Field(  # type: ignore[valid-type]
        default=None, description="the outcome this step ends with, if it is an end step"
    )


class OnlineRoute(SchemaModel):
    url: Annotated[str, Field(pattern=r"^https://")] | None = None
    setting: str | None = Field(default=None, description="name of a city URL in site settings")
    label: StaffText

    @model_validator(mode="after")
    def _one_target(self) -> OnlineRoute:
        if bool(self.url) == bool(self.setting):
            raise ValueError("give exactly one of 'url' (national) or 'setting' (city-specific)")
        if self.setting and self.setting not in CITY_URL_SETTINGS:
            raise ValueError(
                f"unknown site setting '{self.setting}'; known: {', '.join(CITY_URL_SETTINGS)}"
            )
        return self


_SECRET_WORDS = re.compile(r"暗証番号|パスワード|\b(pin|password|passcode)s?\b", re.IGNORECASE)


class PaperField(SchemaModel):
    key: Identifier
    label: FormText
    kind: Literal["text", "date", "choice", "check", "digits"] = "text"
    choices: list[str] = Field(default_factory=list)
    lines: int = Field(default=1, ge=1, le=6)
    help: FormText | None = None
    signature: bool = Field(default=False, description="left blank for the resident to sign")

    @model_validator(mode="after")
    def _choices(self) -> PaperField:
        if self.kind == "choice" and len(self.choices) < 2:
            raise ValueError("a 'choice' field needs at least two 'choices'")
        if self.kind != "check" and _SECRET_WORDS.search(" ".join(self.label.values())):
            raise ValueError(
                "a paper field never asks for a PIN or password (the resident types it on the "
                "terminal): make it a 'check' box, e.g. 'I know my 4-digit PIN'"
            )
        return self


class PaperFallback(SchemaModel):
    title: FormText
    where: FormText = Field(description="where the resident hands the paper in")
    note: StaffText | None = Field(default=None, description="for staff only; never printed")
    fields: list[PaperField] = Field(min_length=1)
    sources: list[Identifier] = Field(default_factory=list)


class SlipText(SchemaModel):
    title: str = Field(min_length=1)
    steps: list[str] = Field(min_length=1, description="what the resident does at home")
    prepare: list[str] = Field(default_factory=list)
    done: dict[Identifier, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict, description="step id -> what the resident reads was done today"
    )


class ProcedureGuide(SchemaModel):
    id: Identifier
    version: int = Field(ge=1)
    reviewed_on: dt.date
    title: Title
    kana: Annotated[str, Field(pattern=r"^[\u3041-\u309f\u30fc・ ]+$")]
    category: Identifier
    keywords: list[str] = Field(default_factory=list)
    summary: StaffText
    bring: list[StaffText] = Field(default_factory=list)
    online_route: OnlineRoute
    steps: list[Step] = Field(min_length=1)
    blockers: list[Identifier] = Field(default_factory=list)
    paper: PaperFallback | None = None
    slip: dict[str, SlipText]
    sources: list[Source] = Field(min_length=1)
    related: list[Identifier] = Field(default_factory=list)
    summary_sources: list[Identifier] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)


class BlockerKind(SchemaModel):
    id: Identifier
    label: Title
    hint: StaffText = Field(description="what the clerk can do about it")
    # 'guide' is the older spelling of the same key, still read.
    resolved_by: Identifier | None = Field(
        default=None,
        validation_alias=AliasChoices("resolved_by", "guide"),
        description="the guide that resolves it; the wizard offers it",
    )


class Category(SchemaModel):
    id: Identifier
    label: Title


class Taxonomy(SchemaModel):
    categories: list[Category] = Field(min_length=1)
    blockers: list[BlockerKind] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        for name, items in (("categories", self.categories), ("blockers", self.blockers)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"duplicate id '{item.id}' in {name}")
                seen.add(item.id)
        if "other" not in {b.id for b in self.blockers}:
            raise ValueError("the blockers must include 'other' (a short note, privacy-checked)")
        return self


def pydantic_problems(path: Path, lines: YamlLines, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
        where = ".".join(str(p) for p in loc) or "(top level)"
        kind = err["type"]
        if kind == "missing":
            message = f"'{where}': required field is missing"
        elif kind == "extra_forbidden":
            message = f"'{where}': unknown key (check the spelling; see forms/README.md)"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            got = err.get("input")
            shown = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
            message = f"'{where}': {msg}{shown}"
            if kind == "string_type" and isinstance(got, bool):
                message += "; YAML reads yes/no/on/off as true/false: put the text in quotes"
            elif kind == "string_type" and got is None and loc and " " in str(loc[-1]):
                message += "; a comma inside {...} starts a new key: put the text in quotes"
        problems.append(Problem(path, lines.line(loc), message))
    return problems


def to_runtime(value: Any) -> Any:
    """A validated model as the same-named plain dataclass of dxdesk.core.guide."""
    if isinstance(value, BaseModel):
        cls = getattr(runtime, type(value).__name__)
        return cls(**{name: to_runtime(getattr(value, name)) for name in type(value).model_fields})
    if isinstance(value, list):
        return [to_runtime(v) for v in value]
    if isinstance(value, dict):
        return {k: to_runtime(v) for k, v in value.items()}
    return value
