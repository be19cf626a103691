"""Alerts of the session in progress: stay visible until a nurse acknowledges them.

The alerts themselves are raised by the monitoring service when a check is saved;
this panel lists them from the store (refreshing on every store change) and sends
acknowledgements, with the nurse's initials, back through the service.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import format_local
from session_app.domain.records import AlertRecord
from session_app.seams import AlertService, AlertSource
from session_app.store.repository import Change, ChangeKind
from session_app.ui.staff.widgets import error_label, mark_invalid, named, set_text, show_refusal
from session_app.ui.staff.write import run_write
from session_app.ui.text import plain_label, tooltip
from session_app.ui.theme import set_style_state


class AlertCard(QFrame):
    """One unacknowledged alert: severity chip, the message (value and rule), time, button."""

    def __init__(self, alert: AlertRecord) -> None:
        super().__init__()
        self.alert = alert
        self.setObjectName("AlertCard")
        set_style_state(self, "severity", alert.severity)
        severity = alert.severity.title
        self.setAccessibleName(f"{severity} alert: {alert.message}")
        self.chip = plain_label(severity.upper())
        self.chip.setObjectName("SeverityChip")
        self.chip.setAccessibleName("Alert severity")
        set_style_state(self.chip, "severity", alert.severity)
        self.message = plain_label(alert.message)
        self.message.setObjectName("AlertMessage")
        self.message.setAccessibleName("Alert message")
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.when = plain_label(f"raised {format_local(alert.raised_at, with_date=False)}")
        self.when.setObjectName("AlertTime")
        self.when.setAccessibleName("Alert time")
        self.ack_button = named(
            QPushButton("Acknowledge"), f"Acknowledge alert: {alert.message}", "AckButton"
        )
        self.ack_button.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(self.chip)
        top.addWidget(self.when, 1)
        top.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.message)


class AlertsPanel(QGroupBox):
    """Unacknowledged alerts first (most severe on top), then the acknowledged ones."""

    def __init__(self, store: AlertSource, service: AlertService) -> None:
        super().__init__("Alerts")
        self.setObjectName("AlertsPanel")
        self.setAccessibleName("Alerts")
        self._store = store
        self._service = service
        self.session_id: int | None = None
        self.cards: list[AlertCard] = []

        self.initials = named(QLineEdit(), "Acknowledging initials", "AckInitials")
        self.initials.setPlaceholderText("your initials")
        self.initials.setMaxLength(4)
        self.summary = plain_label("No alerts.")
        self.summary.setObjectName("AlertsSummary")
        self.summary.setAccessibleName("Alerts summary")
        self.message = error_label("AlertsMessage")
        self.message.setAccessibleName("Alerts message")
        self.list_widget = QWidget()
        self.list_widget.setObjectName("AlertsList")
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(6)
        self.list_layout.addStretch(1)
        self.scroll = scroll = named(QScrollArea(), "Alerts list", "AlertsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_widget)
        self.history = plain_label("")
        self.history.setObjectName("AlertsHistory")
        self.history.setAccessibleName("Acknowledged alerts")
        self.history.setWordWrap(True)

        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        initials_label = plain_label("Initials")
        initials_label.setBuddy(self.initials)
        head.addWidget(initials_label)
        head.addWidget(self.initials)
        self.initials.setFixedWidth(96)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.history)
        layout.addStretch(0)

        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.refresh()

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.message.setText("")
        self.refresh()

    def _on_change(self, change: Change) -> None:
        kinds = (ChangeKind.ALERT, ChangeKind.ALERT_ACK, ChangeKind.ALERT_RESOLVED)
        if change.kind in kinds and change.session_id == self.session_id:
            self.refresh()

    def refresh(self) -> None:
        """Show the open alerts, most severe first. Cards already shown are kept: a save
        that raises one alert adds one card instead of rebuilding them all (issue 7)."""
        sid = self.session_id
        alerts = self._store.alerts(sid) if sid is not None else []
        open_alerts = sorted(  # open: neither acknowledged nor resolved by a correction
            self._service.open_alerts(sid) if sid is not None else [],
            key=lambda a: (-a.severity.rank, a.raised_at, a.id),
        )
        shown = {card.alert.id: card for card in self.cards}
        wanted = {a.id for a in open_alerts}
        for alert_id, card in shown.items():
            if alert_id not in wanted:
                self.list_layout.removeWidget(card)
                card.deleteLater()
        self.cards = [shown.get(a.id) or self._new_card(a) for a in open_alerts]
        for index, card in enumerate(self.cards):
            if self.list_layout.indexOf(card) != index:
                self.list_layout.removeWidget(card)
                self.list_layout.insertWidget(index, card)
        self.scroll.setVisible(bool(open_alerts))
        self.scroll.setMinimumHeight(min(len(open_alerts), 2) * 72)
        acked = [a for a in alerts if a.acknowledged]
        if open_alerts:
            set_text(self.summary, f"{len(open_alerts)} to acknowledge")
        else:
            set_text(self.summary, "No open alerts." if alerts else "No alerts.")
        set_style_state(self, "open", "true" if open_alerts else "false")  # if it changed
        self.history.setVisible(bool(acked))
        done = [a for a in acked if a.acked_at is not None]
        if done:
            last = done[-1]
            assert last.acked_at is not None
            set_text(
                self.history,
                f"Acknowledged: {len(acked)} · latest by {last.acked_by} at "
                f"{format_local(last.acked_at, with_date=False)}",
            )
        self.history.setToolTip(
            tooltip(
                "\n".join(
                    f"{format_local(a.raised_at, with_date=False)} {a.message} — acknowledged by "
                    f"{a.acked_by} at {format_local(a.acked_at, with_date=False)}"
                    for a in done
                    if a.acked_at is not None
                )
            )
        )

    def _new_card(self, alert: AlertRecord) -> AlertCard:
        card = AlertCard(alert)
        card.ack_button.clicked.connect(lambda _=False, a=alert.id: self.acknowledge(a))
        return card

    def acknowledge(self, alert_id: int) -> AlertRecord | None:
        """Acknowledge through the service; refused initials are shown, nothing stored."""
        mark_invalid(self.initials, False)
        return run_write(
            lambda: self._service.acknowledge(alert_id, self.initials.text()),
            self.message,
            # the initials are the only thing typed here: whatever was refused is theirs
            lambda exc: show_refusal(
                exc, {e.field: self.initials for e in exc.errors}, self.message
            ),
        )
