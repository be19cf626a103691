"""The clinic's settings, generated from the settings registry (declared once, Picard-style).

Every value is checked by the service (the domain's `validate_settings`) before anything
is saved; a refused value is marked in place with the sentence that says why. Saved settings
apply to sessions started afterwards: a session keeps the protocol snapshot it
started with.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.pin import SET_IN_PANEL
from session_app.domain.settings import Setting, registry, resolve_settings
from session_app.seams import SettingsService
from session_app.ui.staff.widgets import error_label, named
from session_app.ui.staff.write import run_write
from session_app.ui.text import plain_label, tooltip
from session_app.ui.theme import set_style_state

GENERAL = "General"
GROUP_ORDER = ("Check schedule", "IV ketamine", "Esketamine (REMS)", "Alert thresholds", GENERAL)
NOTE = (
    "Changes apply to sessions started after saving. A session in progress, and every "
    "past session, keeps the values it was started with."
)

Control = QLineEdit | QCheckBox | QComboBox | QPlainTextEdit


def _restyle_invalid(widget: QWidget, invalid: bool, message: str) -> None:
    set_style_state(widget, "invalid", invalid)
    widget.setToolTip(tooltip(message))  # the message may quote what was typed
    widget.setAccessibleDescription(message)


class SettingsDialog(QDialog):
    """One tab per settings group; Save checks everything, then appends a settings version."""

    def __init__(
        self,
        service: SettingsService,
        parent: QWidget | None = None,
    ) -> None:
        """`service` is the panel's one MonitoringService: it reads the settings and
        checks and saves typed ones."""
        super().__init__(parent)
        self.setObjectName("SettingsDialog")
        self.setAccessibleName("Clinic settings")
        self.setWindowTitle("Clinic settings")
        self._service = service
        self.values = resolve_settings(self._service.load_settings())
        self.settings: dict[str, Setting] = dict(registry())
        self.controls: dict[str, Control] = {}
        self.errors: dict[str, QLabel] = {}

        self.tabs = named(QTabWidget(), "Settings groups", "SettingsTabs")
        groups: dict[str, list[Setting]] = {}
        for setting in self.settings.values():
            groups.setdefault(setting.group or GENERAL, []).append(setting)
        ordered = sorted(
            groups, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER)
        )
        for group in ordered:
            self.tabs.addTab(self._page(groups[group]), group)

        note = plain_label(NOTE)
        note.setObjectName("SettingsNote")
        note.setWordWrap(True)
        self.message = error_label("SettingsMessage")
        self.message.setAccessibleName("Settings message")
        self.save_button = named(QPushButton("Save settings"), "Save settings", "PrimaryButton")
        self.cancel_button = named(QPushButton("Cancel"), "Cancel settings", "CancelSettings")
        self.defaults_button = named(
            QPushButton("Restore defaults"), "Restore default settings", "RestoreDefaults"
        )
        self.save_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.defaults_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.resize(760, 560)

    # -- building ----------------------------------------------------------------
    def _page(self, settings: list[Setting]) -> QWidget:
        inner = QWidget()
        inner.setObjectName("SettingsPage")
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        for setting in settings:
            control = self._control(setting)
            self.controls[setting.key] = control
            title = setting.title + (f" ({setting.unit})" if setting.unit else "")
            label = plain_label(title)
            label.setObjectName("FieldLabel")
            label.setWordWrap(True)
            label.setBuddy(control)
            field = QWidget()
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 6)
            column.setSpacing(2)
            column.addWidget(control)
            if setting.type is list:
                add = named(QPushButton("Add folder…"), f"{setting.title}: add folder", "AddFolder")
                add.clicked.connect(lambda _=False, k=setting.key: self._add_folder(k))
                column.addWidget(add)
            hint = self._hint(setting)
            if hint:
                help_label = plain_label(hint)
                help_label.setObjectName("SettingHelp")
                help_label.setWordWrap(True)
                column.addWidget(help_label)
            error = error_label("SettingError")
            error.setAccessibleName(f"{setting.title}: problem")
            error.setVisible(False)
            column.addWidget(error)
            self.errors[setting.key] = error
            form.addRow(label, field)
        scroll = QScrollArea()
        scroll.setObjectName("SettingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        return scroll

    @staticmethod
    def _hint(setting: Setting) -> str:
        parts = []
        if setting.type in (int, float) and setting.low is not None and setting.high is not None:
            parts.append(f"{setting.low:g}–{setting.high:g} {setting.unit}".rstrip())
        if setting.help:
            parts.append(setting.help)
        return " · ".join(parts)

    def _control(self, setting: Setting) -> Control:
        value = self.values.get(setting.key, setting.default)
        control: Control
        if setting.type is bool:
            control = QCheckBox("Yes")
            control.setChecked(bool(value))
        elif setting.choices:
            control = QComboBox()
            control.addItems(setting.choices)
            control.setCurrentText(str(value))
        elif setting.type is list:
            control = QPlainTextEdit("\n".join(value))
            control.setPlaceholderText("one folder per line")
            control.setFixedHeight(90)
        else:
            control = QLineEdit(self._text(value))
        return named(control, setting.title, "Setting_" + setting.key.replace(".", "_"))

    @staticmethod
    def _text(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None else str(value)

    def _add_folder(self, key: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a media folder")
        if folder:
            self.set_folders(key, [*self.typed()[key], folder])

    def set_folders(self, key: str, folders: list[str]) -> None:
        control = self.controls[key]
        assert isinstance(control, QPlainTextEdit)
        control.setPlainText("\n".join(folders))

    # -- reading and saving ------------------------------------------------------
    def typed(self) -> dict[str, Any]:
        """What the dialog holds now, as typed (numbers still text: the domain checks them)."""
        values: dict[str, Any] = {}
        for key, control in self.controls.items():
            if isinstance(control, QCheckBox):
                values[key] = control.isChecked()
            elif isinstance(control, QComboBox):
                values[key] = control.currentText()
            elif isinstance(control, QPlainTextEdit):
                lines = control.toPlainText().splitlines()
                values[key] = [line.strip() for line in lines if line.strip()]
            else:
                values[key] = control.text().strip()
        return values

    def restore_defaults(self) -> None:
        for key, setting in self.settings.items():
            control = self.controls[key]
            if isinstance(control, QCheckBox):
                control.setChecked(bool(setting.default))
            elif isinstance(control, QComboBox):
                control.setCurrentText(str(setting.default))
            elif isinstance(control, QPlainTextEdit):
                control.setPlainText("\n".join(setting.default))
            else:
                control.setText(self._text(setting.default))

    def save(self) -> bool:
        """Save every value as a new version; the service checks them all first and
        saves nothing unless all are accepted."""
        typed = self.typed()
        self._show_problems({})
        clean = run_write(
            lambda: self._service.save_settings(typed, SET_IN_PANEL),
            self.message,
            lambda exc: self._show_problems({e.field: e.message for e in exc.errors}),
        )
        if clean is None:
            return False
        self.values = clean
        self.accept()
        return True

    def _show_problems(self, problems: dict[str, str]) -> None:
        """Each refused value marked under its control, the first one brought into view."""
        for key, error in self.errors.items():
            message = problems.get(key, "")
            error.setText(message)
            error.setVisible(bool(message))
            _restyle_invalid(self.controls[key], bool(message), message)
        if not problems:
            return
        first = next(k for k in self.settings if k in problems)
        tab_title = self.settings[first].group or GENERAL
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == tab_title:
                self.tabs.setCurrentIndex(index)
        self.controls[first].setFocus()
        count = len(problems)
        self.message.setText(
            f"Not saved: {count} value{'s' if count > 1 else ''} to correct "
            f"(first: {problems[first]})."
        )
