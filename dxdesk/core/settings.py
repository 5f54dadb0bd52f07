"""Versioned site settings in the data directory (``settings.json``).

City-specific values (a reservation-site URL, the counter's phone) live here and nowhere else:
guides name a setting, and a slip is refused while the setting it needs is unset.
Secrets never live here; they go to the OS keyring.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from dxdesk.core.files import write_atomically
from dxdesk.core.i18n import tr

SETTINGS_FILE = "settings.json"
SCHEMA_VERSION = 1

# City-specific URLs a guide's online route may name instead of a national URL.
CITY_URL_SETTINGS: dict[str, dict[str, str]] = {
    "facility_reservation_url": {
        "ja": "公共施設予約サイトのURL",
        "en": "Facility reservation site URL",
    },
    "city_e_application_url": {
        "ja": "市の電子申請サイトのURL",
        "en": "City e-application site URL",
    },
    "city_line_url": {
        "ja": "市の公式LINEの友だち追加URL",
        "en": "City's official LINE add-friend URL",
    },
    "disaster_app_url": {
        "ja": "防災アプリの案内ページURL",
        "en": "Disaster-prevention app page URL",
    },
    # counter procedures (lost card, continued use after a move, face-auth card) differ by city
    "mynumber_card_url": {
        "ja": "市のマイナンバーカード窓口の案内ページのURL",
        "en": "City's My Number card counter page URL",
    },
    # the Myna licence is recorded at the prefecture's licence centre; places and hours differ
    "driving_licence_url": {
        "ja": "都道府県警察のマイナ免許証の案内ページのURL",
        "en": "Prefectural police page on the Myna driving licence",
    },
    "survey_url_template": {
        "ja": "完了アンケートURL（{code} を含む）",
        "en": "Completion survey URL template (contains {code})",
    },
}

SITE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


class SettingsError(Exception):
    """The settings file cannot be read or holds a bad value; the message names the file."""


class SettingsValueError(ValueError):
    """One setting has a bad value; ``field`` names it (``urls.city_line_url`` for a URL)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _msg(message_id: str, /, **params: Any) -> str:
    """A validation message in the UI language (i18n imported late, at the first bad value)."""

    return tr(message_id, **params)


_KINDS = ("counter", "class_venue")
_UI_LANGUAGES = ("ja", "en")


