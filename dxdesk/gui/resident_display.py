"""A second window for the resident: the current sentence in very large type, in their language."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dxdesk.core.catalog import ruby_html
from dxdesk.core.i18n import LANGUAGE_NAMES, pick, slip_tr
from dxdesk.core.session import SupportSession


def resident_sentence(session: SupportSession) -> tuple[str, str]:
    """(language code, rich text) for the resident: their language where the guide has it."""
    step = session.current_step
    lang = session.help_language if session.help_language != "unknown" else "ja-easy"
    if step is None:
        return lang, escape(slip_tr("display.welcome", lang=lang))
    branch = session.branch
    texts = branch.say if branch is not None and branch.say else step.say
    chosen = pick(texts, lang)
    if chosen is None:
        lang, chosen = "ja-easy", pick(texts, "ja-easy") or ""
    return lang, ruby_html(chosen) if lang == "ja-easy" else escape(chosen)


class ResidentDisplay(QWidget):
    """Never takes the keyboard from the clerk: shown without activation, refuses focus."""

    def __init__(self, session: SupportSession, parent: QWidget | None = None) -> None:
        flags = Qt.WindowType.Widget if parent is not None else Qt.WindowType.Window
        super().__init__(parent, flags | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("residentDisplay")
        self.session = session
        self.setWindowTitle("dxdesk")
        layout = QVBoxLayout(self)
        self.language = QLabel(objectName="residentLanguage")
        self.sentence = QLabel(objectName="residentDisplaySentence")
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.RichText)
        self.sentence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sentence.setStyleSheet("font-size: 44px; font-weight: bold; padding: 24px;")
        self.language.setStyleSheet("font-size: 18px; color: #555555;")
        layout.addWidget(self.language)
        layout.addWidget(self.sentence, 1)
        self.resize(1000, 600)
        self.update_sentence()

    def update_sentence(self) -> None:
        lang, text = resident_sentence(self.session)
        self.language.setText(LANGUAGE_NAMES.get(lang, lang))
        self.sentence.setText(text)

    def show_on_second_screen(self) -> None:
        """Full screen on the second screen (the caller docks it when there is only one)."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.setGeometry(screens[1].availableGeometry())
            self.showFullScreen()
        else:
            self.show()

    def use_docked_size(self) -> None:
        """Docked beside the clerk's panel on a single screen: smaller type, same sentence."""
        self.sentence.setStyleSheet("font-size: 30px; font-weight: bold; padding: 12px;")
