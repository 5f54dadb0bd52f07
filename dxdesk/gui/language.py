"""The interface language for Qt too: the app's catalog plus Qt's own translations (qtbase_ja)
for stock buttons and dialogs (OK/キャンセル, the file dialog, the print dialog)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from dxdesk.core.i18n import set_ui_language

_installed: QTranslator | None = None


def install_qt_translations(lang: str) -> bool:
    """Load ``qtbase_<lang>`` from PySide6's translations folder; True when it is in use.
    English needs none: Qt's own strings are English."""
    global _installed
    app = QCoreApplication.instance()
    if app is None:
        return False
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    QLocale.setDefault(
        QLocale(QLocale.Language.Japanese if lang == "ja" else QLocale.Language.English)
    )
    if lang == "en":
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(f"qtbase_{lang}", folder):
        return False  # a PySide6 build without translations: Qt's stock texts stay English
    app.installTranslator(translator)
    _installed = translator
    return True


def set_gui_language(lang: str) -> None:
    """Switch the catalog and Qt's stock texts together."""
    set_ui_language(lang)
    install_qt_translations(lang)
