"""Regenerate the README screenshots of the main window, the wizard and the resident display.

Run: QT_QPA_PLATFORM=offscreen uv run python tests/gui/screenshots.py
(not collected by pytest: no test_ prefix). Uses a throwaway data directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QComboBox, QPushButton  # noqa: E402

from dxdesk.core.i18n import set_ui_language  # noqa: E402
from dxdesk.core.settings import SiteSettings, save_settings  # noqa: E402
from dxdesk.gui import tasks  # noqa: E402
from dxdesk.gui.app import build_main_window  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots"


def main() -> None:
    app = QApplication([])
    tasks.use_immediate_runner()
    data = Path(tempfile.mkdtemp(prefix="dxdesk-shots-"))
    save_settings(data, SiteSettings(site_id="kita-1", site_name="北区役所 デジタル相談窓口",
                                     counter_phone="03-0000-0000",
                                     counter_hours="平日 8:45〜17:15"))  # fmt: skip
    window, _ = build_main_window(data)
    window.resize(1280, 860)
    window.show()
    window.browser.select("health-insurance-registration")
    app.processEvents()
    window.grab().save(str(OUT / "main-ja.png"))
    window.toggle_language()
    app.processEvents()
    window.grab().save(str(OUT / "main-en.png"))
    set_ui_language("ja")
    window.retranslate()

    window.start_session()
    screen = window.session_screen
    for name, value in (("ageBandCombo", "75-79"), ("deviceCombo", "counter_terminal"),
                        ("helpLanguageCombo", "en")):  # fmt: skip
        combo = screen.findChild(QComboBox, name)
        combo.setCurrentIndex(combo.findData(value))
    screen.start_browser.select("convenience-store-certificates")
    app.processEvents()
    window.grab().save(str(OUT / "wizard-start.png"))
    screen.findChild(QPushButton, "beginButton").click()
    screen.answer(0)
    screen.pitfalls_toggle.setChecked(True)
    screen.findChild(QPushButton, "blockerButton_outside-hours").click()
    app.processEvents()
    window.grab().save(str(OUT / "wizard-step.png"))
    window.toggle_resident_display()
    app.processEvents()
    window.resident_display.grab().save(str(OUT / "resident-display.png"))
    screen.answer(0)
    screen.go_next()
    app.processEvents()
    window.grab().save(str(OUT / "wizard-outcome.png"))
    window.context.store.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
