"""Shared fixtures. GUI tests run offscreen; every test gets its own data directory."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from tests.keyring_backend import FileKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _interface_language_restored():
    """A test that switches the interface language (``--lang en``, a settings dialog) never
    leaves it switched for the next test: each starts in Japanese, the app's default."""
    from dxdesk.core.i18n import set_ui_language

    set_ui_language("ja")
    yield
    set_ui_language("ja")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory, also exported as DXDESK_DATA_DIR for subprocesses."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("DXDESK_DATA_DIR", str(d))
    return d


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """Start-up caches go to a folder of this test run, never the user's own cache."""
    os.environ["DXDESK_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield


@pytest.fixture
def file_keyring(tmp_path: Path):
    """A working keyring (a JSON file in this test's folder); yields the backend."""
    previous = keyring.get_keyring()
    backend = FileKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    """The backend keyring falls back to without a Secret Service: get/set raise."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@contextlib.contextmanager
def _app_look(qapp, high_contrast: bool = False):
    """The app's own font and theme on the test QApplication, restored afterwards."""
    from dxdesk.core.settings import SiteSettings
    from dxdesk.gui.app import apply_look

    font, sheet = qapp.font(), qapp.styleSheet()
    apply_look(qapp, SiteSettings(high_contrast=high_contrast))
    try:
        yield
    finally:
        qapp.setFont(font)
        qapp.setStyleSheet(sheet)


@pytest.fixture(params=[False, True], ids=["theme", "high-contrast"])
def app_look(qapp, request):
    """Widgets as the user sees them: the shipped font and each shipped theme."""
    with _app_look(qapp, request.param):
        yield request.param


@pytest.fixture
def screenshot_folder(tmp_path: Path, qapp):
    """Where a test saves the screenshots it renders: a temporary folder on a normal run, so
    that running the tests never changes the checkout; with DXDESK_SCREENSHOTS=1 the README's
    resources/screenshots, drawn in the app's own font and theme."""
    if os.environ.get("DXDESK_SCREENSHOTS") != "1":
        yield tmp_path
        return
    from dxdesk.core.paths import resource_path

    with _app_look(qapp):
        yield resource_path("screenshots")
