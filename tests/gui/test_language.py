"""Japanese throughout (and English throughout when asked): every window is walked in each
interface language and fails on text of the other one.

In Japanese, English shows as two lower-case words in a row or as a stock Qt button text; in
English, Japanese shows as any kana or kanji. Ids, URLs, file names and what is Japanese on
purpose (the sentence said to the resident in やさしい日本語, the names of languages, the site
name the city typed) are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from dxdesk.core.i18n import LANGUAGE_NAMES, set_ui_language, tr
from tests.gui.windows import every_window

JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff9f]")  # "、" and full-width too
ENGLISH_WORDS = re.compile(r"\b[a-z]{2,}[,.;:]?\s+[a-z]{2,}\b")
QT_STOCK = {"ok", "cancel", "yes", "no", "save", "close", "apply", "open", "discard", "abort",
            "retry", "ignore", "help", "reset", "&ok", "&cancel", "&yes", "&no", "&save",
            "&close", "&open"}  # fmt: skip
IDS_AND_URLS = re.compile(r"https?://\S+|\b[\w.-]+@[\w.-]+|\b[a-z0-9]+(?:[-_./][a-z0-9]+)+\b")
# The resident's sentence (やさしい日本語), the guide page (it quotes Japanese screens), the site
# name the city typed, and a Japanese paper form's choices are Japanese on purpose.
ON_PURPOSE_JAPANESE = {"residentSentence", "guideDetail", "siteNameEdit", "siteLabel"}
ON_PURPOSE_PREFIX = ("paperField_",)


def texts_of(window: QWidget) -> list[tuple[str, str]]:
    """(where, text) for everything a clerk reads in a window."""
    found = [("window title", window.windowTitle())]
    for w in [window, *window.findChildren(QWidget)]:
        if not w.isVisibleTo(window) and w is not window:
            continue
        where = f"{type(w).__name__} {w.objectName()}"
        if w.objectName() in ON_PURPOSE_JAPANESE or w.objectName().startswith(ON_PURPOSE_PREFIX):
            continue
        if isinstance(w, QLabel | QAbstractButton):
            found.append((where, w.text()))
        elif isinstance(w, QGroupBox):
            found.append((where, w.title()))
        elif isinstance(w, QLineEdit | QPlainTextEdit):
            found.append((where, w.placeholderText()))
        elif isinstance(w, QComboBox):
            found += [(where, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            found += [(where, w.tabText(i)) for i in range(w.count())]
        if w.toolTip():
            found.append((where + " tooltip", w.toolTip()))
    if isinstance(window, QMainWindow):
        for action in window.findChildren(QAction):
            found.append((f"action {action.objectName()}", action.text()))
    return [(where, text) for where, text in found if text]


def wrong_language(text: str, lang: str) -> bool:
    text = re.sub(r"<[^>]+>", " ", text)  # rich text markup
    if lang == "en":
        for name in sorted(LANGUAGE_NAMES.values(), key=len, reverse=True):
            text = text.replace(name, "")
        return bool(JAPANESE.search(text))
    text = IDS_AND_URLS.sub(" ", text)
    return bool(ENGLISH_WORDS.search(text)) or text.strip().lower() in QT_STOCK


def _until(windows, wanted: str):
    for name, window in windows:
        yield name, window
        if name == wanted:
            return


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_window_speaks_the_interface_language(qtbot, data_dir: Path, lang):
    problems = []
    try:
        for name, window in every_window(qtbot, data_dir, lang):
            problems += [f"{name}: {where}: {text!r}" for where, text in texts_of(window)
                         if wrong_language(text, lang)]  # fmt: skip
    finally:
        set_ui_language("ja")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_stock_buttons_and_abandon_question_in_the_interface_language(qtbot, data_dir, lang):
    """Qt's own OK/Cancel come from qtbase_ja; abandoning defaults to keeping the visit."""
    from dxdesk.gui.language import set_gui_language

    set_gui_language(lang)
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        qtbot.addWidget(box)
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "")
        assert cancel == ("キャンセル" if lang == "ja" else "Cancel")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == cancel
    finally:
        set_gui_language("ja")


def test_abandon_asks_with_named_buttons_and_enter_keeps_the_visit(qtbot, data_dir: Path):
    from PySide6.QtCore import Qt, QTimer

    windows = every_window(qtbot, data_dir, "ja")
    window = dict(_until(windows, "session-step"))["session-step"]
    screen = window.session_screen
    seen = {}

    def answer() -> None:
        box = QCoreApplication.instance().activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["buttons"] = sorted(b.text() for b in box.buttons())
        seen["default"] = box.defaultButton().text()
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    screen.ask_abandon()
    assert seen["buttons"] == sorted([tr("wizard.abandon_yes"), tr("wizard.abandon_no")])
    assert seen["default"] == tr("wizard.abandon_no")
    assert window.session_screen is screen and screen.session.is_open  # still going
    windows.close()


def test_language_switch_redraws_the_open_visit(qtbot, data_dir: Path):
    windows = every_window(qtbot, data_dir, "ja")
    window = dict(_until(windows, "session-step"))["session-step"]
    step_before = window.session_screen.session.current_step
    try:
        window.toggle_language()
        screen = window.session_screen
        assert screen.session.current_step is step_before
        title = screen.findChild(QLabel, "stepTitle").text()
        assert title.startswith("Step ")
        texts = [text for _where, text in texts_of(window) if wrong_language(text, "en")]
        assert texts == []
    finally:
        set_ui_language("ja")
        windows.close()
