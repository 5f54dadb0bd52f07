"""Fault drills: real files, real processes, real widgets; each fault ends with a clear message."""

from __future__ import annotations

import pytest

from dxdesk.core.catalog import Catalog, load_catalog
from dxdesk.core.paths import forms_dir


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(forms_dir())
