"""Preview, print or save a hand-off slip or a paper fallback (the PDFs come from core).

Rendering runs off the GUI thread (``run_task``). The values typed for a paper form live only in
this dialog's widgets and in the PDF bytes in memory; closing the dialog drops them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from PySide6.QtCore import QMarginsF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.catalog import ProcedureGuide
from dxdesk.core.contract import SLIP_FORMAT_IDS
from dxdesk.core.i18n import (
    LANGUAGE_NAMES,
    LANGUAGE_NAMES_JA,
    RESIDENT_LANGUAGES,
    pick,
    tr,
    ui_language,
)
from dxdesk.core.session import SessionError, SupportSession
from dxdesk.gui.a11y import name_form_fields
from dxdesk.gui.fit import fit_to_screen, scrolling_dialog_layout
from dxdesk.gui.tasks import run_task

# PDFium is not thread-safe: two previews rendering at once (a quick change of language or
# format) corrupted its heap. Every use of it goes through this lock.
_PDFIUM = threading.Lock()


def pdf_page_images(data: bytes, dpi: float) -> list[QImage]:
    """Rasterise every page of a PDF (pypdfium2) into QImages."""
    with _PDFIUM:
        return _page_images(data, dpi)


def _page_images(data: bytes, dpi: float) -> list[QImage]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72.0, prefer_bgrx=True)
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                           QImage.Format.Format_RGB32).copy()  # fmt: skip
            images.append(image)
            page.close()
    finally:
        document.close()
    return images


def page_size_points(data: bytes) -> list[tuple[float, float]]:
    import pypdfium2 as pdfium

    with _PDFIUM:
        document = pdfium.PdfDocument(data)
        try:
            return [document[i].get_size() for i in range(len(document))]
        finally:
            document.close()


def print_pdf(data: bytes, printer: QPrinter) -> None:
    """Paint each page at the printer's resolution, sized to the PDF page."""
    sizes = page_size_points(data)
    width, height = sizes[0]
    printer.setPageLayout(QPageLayout(
        QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "dxdesk"),
        QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
    ))  # fmt: skip
    images = pdf_page_images(data, float(printer.resolution()))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(tr("print.error_printer_start"))
    try:
        for i, image in enumerate(images):
            if i:
                printer.newPage()
            target = painter.viewport()
            painter.drawImage(target, image)
    finally:
        painter.end()


