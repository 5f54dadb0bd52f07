"""Printed material for residents: QR hand-off slips and paper fallback forms (PDF).

ReportLab and the fonts load only when something is rendered, never at app start-up:
this module imports nothing heavy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from dxdesk.core.printing.errors import PaperError, SlipError

if TYPE_CHECKING:
    from dxdesk.core.catalog import ProcedureGuide
    from dxdesk.core.settings import SiteSettings

SLIP_FORMAT_NAMES: tuple[str, ...] = ("a6", "a5", "receipt80")

__all__ = ["SLIP_FORMAT_NAMES", "PaperError", "SlipError", "render_paper", "render_slip"]


def render_slip(
    guide: ProcedureGuide,
    settings: SiteSettings,
    lang: str,
    fmt: str,
    handoff_code: str,
    done_today: Sequence[str],
    printed_on: dt.date,
) -> bytes:
    """The QR hand-off slip as PDF bytes; raises SlipError (never prints a placeholder)."""
    from dxdesk.core.printing.slip import render_slip as _render

    return _render(guide, settings, lang, fmt, handoff_code, done_today, printed_on)


def render_paper(
    guide: ProcedureGuide,
    values: Mapping[str, str] | None,
    printed_on: dt.date,
    lang: str = "ja",
) -> bytes:
    """The A4 paper fallback as PDF bytes, pre-filled with ``values`` (kept in memory only);
    Japanese for the office, with the resident's ``lang`` beside it."""
    from dxdesk.core.printing.paper import render_paper as _render

    return _render(guide, values, printed_on, lang)
