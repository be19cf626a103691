"""MonitoringService: the clinical rules of the domain applied to the real store.

Qt-free glue between the staff panel and the store, and the one write path (ops.py):
every write the staff make is a method here. It validates once, gathering every field
error through `ops.Problems` (ValidationError propagates and nothing is stored), then
goes through the store, which commits before announcing a typed change to every view.
A session's rules come from the protocol snapshot taken when it started, never from
today's settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from session_app.devices.proposals import (
    NUMERICS_BEFORE,
    PROPOSED_MEASURES,
    ProposedCheck,
    missing_numerics,
    proposed_checks,
    with_numerics_before,
)
from session_app.domain import events as ev
from session_app.domain import infusion
from session_app.domain.alert_groups import validate_response
from session_app.domain.alerts import AlertFinding, evaluate
from session_app.domain.baseline import baseline_check
from session_app.domain.clock import Clock, ensure_utc, format_local
from session_app.domain.corrections import (
    current,
    is_void,
    resolved_by_correction,
    versions,
    void_details,
)
from session_app.domain.discharge import DischargeInput, assess, validate_name, validate_note
from session_app.domain.dose import dose_details
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.events import parse_time_of_day
from session_app.domain.news2 import News2Score, news2
from session_app.domain.pin import REHASHED_AT_UNLOCK, SET_IN_PANEL, PinAttempts, PinHash, hash_pin
from session_app.domain.protocols import PRESET_NAMES, Protocol, preset
from session_app.domain.records import AlertRecord, SessionEvent
from session_app.domain.schedule import (
    DueState,
    Schedule,
    ScheduleCounts,
    ScheduleStatus,
    session_schedule,
)
from session_app.domain.session import NewSession, TreatmentSession, require_weight
from session_app.domain.session_protocol import session_protocol
from session_app.domain.settings import SETTINGS, validate_settings
from session_app.domain.summary import discharge_context_for, load_summary
from session_app.domain.sustained import SustainedBreach
from session_app.domain.text import text_problem
from session_app.domain.vitals import VitalsCheck, VitalSigns, validate_vitals
from session_app.ops import Problems
from session_app.store import SessionStore, StoreWriteError
from session_app.store.devices import DeviceObservation, MonitorLink, ProposalOutcome

# The rule names of the alerts the monitor's sustained breaches raise, by measure.
MONITOR_ALERT_RULES = {"spo2": "monitor_sustained_spo2", "heart_rate": "monitor_sustained_hr"}
# A typed-in time may be this far ahead of the clock (clocks of devices differ a little).
FUTURE_TOLERANCE = timedelta(minutes=1)
# Baseline vitals are often measured just before the nurse starts the session in the app.
BEFORE_START_TOLERANCE = timedelta(minutes=60)
# A correction says why in a sentence; a longer story belongs in a note.
REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class SavedCheck:
    """What a save produced: the stored check, the alerts it raised, its NEWS2 score."""

    check: VitalsCheck
    alerts: list[AlertRecord]
    news2: News2Score


@dataclass(frozen=True)
class OpenProposals:
    """What the proposed-check strip shows: the newest open proposals, complete (the
    numerics a monitor sent apart joined), newest first, and how many are open in all."""

    newest: tuple[ProposedCheck, ...]
    total: int


@dataclass(frozen=True)
class ScheduleRecord:
    """A session's part of the record its check schedule is worked out from."""

    session_id: int
    is_open: bool
    events: tuple[SessionEvent, ...]
    checks: tuple[VitalsCheck, ...]


class ScheduleWatch:
    """`schedule_status` for a view that asks every second (the staff panel's countdown).

    The session's events and checks are read again only when the store has announced a
    change to the session since the last read (`SessionStore.revision`), not at every
    tick: while a monitor sent at 10×, those reads on the UI thread waited behind the
    listener's thread (10–25 ms each) and were part of many of the panel's stalls. The
    status itself is worked out afresh each time, so it follows the clock.
    """

    def __init__(self, service: MonitoringService) -> None:
        self._service = service
        self._kept: tuple[int, ScheduleRecord] | None = None  # (revision, record)

    def schedule_status(self, session_id: int) -> ScheduleStatus:
        revision = self._service.store.revision(session_id)
        kept = self._kept
        if kept is None or kept[0] != revision or kept[1].session_id != session_id:
            kept = self._kept = (revision, self._service.schedule_record(session_id))
        return self._service.status_of(kept[1])


