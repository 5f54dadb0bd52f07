"""Every top-level window and dialog of the app, opened the way a clerk opens it.

``every_window`` yields (name, widget) for each screen in turn: the main window on each of its
pages (guides, session start, step, outcome, dashboard), settings, the slip and paper previews,
スマホ教室 and its handout preview, export, import and the 'other' note. Each is built with the
real widgets over a real store; the caller inspects one before the next is opened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from dxdesk.core.handoff import new_handoff_code
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.gui import tasks

GUIDE = "convenience-store-certificates"  # a branch question, blockers and a paper form


@contextlib.contextmanager
def look(qapp, scale: float, high_contrast: bool = False):
    """The app's font and theme at a text size, restored afterwards."""
    from dxdesk.gui.app import apply_look

    font, sheet = qapp.font(), qapp.styleSheet()
    apply_look(qapp, SiteSettings(text_scale=scale, high_contrast=high_contrast))
    try:
        yield
    finally:
        qapp.setFont(font)
        qapp.setStyleSheet(sheet)


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def every_window(qtbot, data_dir: Path, lang: str = "ja") -> Iterator[tuple[str, QWidget]]:
    from dxdesk.gui.app import build_main_window
    from dxdesk.gui.dashboard import ExportDialog, ImportDialog
    from dxdesk.gui.print_dialog import PaperDialog, SlipDialog
    from dxdesk.gui.settings_dialog import SiteSettingsDialog

    settings = SiteSettings(site_id="kita-1", site_name="北区役所", counter_phone="03-0000-0000",
                            counter_hours="平日 8:45〜17:15", ui_language=lang)  # fmt: skip
    save_settings(data_dir, settings)
    tasks.use_immediate_runner()
    window, _warnings = build_main_window(data_dir, lang)
    qtbot.addWidget(window)
    try:
        window.show()
        settle()
        yield "main", window
        window.start_session()
        screen = window.session_screen
        settle()
        yield "session-start", window
        screen.start_browser.select(GUIDE)
        screen.begin()
        screen.pitfalls_toggle.setChecked(True)
        settle()
        yield "session-step", window
        screen.show_outcome_page()
        settle()
        yield "session-outcome", window
        note = screen.other_note_dialog()
        qtbot.addWidget(note)
        note.show()
        settle()
        yield "note", note
        note.close()
        window.show_dashboard()
        settle()
        yield "dashboard", window

        dialog = SiteSettingsDialog(settings, first_run=True, parent=window)
        dialog.show()
        settle()
        yield "settings", dialog
        dialog.close()
        guide = window.context.catalog.guide(GUIDE)
        slip = SlipDialog(guide, settings, new_handoff_code(), guide.steps[:2], lang, window)
        slip.show()
        settle()
        yield "slip-preview", slip
        slip.close()
        paper = PaperDialog(guide, window)
        paper.show()
        settle()
        yield "paper-preview", paper
        paper.close()
        window.open_classes()
        entry = window.class_entry
        settle()
        yield "classes", entry
        handout = entry.open_handouts()
        settle()
        yield "class-handout", handout
        handout.close()
        entry.close()
        export = ExportDialog(data_dir, "2026-10", window)
        export.show()
        settle()
        yield "export", export
        export.close()
        imports = ImportDialog(data_dir, window)
        imports.show()
        settle()
        yield "import", imports
        imports.close()
    finally:
        tasks.use_immediate_runner(False)
        if window.class_entry is not None:
            window.class_entry.close()
        if window.context.store is not None:
            window.context.store.close()
        window.close()
