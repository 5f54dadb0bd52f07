"""Screenshots of the 'other' note dialog holding personal data the old guard let through.

Run under a real X server with a window manager (not offscreen), e.g.
    Xvfb :16 -screen 0 1366x768x24 & openbox &  (DISPLAY=:16)
    DISPLAY=:16 uv run python tests/gui/note_dialog_screenshots.py
Writes resources/screenshots/note-bare-name.png, note-zwsp-phone.png and note-near-removed.png
(the whole screen, taken with ImageMagick's import). Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from dxdesk.core.i18n import set_ui_language
from dxdesk.gui.note_dialog import OtherNoteDialog
from dxdesk.gui.resources import load_stylesheet, ui_font

OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots"
# Each shot types its texts in order (a later text is the clerk's edit of the earlier one).
NOTES = {
    "note-bare-name.png": ["山田太郎は初めて。スマホは娘さんのお下がり"],
    "note-zwsp-phone.png": ["携帯090\u200b1234\u200b5678 に折り返し（メモから貼り付け）"],
    "note-near-removed.png": [
        "おおた 昭和20年5月5日生まれ、一人暮らし",
        "おおた 生まれ、一人暮らし",
    ],
}


def main() -> int:
    app = QApplication(sys.argv[:1])
    set_ui_language(sys.argv[1] if len(sys.argv) > 1 else "ja")
    app.setFont(ui_font(1.0))
    app.setStyleSheet(load_stylesheet(False, 1.0))
    for name, texts in NOTES.items():
        dialog = OtherNoteDialog()
        dialog.resize(640, 300)
        for text in texts:
            dialog.edit.setPlainText(text)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

        def shoot(name: str = name) -> None:
            subprocess.run(["import", "-window", "root", str(OUT / name)], check=True)
            app.quit()

        QTimer.singleShot(1500, shoot)
        app.exec()
        dialog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
