"""Versioned site settings in the data directory (``settings.json``).

City-specific values (a reservation-site URL, the counter's phone) live here and nowhere else:
guides name a setting, and a slip is refused while the setting it needs is unset.
Secrets never live here; they go to the OS keyring.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

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

    def __post_init__(self) -> None:
        for name in ("site_id", "site_name", "site_kind", "counter_phone", "counter_hours",
                     "ui_language"):  # fmt: skip
            if not isinstance(getattr(self, name), str):
                raise SettingsValueError(name, "must be text")
        if self.site_id and not SITE_ID_PATTERN.match(self.site_id):
            raise SettingsValueError(
                "site_id", "use 2-40 lowercase letters, digits and hyphens, e.g. 'kita-ward-1'"
            )
        if self.site_kind not in _KINDS:
            raise SettingsValueError("site_kind", f"choose one of {', '.join(_KINDS)}")
        if self.ui_language not in _UI_LANGUAGES:
            raise SettingsValueError("ui_language", f"choose one of {', '.join(_UI_LANGUAGES)}")
        self.text_scale = _number("text_scale", self.text_scale, float, 0.8, 2.0)
        self.retention_months = _number("retention_months", self.retention_months, int, 1, 120)
        self.schema_version = _number("schema_version", self.schema_version, int, 0, 10**6)
        if isinstance(self.high_contrast, str) and self.high_contrast.lower() in ("true", "false"):
            self.high_contrast = self.high_contrast.lower() == "true"
        if not isinstance(self.high_contrast, bool):
            raise SettingsValueError("high_contrast", "must be true or false")
        self.urls = _checked_urls(self.urls)
        for name in ("site_name_by_language", "counter_hours_by_language"):
            setattr(self, name, _checked_translations(name, getattr(self, name)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteSettings:
        """Build from a mapping (a JSON file, a form); an unknown key is an error, not ignored."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise SettingsValueError(key, "unknown setting")
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
        raise SettingsValueError(
            name, f"must be a {'whole ' if kind is int else ''}number"
        ) from None
    if not low <= number <= high:
        raise SettingsValueError(name, f"must be between {low} and {high}")
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
        raise SettingsValueError("urls", "must be a mapping of URL settings")
    for key, url in value.items():
        if key not in CITY_URL_SETTINGS:
            raise SettingsValueError(
                "urls", f"unknown URL setting '{key}'; known: {', '.join(CITY_URL_SETTINGS)}"
            )
        if not isinstance(url, str):
            raise SettingsValueError(f"urls.{key}", "must be text")
        if url and not url.startswith(("https://", "http://")):
            raise SettingsValueError(f"urls.{key}", f"must start with https:// (got {url!r})")
        if key == "survey_url_template" and url and "{code}" not in url:
            raise SettingsValueError(f"urls.{key}", "must contain {code}")
    return {k: v for k, v in value.items() if v}


def _migrate(raw: dict, path: Path) -> dict:
    version = raw.get("schema_version", 0)
    if not isinstance(version, int):
        raise SettingsError(f"{path}: 'schema_version' must be a whole number")
    if version > SCHEMA_VERSION:
        raise SettingsError(
            f"{path}: written by a newer dxdesk (settings version {version}, this one reads "
            f"up to {SCHEMA_VERSION}); update dxdesk on this PC"
        )
    if version == 0:  # pre-release files kept city URLs at the top level
        urls = {k: raw.pop(k) for k in list(raw) if k in CITY_URL_SETTINGS}
        raw.setdefault("urls", {}).update(urls)
        raw["schema_version"] = 1
    return raw


def settings_path(data_dir: Path) -> Path:
    return data_dir / SETTINGS_FILE


def load_settings(data_dir: Path) -> SiteSettings:
    """Read the site settings; a missing file gives the unconfigured defaults."""
    path = settings_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SiteSettings()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); fix the file or delete it "
            "to run the first-run setup again"
        ) from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}:1: expected a JSON object")
    try:
        return SiteSettings.from_dict(_migrate(raw, path))
    except SettingsValueError as exc:
        raise SettingsError(f"{path}: field '{exc.field}': {exc.message}") from exc


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_settings(data_dir: Path, settings: SiteSettings) -> None:
    payload = settings.as_dict()
    write_atomically(
        settings_path(data_dir),
        (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    )
