"""The anonymity guard: find personal data in free text before anything is stored.

The session log must hold no name, address, phone, e-mail, birth date, My Number, card or
account number (DOMAIN.md, "Privacy and disclosure control"), and no PIN or password a resident
reads out at the counter. Every free-text field passes
through :func:`ensure_no_personal_data` before it reaches the store; the GUI calls
:func:`find_personal_data` while the clerk types and marks each :class:`Finding` span.

Matching runs on NFKC-normalised text (residents' numbers are often typed in full-width digits
such as ０９０－１２３４－５６７８), but every span is reported in the ORIGINAL text, so the
GUI can underline exactly what the clerk typed. For a Qt widget, convert a span with
:func:`utf16_span` (Qt counts UTF-16 code units; Python counts code points).

The guard never rewrites text: it either passes it through unchanged or refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from dxdesk.core.i18n import tr, ui_language
from dxdesk.core.privacy.name_templates import iter_name_templates
from dxdesk.core.privacy.normalise import number_view, text_view
from dxdesk.core.privacy.templates import iter_templates

# Stable kind ids, in the order used to settle overlapping findings (first wins a tie).
KINDS: tuple[str, ...] = (
    "card_number",
    "account_number",
    "my_number",
    "resident_code",
    "residence_card",
    "passport_number",
    "licence_number",
    "pension_number",
    "insurance_number",
    "secret",
    "email",
    "phone",
    "postal_code",
    "car_plate",
    "line_id",
    "birth_date",
    "address",
    "person_name",
    "id_number",
    "near_removed",  # only from NoteGuard: a word left next to removed personal data
    "unchecked",  # only from NoteGuard: names could not be checked
)
# The i18n key of each kind's label (resources/i18n/ui-privacy.yaml).
KIND_LABEL_KEYS: dict[str, str] = {kind: f"privacy.kind.{kind}" for kind in KINDS}
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and its span ``text[start:end]`` in the original."""

    kind: str
    start: int
    end: int
    text: str


class PersonalDataError(ValueError):
    """Raised when a free-text field holds personal data; names the field and the kinds found."""

    def __init__(self, field: str, findings: list[Finding], *, lang: str | None = None):
        self.field = field
        self.findings = list(findings)
        self.kinds = sorted({f.kind for f in findings}, key=_PRIORITY.__getitem__)
        language = lang or ui_language()
        separator = "、" if language == "ja" else ", "
        labels = separator.join(kind_label(k, language) for k in self.kinds)
        super().__init__(tr("privacy.error.contains", lang=language, field=field, kinds=labels))


def kind_label(kind: str, lang: str | None = None) -> str:
    """The translated label of a kind, e.g. 'my_number' -> 'マイナンバー'."""
    return tr(KIND_LABEL_KEYS[kind], lang=lang)


def ensure_no_personal_data(text: str, field: str, *, visit_year: int | None = None) -> str:
    """Return ``text`` unchanged, or raise :class:`PersonalDataError` naming ``field``."""
    findings = find_personal_data(text, visit_year=visit_year)
    if findings:
        raise PersonalDataError(field, findings)
    return text


def utf16_span(text: str, finding: Finding) -> tuple[int, int]:
    """The finding's span in UTF-16 code units, the offsets QTextCursor and QSyntaxHighlighter use."""

    def units(upto: int) -> int:
        return upto + sum(1 for ch in text[:upto] if ord(ch) > 0xFFFF)

    return units(finding.start), units(finding.end)


def iter_template_findings(s: str, visit_year: int) -> Iterator[tuple[str, int, int]]:
    """Every template match in the NFKC text ``s``, as (kind, start, end) in ``s``."""
    yield from iter_templates(s, visit_year)
    yield from iter_name_templates(s)


def _digits_of(s: str) -> str:
    return "".join(ch for ch in s if ch.isascii() and ch.isdigit())


def _raw_findings(text: str, year: int) -> Iterator[tuple[str, int, int]]:
    """Every candidate, as (kind, start, end) in the ORIGINAL text."""
    from dxdesk.core.privacy.allow import is_public_number
    from dxdesk.core.privacy.identifiers import iter_number_view

    tview = text_view(text)
    nview = number_view(tview)
    for kind, start, end in iter_template_findings(tview.text, year):
        if kind == "phone" and is_public_number(_digits_of(tview.text[start:end])):
            continue
        yield kind, *tview.span(start, end)
    for kind, start, end in iter_number_view(nview.text):
        if kind not in ("secret", "birth_date") and is_public_number(
            _digits_of(nview.text[start:end])
        ):
            continue
        yield kind, *nview.span(start, end)
    from dxdesk.core.privacy.names import iter_names_and_places

    for kind, start, end in iter_names_and_places(tview.text):
        yield kind, *tview.span(start, end)


def find_personal_data(text: str, *, visit_year: int | None = None) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, with spans in the original text.

    ``visit_year`` (default: this year) decides which full dates are old enough to be birth
    dates. Overlapping candidates are settled in favour of the longer, then the KINDS order.
    """
    if not text:
        return []
    year = visit_year if visit_year is not None else date.today().year
    raw = sorted(_raw_findings(text, year), key=lambda f: (f[1], -(f[2] - f[1]), _PRIORITY[f[0]]))
    findings: list[Finding] = []
    taken_until = -1
    for kind, start, end in raw:
        if start < taken_until or end <= start:
            continue
        taken_until = end
        findings.append(Finding(kind, start, end, text[start:end]))
    return findings