class MonitoringService:
    def __init__(self, store: SessionStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._protocols: dict[int, Protocol] = {}
        # What each NIBP message proposes: its values never change once stored, so this
        # is worked out once per message (kept for the messages still undecided).
        self._message_proposals: dict[int, tuple[ProposedCheck, ...]] = {}

    # -- sessions -------------------------------------------------------------
    def start_session(self, new: NewSession) -> TreatmentSession:
        """Start a session with a snapshot of its protocol as the clinic has it set today."""
        if new.protocol_name not in PRESET_NAMES:
            raise ValidationError(
                [
                    FieldError(
                        "protocol",
                        "Protocol",
                        new.protocol_name,
                        f"Protocol: '{new.protocol_name}' is not a protocol "
                        f"(accepted: {', '.join(PRESET_NAMES)}).",
                    )
                ]
            )
        protocol = preset(new.protocol_name, self.store.load_settings())
        require_weight(new, protocol.weight_required)
        snapshot = protocol.to_dict()
        return self.store.start_session(new, protocol=snapshot, started_at=self.clock.now())

    def protocol(self, session_id: int) -> Protocol:
        """The session's protocol from its snapshot (domain.session_protocol; cached: a
        snapshot never changes)."""
        if session_id not in self._protocols:
            self._protocols[session_id] = session_protocol(self.store.session(session_id))
        return self._protocols[session_id]

    # -- vitals checks ----------------------------------------------------------
    def record_check(
        self,
        session_id: int,
        raw: Mapping[str, str],
        *,
        taken_at: datetime | None = None,
        is_baseline: bool | None = None,
        from_monitor: MonitorLink | None = None,
    ) -> SavedCheck:
        """Validate, classify due/late, store the check and its alerts in one transaction.

        A check taken before the first dose is a baseline unless `is_baseline` says
        otherwise. Alerts compare against the latest baseline; before the dose the
        pre-dose "consider delaying" advisory applies instead of the rise rules.
        """
        now = self.clock.now()
        earliest = self.store.session(session_id).started_at - BEFORE_START_TOLERANCE
        problems = Problems()
        signs = problems.take(lambda: validate_vitals(raw), VitalSigns())
        taken = problems.take(
            lambda: self._check_time(taken_at, now, "taken_at", "Time taken", earliest), now
        )
        problems.refuse()
        schedule = self.schedule(session_id)
        before_dose = schedule.dose_at is None or taken < schedule.dose_at
        baseline_flag = before_dose if is_baseline is None else is_baseline
        checks = self.store.checks(session_id)
        due_at, late = (None, False) if baseline_flag else schedule.classify(taken, checks)
        baseline = None if before_dose else baseline_check(checks, schedule.dose_at)
        findings = evaluate(
            signs,
            self.protocol(session_id).thresholds,
            baseline.signs if baseline else None,
            before_dose=before_dose,
        )
        check, alerts = self.store.add_check_with_alerts(
            session_id,
            signs,
            [_alert_row(f) for f in findings],
            taken_at=taken,
            is_baseline=baseline_flag,
            due_at=due_at,
            late=late,
            from_monitor=from_monitor,
        )
        return SavedCheck(check, alerts, news2(signs))

    # -- proposed checks (the monitor's NIBP sets) ---------------------------------
    def proposed_checks(self, session_id: int) -> list[ProposedCheck]:
        """The monitor's NIBP sets not yet recorded or dismissed (devices.proposals)."""
        return [self._with_numerics(p) for p in self._bare_proposals(session_id)]

    def open_proposals(self, session_id: int, shown: int) -> OpenProposals:
        """The newest `shown` open proposals, complete, and how many are open. Joining a
        proposal's numerics is a read of its own: a long session's dozens of undecided
        NIBP sets made each refresh of the strip a stall of a quarter second."""
        bare = self._bare_proposals(session_id)
        newest = tuple(self._with_numerics(p) for p in bare[::-1][:shown])
        return OpenProposals(newest, len(bare))

    def _bare_proposals(self, session_id: int) -> list[ProposedCheck]:
        """The open proposals from their own messages' values, in time order. Each look
        reads which systolics are undecided (ids) and the values of messages not seen
        before: reading and sorting out every undecided message's values again made each
        new NIBP a 20 ms stall of the staff panel in a long session."""
        undecided = self.store.undecided_nibp_ids(session_id)
        open_ids = {systolic for systolic, _ in undecided}
        messages = dict.fromkeys(message for _, message in undecided)
        known = {m: self._message_proposals[m] for m in messages if m in self._message_proposals}
        unseen = [m for m in messages if m not in known]
        if unseen:
            grouped: dict[int, list[DeviceObservation]] = {m: [] for m in unseen}
            for row in self.store.message_values(unseen, PROPOSED_MEASURES):
                grouped[row.message_id].append(row)
            known |= {m: tuple(proposed_checks(values)) for m, values in grouped.items()}
        self._message_proposals = known
        found = [p for proposals in known.values() for p in proposals if p.id in open_ids]
        return sorted(found, key=lambda p: (p.observed_at, p.id))

    def _with_numerics(self, proposal: ProposedCheck) -> ProposedCheck:
        """Join the numerics a monitor sent apart from its NIBP (devices.proposals)."""
        missing = missing_numerics(proposal)
        if not missing:
            return proposal
        numerics = self.store.latest_device_values(
            proposal.session_id,
            missing,
            device=proposal.device,
            since=proposal.observed_at - NUMERICS_BEFORE,
            until=proposal.observed_at,
        )
        return with_numerics_before(proposal, numerics)

    def record_proposed(
        self, proposal_id: int, extra: Mapping[str, Any], recorded_by: str
    ) -> SavedCheck:
        """Record a proposed check as a normal check (`record_check`: validation, alerts,
        due/late) taken at the device's time, linked to its observations ("from
        monitor"). `extra` adds what the monitor cannot measure (MOAA/S, a note) or,
        after Edit, replaces a value; refused as a whole like a typed check."""
        proposal = self._open_proposal(proposal_id)
        raw = {name: str(value) for name, value in proposal.values.items()}
        raw.update({name: "" if value is None else str(value) for name, value in extra.items()})
        raw["recorded_by"] = recorded_by
        link = MonitorLink(proposal.id, proposal.observation_ids)
        return self.record_check(
            proposal.session_id, raw, taken_at=proposal.observed_at, from_monitor=link
        )

    def dismiss_proposed(self, proposal_id: int, by: str) -> ProposalOutcome:
        """Dismiss a proposed check: its observations stay, no check is added."""
        proposal = self._open_proposal(proposal_id)
        initials = ev.validate_initials(by, "dismissed_by", "Dismissed by")
        return self.store.dismiss_proposal(proposal.id, initials)

    def _open_proposal(self, proposal_id: int) -> ProposedCheck:
        """The proposal still open, or: KeyError (no such proposal), StoreWriteError (its
        session ended), ValidationError (already recorded or dismissed, by whom)."""
        session_id = self.store.device_observation(proposal_id).session_id
        self._require_open(session_id)
        found = next((p for p in self._bare_proposals(session_id) if p.id == proposal_id), None)
        if found is not None:
            return self._with_numerics(found)
        outcome = self.store.proposal_outcome(proposal_id)
        if outcome is None:
            raise KeyError(f"no proposed check with id {proposal_id}")
        when = format_local(outcome.decided_at, with_date=False)
        raise ValidationError(
            [
                FieldError(
                    "proposal",
                    "Proposed check",
                    str(proposal_id),
                    f"This proposed check was already {outcome.outcome} by "
                    f"{outcome.decided_by} at {when}.",
                )
            ]
        )

    def baseline(self, session_id: int) -> VitalsCheck | None:
        """The BP baseline the rise rules compare with (domain.baseline: the latest marked
        baseline before the dose, so a high pre-dose BP repeated after a rest counts)."""
        return baseline_check(self.store.checks(session_id), self.schedule(session_id).dose_at)

    def news2(self, check: VitalsCheck) -> News2Score:
        return news2(check.signs)

    # -- corrections --------------------------------------------------------------
    def correct_check(
        self,
        check_id: int,
        raw: Mapping[str, str],
        *,
        reason: str,
        recorded_by: str,
        taken_at: datetime | str | None = None,
    ) -> SavedCheck:
        """Store a correction of a check as a new row pointing at it; the original stays.

        The values are validated like a new check, with the reason and the initials of
        who corrects; every problem is reported at once and nothing is stored. Only the
        version in force can be corrected. `taken_at` corrects the time too, checked like
        a new check's: a time, or the time of day as the dialog holds it ("HH:MM", read
        here; empty or None: the original's time). A time alone is a real change.
        The correction keeps the original's baseline flag and due time; whether it is late
        follows its time. Its values are evaluated like a new check (before or after the
        dose by its time) and the alerts they raise are stored with it. An alert raised on
        an earlier version whose rule the corrected values no longer raise (SpO2 79 typed
        for 97) is resolved by this correction in the same transaction; one still
        crossing stays open.
        """
        original = self.store.check(check_id)
        self._require_open(original.session_id)
        self._refuse_superseded(self.store.checks(original.session_id), original, "check")
        problems = Problems()
        signs = problems.take(lambda: validate_vitals({**raw, "recorded_by": recorded_by}), None)
        why = problems.take(lambda: validate_reason(reason), "")
        taken: datetime | None = original.taken_at
        if taken_at is not None and (not isinstance(taken_at, str) or taken_at.strip()):
            earliest = self.store.session(original.session_id).started_at - BEFORE_START_TOLERANCE
            taken = problems.take(
                lambda: self._event_time(
                    taken_at, self.clock.now(), earliest, "taken_at", "Time taken"
                ),
                None,  # refused: then "nothing changed" is not said as well
            )
        if (
            signs is not None
            and taken == original.taken_at
            and replace(signs, recorded_by="") == replace(original.signs, recorded_by="")
        ):
            problems.add(_unchanged("systolic", "Systolic BP"))
        problems.refuse()
        assert signs is not None and taken is not None
        session_id = original.session_id
        schedule = self.schedule(session_id)
        before_dose = schedule.dose_at is None or taken < schedule.dose_at
        others = [c for c in self.store.checks(session_id) if c.id != original.id]
        baseline = None if before_dose else baseline_check(others, schedule.dose_at)
        findings = evaluate(
            signs,
            self.protocol(session_id).thresholds,
            baseline.signs if baseline else None,
            before_dose=before_dose,
        )
        late = original.due_at is not None and schedule.is_late(taken, original.due_at)
        check, alerts = self._store_correction(original, signs, why, findings, taken, late)
        return SavedCheck(check, alerts, news2(signs))

    def _store_correction(
        self,
        original: VitalsCheck,
        signs: VitalSigns,
        reason: str,
        findings: list[AlertFinding],
        taken_at: datetime,
        late: bool,
    ) -> tuple[VitalsCheck, list[AlertRecord]]:
        """The correction, its alerts and the earlier alerts it resolves, in one transaction."""
        session_id = original.session_id
        resolves = resolved_by_correction(
            self.store.alerts(session_id),
            versions(self.store.checks(session_id), original.id),
            (f.rule for f in findings),
            {r.alert_id for r in self.store.alert_resolutions(session_id)},
        )
        return self.store.add_check_with_alerts(
            original.session_id,
            signs,
            [_alert_row(f) for f in findings],
            taken_at=taken_at,
            is_baseline=original.is_baseline,
            due_at=original.due_at,
            late=late,
            corrects_id=original.id,
            correction_reason=reason,
            resolves=[a.id for a in resolves],
        )

    def correct_event(
        self,
        event_id: int,
        raw: Mapping[str, str],
        *,
        reason: str,
        recorded_by: str,
        occurred_at: datetime | None = None,
    ) -> SessionEvent:
        """Store a correction of a timeline event as a new row pointing at it.

        Validated like a new event of the same kind, with the reason and initials.
        `occurred_at` corrects the time too (default: the original's time). Only the
        version in force can be corrected; the original stays in the record.
        """
        original = next((e for e in self._all_events_of(event_id) if e.id == event_id), None)
        if original is None:
            raise KeyError(f"no event with id {event_id}")
        self._require_open(original.session_id)
        self._refuse_superseded(self.store.events(original.session_id), original, "event")
        problems = Problems()
        details = problems.take(lambda: ev.validate_event(original.kind, raw), {})
        if original.kind == ev.DOSE and details:
            details = problems.take(
                lambda: self._dose_details(original.session_id, details), details
            )
        initials = problems.take(lambda: ev.validate_initials(recorded_by), "")
        why = problems.take(lambda: validate_reason(reason), "")
        when = original.occurred_at
        if occurred_at is not None:
            earliest = self.store.session(original.session_id).started_at
            when = problems.take(
                lambda: self._check_time(
                    occurred_at,
                    self.clock.now(),
                    "occurred_at",
                    "Time",
                    earliest - BEFORE_START_TOLERANCE,
                ),
                when,
            )
        if not problems and details == original.details and when == original.occurred_at:
            first = ev.EVENT_KINDS[original.kind].fields
            field, label = (first[0].name, first[0].label) if first else ("occurred_at", "Time")
            problems.add(_unchanged(field, label))
        problems.refuse()
        return self.store.add_event(
            original.session_id,
            original.kind,
            initials,
            details,
            occurred_at=when,
            corrects_id=original.id,
            correction_reason=why,
        )

    def withdraw_event(self, event_id: int, reason: str, recorded_by: str) -> SessionEvent:
        """Withdraw an event entered by mistake: never a delete, a correction with a reason
        whose row marks the event void (domain.corrections), so it leaves the schedule,
        the timeline's clinical rows, the summary and the exports, and both rows stay in
        the record and its audit trail. Only the version in force can be withdrawn, once.
        """
        rows = self._all_events_of(event_id)
        original = next((e for e in rows if e.id == event_id), None)
        if original is None:
            raise KeyError(f"no event with id {event_id}")
        self._require_open(original.session_id)
        self._refuse_superseded(rows, original, "event")
        problems = Problems()
        why = problems.take(lambda: validate_reason(reason), "")
        initials = problems.take(lambda: ev.validate_initials(recorded_by), "")
        problems.refuse()
        return self.store.add_event(
            original.session_id,
            original.kind,
            initials,
            void_details(),
            occurred_at=original.occurred_at,
            corrects_id=original.id,
            correction_reason=why,
        )

    def _require_open(self, session_id: int) -> None:
        """Refuse before validating: an ended session is read-only, whatever was typed."""
        if not self.store.session(session_id).is_open:
            raise StoreWriteError(f"Session {session_id} has ended; it is read-only.")

    def _all_events_of(self, event_id: int) -> list[SessionEvent]:
        """Every stored event of the session holding `event_id`.

        The store reads events by session; sessions come newest first, so the session in
        progress (where corrections happen) is found at once.
        """
        for session in self.store.sessions():
            rows = self.store.events(session.id)
            if any(e.id == event_id for e in rows):
                return rows
        return []

    def history(self, check_id: int) -> list[VitalsCheck]:
        """Every version of a check, the original first and the one in force last."""
        return versions(self.store.checks(self.store.check(check_id).session_id), check_id)

    def event_history(self, event_id: int) -> list[SessionEvent]:
        """Every version of an event, the original first and the one in force last."""
        return versions(self._all_events_of(event_id), event_id)

    @staticmethod
    def _refuse_superseded(
        rows: list[VitalsCheck] | list[SessionEvent], record: Any, noun: str
    ) -> None:
        """Only the version in force may be corrected: name the newer one otherwise. A
        withdrawn record is changed no more (neither corrected nor withdrawn again)."""
        chain = versions(rows, record.id)  # type: ignore[type-var]
        newest = chain[-1]
        by = newest.signs.recorded_by if isinstance(newest, VitalsCheck) else newest.recorded_by
        when = format_local(newest.entered_at, with_date=False)
        if is_void(newest):
            raise ValidationError(
                [
                    FieldError(
                        "record",
                        "Record",
                        str(record.id),
                        f"This {noun} was already withdrawn by {by} at {when} "
                        f"(record {newest.id}): a withdrawn {noun} is not changed again.",
                    )
                ]
            )
        if newest.id == record.id:
            return
        raise ValidationError(
            [
                FieldError(
                    "record",
                    "Record",
                    str(record.id),
                    f"This {noun} was already corrected by {by} at {when} (record {newest.id}): "
                    f"correct the version in force (record {newest.id}) instead.",
                )
            ]
        )

    # -- timeline ---------------------------------------------------------------
    def log_event(
        self,
        session_id: int,
        kind: str,
        raw: Mapping[str, str],
        recorded_by: str,
        occurred_at: datetime | str | None = None,
    ) -> SessionEvent:
        """Validate and store a timeline event, every problem at once.

        `occurred_at` may be earlier than now: a time, or the time of day as the form
        holds it ("HH:MM"; empty for now), read here so that the form validates nothing.
        """
        now = self.clock.now()
        earliest = self.store.session(session_id).started_at - BEFORE_START_TOLERANCE
        problems = Problems()
        when = problems.take(lambda: self._event_time(occurred_at, now, earliest), now)
        details = problems.take(lambda: ev.validate_event(kind, raw), {})
        if kind == ev.DOSE and details:
            details = problems.take(lambda: self._dose_details(session_id, details), details)
        initials = problems.take(lambda: ev.validate_initials(recorded_by), "")
        problems.refuse()
        return self.store.add_event(session_id, kind, initials, details, occurred_at=when)

    def _dose_details(self, session_id: int, details: dict[str, Any]) -> dict[str, Any]:
        """A dose with what its amount is computed with: the session's weight and its
        protocol's concentration (domain.dose; a mg/kg dose without a weight is refused)."""
        weight = self.store.session(session_id).weight_kg
        return dose_details(details, weight, self.protocol(session_id).concentration_mg_ml)

    def _event_time(
        self,
        occurred_at: datetime | str | None,
        now: datetime,
        earliest: datetime,
        field: str = "occurred_at",
        label: str = "Time",
    ) -> datetime:
        """When an event (or a corrected check) happened: now, a typed-in time of day, or
        a given time."""
        if isinstance(occurred_at, str):
            typed = occurred_at
            occurred_at = (
                parse_time_of_day(typed, now, field=field, label=label) if typed.strip() else None
            )
        return self._check_time(occurred_at, now, field, label, earliest)

    def events(self, session_id: int) -> list[SessionEvent]:
        """The events in force (corrections applied), in time order."""
        return current(self.store.events(session_id))

    # -- alerts -----------------------------------------------------------------
    def acknowledge(self, alert_id: int, initials: str, response: str = "") -> AlertRecord:
        """Record who acknowledged an alert and when (the store's clock)."""
        return self.acknowledge_all([alert_id], initials, response)[0]

    def acknowledge_all(
        self, alert_ids: Sequence[int], initials: str, response: str = ""
    ) -> list[AlertRecord]:
        """Acknowledge the alerts of one card (one check) together, in one transaction,
        with what was done about them (optional); every problem at once, nothing stored."""
        problems = Problems()
        staff = problems.take(
            lambda: ev.validate_initials(initials, "acked_by", "Acknowledged by"), ""
        )
        said = problems.take(lambda: validate_response(response), "")
        problems.refuse()
        return self.store.acknowledge_alerts(alert_ids, staff, said)

    def raise_sustained_breach(self, session_id: int, breach: SustainedBreach) -> AlertRecord:
        """Store the alert of a breach the monitor's numerics sustained (domain.sustained):
        its severity and "From monitor: …" message are the breach's finding, its rule
        MONITOR_ALERT_RULES' (so it is never taken for a typed check's). Staff-side only,
        like every alert. Called on the feed's thread, through the feed's own store."""
        finding = breach.finding()
        row = {**_alert_row(finding), "rule": MONITOR_ALERT_RULES[finding.measure]}
        alert_id = self.store.add_monitor_alert(session_id, **row)
        return next(a for a in self.store.alerts(session_id) if a.id == alert_id)

    def open_alerts(self, session_id: int) -> list[AlertRecord]:
        """Alerts neither acknowledged nor resolved by a correction, oldest first."""
        return self.store.alerts(session_id, unacknowledged_only=True)

    # -- end of session, clinic settings, staff PIN -------------------------------
    def end_session(self, session_id: int, checklist: DischargeInput) -> TreatmentSession:
        """End the session with its discharge checklist, assessed against the record now.

        Who ends it (`checklist.ended_by`, as typed), the note and the REMS form's names
        (the completing HCP, the prescriber) are checked here, every problem at once.
        Unmet criteria and warnings never block: they are stored.
        """
        problems = Problems()
        initials = problems.take(
            lambda: ev.validate_initials(checklist.ended_by, "ended_by", "Ended by"), ""
        )
        note = problems.take(lambda: validate_note(checklist.note), "")
        hcp = problems.take(
            lambda: validate_name(
                checklist.hcp_name, "hcp_name", "Healthcare provider completing the form"
            ),
            "",
        )
        prescriber = problems.take(
            lambda: validate_name(checklist.prescriber, "prescriber", "Prescriber"), ""
        )
        problems.refuse()
        now = self.clock.now()
        context = discharge_context_for(load_summary(self.store, session_id, now), now)
        given = replace(
            checklist, ended_by=initials, note=note, hcp_name=hcp, prescriber=prescriber
        )
        result = assess(given, context)
        return self.store.end_session(session_id, initials, result.to_dict(), ended_at=now)

    def load_settings(self) -> dict[str, Any]:
        """The clinic settings as stored (the newest version)."""
        return self.store.load_settings()

    def save_settings(self, typed: Mapping[str, Any], by: str = SET_IN_PANEL) -> dict[str, Any]:
        """Check every value as typed (and the rules joining two), then save them all as a
        new settings version; returns the values saved. `by`: where they were saved from."""
        problems = Problems()
        for key, message in validate_settings(typed).items():
            setting = SETTINGS.get(key)
            label = setting.title if setting else key
            problems.add(FieldError(key, label, str(typed.get(key, "")), message))
        problems.refuse()
        clean = {key: SETTINGS[key].coerce(value) for key, value in typed.items()}
        self.store.save_settings(clean, by=by)
        return clean

    def set_pin(self, pin_hash: PinHash, changed_by: str = SET_IN_PANEL) -> None:
        """Put a new staff PIN (its hash) in force; `changed_by` names the route."""
        self.store.set_pin(pin_hash, changed_by=changed_by)

    def current_pin(self) -> PinHash | None:
        """The hash of the PIN in force (None before the first PIN is set)."""
        return self.store.current_pin()

    def pin_attempts(self) -> PinAttempts:
        """The run of wrong PINs the lock screen makes the next try wait for."""
        return self.store.pin_attempts()

    def record_pin_attempt(self, *, succeeded: bool) -> None:
        """Keep one PIN try in the store, so a restart does not clear the wait."""
        self.store.record_pin_attempt(succeeded=succeeded)

    def rehash_pin(self, pin: str) -> None:
        """Hash the PIN just verified with the current parameters (an old, weaker hash
        is renewed at unlock, once); the route is noted as REHASHED_AT_UNLOCK."""
        self.store.set_pin(hash_pin(pin), changed_by=REHASHED_AT_UNLOCK)

    # -- schedule ---------------------------------------------------------------
    def schedule(self, session_id: int) -> Schedule:
        return session_schedule(
            self.protocol(session_id), self.store.events(session_id), self.clock.now()
        )

    def infusion_plan(self, session_id: int) -> infusion.InfusionPlan | None:
        """The infusion's planned length and expected end now (None: no infusion started)."""
        return self._plan(session_id, self.store.events(session_id))

    def _plan(self, session_id: int, events: list[SessionEvent]) -> infusion.InfusionPlan | None:
        protocol = self.protocol(session_id)
        return infusion.infusion_plan(
            events,
            protocol.planned_infusion_min,
            self.clock.now(),
            dose_starts=protocol.uses_infusion,
        )

    def schedule_status(self, session_id: int) -> ScheduleStatus:
        return self.status_of(self.schedule_record(session_id))

    def schedule_record(self, session_id: int) -> ScheduleRecord:
        """What the session's schedule is worked out from, read now (none once ended)."""
        if not self.store.session(session_id).is_open:
            return ScheduleRecord(session_id, False, (), ())
        events = tuple(self.store.events(session_id))
        return ScheduleRecord(session_id, True, events, tuple(self.store.checks(session_id)))

    def status_of(self, record: ScheduleRecord) -> ScheduleStatus:
        """The schedule's state and wording now, from `record` (read earlier or now)."""
        if not record.is_open:
            return ScheduleStatus(DueState.COMPLETE, None, None, "Session ended")
        now = self.clock.now()
        protocol = self.protocol(record.session_id)
        return session_schedule(protocol, list(record.events), now).status(list(record.checks), now)

    def counts(self, session_id: int, until: datetime | None = None) -> ScheduleCounts:
        """Due/done/late/missed up to `until` (default: the session end, or now if open)."""
        session = self.store.session(session_id)
        end = until or session.ended_at or self.clock.now()
        return self.schedule(session_id).counts(self.store.checks(session_id), end)

    # -- helpers ----------------------------------------------------------------
    @staticmethod
    def _check_time(
        when: datetime | None, now: datetime, field: str, label: str, earliest: datetime
    ) -> datetime:
        """Now, or a typed-in time between `earliest` (session start less an hour) and now."""
        if when is None:
            return now
        try:
            utc = ensure_utc(when)
        except ValueError:
            raise ValidationError(
                [FieldError(field, label, str(when), f"{label}: has no time zone.")]
            ) from None
        if utc > now + FUTURE_TOLERANCE:
            shown = format_local(utc, with_date=False)
            raise ValidationError(
                [
                    FieldError(
                        field,
                        label,
                        shown,
                        f"{label}: '{shown}' is in the future (accepted: now or earlier).",
                    )
                ]
            )
        if utc < earliest:
            shown = format_local(utc)
            accepted = f"from {format_local(earliest, with_date=False)} to now"
            raise ValidationError(
                [
                    FieldError(
                        field,
                        label,
                        shown,
                        f"{label}: '{shown}' is before this session (accepted: {accepted}).",
                    )
                ]
            )
        return utc


def validate_reason(raw: str) -> str:
    """The reason for a correction: required, one sentence (ValidationError otherwise)."""
    text = " ".join(raw.split())
    if not text:
        problem = "required: say why the record is corrected"
    elif not (problem := text_problem(text, REASON_MAX_LENGTH)):
        return text
    raise ValidationError(
        [
            FieldError(
                "reason",
                "Reason",
                raw,
                f"Reason: {problem} (accepted: 1–{REASON_MAX_LENGTH} characters).",
            )
        ]
    )


def _unchanged(field: str, label: str) -> FieldError:
    return FieldError(
        field,
        label,
        "",
        "Nothing changed: the values are the same as the version in force "
        "(change a value, or cancel).",
    )


def _alert_row(finding: AlertFinding) -> dict[str, Any]:
    return {
        "severity": finding.severity.value,
        "rule": finding.rule,
        "measure": finding.measure,
        "value": finding.value,
        "message": finding.message,
    }
