"""Printing for a smartphone class: the A4 handout of the chosen topics, or one hand-off slip per
learner (each with its own code), previewed and printed like a resident's slip."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget

from dxdesk.core.catalog import Catalog
from dxdesk.core.classes import ClassMenu
from dxdesk.core.i18n import LANGUAGE_NAMES, RESIDENT_LANGUAGES, tr, ui_language
from dxdesk.gui.print_dialog import PrintPreviewDialog

HANDOUT = "handout"
LEARNER_SLIPS = "learner_slips"
HANDOUT_LANGUAGES = RESIDENT_LANGUAGES  # the handout prints in every resident language
LEARNER_SLIP_FORMATS = ("a5", "a6")
MAX_LEARNERS = 60


class HandoutDialog(PrintPreviewDialog):
    """What to print is chosen here; the topics come from the class being recorded."""

    def __init__(
        self, topic_ids: Sequence[str], learners: int, menu: ClassMenu, catalog: Catalog,
        settings, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(tr("classes.handout.dialog_title"), parent)
        self.setObjectName("handoutDialog")
        self.menu, self.catalog, self.settings = menu, catalog, settings
        self.topic_ids = list(topic_ids)
        lang = ui_language()
        self.kind = QComboBox(objectName="handoutKindCombo")
        for kind in (HANDOUT, LEARNER_SLIPS):
            self.kind.addItem(tr(f"classes.handout.kind.{kind}"), kind)
        self.language = QComboBox(objectName="handoutLanguageCombo")
        # A learner slip is for one guided topic; without a chosen one, any topic with a guide.
        chosen = [t for t in self.topic_ids if menu.topic(t).guide]
        self.slip_topics = chosen or [t.id for t in menu.topics if t.guide]
        self.topic = QComboBox(objectName="handoutTopicCombo")
        for topic_id in self.slip_topics:
            self.topic.addItem(menu.topic(topic_id).title(lang), topic_id)
        self.learners = QSpinBox(objectName="handoutLearnersSpin")
        self.learners.setRange(1, MAX_LEARNERS)
        self.learners.setValue(min(MAX_LEARNERS, max(1, learners)))
        self.format = QComboBox(objectName="handoutFormatCombo")
        for fmt in LEARNER_SLIP_FORMATS:
            self.format.addItem(tr(f"print.format.{fmt}"), fmt)
        self.options.addRow(tr("classes.handout.kind"), self.kind)
        self.options.addRow(tr("print.language"), self.language)
        self.options.addRow(tr("classes.handout.topic"), self.topic)
        self.options.addRow(tr("classes.handout.learners"), self.learners)
        self.options.addRow(tr("print.format"), self.format)
        self._fill_languages()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.language, self.topic, self.format):
            combo.currentIndexChanged.connect(self.rerender)
        # Re-render shortly after the count stops changing (arrows, typing), not on every step.
        self._pending = QTimer(self, singleShot=True, interval=300)
        self._pending.timeout.connect(self.rerender)
        self.learners.valueChanged.connect(self._count_changed)
        self._kind_changed()

    def _count_changed(self) -> None:
        self._set_ready(False)  # nothing stale can be printed or saved meanwhile
        self._pending.start()

    def two_sided(self) -> bool:
        # Each learner's slip a card of two pages: print both sides so that no learner's front
        # lands on the back of another's.
        slips = self.kind.currentData() == LEARNER_SLIPS
        return slips and self.page_count == 2 * self.learners.value()

    def _fill_languages(self) -> None:
        """The handout and a learner's slip, in any resident language."""
        current = self.language.currentData() or "ja"
        codes = HANDOUT_LANGUAGES if self.kind.currentData() == HANDOUT else RESIDENT_LANGUAGES
        self.language.blockSignals(True)
        self.language.clear()
        for code in codes:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.language.blockSignals(False)

    def _kind_changed(self) -> None:
        slips = self.kind.currentData() == LEARNER_SLIPS
        self._fill_languages()
        for widget in (self.topic, self.learners, self.format):
            self.options.setRowVisible(widget, slips)
        self.rerender()

    def rerender(self) -> None:
        from dxdesk.core.classes import render_handout, render_learner_slips

        menu, catalog, settings = self.menu, self.catalog, self.settings
        lang, today = self.language.currentData(), dt.date.today()
        if self.kind.currentData() == HANDOUT:
            topics = list(self.topic_ids)
            if not topics:
                self.show_nothing(tr("classes.handout.choose_topics"))
                return
            self.render(lambda: render_handout(topics, menu, catalog, settings, today, lang))
            return
        topic, learners, fmt = (
            self.topic.currentData(),
            self.learners.value(),
            self.format.currentData(),
        )
        self.render(lambda: render_learner_slips(topic, learners, menu, catalog, settings, today,
                                                 lang, fmt))  # fmt: skip
