"""Errors that stop a print before anything is drawn; the message says what to fix."""

from __future__ import annotations


class SlipError(ValueError):
    """A slip or paper form cannot be printed; ``setting`` names a missing site setting."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class PaperError(SlipError):
    """The paper fallback cannot be printed (no paper section, or an unknown field)."""
