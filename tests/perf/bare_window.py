"""The baseline: a bare PySide6 main window process that exits after its first paint."""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def painted():
    # The wall-clock moment the first paint is done, read by the benchmark (test_startup.py).
    print(f"first-paint {time.time():.6f}", flush=True)
    QApplication.quit()


class FirstPaint(QObject):
    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, painted)
        return False


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 800)
probe = FirstPaint()
window.installEventFilter(probe)
window.show()
sys.exit(app.exec())
