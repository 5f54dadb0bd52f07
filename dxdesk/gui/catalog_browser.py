"""The guide list: a search box over a category tree of guides (title, kana reading, keywords).

Used by the main window and by a visit's start page."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from dxdesk.core.catalog import Catalog, ProcedureGuide
from dxdesk.core.i18n import pick, tr, ui_language

GUIDE_ROLE = Qt.ItemDataRole.UserRole


class CatalogBrowser(QWidget):
    """Search box over a category tree of guides (title, kana reading, keywords)."""

    guide_selected = Signal(object)  # ProcedureGuide or None

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(objectName="procedureSearch")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(objectName="procedureList")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.empty = QLabel(objectName="searchEmpty")
        self.empty.setWordWrap(True)
        self.empty.setProperty("role", "warning")
        self.empty.hide()
        layout.addWidget(self.search)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self.refresh)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.search.returnPressed.connect(self._select_first)
        self.search.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        # ↓ from the search box goes into the results, on the first guide.
        down = event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down
        if obj is self.search and down:
            if self.selected_guide() is None:
                self._select_first()
            self.tree.setFocus()
            return True
        return super().eventFilter(obj, event)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(tr("main.search_placeholder"))
        self.search.setAccessibleName(tr("a11y.procedure_search"))
        self.tree.setAccessibleName(tr("a11y.procedure_list"))
        self.refresh()

    def refresh(self) -> None:
        lang = ui_language()
        selected = self.selected_guide()
        guides = self.catalog.search(self.search.text())
        by_category: dict[str, list[ProcedureGuide]] = {}
        for guide in guides:
            by_category.setdefault(guide.category, []).append(guide)
        taxonomy = self.catalog.taxonomy
        order = [c.id for c in taxonomy.categories] if taxonomy else []
        self.tree.blockSignals(True)
        self.tree.clear()
        for category in sorted(
            by_category, key=lambda c: (order.index(c) if c in order else 99, c)
        ):
            labels = {c.id: c.label for c in taxonomy.categories} if taxonomy else {}
            label = pick(labels.get(category), lang, "ja") or category
            head = QTreeWidgetItem([label])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            for guide in sorted(by_category[category], key=lambda g: g.kana):
                title = pick(guide.title, lang, "ja") or guide.id
                if guide.review_overdue():
                    title += "  " + tr("main.review_overdue_mark")
                origin = self.catalog.origin(guide.id)
                if origin != "shipped":  # a city or pack guide: say so, and what it replaces
                    title = f"{tr('main.guide_origin.' + origin)} {title}"
                item = QTreeWidgetItem([title])
                item.setData(0, GUIDE_ROLE, guide.id)
                tip = guide.kana
                if guide.id in self.catalog.overridden:
                    tip += "\n" + tr("main.guide_overrides", path=self.catalog.overridden[guide.id])
                item.setToolTip(0, tip)
                head.addChild(item)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        query = self.search.text().strip()
        self.empty.setText(tr("main.search_empty", query=query) if query and not guides else "")
        self.empty.setVisible(bool(query and not guides))
        if selected and selected.id in {g.id for g in guides}:
            self.select(selected.id)
        elif selected is not None or not guides:
            self.guide_selected.emit(None)  # a guide the search hides is not shown either

    def _items(self):
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                yield head.child(j)

    def select(self, guide_id: str) -> None:
        for item in self._items():
            if item.data(0, GUIDE_ROLE) == guide_id:
                self.tree.setCurrentItem(item)
                return

    def _select_first(self) -> None:
        first = next(iter(self._items()), None)
        if first is not None:
            self.tree.setCurrentItem(first)
            self.tree.setFocus()

    def selected_guide(self) -> ProcedureGuide | None:
        item = self.tree.currentItem()
        guide_id = item.data(0, GUIDE_ROLE) if item else None
        return self.catalog.guides.get(guide_id) if guide_id else None

    def _current_changed(self, current: QTreeWidgetItem | None, _previous=None) -> None:
        guide_id = current.data(0, GUIDE_ROLE) if current else None
        self.guide_selected.emit(self.catalog.guides.get(guide_id) if guide_id else None)
