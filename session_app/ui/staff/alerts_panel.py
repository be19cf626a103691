"""Alerts of the session in progress: stay visible until a nurse acknowledges them.

The alerts themselves are raised by the monitoring service when a check is saved;
this panel lists them from the store (refreshing on every store change), one card per
check, and sends acknowledgements, with the nurse's initials and an optional response,
back through the service.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.alert_groups import RESPONSE_MAX_LENGTH, AlertGroup, group_alerts
from session_app.domain.clock import format_local
from session_app.domain.errors import ValidationError
from session_app.domain.records import AlertRecord
from session_app.seams import AlertService, AlertSource
from session_app.store.repository import Change, ChangeKind
from session_app.ui.staff.widgets import (
    FittedScroll,
    error_label,
    mark_invalid,
    named,
    set_text,
    show_refusal,
)
from session_app.ui.staff.write import run_write
from session_app.ui.text import plain_label, tooltip
from session_app.ui.theme import set_style_state

LIST_MIN_HEIGHT = 80  # px: the top card's controls (Acknowledge, response) stay in view


class AlertCard(QFrame):
    """The open alerts of one check (issue 15): the highest severity's chip, each
    finding's message, an optional response, and one Acknowledge for them all."""

    def __init__(self, group: AlertGroup) -> None:
        super().__init__()
        self.group = group
        self.setObjectName("AlertCard")
        set_style_state(self, "severity", group.severity)
        severity = group.severity.title
        findings = "; ".join(group.messages)
        count = len(group.alerts)
        self.setAccessibleName(
            f"{severity} alert: {findings}"
            if count == 1
            else f"{severity} alerts, {count} findings: {findings}"
        )
        self.chip = plain_label(severity.upper())
        self.chip.setObjectName("SeverityChip")
        self.chip.setAccessibleName("Alert severity")
        set_style_state(self.chip, "severity", group.severity)
        self.message = plain_label("\n".join(group.messages))  # one finding a line
        self.message.setObjectName("AlertMessage")
        self.message.setAccessibleName("Alert message" if count == 1 else "Alert findings")
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.when = plain_label(f"raised {format_local(group.raised_at, with_date=False)}")
        self.when.setObjectName("AlertTime")
        self.when.setAccessibleName("Alert time")
        self.ack_button = named(
            QPushButton("Acknowledge"),
            f"Acknowledge alert: {findings}"
            if count == 1
            else f"Acknowledge {count} alerts: {findings}",
            "AckButton",
        )
        self.ack_button.setAutoDefault(False)
        self.response = named(QLineEdit(), "Action or response (optional)", "AckResponse")
        self.response.setPlaceholderText("action / response (optional)")
        self.response.setMaxLength(RESPONSE_MAX_LENGTH + 1)  # one over: the domain refuses
        top = QHBoxLayout()
        top.addWidget(self.chip)
        top.addWidget(self.when, 1)
        top.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.response)  # the controls together at the top of the card
        layout.addWidget(self.message)

    @property
    def alert(self) -> AlertRecord:
        """The most severe finding (for a card of one alert, that alert)."""
        return self.group.alerts[0]


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
        self.scroll = scroll = named(FittedScroll(), "Alerts list", "AlertsScroll")
        scroll.setWidget(self.list_widget)
        # Bounded: at least a card's top line, at most what the column leaves (the panel
        # shrinks this list first), scrolling inside (issue 15 point 6).
        scroll.setMinimumHeight(LIST_MIN_HEIGHT)
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

    def hasHeightForWidth(self) -> bool:
        """No: a box layout takes a height-for-width child's height as its minimum, so
        the panel (wrapped findings) would not give way and the vitals form below it
        would be squeezed instead. Its hint and minimum are what the column bargains on;
        its own layout still wraps the lines in the height it gets."""
        return False

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.message.setText("")
        self.refresh()

    def _on_change(self, change: Change) -> None:
        kinds = (ChangeKind.ALERT, ChangeKind.ALERT_ACK, ChangeKind.ALERT_RESOLVED)
        if change.kind in kinds and change.session_id == self.session_id:
            self.refresh()

    def refresh(self) -> None:
        """Show the open alerts, one card per check (domain.alert_groups), most severe
        first. Cards already shown are kept: a save that raises alerts adds its card
        instead of rebuilding them all (issue 7)."""
        sid = self.session_id
        alerts = self._store.alerts(sid) if sid is not None else []
        # open: neither acknowledged nor resolved by a correction
        open_alerts = self._service.open_alerts(sid) if sid is not None else []
        groups = group_alerts(open_alerts)
        shown = {card.group.ids: card for card in self.cards}
        wanted = {g.ids for g in groups}
        for ids, card in shown.items():
            if ids not in wanted:
                self.list_layout.removeWidget(card)
                card.deleteLater()
        before = list(self.cards)
        self.cards = [shown.get(g.ids) or self._new_card(g) for g in groups]
        for index, card in enumerate(self.cards):
            if self.list_layout.indexOf(card) != index:
                self.list_layout.removeWidget(card)
                self.list_layout.insertWidget(index, card)
        self.scroll.setVisible(bool(open_alerts))
        if self.cards != before:
            self.scroll.updateGeometry()  # its hint is the cards' height
        acked = [a for a in alerts if a.acknowledged]
        if open_alerts:
            findings = f" ({len(open_alerts)} findings)" if len(open_alerts) > len(groups) else ""
            set_text(self.summary, f"{len(groups)} to acknowledge{findings}")
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
                    + (f", response: {a.ack_response}" if a.ack_response else "")
                    for a in done
                    if a.acked_at is not None
                )
            )
        )

    def _new_card(self, group: AlertGroup) -> AlertCard:
        card = AlertCard(group)
        card.ack_button.clicked.connect(lambda _=False, c=card: self.acknowledge_card(c))
        card.response.returnPressed.connect(lambda c=card: self.acknowledge_card(c))
        return card

    def acknowledge(self, alert_id: int) -> list[AlertRecord] | None:
        """Acknowledge the card that shows `alert_id` (all of its check's alerts)."""
        card = next((c for c in self.cards if alert_id in c.group.ids), None)
        return self.acknowledge_card(card) if card is not None else None

    def _refused_control(self, card: AlertCard, field: str) -> QLineEdit:
        """The response is the card's; anything else refused was typed as the initials."""
        return card.response if field == "response" else self.initials

    def acknowledge_card(self, card: AlertCard) -> list[AlertRecord] | None:
        """Acknowledge every alert of the card at once, with its response, through the
        service; refused initials or response are marked where typed, nothing stored."""
        mark_invalid(self.initials, False)
        mark_invalid(card.response, False)

        def refused(exc: ValidationError) -> None:
            fields = {e.field: self._refused_control(card, e.field) for e in exc.errors}
            show_refusal(exc, fields, self.message)
            # the card's controls in view, from its top down to the response
            self.scroll.ensureWidgetVisible(card.response, 0, card.response.y())

        return run_write(
            lambda: self._service.acknowledge_all(
                card.group.ids, self.initials.text(), card.response.text()
            ),
            self.message,
            refused,
        )