class PrintPreviewDialog(QDialog):
    """Shared frame: options on top, page previews, then print / save / close."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.pdf: bytes | None = None
        self.page_count = 0
        self._generation = 0  # which render request the preview should show
        self.on_output: Callable[[], None] | None = None
        # Options, status and pages scroll together; the buttons stay in a fixed footer.
        body = QWidget(objectName="printBody")
        layout = QVBoxLayout(body)
        self.options = QFormLayout()
        layout.addLayout(self.options)
        self.status = QLabel(objectName="printStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.pages = QWidget(objectName="previewPages")
        self.pages_layout = QVBoxLayout(self.pages)
        layout.addWidget(self.pages, 1)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(tr("print.print"), objectName="printButton")
        self.print_button.setProperty("role", "primary")
        self.save_button = QPushButton(tr("print.save_pdf"), objectName="savePdfButton")
        close = QPushButton(tr("print.close"), objectName="closePrintButton")
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.print_button)
        scrolling_dialog_layout(self, body, buttons)
        fit_to_screen(self, QSize(900, 860))
        self.print_button.clicked.connect(self.print_)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)
        self._set_ready(False)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        name_form_fields(self.options)  # the options rows are added by each kind of dialog
        super().showEvent(event)

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def render(self, make_pdf: Callable[[], bytes]) -> None:
        """Render off the GUI thread; the preview follows when the bytes arrive. Only the
        latest request counts: an earlier one that finishes later is dropped."""
        self._set_ready(False)
        self.status.setText(tr("print.rendering"))
        self._generation += 1
        generation = self._generation

        def work() -> tuple[bytes, list[QImage]]:
            data = make_pdf()
            return data, pdf_page_images(data, 110)

        def rendered(result: tuple[bytes, list[QImage]]) -> None:
            if generation == self._generation:
                self._rendered(result)

        def failed(exc: Exception, trace: str) -> None:
            if generation == self._generation:
                self._failed(exc, trace)

        run_task(work, rendered, failed)

    def show_nothing(self, message: str) -> None:
        """No document to show (the options do not make one): say why; a render still under
        way will not come back."""
        self._generation += 1
        self.pdf = None
        self._set_ready(False)
        self.status.setText(message)

    def _rendered(self, result: tuple[bytes, list[QImage]]) -> None:
        self.pdf, images = result
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for i, image in enumerate(images):
            label = QLabel(objectName=f"previewPage{i}")
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("border: 1px solid #888; background: white;")
            self.pages_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.page_count = len(images)
        self.status.setText(tr("print.ready", pages=len(images)))
        self._set_ready(True)

    def _failed(self, exc: Exception, _trace: str) -> None:
        self.pdf = None
        self.status.setText(tr("print.render_failed", error=str(exc)))
        self._set_ready(False)

    def print_(self) -> None:
        if self.pdf is None:
            return
        if not QPrinterInfo.availablePrinters():
            self.status.setText(tr("print.no_printer"))
            QMessageBox.warning(self, tr("print.print"), tr("print.no_printer"))
            return
        printer = self.new_printer()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            print_pdf(self.pdf, printer)
        except OSError as exc:
            self.status.setText(tr("print.failed", error=str(exc)))
            QMessageBox.warning(self, tr("print.print"), tr("print.failed", error=str(exc)))
            return
        self.status.setText(tr("print.sent"))
        self._output_done()

    def new_printer(self) -> QPrinter:
        """The printer set up for this document; the print dialog lets the clerk change it."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.two_sided():
            printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
        return printer

    def two_sided(self) -> bool:
        """Whether the document is meant for both sides of one sheet (a slip's card)."""
        return False

    def save(self, path: str | None = None) -> None:
        if self.pdf is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, tr("print.save_pdf"), "", "PDF (*.pdf)")
        if not path:
            return
        from pathlib import Path

        from dxdesk.core.files import write_atomically

        try:
            write_atomically(Path(path), self.pdf)
        except OSError as exc:
            self.status.setText(tr("print.save_failed", path=path, error=exc.strerror or str(exc)))
            return
        self.status.setText(tr("print.saved", path=path))
        self._output_done()

    def _output_done(self) -> None:
        if self.on_output:
            self.on_output()


class SlipDialog(PrintPreviewDialog):
    def __init__(self, guide: ProcedureGuide, settings, handoff_code: str, done_steps: list,
                 lang: str, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(tr("print.slip_title", title=pick(guide.title, ui_language(), "ja")),
                         parent)  # fmt: skip
        self.setObjectName("slipDialog")
        self.guide, self.settings = guide, settings
        self.handoff_code, self.done_steps = handoff_code, done_steps
        self.language = QComboBox(objectName="slipLanguageCombo")
        for code in RESIDENT_LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(lang)))
        self.format = QComboBox(objectName="slipFormatCombo")
        for fmt in SLIP_FORMAT_IDS:
            self.format.addItem(tr(f"print.format.{fmt}"), fmt)
        self.code_label = QLabel(handoff_code, objectName="handoffCodeLabel")
        self.options.addRow(tr("print.language"), self.language)
        self.options.addRow(tr("print.format"), self.format)
        self.options.addRow(tr("print.handoff_code"), self.code_label)
        # said before anything prints: text that is not in the resident's language
        self.warning = QLabel(objectName="slipFallbackWarning")
        self.warning.setWordWrap(True)
        self.warning.setProperty("role", "warning")
        self.options.addRow(self.warning)
        self.language.currentIndexChanged.connect(self.rerender)
        self.format.currentIndexChanged.connect(self.rerender)
        self.rerender()

    def two_sided(self) -> bool:
        # An A6 or A5 slip that does not fit one page is a card: steps on the front, QR and
        # code on the back.
        return self.format.currentData() != "receipt80" and self.page_count == 2

    def rerender(self) -> None:
        from dxdesk.core.printing import render_slip

        guide, settings, code = self.guide, self.settings, self.handoff_code
        from dxdesk.core.printing.slip import done_today_texts, slip_warnings

        lang, fmt = self.language.currentData(), self.format.currentData()
        # the resident's own "done today" texts, never the clerk's step titles
        step_ids = [step.id for step in self.done_steps]
        warnings = slip_warnings(guide, lang, step_ids)
        self.warning.setText(
            "\n".join([tr("print.warn.heading") + ":", *warnings]) if warnings else ""
        )
        self.warning.setVisible(bool(warnings))
        done = done_today_texts(guide, lang, step_ids).texts
        self.render(lambda: render_slip(guide, settings, lang, fmt, code, done, dt.date.today()))


