"""Print preview dialogs: real PDFs from core, rendered by pypdfium2, saved through the dialog."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from dxdesk.core.catalog import load_catalog
from dxdesk.core.handoff import new_handoff_code
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.paths import forms_dir
from dxdesk.core.settings import SiteSettings
from dxdesk.gui import tasks
from dxdesk.gui.print_dialog import PaperDialog, SlipDialog


@pytest.fixture(autouse=True)
def immediate_tasks():
    set_ui_language("ja")
    tasks.use_immediate_runner()
    yield
    tasks.use_immediate_runner(False)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(forms_dir())


SETTINGS = SiteSettings(site_id="kita-1", site_name="北区役所", counter_phone="03-0000-0000",
                        counter_hours="平日 8:45〜17:15")  # fmt: skip


def test_slip_preview_language_format_and_save(qtbot, catalog, tmp_path: Path) -> None:
    guide = catalog.guide("convenience-store-certificates")
    code = new_handoff_code()
    dialog = SlipDialog(guide, SETTINGS, code, [guide.steps[0]], "ja-easy")
    qtbot.addWidget(dialog)
    outputs = []
    dialog.on_output = lambda: outputs.append(True)
    assert dialog.pdf and dialog.pdf.startswith(b"%PDF")
    assert dialog.findChild(QLabel, "previewPage0").pixmap().width() > 100
    assert dialog.findChild(QLabel, "handoffCodeLabel").text() == code

    dialog.findChild(QComboBox, "slipFormatCombo").setCurrentIndex(2)  # receipt80
    dialog.findChild(QComboBox, "slipLanguageCombo").setCurrentIndex(8)  # pt
    out = tmp_path / "slip.pdf"
    dialog.save(str(out))
    assert out.read_bytes() == dialog.pdf
    assert outputs == [True]  # the wizard records the hand-off code once the slip exists

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert code in text and "北区役所" in text


def test_slip_refused_for_unset_city_setting_says_which(qtbot, catalog) -> None:
    dialog = SlipDialog(
        catalog.guide("facility-reservation"), SETTINGS, new_handoff_code(), [], "ja"
    )
    qtbot.addWidget(dialog)
    assert dialog.pdf is None
    assert "公共施設予約サイトのURL" in dialog.status.text()  # as the settings screen names it
    assert "拠点の設定" in dialog.status.text()  # and where to set it
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()


def test_paper_values_are_printed_and_forgotten(
    qtbot, catalog, tmp_path: Path, data_dir: Path
) -> None:
    guide = catalog.guide("pin-reset")
    dialog = PaperDialog(guide)
    qtbot.addWidget(dialog)
    first_text_field = next(f for f in guide.paper.fields if f.kind == "text" and not f.signature)
    edit = dialog.findChild(QLineEdit, f"paperField_{first_text_field.key}")
    edit.setText("試験花子ユニーク")
    dialog.rerender()
    out = tmp_path / "paper.pdf"
    dialog.save(str(out))
    from pypdf import PdfReader

    assert "試験花子ユニーク" in "".join(p.extract_text() for p in PdfReader(out).pages)
    dialog.done(0)
    assert edit.text() == "" and dialog.pdf is None
    needle = "試験花子ユニーク".encode()
    for path in [*data_dir.rglob("*"), *tmp_path.rglob("*")]:
        if path.is_file() and path != out:
            assert needle not in path.read_bytes(), path


def test_a_two_page_slip_is_offered_two_sided(qtbot, catalog) -> None:
    """An A6 card (steps on the front, QR and code on the back) asks the printer for both
    sides; a one-page slip and the receipt roll do not. (Whether a printer takes the request
    is its driver's business: with no printer here, only the request can be checked.)"""
    guide = catalog.guide("convenience-store-certificates")
    dialog = SlipDialog(guide, SETTINGS, new_handoff_code(), [], "ja")
    qtbot.addWidget(dialog)
    formats = dialog.findChild(QComboBox, "slipFormatCombo")
    formats.setCurrentIndex(formats.findData("a6"))
    assert dialog.page_count == 2 and dialog.two_sided()
    formats.setCurrentIndex(formats.findData("receipt80"))
    assert dialog.page_count == 1 and not dialog.two_sided()


def test_quick_changes_render_one_at_a_time_and_show_the_last(qtbot, catalog) -> None:
    """Scrolling through the languages starts a render per step on the thread pool. PDFium is
    not thread-safe (two at once corrupted its heap), and a render that finishes late must
    not replace a newer one: the dialog ends showing, and printing, the last choice."""
    from pypdf import PdfReader

    tasks.use_immediate_runner(False)
    try:
        guide = catalog.guide("convenience-store-certificates")
        dialog = SlipDialog(guide, SETTINGS, new_handoff_code(), [], "ja")
        qtbot.addWidget(dialog)
        languages = dialog.findChild(QComboBox, "slipLanguageCombo")
        for index in range(languages.count()):
            languages.setCurrentIndex(index)
        qtbot.waitUntil(lambda: dialog.print_button.isEnabled(), timeout=20000)
        assert tasks.wait_for_tasks()
        qtbot.wait(50)  # any late result has been delivered (and dropped)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(dialog.pdf)).pages)
        assert languages.currentData() == "pt" and "referência" in text
    finally:
        tasks.use_immediate_runner()


def test_a_fallback_is_announced_before_printing(qtbot, catalog) -> None:
    """A language the guide lacks, or a done step without resident text, shows a warning in
    the dialog (the slip never silently mixes languages or prints the clerk's titles)."""
    # Every shipped guide speaks all nine languages; a city's own guide may not.
    shipped = catalog.guide("pin-reset")
    guide = dataclasses.replace(shipped, slip={k: v for k, v in shipped.slip.items() if k != "ko"})
    dialog = SlipDialog(guide, SETTINGS, new_handoff_code(), [], "ja")
    qtbot.addWidget(dialog)
    warning = dialog.findChild(QLabel, "slipFallbackWarning")
    assert warning.isHidden()
    dialog.findChild(QComboBox, "slipLanguageCombo").setCurrentIndex(4)  # ko
    assert not warning.isHidden() and "韓国語" in warning.text()
    assert dialog.pdf and dialog.pdf.startswith(b"%PDF")  # still printable, after the warning


def test_paper_check_fields_are_tick_boxes_never_text(qtbot, catalog) -> None:
    """pin-reset's "which PIN to reset" fields are tick boxes: nothing invites typing a PIN."""
    from PySide6.QtWidgets import QCheckBox

    guide = catalog.guide("pin-reset")
    dialog = PaperDialog(guide)
    qtbot.addWidget(dialog)
    for f in guide.paper.fields:
        if f.kind == "check":
            assert dialog.findChild(QCheckBox, f"paperField_{f.key}") is not None, f.key
            assert dialog.findChild(QLineEdit, f"paperField_{f.key}") is None, f.key
        if f.kind == "choice":
            assert dialog.findChild(QComboBox, f"paperField_{f.key}") is not None, f.key
    dialog.findChild(QCheckBox, "paperField_reset-user").setChecked(True)
    assert dialog.values()["reset-user"] == "○"
    dialog.findChild(QComboBox, "paperLanguageCombo").setCurrentIndex(2)  # en
    assert dialog.pdf and dialog.pdf.startswith(b"%PDF")
