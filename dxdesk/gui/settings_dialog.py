"""Site settings, also shown as the first-run dialog on a fresh data directory."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dxdesk.core.i18n import pick, tr, ui_language
from dxdesk.core.settings import CITY_URL_SETTINGS, SettingsValueError, SiteSettings
from dxdesk.gui.a11y import name_form_fields
from dxdesk.gui.fit import fit_to_screen, scrolling_dialog_layout


class SiteSettingsDialog(QDialog):
    """Edits a copy of the settings; ``result_settings`` holds the validated result on accept."""

    def __init__(self, settings: SiteSettings, *, first_run: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("siteSettingsDialog")
        self.result_settings: SiteSettings | None = None
        self._original = settings
        self.setWindowTitle(tr("settings.title_first_run" if first_run else "settings.title"))
        # Content scrolls above a fixed footer, so Save stays reachable at text size 2.0.
        body = QWidget(objectName="settingsBody")
        body.setMinimumWidth(560)  # room for a whole URL beside its label
        layout = QVBoxLayout(body)
        if first_run:
            intro = QLabel(tr("settings.first_run_intro"))
            intro.setWordWrap(True)
            intro.setObjectName("firstRunIntro")
            layout.addWidget(intro)

        site = QGroupBox(tr("settings.group_site"))
        form = QFormLayout(site)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.site_id = self._line("siteIdEdit", settings.site_id, "kita-ward-1")
        self.site_name = self._line(
            "siteNameEdit", settings.site_name, tr("settings.site_name_example")
        )
        self.site_kind = QComboBox(objectName="siteKindCombo")
        for kind in ("counter", "class_venue"):
            self.site_kind.addItem(tr(f"settings.kind.{kind}"), kind)
        self.site_kind.setCurrentIndex(max(0, self.site_kind.findData(settings.site_kind)))
        self.counter_phone = self._line("counterPhoneEdit", settings.counter_phone, "03-0000-0000")
        self.counter_hours = self._line(
            "counterHoursEdit", settings.counter_hours, tr("settings.hours_example")
        )
        form.addRow(tr("settings.site_id"), self.site_id)
        form.addRow(tr("settings.site_name"), self.site_name)
        form.addRow(tr("settings.site_kind"), self.site_kind)
        form.addRow(tr("settings.counter_phone"), self.counter_phone)
        form.addRow(tr("settings.counter_hours"), self.counter_hours)
        layout.addWidget(site)

        urls = QGroupBox(tr("settings.group_urls"))
        url_form = QFormLayout(urls)
        url_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        url_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # long labels at 2.0
        self.url_edits: dict[str, QLineEdit] = {}
        for key, labels in CITY_URL_SETTINGS.items():
            edit = self._line(f"url_{key}", settings.urls.get(key, ""), "https://")
            self.url_edits[key] = edit
            url_form.addRow(pick(labels, ui_language(), "ja") or key, edit)
        # The city's own guides (forms/README.md): adds guides and overrides shipped ones by id.
        self.city_forms = self._line("cityFormsDirEdit", settings.city_forms_dir,
                                     tr("settings.city_forms_dir_example"))  # fmt: skip
        url_form.addRow(tr("settings.city_forms_dir"), self.city_forms)
        layout.addWidget(urls)

        display = QGroupBox(tr("settings.group_display"))
        display_form = QFormLayout(display)
        display_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.ui_language = QComboBox(objectName="uiLanguageCombo")
        self.ui_language.addItem("日本語", "ja")
        self.ui_language.addItem("English", "en")
        self.ui_language.setCurrentIndex(max(0, self.ui_language.findData(settings.ui_language)))
        self.text_scale = QDoubleSpinBox(objectName="textScaleSpin")
        self.text_scale.setRange(0.8, 2.0)
        self.text_scale.setSingleStep(0.1)
        self.text_scale.setValue(settings.text_scale)
        self.high_contrast = QCheckBox(tr("settings.high_contrast"), objectName="highContrastCheck")
        self.high_contrast.setChecked(settings.high_contrast)
        self.retention = QSpinBox(objectName="retentionSpin")
        self.retention.setRange(1, 120)
        self.retention.setValue(settings.retention_months)
        self.retention.setSuffix(tr("settings.months_suffix"))
        display_form.addRow(tr("settings.ui_language"), self.ui_language)
        display_form.addRow(tr("settings.text_scale"), self.text_scale)
        display_form.addRow("", self.high_contrast)
        display_form.addRow(tr("settings.retention"), self.retention)
        layout.addWidget(display)
        for each in (form, url_form, display_form):
            name_form_fields(each)

        self.error = QLabel(objectName="settingsError")
        self.error.setProperty("role", "warning")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("settings.save"))
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("settingsSaveButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            tr("settings.later" if first_run else "settings.cancel")
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        footer = QVBoxLayout()
        footer.addWidget(self.error)
        footer.addWidget(buttons)
        scrolling_dialog_layout(self, body, footer)
        fit_to_screen(self, QSize(860, 900))

    @staticmethod
    def _line(name: str, value: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(value, objectName=name)
        edit.setPlaceholderText(placeholder)
        return edit

    def collected(self) -> dict:
        values = self._original.as_dict()
        values.update(
            site_id=self.site_id.text().strip(),
            site_name=self.site_name.text().strip(),
            site_kind=self.site_kind.currentData(),
            counter_phone=self.counter_phone.text().strip(),
            counter_hours=self.counter_hours.text().strip(),
            urls={k: e.text().strip() for k, e in self.url_edits.items() if e.text().strip()},
            ui_language=self.ui_language.currentData(),
            text_scale=round(self.text_scale.value(), 2),
            high_contrast=self.high_contrast.isChecked(),
            retention_months=self.retention.value(),
            city_forms_dir=self.city_forms.text().strip(),
        )
        return values

    def accept(self) -> None:
        try:
            settings = SiteSettings.from_dict(self.collected())
        except SettingsValueError as exc:
            self.error.setText(tr("settings.invalid", field=exc.field, error=exc.message))
            self.error.show()
            return
        if not settings.is_configured:
            self.error.setText(tr("settings.need_site"))
            self.error.show()
            return
        self.result_settings = settings
        super().accept()
