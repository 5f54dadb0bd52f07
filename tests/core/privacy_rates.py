"""Measure the anonymity guard: detection rate per kind and false-positive rate on clean notes.

    uv run python tests/core/privacy_rates.py [--notes N]

Detection: N generated notes per kind and width (the same hypothesis strategies as
test_privacy_properties.py: the value embedded in a realistic counter note); a note counts as
detected when a finding of the right kind covers the whole value. False positives: notes of
tests/core/data/clean_notes.txt (half-width, and every ASCII char turned full-width) with any
finding at all. Not a test module: pytest does not collect it (no test_ prefix).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_privacy_properties import (  # noqa: E402
    _FULL_WIDTH,
    CLEAN_NOTES,
    VISIT_YEAR,
    detected,
    notes_with,
)

from dxdesk.core.privacy import KINDS, find_personal_data  # noqa: E402


def measure_detection(kind: str, width: str, n: int) -> tuple[int, int, list[str]]:
    """(detected, generated, a few missed notes) over n generated notes."""
    counts = {"seen": 0, "hit": 0}
    missed: list[str] = []

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=notes_with(kind, width))
    def run(case: tuple[str, int, int]) -> None:
        note, start, end = case
        counts["seen"] += 1
        if detected(note, kind, start, end):
            counts["hit"] += 1
        elif len(missed) < 3:
            missed.append(note[start:end])

    run()
    return counts["hit"], counts["seen"], missed


def measure_false_positives(notes: list[str]) -> tuple[int, list[str]]:
    flagged = [note for note in notes if find_personal_data(note, visit_year=VISIT_YEAR)]
    return len(flagged), flagged[:5]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notes", type=int, default=1000, help="generated notes per kind and width"
    )
    args = parser.parse_args()

    print(
        f"detection rate, {args.notes} generated notes per kind and width (visit year {VISIT_YEAR})"
    )
    print(f"{'kind':<16}{'half-width':>14}{'full-width':>14}")
    total_hit = total_seen = 0
    misses: list[str] = []
    for kind in KINDS:
        cells = []
        for width in ("half", "full"):
            hit, seen, missed = measure_detection(kind, width, args.notes)
            total_hit += hit
            total_seen += seen
            cells.append(f"{hit / seen:>8.1%} of {seen:<4}" if seen else "n/a")
            misses += [f"{kind}/{width}: {m}" for m in missed]
        print(f"{kind:<16}{cells[0]:>14}{cells[1]:>14}")
    print(f"{'all':<16}{total_hit / total_seen:>14.2%}  ({total_hit}/{total_seen})")
    for line in misses[:15]:
        print(f"  missed {line}")

    full_width_notes = ["".join(_FULL_WIDTH.get(c, c) for c in note) for note in CLEAN_NOTES]
    print(f"\nfalse positives on the clean corpus ({len(CLEAN_NOTES)} notes)")
    for label, notes in (("half-width", CLEAN_NOTES), ("full-width", full_width_notes)):
        flagged, examples = measure_false_positives(notes)
        print(f"{label:<16}{flagged / len(notes):>8.2%}  ({flagged}/{len(notes)} notes)")
        for note in examples:
            print(f"  flagged: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
