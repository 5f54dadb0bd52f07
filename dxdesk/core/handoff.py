"""Anonymous hand-off codes printed on a slip and typed back at a return visit.

A code such as ``K7QM-3XPA-R`` is 8 random characters plus one check character, drawn from an
alphabet without the look-alikes 0/O/1/I/L. The alphabet has 31 symbols (a prime), so a
position-weighted sum mod 31 catches every single mistyped character and every swap of two
neighbouring characters. The code identifies nothing about the resident: it is random.
"""

from __future__ import annotations

import unicodedata

from dxdesk.core.i18n import tr

# 31 symbols: digits 2-9 and the letters without I, L, O.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PAYLOAD_LENGTH = 8
GROUPS = (4, 4, 1)
CODE_LENGTH = sum(GROUPS)  # payload + check character
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

# Characters a resident or clerk may type for an alphabet symbol: Greek and Cyrillic capitals
# that look like Latin ones (typed on a phone with another keyboard layout).
_LOOK_ALIKES = {
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X",
}  # fmt: skip
# Separators people type between groups: hyphens, dashes, the long-vowel mark, dots, spaces.
_SEPARATORS = set(" \t-‐‑‒–—―−ーｰ_.・/")
# Never used in codes; a typed 0/O/1/I/L is a misreading we cannot resolve safely.
_AMBIGUOUS = set("0O1IL")


class HandoffCodeError(ValueError):
    """A typed hand-off code cannot be a code we printed; the message says what is wrong."""


def _check_character(payload: str) -> str:
    total = sum((position + 1) * _VALUE[ch] for position, ch in enumerate(payload))
    return ALPHABET[total % len(ALPHABET)]


def _grouped(raw: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(parts)


def new_handoff_code() -> str:
    """A fresh random code, grouped like ``K7QM-3XPA-R`` (last character: check)."""
    import secrets  # here, not at the top: it is off the app's start-up path

    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return _grouped(payload + _check_character(payload))


def normalise_handoff_code(typed: str) -> str:
    """Turn what was typed into the canonical grouped code, or raise HandoffCodeError.

    NFKC (full-width letters and digits), upper case, separators and spaces removed,
    look-alike characters mapped; then the length and the check character are verified.
    """
    text = unicodedata.normalize("NFKC", typed).upper()
    chars = []
    for ch in text:
        if ch in _SEPARATORS or ch.isspace():
            continue
        chars.append(_LOOK_ALIKES.get(ch, ch))
    raw = "".join(chars)
    if not raw:
        raise HandoffCodeError(tr("handoff.error.empty"))
    ambiguous = sorted({ch for ch in raw if ch in _AMBIGUOUS})
    if ambiguous:
        raise HandoffCodeError(tr("handoff.error.ambiguous", chars=", ".join(ambiguous)))
    foreign = sorted({ch for ch in raw if ch not in _VALUE})
    if foreign:
        raise HandoffCodeError(tr("handoff.error.foreign", chars="".join(foreign)))
    if len(raw) != CODE_LENGTH:
        raise HandoffCodeError(tr("handoff.error.length", length=CODE_LENGTH, typed=len(raw)))
    payload, check = raw[:PAYLOAD_LENGTH], raw[PAYLOAD_LENGTH:]
    if _check_character(payload) != check:
        raise HandoffCodeError(tr("handoff.error.check"))
    return _grouped(raw)


def is_valid_handoff_code(code: str) -> bool:
    """True when ``code`` (canonical or as typed) normalises to a code with a matching check."""
    try:
        normalise_handoff_code(code)
    except HandoffCodeError:
        return False
    return True
