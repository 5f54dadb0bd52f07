"""The floor for start-up: dxdesk's first screen rebuilt in plain PySide6, with no dxdesk code.

Same fonts, stylesheet, widgets, texts, guide detail, toolbar, menus, shortcuts, status bar and
window size as the main window, read from a JSON file the benchmark writes (``test_startup.py``);
nothing is computed, loaded or opened.
It exits after its first paint, like ``dxdesk --quit-after-startup``. No implementation of this
window can start faster than this process, whatever its own code costs.
"""

import json
import sys
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


def painted():
    # The wall-clock moment the first paint is done, read by the benchmark (test_startup.py).
    print(f"first-paint {time.time():.6f}", flush=True)
    QApplication.quit()


class FirstPaint(QObject):
    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, painted)
        return False


with open(sys.argv[1], encoding="utf-8") as fh:
    spec = json.load(fh)
app = QApplication(sys.argv[:1])
families = []
for path in spec["fonts"]:
    families += QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(path))
font = QFont(families[0])
font.setPointSizeF(spec["point_size"])
app.setFont(font)
app.setStyleSheet(spec["stylesheet"])

window = QMainWindow()
window.setWindowTitle(spec["window_title"])
window.resize(*spec["size"])
tabs = QTabWidget()
window.setCentralWidget(tabs)
left = QWidget()
left_layout = QVBoxLayout(left)
today = QGroupBox(spec["today_title"])
QVBoxLayout(today).addWidget(QLabel(spec["today_text"]))
left_layout.addWidget(today)
search = QLineEdit()
search.setPlaceholderText(spec["search_placeholder"])
search.setClearButtonEnabled(True)
left_layout.addWidget(search)
tree = QTreeWidget()
tree.setHeaderHidden(True)
tree.setRootIsDecorated(False)
for category, titles in spec["tree"]:
    head = QTreeWidgetItem([category])
    head.setFlags(Qt.ItemFlag.ItemIsEnabled)
    bold = head.font(0)
    bold.setBold(True)
    head.setFont(0, bold)
    tree.addTopLevelItem(head)
    for title in titles:
        head.addChild(QTreeWidgetItem([title]))
tree.expandAll()
left_layout.addWidget(tree, 1)
detail = QTextBrowser()
detail.document().setDefaultStyleSheet(spec["detail_css"])
detail.setHtml(spec["detail_html"])
splitter = QSplitter()
splitter.addWidget(left)
splitter.addWidget(detail)
splitter.setStretchFactor(0, 2)
splitter.setStretchFactor(1, 5)
tabs.addTab(splitter, spec["tabs"][0])
problems = QWidget()
problems_layout = QVBoxLayout(problems)
problems_layout.addWidget(QLabel(spec["problems_intro"]))
problems_layout.addWidget(QListWidget())
tabs.addTab(problems, spec["tabs"][1])


def add_actions(target, actions):
    for item in actions:
        if item is None:
            target.addSeparator()
            continue
        action = QAction(item[0], window)
        if item[1]:
            action.setShortcut(QKeySequence(item[1]))
        target.addAction(action)


toolbar = QToolBar()
window.addToolBar(toolbar)
add_actions(toolbar, spec["actions"])
for title, actions in spec["menus"]:
    add_actions(window.menuBar().addMenu(title), actions)
window.statusBar().addPermanentWidget(QLabel(spec["site_label"]))
window.statusBar().addPermanentWidget(QLabel(spec["catalog_label"]))
probe = FirstPaint()
window.installEventFilter(probe)
if spec["maximized"]:
    window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
window.show()
sys.exit(app.exec())
