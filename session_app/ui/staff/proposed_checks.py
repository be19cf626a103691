"""The proposed-check strip: the monitor's NIBP sets waiting for the nurse (issue 17).

One line per open proposal, above the vitals form:
``Monitor 09:15 — 142/88 · HR 80 · SpO2 97 · RR 14   [Record ⏎] [Edit] [Dismiss]``.
The strip binds and displays; what a proposal is (devices.proposals) and every write
(validation, alerts, due/late, the link to the observations) are the service's. What the
nurse adds (MOAA/S, a note, the initials) is typed in the vitals form, and a refusal
shows there, the usual way. Staff panel only: nothing here reaches the patient window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from session_app.devices.proposals import ProposedCheck
from session_app.devices.samples import CLOCK_SKEW_WORDS
from session_app.domain.clock import format_local
from session_app.seams import ProposalFeed, ProposalService
from session_app.store.repository import Change, ChangeKind
from session_app.ui.lock import EnterButton
from session_app.ui.staff.vitals_form import VitalsForm
from session_app.ui.staff.widgets import FittedScroll, named
from session_app.ui.staff.write import run_write, write_succeeded
from session_app.ui.text import plain_label, tooltip
from session_app.ui.turns import shared_turn_queue

# A monitor sends about one value a second, mostly numerics: the strip reads the open
# proposals at most once a second, not once per message.
REFRESH_MS = 1000
REFRESH_KINDS = (ChangeKind.DEVICE_DATA, ChangeKind.PROPOSAL_DECIDED)
# Reading the open proposals costs tens of ms in a long session: after device data it is
# done only when a new systolic came in (looked up from this far before the newest seen).
NIBP_LATE_ARRIVAL = timedelta(minutes=10)
# The newest few are shown: the left column must keep the vitals form's Save in view.
MAX_SHOWN = 3
# Beside the buttons of a set whose time was far from the room's clock when it came.
CLOCK_SKEW_NOTE = "Monitor clock differs"
CLOCK_SKEW_DETAIL = (
    f"When this reading came in, {CLOCK_SKEW_WORDS}. Recorded, the check takes the"
    " monitor's time: check the monitor's clock, or dismiss this and type the check with"
    " the time it was taken."
)


def proposal_line(proposal: ProposedCheck) -> str:
    """ "Monitor 09:15 — 142/88 · HR 80 · SpO2 97 · RR 14" (the device's time, local)."""
    return f"Monitor {_time(proposal)} — {proposal.summary()}"


def _time(proposal: ProposedCheck) -> str:
    return format_local(proposal.observed_at, with_date=False)


class ProposalRow(QWidget):
    """One proposal: its line and its three buttons, each named with the time."""

    def __init__(self, proposal: ProposedCheck) -> None:
        super().__init__()
        self.setObjectName("ProposalRow")
        self.proposal = proposal
        at = _time(proposal)
        self.setAccessibleName(f"The monitor's {at} check")
        self.label = plain_label(proposal_line(proposal))
        self.label.setObjectName("ProposalLine")
        # One line, not wrapped: a wrapped label's height depends on a width the list
        # does not know until laid out, and a row of unknown height cannot be kept whole.
        # The line fits the column (the whole text is the tooltip too).
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.label.setToolTip(tooltip(self.label.text()))
        self.record_button = named(
            EnterButton("Record ⏎"), f"Record the monitor's {at} check", "ProposalRecord"
        )
        self.edit_button = named(
            EnterButton("Edit"), f"Edit the monitor's {at} check", "ProposalEdit"
        )
        self.dismiss_button = named(
            EnterButton("Dismiss"), f"Dismiss the monitor's {at} check", "ProposalDismiss"
        )
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        self.clock_note: QLabel | None = None
        if proposal.clock_skew:  # said before Record: the check would take the monitor's time
            self.clock_note = plain_label(CLOCK_SKEW_NOTE, "ProposalClockSkew", CLOCK_SKEW_NOTE)
            self.clock_note.setToolTip(tooltip(CLOCK_SKEW_DETAIL))
            buttons.addWidget(self.clock_note)
        buttons.addStretch(1)
        for button in (self.record_button, self.edit_button, self.dismiss_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        # Whole or scrolled out of view, never squeezed: the list scrolls instead.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)


class ProposedChecksStrip(QWidget):
    """The open proposals of the session shown, refreshed on the store's device and
    decision announcements (throttled); hidden while there is none."""

    edit_started = Signal(object)  # the ProposedCheck now in the vitals form

    def __init__(self, service: ProposalService, store: ProposalFeed, form: VitalsForm) -> None:
        super().__init__()
        self.setObjectName("ProposedChecks")
        self.setAccessibleName("Proposed checks from the monitor")
        self._service = service
        self._store = store
        self._form = form
        self._decided = False  # a proposal was decided since the last read
        self._last_nibp_id = 0  # the newest systolic observation seen
        self._nibp_since: datetime | None = None
        self.session_id: int | None = None
        self.rows: list[ProposalRow] = []
        self._shown: tuple[tuple[int, str], ...] = ()
        self.refreshes = 0  # reads of the open proposals so far (tests)
        # The rows scroll inside a bounded list: on a laptop screen the column has no room
        # for three, and a strip that grew would grow the window past its screen.
        self.list_widget = QWidget()
        self.list_widget.setObjectName("ProposalsList")
        self._rows_layout = QVBoxLayout(self.list_widget)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(6)
        self.more = plain_label("")  # under the rows, scrolled with them
        self.more.setObjectName("ProposalsNotShown")
        self.more.setAccessibleName("Proposed checks not shown")
        self._rows_layout.addWidget(self.more)
        self._rows_layout.addStretch(1)
        self.scroll = named(FittedScroll(), "Proposed checks list", "ProposalsScroll")
        self.scroll.setWidget(self.list_widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self._pending = False  # device data or a decision came in since the last look
        self._timer = QTimer(self)
        self._timer.setObjectName("ProposedChecksRefreshTimer")
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        # The read waits for a turn of its own (ui.turns): it lands on the whole second.
        self._turns = shared_turn_queue()
        self._timer.timeout.connect(lambda: self._turns.run_soon(self, self.flush))
        unsubscribe = self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: unsubscribe())
        self.setVisible(False)

    def stop(self) -> None:
        """Stop the timer and the store subscription (before the store closes)."""
        self._timer.stop()
        self._turns.cancel(self)
        self._unsubscribe()

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self._last_nibp_id, self._nibp_since = 0, None
        self._new_nibp()
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.session_id != self.session_id or change.kind not in REFRESH_KINDS:
            return
        self._decided = self._decided or change.kind is ChangeKind.PROPOSAL_DECIDED
        self._pending = True  # a flag: a single-shot timer is already inactive as it fires
        if not self._timer.isActive():
            self._timer.start()

    @property
    def refresh_pending(self) -> bool:
        return self._pending

    def flush(self) -> None:
        """Apply a refresh the store's announcements asked for, now (the timer's work):
        the proposals are read again after a decision or a new NIBP, not for numerics."""
        if not self._pending and not self._decided:
            return
        self._pending = False
        self._timer.stop()
        if self._new_nibp() or self._decided:
            self.refresh()

    def _new_nibp(self) -> bool:
        """Whether a systolic came in since the last look (an indexed read of a few rows)."""
        if self.session_id is None:
            return False
        rows = self._store.device_observations(
            self.session_id, measures=("systolic",), since=self._nibp_since
        )
        new = [r for r in rows if r.id > self._last_nibp_id]
        if new:
            self._last_nibp_id = max(r.id for r in new)
            newest = max(r.observed_at for r in rows)
            self._nibp_since = newest - NIBP_LATE_ARRIVAL
        return bool(new)

    def refresh(self) -> None:
        """Read the open proposals; rebuild the lines only when they changed."""
        self._timer.stop()
        self._decided = self._pending = False
        self.refreshes += 1
        if self.session_id is None:
            newest, hidden = (), 0
        else:
            proposals = self._service.open_proposals(self.session_id, MAX_SHOWN)
            newest, hidden = proposals.newest, proposals.total - len(proposals.newest)
        shown = tuple((p.id, proposal_line(p)) for p in newest)
        self.more.setText(f"{hidden} earlier proposed checks not shown" if hidden else "")
        self.more.setVisible(bool(hidden))
        if shown == self._shown:
            return
        self._shown = shown
        # A row still shown is kept (its buttons keep the keyboard focus a nurse tabbed
        # to); only new proposals get a row, and only gone ones are deleted.
        kept = {(row.proposal.id, row.label.text()): row for row in self.rows}
        self.rows = [
            kept.pop(key, None) or self._row(p) for key, p in zip(shown, newest, strict=True)
        ]
        for row in kept.values():
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        for index, row in enumerate(self.rows):
            self._rows_layout.removeWidget(row)  # a kept row moves to its new place
            self._rows_layout.insertWidget(index, row)
        self.setVisible(bool(self.rows))
        self._fit_list()

    def _fit_list(self) -> None:
        """At least the newest row stays whole (its Record in view); the list asks for
        all its rows and gets what the column leaves."""
        if self.rows:
            self.scroll.setMinimumHeight(self.rows[0].sizeHint().height())
        self.scroll.updateGeometry()

    def _row(self, proposal: ProposedCheck) -> ProposalRow:
        row = ProposalRow(proposal)
        row.record_button.clicked.connect(lambda: self.record(proposal))
        row.edit_button.clicked.connect(lambda: self.edit(proposal))
        row.dismiss_button.clicked.connect(lambda: self.dismiss(proposal))
        return row

    # -- the nurse's decisions -------------------------------------------------------
    def record(self, proposal: ProposedCheck) -> object | None:
        """Record the proposal with what the form holds in the fields the monitor does
        not measure and the form's initials; a refusal shows in the form."""
        form = self._form
        if form.editing is not None and form.editing.id == proposal.id:
            return form.submit()  # what the nurse sees in the form is what is recorded
        extra = form.typed_extras(proposal.values)
        initials = form.recorded_by()
        form.reset_marks()
        result = run_write(
            lambda: self._service.record_proposed(proposal.id, extra, initials),
            form.message,
            form.show_refused,
        )
        if result is not None:
            self.refresh()
            form.finish_save(result, [*extra, "recorded_by"])
        return result

    def edit(self, proposal: ProposedCheck) -> None:
        """Open the proposal in the vitals form; its Save records the proposal."""
        self._form.begin_edit(
            proposal,
            lambda values, initials: self._service.record_proposed(proposal.id, values, initials),
        )
        self.edit_started.emit(proposal)

    def dismiss(self, proposal: ProposedCheck) -> bool:
        """Dismiss with the form's initials: the observations stay, no check is added."""
        form = self._form
        initials = form.recorded_by()
        form.reset_marks()
        done = write_succeeded(
            lambda: self._service.dismiss_proposed(proposal.id, initials),
            form.message,
            form.show_refused,
        )
        if done:
            if form.editing is not None and form.editing.id == proposal.id:
                form.clear()
            form.status.setText(f"Dismissed the monitor's {_time(proposal)} check.")
            self.refresh()
        return done
