"""The typed seams between the staff widgets and what stands behind them.

Each widget names the few methods it calls, as a Protocol, instead of taking `Any`: the
SQLite store and the monitoring service satisfy them today, and a second backend (the
clinic server) or a small fake in a widget test is checked against the same interface.
Qt-free, like the domain; the concrete types are imported for type checking only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from session_app.domain.summary import RecordSource

if TYPE_CHECKING:
    from session_app.domain.discharge import DischargeInput
    from session_app.domain.pin import PinAttempts, PinHash
    from session_app.domain.protocols import Protocol as TreatmentProtocol
    from session_app.domain.records import AlertRecord, SessionEvent
    from session_app.domain.schedule import ScheduleStatus
    from session_app.domain.session import TreatmentSession
    from session_app.domain.vitals import VitalsCheck
    from session_app.monitoring import OpenProposals, SavedCheck
    from session_app.store.devices import ProposalOutcome
    from session_app.store.repository import Change

    Listener = Callable[[Change], None]


class Subscribable(Protocol):
    """Announces each committed change; the returned function unsubscribes."""

    def subscribe(self, listener: Listener) -> Callable[[], None]: ...


class RecordReader(RecordSource, Subscribable, Protocol):
    """The read side of the store that the flowsheet, timeline and charts need."""

    def check(self, check_id: int) -> VitalsCheck: ...


class AlertSource(Subscribable, Protocol):
    def alerts(
        self, session_id: int, *, unacknowledged_only: bool = False
    ) -> list[AlertRecord]: ...


class SettingsService(Protocol):
    """Reads the clinic settings and saves typed ones (validated once, in the service)."""

    def load_settings(self) -> dict[str, Any]: ...
    def save_settings(self, typed: Mapping[str, Any], by: str = ...) -> dict[str, Any]: ...


class PinService(Protocol):
    """What the lock screen reads and writes: the PIN in force and the tries (the writes
    are service methods, the one write path)."""

    def current_pin(self) -> PinHash | None: ...
    def pin_attempts(self) -> PinAttempts: ...
    def record_pin_attempt(self, *, succeeded: bool) -> None: ...
    def rehash_pin(self, pin: str) -> None: ...


class SessionEnder(Protocol):
    """Ends a session with its discharge checklist (validated and assessed there)."""

    def end_session(self, session_id: int, checklist: DischargeInput) -> TreatmentSession: ...


class CheckRecorder(Protocol):
    def record_check(
        self,
        session_id: int,
        raw: Mapping[str, str],
        *,
        taken_at: datetime | None = None,
        is_baseline: bool | None = None,
    ) -> SavedCheck: ...


class EventLogger(Protocol):
    def protocol(self, session_id: int) -> TreatmentProtocol: ...
    def log_event(
        self,
        session_id: int,
        kind: str,
        raw: Mapping[str, str],
        recorded_by: str,
        occurred_at: datetime | str | None = None,
    ) -> SessionEvent: ...


class ScheduleSource(Protocol):
    def schedule_status(self, session_id: int) -> ScheduleStatus: ...


class AlertService(Protocol):
    """The alerts still to act on (neither acknowledged nor resolved by a correction), and
    the acknowledgement of a card's alerts together, with an optional response."""

    def open_alerts(self, session_id: int) -> list[AlertRecord]: ...
    def acknowledge_all(
        self, alert_ids: Sequence[int], initials: str, response: str = ...
    ) -> list[AlertRecord]: ...


class HistorySource(Protocol):
    """The versions of a record, oldest first (for the History… window)."""

    def history(self, check_id: int) -> list[VitalsCheck]: ...
    def event_history(self, event_id: int) -> list[SessionEvent]: ...


class Corrector(HistorySource, Protocol):
    def correct_check(
        self,
        check_id: int,
        raw: Mapping[str, str],
        *,
        reason: str,
        recorded_by: str,
        taken_at: datetime | str | None = None,
    ) -> SavedCheck: ...
    def correct_event(
        self,
        event_id: int,
        raw: Mapping[str, str],
        *,
        reason: str,
        recorded_by: str,
        occurred_at: datetime | None = None,
    ) -> SessionEvent: ...
    def withdraw_event(self, event_id: int, reason: str, recorded_by: str) -> SessionEvent: ...


class ObservedValue(Protocol):
    """A stored device value, as far as the staff panel reads it."""

    @property
    def id(self) -> int: ...
    @property
    def observed_at(self) -> datetime: ...


class ProposalFeed(Subscribable, Protocol):
    """The store's side of the strip: announcements, and the device values (to tell a new
    NIBP from the monitor's numerics without reading every proposal again)."""

    def device_observations(
        self, session_id: int, *, measures: Sequence[str] = (), since: datetime | None = None
    ) -> Sequence[ObservedValue]: ...


class ProposalService(Protocol):
    """What the proposed-check strip reads and writes: the monitor's open NIBP sets, and
    their recording or dismissal (the one write path: validated in the service)."""

    def open_proposals(self, session_id: int, shown: int) -> OpenProposals: ...
    def record_proposed(
        self, proposal_id: int, extra: Mapping[str, Any], recorded_by: str
    ) -> SavedCheck: ...
    def dismiss_proposed(self, proposal_id: int, by: str) -> ProposalOutcome: ...
