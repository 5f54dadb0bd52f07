"""Fault drills: real files, real processes, real widgets; each fault ends with a clear message."""

from __future__ import annotations

import pytest

from dxdesk.core.catalog import Catalog, load_catalog
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.gui import tasks


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(forms_dir())


@pytest.fixture
def english():
    """Drill messages are checked in English; tasks run at once so results are there to read."""
    set_ui_language("en")
    tasks.use_immediate_runner()
    yield
    tasks.use_immediate_runner(False)
    set_ui_language("ja")
