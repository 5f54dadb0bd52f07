"""The anonymity guard: find personal data in free text before anything is stored.

The package splits the work: :mod:`.normalise` (NFKC, format characters, kanji numerals, an
offset map back to the original), :mod:`.guard` (the public API), :mod:`.templates` and
:mod:`.name_templates` (the template recognisers),
:mod:`.identifiers` (numbers and ids with context words and check digits), :mod:`.names`
(names and places, with a morphological dictionary loaded lazily), :mod:`.allow` (public
numbers) and :mod:`.note_check` (re-checking a flagged note after every edit).
"""

from dxdesk.core.privacy.guard import (
    KIND_LABEL_KEYS,
    KINDS,
    Finding,
    PersonalDataError,
    ensure_no_personal_data,
    find_personal_data,
    kind_label,
    utf16_span,
)
from dxdesk.core.privacy.name_templates import (
    LATIN_ROLE_WORDS,
    NOT_NAME_WORDS,
    ROLE_SUFFIXES,
    ROLE_WORDS,
)
from dxdesk.core.privacy.templates import (
    BIRTH_DATE_MIN_AGE,
    is_valid_my_number,
    luhn_valid,
    my_number_check_digit,
)


def warm_up() -> bool:
    """Load the name dictionary and the guides' public numbers now (from a worker thread)."""
    from dxdesk.core.privacy.allow import guide_numbers
    from dxdesk.core.privacy.names import preload

    guide_numbers()
    ready = preload()
    find_personal_data("山田太郎 090-0000-0000")
    return ready


__all__ = [
    "BIRTH_DATE_MIN_AGE",
    "KIND_LABEL_KEYS",
    "KINDS",
    "LATIN_ROLE_WORDS",
    "NOT_NAME_WORDS",
    "ROLE_SUFFIXES",
    "ROLE_WORDS",
    "Finding",
    "PersonalDataError",
    "ensure_no_personal_data",
    "find_personal_data",
    "is_valid_my_number",
    "kind_label",
    "luhn_valid",
    "my_number_check_digit",
    "utf16_span",
    "warm_up",
]
