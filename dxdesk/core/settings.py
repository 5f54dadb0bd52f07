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
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


class SiteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    schema_version: int = SCHEMA_VERSION
    site_id: str = ""
    site_name: str = ""
    site_kind: Literal["counter", "class_venue"] = "counter"
    counter_phone: str = ""
    counter_hours: str = ""
    urls: dict[str, str] = Field(default_factory=dict)
    ui_language: Literal["ja", "en"] = "ja"
    text_scale: float = Field(default=1.0, ge=0.8, le=2.0)
    high_contrast: bool = False
    retention_months: int = Field(default=24, ge=1, le=120)

    @field_validator("site_id")
    @classmethod
    def _site_id(cls, value: str) -> str:
        if value and not SITE_ID_PATTERN.match(value):
            raise ValueError("use 2-40 lowercase letters, digits and hyphens, e.g. 'kita-ward-1'")
        return value

    @field_validator("urls")
    @classmethod
    def _urls(cls, value: dict[str, str]) -> dict[str, str]:
        for key, url in value.items():
            if key not in CITY_URL_SETTINGS:
                raise ValueError(
                    f"unknown URL setting '{key}'; known: {', '.join(CITY_URL_SETTINGS)}"
                )
            if url and not url.startswith(("https://", "http://")):
                raise ValueError(f"'{key}' must start with https:// (got {url!r})")
            if key == "survey_url_template" and url and "{code}" not in url:
                raise ValueError("'survey_url_template' must contain {code}")
        return {k: v for k, v in value.items() if v}

    @property
    def is_configured(self) -> bool:
        """First run is over once the site has an id and a name."""
        return bool(self.site_id and self.site_name)

    def city_url(self, key: str) -> str | None:
        return self.urls.get(key) or None


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
        return SiteSettings.model_validate(_migrate(raw, path))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise SettingsError(f"{path}: field '{field}': {err['msg']}") from exc


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
    payload = settings.model_dump(mode="json")
    write_atomically(
        settings_path(data_dir),
        (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    )
