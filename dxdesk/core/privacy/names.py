"""Names and places that are not templates (the next commit fills this in)."""

from __future__ import annotations

from collections.abc import Iterator


def iter_names_and_places(text: str) -> Iterator[tuple[str, int, int]]:
    return iter(())
