"""Blockers lead somewhere: a taxonomy blocker names the guide that resolves it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.session import SupportSession

JST = dt.timezone(dt.timedelta(hours=9))


class StepClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 4, 10, 0, tzinfo=JST)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=30)
        return self.now


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


def test_shipped_blockers_name_guides_that_exist(catalog) -> None:
    named = {b.id: b.resolved_by for b in catalog.taxonomy.blockers if b.resolved_by}
    assert named["pin-forgotten"] == "pin-reset"
    assert named["cert-expired"] == "certificate-renewal"
    assert set(named.values()) <= set(catalog.guides)


def test_the_latest_marked_blocker_offers_its_guide_until_it_is_tried(catalog) -> None:
    session = SupportSession.start(catalog, "kita-ward-1", clock=StepClock())
    session.add_procedure("etax-smartphone")
    assert session.resolving_guide() is None
    session.mark_blocker("phone-no-nfc")  # names no guide
    assert session.resolving_guide() is None
    session.mark_blocker("pin-forgotten")
    session.mark_blocker("cert-expired")
    blocker, guide = session.resolving_guide()
    assert (blocker.id, guide.id) == ("cert-expired", "certificate-renewal")
    session.unmark_blocker("cert-expired")
    assert session.resolving_guide()[1].id == "pin-reset"
    session.add_procedure("pin-reset")
    session.select_procedure(1)
    assert session.resolving_guide() is None  # already tried in this session


def test_resolved_by_must_name_a_guide_in_the_catalog(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(forms_dir(), forms)
    taxonomy = forms / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    # either spelling of the key (the older 'guide:' is still read)
    text = re.sub(r"(resolved_by|guide): certificate-renewal", r"\1: card-renewl", text, count=1)
    taxonomy.write_text(text, encoding="utf-8")
    problems = [str(p) for p in load_catalog(forms).problems]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "card-renewl" in t)
    assert problems == [
        f"{taxonomy}:{line}: blocker 'cert-expired': 'resolved_by': no guide with id "
        "'card-renewl' in the catalog"
    ]


def test_both_spellings_of_the_key_are_read(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(forms_dir(), forms)
    taxonomy = forms / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8").replace(
        "resolved_by: pin-reset", "guide: pin-reset"
    )
    taxonomy.write_text(text, encoding="utf-8")
    catalog = load_catalog(forms)
    assert catalog.problems == []
    assert catalog.taxonomy.blocker("pin-locked").resolved_by == "pin-reset"
