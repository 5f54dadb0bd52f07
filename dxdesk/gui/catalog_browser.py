"""The guide list: a search box over a category tree of guides (title, kana reading, keywords).

Used by the main window and by a visit's start page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from dxdesk.core.i18n import tr, ui_language
from dxdesk.gui.first_screen import Rows, guide_rows

if TYPE_CHECKING:
    from dxdesk.core.catalog import Catalog, ProcedureGuide

GUIDE_ROLE = Qt.ItemDataRole.UserRole


class CatalogBrowser(QWidget):
    """Search box over a category tree of guides (title, kana reading, keywords)."""

    guide_selected = Signal(object)  # ProcedureGuide or None

    def __init__(
        self, catalog: Catalog | Callable[[], Catalog], parent: QWidget | None = None
    ) -> None:
        """``catalog``, or a function that gives it on first use (the main window's first
        screen is drawn from a kept copy of its rows, see :meth:`show_rows`)."""
        super().__init__(parent)
        self._catalog, self._load = (None, catalog) if callable(catalog) else (catalog, None)
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

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = self._load()  # a key pressed before the catalog arrived
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def retranslate(self, rows: Rows | None = None) -> None:
        """The texts in the current language; the guide list from ``rows`` (the kept first
        screen: no search typed yet) or else from the catalog."""
        self.search.setPlaceholderText(tr("main.search_placeholder"))
        self.search.setAccessibleName(tr("a11y.procedure_search"))
        self.tree.setAccessibleName(tr("a11y.procedure_list"))
        if rows is None:
            self.refresh()
        else:
            self.show_rows(rows)

    def refresh(self) -> None:
        selected = self.selected_guide()
        guides = self.catalog.search(self.search.text())
        self.show_rows(guide_rows(self.catalog, guides, ui_language()))
        query = self.search.text().strip()
        self.empty.setText(tr("main.search_empty", query=query) if query and not guides else "")
        self.empty.setVisible(bool(query and not guides))
        if selected and selected.id in {g.id for g in guides}:
            self.select(selected.id)
        elif selected is not None or not guides:
            self.guide_selected.emit(None)  # a guide the search hides is not shown either

    def show_rows(self, rows: Rows) -> None:
        """The tree: each category in bold, its guides under it (no signal while it is built)."""
        self.tree.blockSignals(True)
        self.tree.clear()
        for label, items in rows:
            head = QTreeWidgetItem([label])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            for title, guide_id, tip in items:
                item = QTreeWidgetItem([title])
                item.setData(0, GUIDE_ROLE, guide_id)
                item.setToolTip(0, tip)
                head.addChild(item)
        self.tree.expandAll()
        self.tree.blockSignals(False)

    def _items(self):
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                yield head.child(j)

    def select(self, guide_id: str, *, quietly: bool = False) -> None:
        """Make ``guide_id`` the current guide; ``quietly``: without saying so (the kept first
        screen shows its detail itself, before the catalog is loaded)."""
        for item in self._items():
            if item.data(0, GUIDE_ROLE) == guide_id:
                was_blocked = self.tree.blockSignals(quietly or self.tree.signalsBlocked())
                self.tree.setCurrentItem(item)
                self.tree.blockSignals(was_blocked)
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