class PaperDialog(PrintPreviewDialog):
    def __init__(self, guide: ProcedureGuide, parent: QWidget | None = None) -> None:
        assert guide.paper is not None
        super().__init__(tr("print.paper_title", title=pick(guide.paper.title, ui_language(), "ja")),
                         parent)  # fmt: skip
        self.setObjectName("paperDialog")
        self.guide = guide
        note = QLabel(tr("print.paper_privacy"))
        note.setWordWrap(True)
        note.setProperty("role", "warning")
        self.options.addRow(note)
        self.blank = QCheckBox(tr("print.paper_blank"), objectName="paperBlankCheck")
        self.options.addRow(self.blank)
        self.language = QComboBox(objectName="paperLanguageCombo")
        for code in RESIDENT_LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES_JA.get(code, code) if ui_language() == "ja"
                                  else LANGUAGE_NAMES[code], code)  # fmt: skip
        self.options.addRow(tr("print.language"), self.language)
        self.fields: dict[str, QLineEdit | QCheckBox | QComboBox] = {}
        for paper_field in guide.paper.fields:
            if paper_field.signature:
                continue
            label = pick(paper_field.label, ui_language(), "ja") or paper_field.key
            name = f"paperField_{paper_field.key}"
            if paper_field.kind == "check":  # a tick, never a text box (no PIN is ever typed)
                widget: QLineEdit | QCheckBox | QComboBox = QCheckBox(label, objectName=name)
                widget.toggled.connect(self.rerender)
                self.options.addRow(widget)
            elif paper_field.kind == "choice":
                widget = QComboBox(objectName=name)
                widget.addItem("", "")
                for choice in paper_field.choices:
                    widget.addItem(choice, choice)
                widget.currentIndexChanged.connect(self.rerender)
                self.options.addRow(label, widget)
            else:
                widget = QLineEdit(objectName=name)
                if paper_field.kind == "date":
                    widget.setPlaceholderText("1948-04-03 / 昭和23年4月3日")
                self.options.addRow(label, widget)
            self.fields[paper_field.key] = widget
        self.preview_button = QPushButton(
            tr("print.update_preview"), objectName="paperPreviewButton"
        )
        self.options.addRow(self.preview_button)
        self.preview_button.clicked.connect(self.rerender)
        self.blank.toggled.connect(self.rerender)
        self.language.currentIndexChanged.connect(self.rerender)
        self.rerender()

    def values(self) -> dict[str, str] | None:
        if self.blank.isChecked():
            return None
        values = {}
        for key, widget in self.fields.items():
            if isinstance(widget, QCheckBox):
                value = "○" if widget.isChecked() else ""
            elif isinstance(widget, QComboBox):
                value = widget.currentData() or ""
            else:
                value = widget.text().strip()
            if value:
                values[key] = value
        return values

    def rerender(self) -> None:
        from dxdesk.core.printing import render_paper

        guide, values = self.guide, self.values()
        lang = self.language.currentData() if hasattr(self, "language") else "ja"
        self.render(lambda: render_paper(guide, values, dt.date.today(), lang))

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        for widget in self.fields.values():  # the typed values go with the dialog
            if isinstance(widget, QCheckBox):
                widget.setChecked(False)
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(0)
            else:
                widget.clear()
        self.pdf = None
        super().done(result)


def open_print_for_attempt(parent, context, session: SupportSession, kind: str,
                           attempt_no: int) -> None:  # fmt: skip
    attempt = session.attempts[attempt_no - 1]
    guide = attempt.guide
    if kind == "paper":
        PaperDialog(guide, parent).exec()
        return
    from dxdesk.core.handoff import new_handoff_code

    code = attempt.handoff_code or new_handoff_code()
    visited = list(dict.fromkeys(v.step_id for v in attempt.visits))
    done_steps = [guide.step(step_id) for step_id in visited]
    lang = session.help_language if session.help_language in RESIDENT_LANGUAGES else "ja"
    dialog = SlipDialog(guide, context.settings, code, done_steps, lang, parent)

    def remember_code() -> None:
        if attempt.handoff_code != code:
            try:
                session.record_handoff_code(code, attempt_no)
            except SessionError as exc:
                dialog.status.setText(str(exc))

    dialog.on_output = remember_code
    dialog.exec()
