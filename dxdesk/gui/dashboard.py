"""The supervisor's dashboard: this month's KPIs and trends, plus export and import dialogs.

Figures come from ``dxdesk.core.export.kpis`` (no SQL here). Export and import run off the GUI
thread through ``dxdesk.gui.tasks.run_task``; the background functions open their own Store and
never touch a widget.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.export.columns import OUTCOMES
from dxdesk.core.export.kpis import DashboardFigures, current_month, dashboard_figures
from dxdesk.core.export.labels import outcome_label
from dxdesk.core.export.summary import previous_month
from dxdesk.core.i18n import tr
from dxdesk.gui.fit import FlowLayout, fit_to_screen, scrolling, scrolling_dialog_layout
from dxdesk.gui.tasks import run_task


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _short_month(month: str) -> str:
    return tr(f"dashboard.month_{int(month[5:7])}")


class KpiTile(QFrame):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"kpi_{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.caption = QLabel()
        self.value = QLabel()
        self.value.setObjectName(f"kpi_{name}_value")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value.setFont(font)
        self.compare = QLabel()
        for w in (self.caption, self.value, self.compare):
            layout.addWidget(w)

    def show_figure(self, caption: str, value: str, previous: str) -> None:
        self.caption.setText(caption)
        self.value.setText(value)
        self.compare.setText(tr("dashboard.vs_previous", value=previous))


class DashboardWidget(QWidget):
    exported = Signal(object)  # Path of the bundle
    imported = Signal(object)  # ImportResult

    def __init__(self, data_dir: Path, month: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.data_dir = Path(data_dir)
        self.month = month or current_month()
        self.figures: DashboardFigures | None = None
        self.title = QLabel()
        self.title.setObjectName("dashboard_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.demo_label = QLabel()
        self.demo_label.setObjectName("dashboard_demo")
        self.demo_label.setStyleSheet("color: #B00020; font-weight: bold;")
        self.tiles = {
            key: KpiTile(key)
            for key in ("sessions", "completion_rate", "handoff_rate", "share_70_plus", "classes")
        }
        tiles_box = QWidget(objectName="dashboard_tiles")
        tiles = FlowLayout(tiles_box, spacing=8)  # the tiles wrap at a large text size
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        self.trend_view = QChartView()
        self.trend_view.setObjectName("dashboard_trend")
        self.trend_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.outcome_view = QChartView()
        self.outcome_view.setObjectName("dashboard_outcomes")
        self.outcome_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        charts = QHBoxLayout()
        charts.addWidget(self.trend_view, 1)
        charts.addWidget(self.outcome_view, 1)
        for view in (self.trend_view, self.outcome_view):
            view.setMinimumSize(320, 260)
        self.trend_view.setAccessibleName(tr("a11y.trend_chart"))
        self.outcome_view.setAccessibleName(tr("a11y.outcome_chart"))
        self.refresh_button = QPushButton(objectName="dashboard_refresh")
        self.export_button = QPushButton(objectName="dashboard_export")
        self.import_button = QPushButton(objectName="dashboard_import")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.open_export_dialog)
        self.import_button.clicked.connect(self.open_import_dialog)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.demo_label)
        body = QWidget(objectName="dashboard_body")
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(top)
        body_layout.addWidget(tiles_box)
        body_layout.addLayout(charts, 1)
        area = scrolling(body, "dashboard_scroll")
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(area, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.refresh_button.setText(tr("dashboard.refresh"))
        self.export_button.setText(tr("dashboard.export"))
        self.import_button.setText(tr("dashboard.import"))
        if self.figures:
            self.show_figures(self.figures)

    def refresh(self) -> None:
        """Read the figures off the GUI thread and show them when they arrive."""
        data_dir, month = self.data_dir, self.month

        def load() -> DashboardFigures:
            from dxdesk.core.store import Store

            with Store.open(data_dir) as store:
                return dashboard_figures(store, month)

        run_task(load, self.show_figures, what=tr("task.dashboard"))

    def show_figures(self, figures: DashboardFigures) -> None:
        self.figures = figures
        cur, prev = figures.current, figures.previous
        self.title.setText(tr("dashboard.title", month=figures.month))
        self.demo_label.setText(tr("dashboard.demo") if figures.is_demo else "")
        self.tiles["sessions"].show_figure(
            tr("dashboard.sessions"), f"{cur.sessions:,}", f"{prev.sessions:,}"
        )
        for key in ("completion_rate", "handoff_rate", "share_70_plus"):
            caption = (
                "dashboard.share_70_plus_known" if key == "share_70_plus" else f"dashboard.{key}"
            )
            self.tiles[key].show_figure(
                tr(caption), _pct(getattr(cur, key)), _pct(getattr(prev, key))
            )
        classes, before = figures.classes, figures.previous_classes
        self.tiles["classes"].show_figure(
            tr("dashboard.classes", classes=classes.classes), f"{classes.learners:,}",
            tr("dashboard.classes_previous", learners=f"{before.learners:,}",
               classes=before.classes),
        )  # fmt: skip
        self.trend_view.setChart(self._trend_chart(figures))
        self.outcome_view.setChart(self._outcome_chart(figures))

    def _trend_chart(self, figures: DashboardFigures) -> QChart:
        bars = QBarSet(tr("dashboard.sessions"))
        bars.append([p.sessions for p in figures.trend])
        bars.setColor("#2F6DA3")
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart = QChart()
        chart.addSeries(series)
        trend = figures.trend
        chart.setTitle(tr("dashboard.trend", first=trend[0].month, last=trend[-1].month))
        axis_x = QBarCategoryAxis()  # short labels that fit under a bar; the period is in the title
        axis_x.append([_short_month(p.month) for p in trend])
        axis_y = QValueAxis()
        _whole_numbers(axis_y, max([p.sessions for p in figures.trend] + [1]))
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        chart.legend().hide()
        return chart

    def _outcome_chart(self, figures: DashboardFigures) -> QChart:
        bars = QBarSet(tr("dashboard.outcomes"))
        order = list(reversed(OUTCOMES))  # horizontal bars stack bottom-up: first outcome on top
        counts = [figures.current.outcomes[o] for o in order]
        bars.append(counts)
        bars.setColor("#3C8D5A")
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart = QChart()
        chart.addSeries(series)
        chart.setTitle(tr("dashboard.outcomes"))
        axis_y = QBarCategoryAxis()
        axis_y.append([outcome_label(o, _lang()) for o in order])
        axis_x = QValueAxis()
        _whole_numbers(axis_x, max(counts + [1]))
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        chart.legend().hide()
        return chart

    def open_export_dialog(self) -> ExportDialog:
        # The monthly export is of the last complete month: the one before the dashboard's.
        dialog = ExportDialog(self.data_dir, previous_month(self.month), self)
        dialog.finished_with.connect(self.exported.emit)
        dialog.show()
        return dialog

    def open_import_dialog(self) -> ImportDialog:
        dialog = ImportDialog(self.data_dir, self)
        dialog.finished_with.connect(self.imported.emit)
        dialog.finished_with.connect(lambda _r: self.refresh())
        dialog.show()
        return dialog


def _whole_numbers(axis: QValueAxis, largest: int) -> None:
    """Counts are whole: ticks at 0, step, 2·step … (1, 2, 5 × 10ⁿ), never 0, 0, 1, 1, 2."""
    step = 1
    while largest / step > 5:
        step = _next_step(step)
    top = (largest // step + 1) * step  # room above the highest bar for its label
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setRange(0, max(top, step))
    axis.setLabelFormat("%d")
    axis.setMinorTickCount(0)


def _next_step(step: int) -> int:
    digits = str(step)
    lead, zeros = int(digits[0]), len(digits) - 1
    return (2 if lead == 1 else 5 if lead == 2 else 10) * 10**zeros


def _lang() -> str:
    from dxdesk.core.i18n import ui_language

    return ui_language()


class _WorkDialog(QDialog):
    """A dialog whose work runs off the GUI thread while a busy bar shows."""

    finished_with = Signal(object)

    def _add_progress(self, layout: QVBoxLayout) -> None:
        self.progress = QProgressBar(objectName="progress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(objectName="status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    def _run(self, work, describe) -> None:
        """Run ``work(report)`` off the GUI thread; the bar is busy until the first report, then
        shows how far it is."""
        self.start_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.status.setText(tr("dashboard.working"))

        def done(result) -> None:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.start_button.setEnabled(True)
            self.status.setText(describe(result))
            self.finished_with.emit(result)

        def failed(exc: Exception, _trace: str) -> None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.start_button.setEnabled(True)
            self.status.setText(f"{tr('dashboard.failed')}\n{exc}")

        run_task(work, done, failed, self._advance)

    def _advance(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)


class ExportDialog(_WorkDialog):
    def __init__(self, data_dir: Path, month: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle(tr("dashboard.export.title"))
        self.data_dir = Path(data_dir)
        self.month_edit = QLineEdit(month, objectName="export_month")
        self.folder_edit = QLineEdit(objectName="export_folder")
        choose = QPushButton(tr("dashboard.export.choose"))
        choose.clicked.connect(self._choose)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(choose)
        self.publish = QCheckBox(tr("dashboard.export.publish"), objectName="export_publish")
        self.all_sites = QCheckBox(tr("dashboard.export.all_sites"), objectName="export_all")
        form = QFormLayout()
        form.addRow(tr("dashboard.export.month"), self.month_edit)
        form.addRow(tr("dashboard.export.folder"), folder_row)
        form.addRow(self.publish)
        form.addRow(self.all_sites)
        self.folder_edit.setAccessibleName(tr("dashboard.export.folder"))
        self.month_edit.setAccessibleName(tr("dashboard.export.month"))
        self.start_button = QPushButton(tr("dashboard.export.start"), objectName="export_start")
        self.start_button.clicked.connect(self.start)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(form)
        self._add_progress(layout)
        layout.addStretch(1)
        scrolling_dialog_layout(self, body, self.start_button)
        fit_to_screen(self, QSize(680, 420))

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("dashboard.export.folder"))
        if folder:
            self.folder_edit.setText(folder)

    def start(self) -> None:
        data_dir = self.data_dir
        month = self.month_edit.text().strip()
        folder = self.folder_edit.text().strip()
        if not folder:  # never a silent write into whatever the current directory is
            self.status.setText(tr("dashboard.export.no_folder"))
            return
        out = Path(folder)
        publish, all_sites = self.publish.isChecked(), self.all_sites.isChecked()

        def work(report) -> Path:  # runs off the GUI thread: plain values only
            from dxdesk.core.export import export_month
            from dxdesk.core.settings import load_settings
            from dxdesk.core.store import Store

            site_id = load_settings(data_dir).site_id
            with Store.open(data_dir) as store:
                return export_month(
                    store, month, out, publish=publish, all_sites=all_sites, site_id=site_id,
                    progress=report,
                )  # fmt: skip

        self._run(work, _describe_export)


def _describe_export(path: Path) -> str:
    """Where the bundle went and how many rows it holds; whether it could be signed, and if
    not why and what to do (as the command line says)."""
    from dxdesk.core.export import read_manifest

    if path.name.startswith("dxdesk-publication-"):  # tables only: no rows to count
        manifest = read_manifest(path, publication=True)
        text = tr("cli.export.published", path=path)
    else:
        manifest = read_manifest(path)
        text = tr("cli.export.done", path=path, rows=manifest["rows"]["sessions.csv"])
    sig = manifest["signature"]
    if sig["status"] != "signed":
        text += "\n" + tr(
            "cli.export.unsigned", reason=sig.get("reason", ""), fix=sig.get("fix", "")
        )
    return text


class ImportDialog(_WorkDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.setWindowTitle(tr("dashboard.import.title"))
        self.data_dir = Path(data_dir)
        self.files = QListWidget(objectName="import_files")
        self.files.setAccessibleName(tr("a11y.import_files"))
        add = QPushButton(tr("dashboard.export.choose"), objectName="import_add")
        add.clicked.connect(self._choose)
        self.allow_unsigned = QCheckBox(
            tr("dashboard.import.allow_unsigned"), objectName="import_allow_unsigned"
        )
        self.start_button = QPushButton(tr("dashboard.import.start"), objectName="import_start")
        self.start_button.clicked.connect(self.start)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.files)
        layout.addWidget(add)
        layout.addWidget(self.allow_unsigned)
        self._add_progress(layout)
        scrolling_dialog_layout(self, body, self.start_button)
        fit_to_screen(self, QSize(680, 520))

    def add_bundles(self, paths: list[Path]) -> None:
        for p in paths:
            self.files.addItem(str(p))

    def _choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, tr("dashboard.import.title"), "", "*.zip")
        self.add_bundles([Path(n) for n in names])

    def start(self) -> None:
        data_dir = self.data_dir
        paths = [Path(self.files.item(i).text()) for i in range(self.files.count())]
        require = not self.allow_unsigned.isChecked()

        def work(report):
            from dxdesk.core.export import import_bundles
            from dxdesk.core.signing import TrustStore
            from dxdesk.core.store import Store

            with Store.open(data_dir) as store:
                return import_bundles(store, paths, TrustStore.load(data_dir), require, report)

        self._run(
            work,
            lambda r: tr(
                "cli.import.done", bundles=len(r.bundles), inserted=r.inserted, skipped=r.skipped
            ),  # fmt: skip
        )
