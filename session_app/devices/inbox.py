"""The room's `MessageHandler`: what happens to a monitor's message, and to oximeter samples.

Called on the listener's (or the oximeter reader's) thread with a store made for that
thread (`SessionStore.for_thread`), so its transaction never mixes with the UI's and
the views hear of it on their own thread. The rules, in order:

1. Not HL7 (no MSH): no ACK at all; the listener closes the connection.
2. Not readable as an ORU^R01: AE (malformed) or AR (another message type).
3. No open session: AR, nothing stored.
4. Not this room's patient (no PID-3 ID equals the session's patient ID, and PV1-3 is
   not the `bed_label` setting): AR, nothing stored, and a quiet staff notice through
   the store's announcements. The other patient's ID is never logged.
5. Otherwise every mapped value is stored in ONE transaction, flagged implausible
   (outside the vitals form's plausibility limits) or clock-skewed (> 5 min from the
   room's clock) but never changed; then AA. A repeat is AA again and stored once. A
   write that fails is AE: the monitor resends.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, tzinfo

import hl7

from session_app.devices.codes import CodeTable, load_codes
from session_app.devices.oru import (
    MalformedMessage,
    OruMessage,
    UnsupportedMessage,
    build_ack,
    map_oru,
    parse_message,
)
from session_app.devices.samples import CLOCK_SKEW_LIMIT, DeviceSample
from session_app.domain.clock import local_zone
from session_app.domain.session import TreatmentSession
from session_app.domain.settings import resolve_settings
from session_app.domain.vitals import FIELD_BY_NAME
from session_app.store import SessionStore, StoreError
from session_app.store.devices import NewObservation

log = logging.getLogger("session_app.devices")

OTHER_PATIENT_NOTICE = "Monitor sent data for another patient"


def plausible(measure: str, value: float) -> bool:
    """Within the vitals form's plausibility limits (domain.vitals), the same a typed
    value must meet; the mean BP, which the form lacks, within the diastolic's low
    limit and the systolic's high one."""
    if measure == "mean_bp":
        low, high = FIELD_BY_NAME["diastolic"].low, FIELD_BY_NAME["systolic"].high
    else:
        low, high = FIELD_BY_NAME[measure].low, FIELD_BY_NAME[measure].high
    assert low is not None and high is not None
    return low <= value <= high


class Inbox:
    """Takes monitor messages and oximeter samples into the open session's record."""

    def __init__(
        self,
        store: SessionStore,
        *,
        zone: tzinfo | None = None,
        codes: CodeTable | None = None,
    ) -> None:
        self.store = store
        self.zone = zone or local_zone()  # for device times sent without an offset
        self.codes = codes or load_codes()
        # The rows the last `handle` or `accept_samples` committed (a refusal or a repeat:
        # none), flags decided, for rules that follow the stored values (feeds'
        # sustained-breach watch) without parsing the message a second time.
        self.committed: tuple[NewObservation, ...] = ()

    # -- HL7 ------------------------------------------------------------------------
    def handle(self, message: str, peer: str) -> str:
        """The ACK for one framed message, after its values are committed (see module
        docstring). Never raises: an unexpected failure is logged by type and is AE."""
        self.committed = ()
        try:
            parsed = parse_message(message)
        except MalformedMessage as exc:
            log.warning("monitor data from %s is not HL7 (%s): no ACK", peer, exc)
            return ""
        try:
            return self._answer(parsed, peer)
        except Exception as exc:  # a bug must not stop the listener or lose the reply
            log.error("monitor message from %s not handled (%s)", peer, type(exc).__name__)
        try:
            return build_ack(parsed, "AE", "not stored: internal error, resend")
        except Exception:  # not even an ACK can be made of it: the listener closes
            return ""

    def _answer(self, parsed: hl7.Message, peer: str) -> str:
        try:
            oru = map_oru(parsed, self.zone, self.codes)
        except UnsupportedMessage as exc:
            return build_ack(parsed, "AR", str(exc))
        except MalformedMessage as exc:
            log.warning("monitor message from %s is malformed: %s", peer, exc)
            return build_ack(parsed, "AE", str(exc))
        session = self.store.open_session()
        if session is None:
            log.info("monitor message %r from %s: no open session", oru.control_id, peer)
            return build_ack(parsed, "AR", "no open session")
        if not self._belongs(oru, session):
            log.info("monitor message %r from %s: another patient", oru.control_id, peer)
            self.store.announce_other_patient(session.id)
            return build_ack(parsed, "AR", "not the patient of this room")
        rows = [self._row(v.sample, v.group) for v in oru.values]
        try:
            _, stored = self.store.add_device_message(
                session.id, oru.sender, oru.control_id, oru.sent_at, rows, peer=peer
            )
        except StoreError as exc:
            log.warning("monitor message %r not stored: %s", oru.control_id, exc)
            return build_ack(parsed, "AE", "not stored, resend")
        if stored:  # a repeat stored nothing new
            self.committed = tuple(rows)
        return build_ack(parsed, "AA")

    def _belongs(self, oru: OruMessage, session: TreatmentSession) -> bool:
        """PID-3 (any repetition's ID) is the session's patient, or PV1-3 is this bed."""
        if session.patient_id in (i.strip().upper() for i in oru.patient_ids):
            return True
        bed = resolve_settings(self.store.load_settings())["bed_label"]
        return bool(bed) and oru.bed == bed

    # -- serial oximeter --------------------------------------------------------------
    def accept_samples(self, samples: Sequence[DeviceSample]) -> int:
        """Store oximeter samples in the open session (one transaction, no ACK); how
        many were stored: 0 without an open session or when the write failed (logged;
        the reader carries on)."""
        self.committed = ()
        session = self.store.open_session()
        if session is None or not samples:
            return 0
        rows = [self._row(s) for s in samples]
        try:
            ids = self.store.add_device_samples(session.id, rows)
        except StoreError as exc:
            log.warning("oximeter samples not stored: %s", exc)
            return 0
        self.committed = tuple(rows)
        return len(ids)

    def _row(self, sample: DeviceSample, group: int | None = None) -> NewObservation:
        return NewObservation(
            measure=sample.measure,
            value=sample.value,
            unit=sample.unit,
            code=sample.code,
            device=sample.device,
            observed_at=sample.observed_at,
            source=sample.source,
            group=group,
            implausible=not plausible(sample.measure, sample.value),
            clock_skew=self._skewed(sample.observed_at),
        )

    def _skewed(self, observed_at: datetime) -> bool:
        return abs(observed_at - self.store.clock.now()) > CLOCK_SKEW_LIMIT