@dataclass
class SiteSettings:
    """The site's settings. Checked on construction; read at every start, so no pydantic here."""

    schema_version: int = SCHEMA_VERSION
    site_id: str = ""
    site_name: str = ""
    site_kind: str = "counter"
    counter_phone: str = ""
    counter_hours: str = ""
    urls: dict[str, str] = field(default_factory=dict)
    # the counter's name and hours as printed for residents of each language (else the above)
    site_name_by_language: dict[str, str] = field(default_factory=dict)
    counter_hours_by_language: dict[str, str] = field(default_factory=dict)
    ui_language: str = "ja"
    text_scale: float = 1.0
    high_contrast: bool = False
    retention_months: int = 24
    note_retention_days: int = 90  # free-text notes are blanked after this; counts stay
    city_forms_dir: str = ""  # the city's own guides (adds and overrides by id); empty: none

    def __post_init__(self) -> None:
        for name in ("site_id", "site_name", "site_kind", "counter_phone", "counter_hours",
                     "ui_language", "city_forms_dir"):  # fmt: skip
            if not isinstance(getattr(self, name), str):
                raise SettingsValueError(name, _msg("settings.value.text"))
        if self.site_id and not SITE_ID_PATTERN.match(self.site_id):
            raise SettingsValueError("site_id", _msg("settings.value.site_id"))
        if self.site_kind not in _KINDS:
            raise SettingsValueError(
                "site_kind", _msg("settings.value.choose", known=", ".join(_KINDS))
            )
        if self.ui_language not in _UI_LANGUAGES:
            raise SettingsValueError(
                "ui_language", _msg("settings.value.choose", known=", ".join(_UI_LANGUAGES))
            )
        self.text_scale = _number("text_scale", self.text_scale, float, 0.8, 2.0)
        self.retention_months = _number("retention_months", self.retention_months, int, 1, 120)
        self.note_retention_days = _number(
            "note_retention_days", self.note_retention_days, int, 1, 3660
        )
        self.schema_version = _number("schema_version", self.schema_version, int, 0, 10**6)
        if isinstance(self.high_contrast, str) and self.high_contrast.lower() in ("true", "false"):
            self.high_contrast = self.high_contrast.lower() == "true"
        if not isinstance(self.high_contrast, bool):
            raise SettingsValueError("high_contrast", _msg("settings.value.bool"))
        self.urls = _checked_urls(self.urls)
        for name in ("site_name_by_language", "counter_hours_by_language"):
            setattr(self, name, _checked_translations(name, getattr(self, name)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteSettings:
        """Build from a mapping (a JSON file, a form); an unknown key is an error, not ignored."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise SettingsValueError(key, _msg("settings.value.unknown"))
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_configured(self) -> bool:
        """First run is over once the site has an id and a name."""
        return bool(self.site_id and self.site_name)

    def city_url(self, key: str) -> str | None:
        return self.urls.get(key) or None


def _number(name: str, value: Any, kind: type, low: float, high: float) -> Any:
    try:
        if isinstance(value, bool) or (kind is int and isinstance(value, float)):
            raise ValueError
        number = kind(value)
    except (TypeError, ValueError):
        key = "settings.value.whole_number" if kind is int else "settings.value.number"
        raise SettingsValueError(name, _msg(key)) from None
    if not low <= number <= high:
        raise SettingsValueError(name, _msg("settings.value.range", low=low, high=high))
    return number


def _checked_translations(name: str, value: Any) -> dict[str, str]:
    from dxdesk.core.i18n import RESIDENT_LANGUAGES

    if not isinstance(value, dict):
        raise SettingsValueError(name, "must be a mapping of language code to text")
    for lang, text in value.items():
        if lang not in RESIDENT_LANGUAGES:
            raise SettingsValueError(
                f"{name}.{lang}", f"unknown language; use {', '.join(RESIDENT_LANGUAGES)}"
            )
        if not isinstance(text, str):
            raise SettingsValueError(f"{name}.{lang}", "must be text")
    return dict(value)


def _checked_urls(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SettingsValueError("urls", _msg("settings.value.urls"))
    for key, url in value.items():
        if key not in CITY_URL_SETTINGS:
            raise SettingsValueError(
                "urls",
                _msg("settings.value.url_unknown", key=key, known=", ".join(CITY_URL_SETTINGS)),
            )
        if not isinstance(url, str):
            raise SettingsValueError(f"urls.{key}", _msg("settings.value.text"))
        if url and not url.startswith(("https://", "http://")):
            raise SettingsValueError(f"urls.{key}", _msg("settings.value.url_https", url=url))
        if key == "survey_url_template" and url and "{code}" not in url:
            raise SettingsValueError(f"urls.{key}", _msg("settings.value.url_code"))
    return {k: v for k, v in value.items() if v}


def _migrate(raw: dict, path: Path) -> dict:

    version = raw.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise SettingsError(tr("settings.problem.version_type", path=path))
    if version > SCHEMA_VERSION:
        raise SettingsError(
            tr("settings.problem.newer", path=path, found=version, supported=SCHEMA_VERSION)
        )
    if version == 0:  # pre-release files kept city URLs at the top level
        urls = {k: raw.pop(k) for k in list(raw) if k in CITY_URL_SETTINGS}
        raw.setdefault("urls", {}).update(urls)
        raw["schema_version"] = 1
    return raw


def settings_path(data_dir: Path) -> Path:
    return data_dir / SETTINGS_FILE


BACKUP_SUFFIX = ".bak"  # the previous settings file, kept by every write


@dataclass(frozen=True)
class SettingsRead:
    """What could be read of ``settings.json``: the settings, and every problem found.

    A bad field falls back to its default and is named in ``problems``; the rest is kept.
    ``retention_trusted`` is False unless the retention period really came from a readable
    file (or the file is sound and does not set it): nothing is purged on a guessed value.
    """

    settings: SiteSettings
    problems: tuple[str, ...] = ()
    retention_trusted: bool = True
    exists: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def decode_settings(data: bytes) -> tuple[str, str]:
    """Text and encoding of a settings file: UTF-8 with or without BOM, UTF-16 (Windows
    Notepad's "Unicode"), or Shift_JIS/cp932 (Japanese Notepad's ANSI)."""
    from codecs import BOM_UTF8, BOM_UTF16_BE, BOM_UTF16_LE

    if data.startswith(BOM_UTF8):
        return data[len(BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((BOM_UTF16_LE, BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if len(data) >= 2 and len(data) % 2 == 0 and b"\x00" in data[:4]:
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp932"), "cp932"  # raises UnicodeDecodeError when it is not either


def _drop_trailing_commas(text: str) -> tuple[str, list[int]]:
    """``text`` without commas right before ``}`` or ``]`` (outside strings); their lines."""
    out: list[str] = []
    lines: list[int] = []
    in_string = escaped = False
    line = 1
    for i, ch in enumerate(text):
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == ",":
            rest = text[i + 1 :].lstrip()
            if rest[:1] in ("}", "]"):
                lines.append(line)
                continue
        out.append(ch)
    return "".join(out), lines


def _line_of(text: str, key: str) -> int:
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def read_settings(data_dir: Path) -> SettingsRead:
    """Read the site settings, keeping every value that is sound and naming every problem
    (file and line, or field) in the UI language; never raises for a bad file."""

    path = settings_path(data_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return SettingsRead(SiteSettings())
    except OSError as exc:
        return SettingsRead(SiteSettings(), (tr("settings.problem.unreadable", path=path,
                            detail=exc.strerror or exc),), False, True)  # fmt: skip
    try:
        text, _encoding = decode_settings(data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return SettingsRead(SiteSettings(), (tr("settings.problem.encoding", path=path,
                            line=line),), False, True)  # fmt: skip
    problems: list[str] = []
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as first:
        cleaned, comma_lines = _drop_trailing_commas(text)
        try:
            raw = json.loads(cleaned) if comma_lines else None
        except json.JSONDecodeError:
            raw = None
        if raw is None:
            return SettingsRead(SiteSettings(), (tr("settings.problem.json", path=path,
                                line=first.lineno, detail=first.msg),), False, True)  # fmt: skip
        problems += [tr("settings.problem.trailing_comma", path=path, line=n) for n in comma_lines]
    if not isinstance(raw, dict):
        return SettingsRead(SiteSettings(), (tr("settings.problem.not_object", path=path),),
                            False, True)  # fmt: skip
    try:
        raw = _migrate(raw, path)
    except SettingsError as exc:
        return SettingsRead(SiteSettings(), (str(exc),), False, True)
    try:  # the usual file: every key known and every value sound, checked at once
        settings = SiteSettings.from_dict(raw)
    except SettingsValueError:
        pass  # each key on its own below, to name every bad one with its line
    else:
        trusted = "retention_months" in raw or not problems  # as below, with every key good
        if not trusted:
            problems.append(tr("settings.problem.no_purge", path=path))
        return SettingsRead(settings, tuple(problems), trusted, True)
    known = {f.name for f in fields(SiteSettings)}
    good: dict[str, Any] = {}
    for key, value in raw.items():
        line = _line_of(text, key)
        if key not in known:
            problems.append(tr("settings.problem.unknown_key", path=path, line=line, field=key))
            continue
        try:
            SiteSettings.from_dict({key: value})
        except SettingsValueError as exc:
            problems.append(tr("settings.problem.field", path=path, line=line, field=exc.field,
                               detail=exc.message))  # fmt: skip
            continue
        good[key] = value
    settings = SiteSettings.from_dict(good)
    # A typo'd key or a broken file must not start a purge with the default period.
    trusted = "retention_months" in good or not problems
    if not trusted:
        problems.append(tr("settings.problem.no_purge", path=path))
    return SettingsRead(settings, tuple(problems), trusted, True)


def load_settings(data_dir: Path) -> SiteSettings:
    """Read the site settings; a missing file gives the unconfigured defaults; any problem in
    the file raises SettingsError naming them all (the CLI and exports stop on it)."""
    read = read_settings(data_dir)
    if read.problems:
        raise SettingsError("\n".join(read.problems))
    return read.settings


def save_settings(data_dir: Path, settings: SiteSettings) -> None:
    """Write the settings atomically, keeping the file it replaces as ``settings.json.bak``."""
    payload = settings.as_dict()
    path = settings_path(data_dir)
    try:
        previous = path.read_bytes()
    except FileNotFoundError:
        previous = None
    if previous is not None:
        write_atomically(path.with_name(path.name + BACKUP_SUFFIX), previous)
    write_atomically(
        settings_path(data_dir),
        (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    )
