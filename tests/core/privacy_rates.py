"""Measure the anonymity guard on notes written the way clerks write.

    uv run python tests/core/privacy_rates.py [--corpus own|heldout|all] [--show-misses]
    uv run python tests/core/privacy_rates.py --generated [--notes N]

Corpus mode (the default): the hand-written notes in tests/core/data/*.tsv. A note with
personal data counts as detected when the guard finds anything in it; a clean note counts as
a false alarm when the guard finds anything in it. Both are reported per kind (the tag in the
first column; a note with two tags counts under each).

``--generated`` measures what the hypothesis strategies of test_privacy_properties.py make (the
guard's own shapes; useful as a regression check, not as evidence of real-world detection).
Not a test module: pytest does not collect it (no test_ prefix).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from privacy_corpus import CORPORA, CorpusNote, load  # noqa: E402

from dxdesk.core.privacy import find_personal_data  # noqa: E402
from dxdesk.core.privacy.allow import allow_site_numbers  # noqa: E402

VISIT_YEAR = 2026
# The site settings the corpora were written for: the counter's own phone is public.
COUNTER_PHONE = "03-3908-1111"


def flagged(note: CorpusNote) -> bool:
    allow_site_numbers(COUNTER_PHONE)
    return bool(find_personal_data(note.text, visit_year=VISIT_YEAR))


def per_kind(notes: list[CorpusNote]) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for note in notes:
        hit = flagged(note)
        for kind in note.kinds:
            counts[kind][0] += hit
            counts[kind][1] += 1
    return {kind: (hit, seen) for kind, (hit, seen) in sorted(counts.items())}


def rates(corpus: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """((detected, personal notes), (false alarms, clean notes)) on one corpus."""
    personal_file, clean_file = CORPORA[corpus]
    personal, clean = load(personal_file), load(clean_file)
    return (
        (sum(map(flagged, personal)), len(personal)),
        (sum(map(flagged, clean)), len(clean)),
    )


def report(corpus: str, show_misses: bool) -> None:
    personal_file, clean_file = CORPORA[corpus]
    personal, clean = load(personal_file), load(clean_file)
    (hit, seen), (alarms, clean_seen) = rates(corpus)
    print(f"== corpus '{corpus}' ({personal_file}, {clean_file}), visit year {VISIT_YEAR}")
    print(f"detected {hit}/{seen} = {hit / seen:.1%}   false alarms {alarms}/{clean_seen}"
          f" = {alarms / clean_seen:.1%}")  # fmt: skip
    print(f"\n{'personal kind':<22}{'detected':>14}")
    for kind, (k_hit, k_seen) in per_kind(personal).items():
        print(f"{kind:<22}{k_hit:>4}/{k_seen:<4}{k_hit / k_seen:>7.0%}")
    print(f"\n{'clean kind':<22}{'false alarms':>14}")
    for kind, (k_hit, k_seen) in per_kind(clean).items():
        print(f"{kind:<22}{k_hit:>4}/{k_seen:<4}{k_hit / k_seen:>7.0%}")
    if show_misses:
        print("\nmissed:")
        for note in personal:
            if not flagged(note):
                print(f"  {personal_file}:{note.line} [{','.join(note.kinds)}] {note.text!r}")
        print("false alarms:")
        for note in clean:
            findings = find_personal_data(note.text, visit_year=VISIT_YEAR)
            if findings:
                what = ", ".join(f"{f.kind}:{f.text}" for f in findings)
                print(f"  {clean_file}:{note.line} {note.text!r} -> {what}")
    print()


def generated(n: int) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from test_privacy_properties import PERSONAL_DATA, detected, notes_with

    for kind in PERSONAL_DATA:
        for width in ("half", "full"):
            counts = [0, 0]

            @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=notes_with(kind, width))
            def run(
                case: tuple[str, int, int], counts: list[int] = counts, kind: str = kind
            ) -> None:
                note, start, end = case
                counts[1] += 1
                counts[0] += detected(note, kind, start, end)

            run()
            print(f"{kind:<16}{width:<6}{counts[0] / max(counts[1], 1):>8.1%} of {counts[1]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=[*CORPORA, "all"], default="all")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--generated", action="store_true", help="the property-test shapes")
    parser.add_argument("--notes", type=int, default=300, help="generated notes per kind/width")
    args = parser.parse_args()
    if args.generated:
        generated(args.notes)
        return 0
    for corpus in CORPORA if args.corpus == "all" else [args.corpus]:
        if (Path(__file__).parent / "data" / CORPORA[corpus][0]).exists():
            report(corpus, args.show_misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
