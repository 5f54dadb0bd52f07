"""Drills: a counter PC without keyring or printer, a damaged font, a guide deleted while the app
runs, and a second dxdesk started on the same data folder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from drills_support import GUIDE, record_visits
from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton

from dxdesk.core.catalog import load_catalog
from dxdesk.core.export import export_month, read_manifest
from dxdesk.core.paths import forms_dir, resource_path
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.store import Store, StoreError
from dxdesk.gui.app import run
from dxdesk.gui.print_dialog import SlipDialog

SETTINGS = SiteSettings(site_id="kita-1", site_name="北区役所", counter_phone="06-1234-5678",
                        counter_hours="9:00-17:00")  # fmt: skip


pytestmark = pytest.mark.usefixtures("english")


def test_no_keyring_exports_an_unsigned_bundle_that_says_why(
    data_dir: Path, catalog, tmp_path: Path
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # what Linux without Secret Service has
    try:
        save_settings(data_dir, SETTINGS)
        record_visits(data_dir, catalog, 3)
        with Store.open(data_dir) as store:
            bundle = export_month(store, dt.date.today().strftime("%Y-%m"), tmp_path)
    finally:
        keyring.set_keyring(previous)
    signature = read_manifest(bundle)["signature"]
    assert signature["status"] == "unsigned"
    assert "keyring" in signature["reason"] and "Secret Service" in signature["fix"]
    with zipfile.ZipFile(bundle) as zf:
        assert zf.read("sessions.csv").count(b"\n") == 4  # nothing lost: header + 3 rows


def answer_modal(seen: list[str]) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    QTimer.singleShot(10, answer)


def test_no_printer_says_so_and_the_pdf_can_still_be_saved(qtbot, catalog, tmp_path: Path) -> None:
    if QPrinterInfo.availablePrinters():
        pytest.skip("this machine has a printer; the drill needs one without")
    dialog = SlipDialog(catalog.guides[GUIDE], SETTINGS, "ABCD-2345-P", [], "ja")
    qtbot.addWidget(dialog)
    seen: list[str] = []
    answer_modal(seen)
    dialog.findChild(QPushButton, "printButton").click()
    assert seen and "No printer found" in seen[0] and "Save as PDF" in seen[0]
    assert "No printer found" in dialog.findChild(QLabel, "printStatus").text()
    target = tmp_path / "slip.pdf"
    dialog.save(str(target))
    assert target.read_bytes().startswith(b"%PDF")


FONT_CHILD = textwrap.dedent(
    """
    import datetime as dt, json, sys
    from pathlib import Path
    import dxdesk.core.printing.fonts as fonts
    fonts.font_path = lambda name: Path(sys.argv[1]) / name
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.paths import forms_dir
    from dxdesk.core.printing import render_slip
    from dxdesk.core.settings import SiteSettings
    guide = load_catalog(forms_dir()).guides["convenience-store-certificates"]
    s = SiteSettings(site_name="Kita", counter_phone="06-1234-5678", counter_hours="9-17")
    out = {}
    for lang in ("ja", "vi"):
        try:
            pdf = render_slip(guide, s, lang, "a6", "ABCD-2345-P", [], dt.date(2026, 11, 23))
            out[lang] = "ok" if pdf.startswith(b"%PDF") else "not a pdf"
        except Exception as exc:
            out[lang] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out))
    """
)


def font_drill(tmp_path: Path, damage: str) -> dict[str, str]:
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for font in resource_path("fonts").iterdir():
        (fonts / font.name).symlink_to(font)
    face = fonts / "BIZUDGothic-Regular.ttf"
    face.unlink()
    if damage == "damaged":
        face.write_bytes(resource_path("fonts", face.name).read_bytes()[:5000])
    out = subprocess.check_output([sys.executable, "-c", FONT_CHILD, str(fonts)], text=True)
    return json.loads(out)


def test_missing_font_names_the_file(tmp_path: Path) -> None:
    result = font_drill(tmp_path, "missing")
    # Every slip draws its frame in the house face, so no language prints without it; the
    # message names the file (the print dialog shows it, and Save/Print stay disabled).
    for lang in ("ja", "vi"):
        assert "BIZUDGothic-Regular.ttf" in result[lang]


def test_damaged_font_names_the_file(tmp_path: Path) -> None:
    result = font_drill(tmp_path, "damaged")
    assert "BIZUDGothic-Regular.ttf" in result["ja"]


def test_guide_deleted_while_the_app_runs(data_dir: Path, tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(forms_dir(), forms)
    catalog = load_catalog(forms)
    guide_file = forms / "guides" / f"{GUIDE}.yaml"
    with Store.open(data_dir) as store:
        finished = store.sessions.start_session(catalog, "kita-1")
        interrupted = store.sessions.start_session(catalog, "kita-1")
        interrupted.add_procedure(GUIDE)
        finished.add_procedure(GUIDE)
        guide_file.unlink()  # someone tidies the folder while a visit is open
        finished.answer(0)  # the visit goes on from the guide in memory
        finished.set_outcome("handed_off")
        finished.finish()
    # Next start-up: the guide is gone, the catalog says so, the interrupted visit can be closed.
    after = load_catalog(forms)
    assert GUIDE not in after.guides
    with Store.open(data_dir) as store:
        with pytest.raises(StoreError) as refused:
            store.sessions.load_session(interrupted.session_id, after)
        assert interrupted.session_id in str(refused.value) and "abandoned" in str(refused.value)
        store.sessions.abandon_interrupted(interrupted.session_id)
        rows = list(store.queries.procedure_attempt_rows(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
    assert sorted(r["outcome"] for r in rows) == ["abandoned", "handed_off"]


HOLD = textwrap.dedent(
    """
    import sys, time
    from dxdesk.core.instance_lock import InstanceLock
    lock = InstanceLock(sys.argv[1]).acquire()
    print("running", flush=True)
    time.sleep(60)
    """
)


def test_second_instance_is_told_and_the_first_keeps_running(qtbot, data_dir: Path) -> None:
    first = subprocess.Popen([sys.executable, "-c", HOLD, str(data_dir)],
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert first.stdout.readline().strip() == "running"
        seen: list[str] = []
        answer_modal(seen)
        assert run(str(data_dir), "en") == 1
        assert "already running" in seen[0] and str(first.pid) in seen[0]
        assert first.poll() is None  # the first dxdesk is untouched
    finally:
        first.kill()
        first.wait()
