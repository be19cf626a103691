"""Proposed checks from the monitor's NIBP sets, through the real MonitoringService, the
real inbox and a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from session_app.devices.inbox import Inbox
from session_app.devices.oru import parse_message
from session_app.domain.clock import ManualClock
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.schedule import DueState
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError
from session_app.store.repository import Change, ChangeKind
from tests.devices import messages

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
BASELINE = {"systolic": "128", "diastolic": "78", "heart_rate": "72", "spo2": "98",
            "resp_rate": "14", "moaas": "5", "recorded_by": "ab"}  # fmt: skip


def hl7_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")


@pytest.fixture
def session_id(service: MonitoringService) -> int:
    return service.start_session(NewSession("JD", ESKETAMINE_REMS, "AB", 72.0)).id


@pytest.fixture
def inbox(store: SessionStore) -> Inbox:
    return Inbox(store, zone=ZoneInfo("Europe/Paris"))


def send(inbox: Inbox, clock: ManualClock, n: int = 1, **parts: str) -> None:
    now = hl7_time(clock.now())
    text = messages.ge(control_id=f"GE{n:04d}", nibp_time=now, msh_time=now, **parts)
    assert parse_message(inbox.handle(text, "127.0.0.1"))["MSA.F1"] == "AA"


def test_an_nibp_set_with_its_numerics_becomes_one_proposed_check(
    service: MonitoringService, store: SessionStore, inbox: Inbox, clock: ManualClock,
    session_id: int,
) -> None:  # fmt: skip
    send(inbox, clock)
    [proposal] = service.proposed_checks(session_id)
    assert dict(proposal.values) == {
        "systolic": 142,
        "diastolic": 88,
        "heart_rate": 80,
        "spo2": 97,
        "resp_rate": 14,
    }
    assert proposal.observed_at == clock.now()
    used = {o.id: o.measure for o in store.device_observations(session_id)}
    assert sorted(used[i] for i in proposal.observation_ids) == sorted(proposal.values)
    assert proposal.id == next(i for i, m in used.items() if m == "systolic")
    assert proposal.summary() == "142/88 · HR 80 · SpO2 97 · RR 14"


def test_numerics_in_another_obr_of_the_same_message_join_the_set(
    service: MonitoringService, store: SessionStore, inbox: Inbox, clock: ManualClock,
    session_id: int,
) -> None:  # fmt: skip
    clock.set(datetime(2026, 1, 5, 9, 15, tzinfo=UTC))  # the Philips message's time
    inbox.handle(messages.philips(), "10.0.0.5")
    [proposal] = service.proposed_checks(session_id)
    assert proposal.summary() == "138/84 · HR 76 · SpO2 96 · RR 15"
    assert proposal.observed_at == datetime(2026, 1, 5, 9, 14, tzinfo=UTC)  # the NIBP's


def test_no_proposal_without_an_nibp_set_or_from_an_implausible_one(
    service: MonitoringService, inbox: Inbox, clock: ManualClock, session_id: int
) -> None:
    numerics_only = messages.ge().split("\r")
    del numerics_only[5:8]  # drop the NIBP OBX rows
    now = hl7_time(clock.now())
    text = "\r".join(numerics_only).replace("20260105101500+0100", now)
    inbox.handle(text, "127.0.0.1")
    send(inbox, clock, 2, systolic="350")  # a cuff error
    send(inbox, clock, 3, systolic="80", diastolic="95")  # diastolic above systolic
    assert service.proposed_checks(session_id) == []


def test_an_implausible_numeric_is_left_out_of_the_set(
    service: MonitoringService, inbox: Inbox, clock: ManualClock, session_id: int
) -> None:
    now = hl7_time(clock.now())
    text = messages.ge(nibp_time=now, msh_time=now).replace(
        "|80|264864", "|300|264864"
    )  # an artefact heart rate
    inbox.handle(text, "127.0.0.1")
    [proposal] = service.proposed_checks(session_id)
    assert "heart_rate" not in proposal.values


def test_record_makes_a_normal_check_at_the_device_time_linked_to_its_observations(
    service: MonitoringService, store: SessionStore, inbox: Inbox, clock: ManualClock,
    session_id: int,
) -> None:  # fmt: skip
    send(inbox, clock)
    [proposal] = service.proposed_checks(session_id)
    clock.advance(minutes=2)  # the nurse looks up a little later
    changes: list[Change] = []
    store.subscribe(changes.append)
    saved = service.record_proposed(
        proposal.id, {"moaas": "5", "dissociation": "no", "note": "calm"}, "cd"
    )
    check = saved.check
    assert check.taken_at == proposal.observed_at
    assert (check.signs.systolic, check.signs.diastolic, check.signs.heart_rate) == (142, 88, 80)
    assert (check.signs.spo2, check.signs.resp_rate, check.signs.moaas) == (97, 14, 5)
    assert (check.signs.note, check.signs.recorded_by) == ("calm", "CD")
    assert store.checks_from_monitor(session_id) == {check.id: proposal.observation_ids}
    [outcome] = store.proposal_outcomes(session_id)
    assert (outcome.outcome, outcome.check_id, outcome.decided_by) == ("recorded", check.id, "CD")
    assert service.proposed_checks(session_id) == []
    assert ChangeKind.CHECK in [c.kind for c in changes]
    assert changes[-1].kind is ChangeKind.PROPOSAL_DECIDED


def test_a_recorded_proposal_raises_the_alerts_a_typed_check_would(
    service: MonitoringService, inbox: Inbox, clock: ManualClock, session_id: int
) -> None:
    service.record_check(session_id, BASELINE)
    service.log_event(session_id, "dose", DOSE, "AB")
    clock.advance(minutes=20)
    send(inbox, clock, systolic="186", diastolic="96")
    [proposal] = service.proposed_checks(session_id)
    saved = service.record_proposed(proposal.id, {}, "cd")
    assert {"sys_high", "sys_rise"} <= {a.rule for a in saved.alerts}


def test_a_due_check_is_satisfied_by_a_recorded_proposal(
    service: MonitoringService, inbox: Inbox, clock: ManualClock, session_id: int
) -> None:
    service.record_check(session_id, BASELINE)
    dose = service.log_event(session_id, "dose", DOSE, "AB")
    clock.advance(minutes=41)
    assert service.schedule_status(session_id).state is not DueState.WAITING
    send(inbox, clock)
    [proposal] = service.proposed_checks(session_id)
    saved = service.record_proposed(proposal.id, {}, "cd")
    assert (saved.check.due_at, saved.check.late) == (
        dose.occurred_at + timedelta(minutes=40),
        False,
    )
    counts = service.counts(session_id)
    assert (counts.done, counts.missed) == (1, 0)


def test_a_refused_record_stores_nothing_and_keeps_the_proposal(
    service: MonitoringService, store: SessionStore, inbox: Inbox, clock: ManualClock,
    session_id: int,
) -> None:  # fmt: skip
    send(inbox, clock)
    [proposal] = service.proposed_checks(session_id)
    with pytest.raises(ValidationError) as refused:
        service.record_proposed(proposal.id, {"moaas": "9"}, "c")
    assert {e.field for e in refused.value.errors} == {"moaas", "recorded_by"}
    assert store.checks(session_id) == []
    assert service.proposed_checks(session_id) == [proposal]


def test_dismiss_keeps_the_observations_and_adds_no_check(
    service: MonitoringService, store: SessionStore, inbox: Inbox, clock: ManualClock,
    session_id: int,
) -> None:  # fmt: skip
    send(inbox, clock)
    [proposal] = service.proposed_checks(session_id)
    kept = store.device_observations(session_id)
    outcome = service.dismiss_proposed(proposal.id, "cd")
    assert (outcome.outcome, outcome.check_id, outcome.decided_by) == ("dismissed", None, "CD")
    assert service.proposed_checks(session_id) == []
    assert store.checks(session_id) == []
    assert store.device_observations(session_id) == kept
    with pytest.raises(ValidationError, match="already dismissed by CD"):
        service.record_proposed(proposal.id, {}, "ab")
    with pytest.raises(ValidationError, match="already dismissed by CD"):
        service.dismiss_proposed(proposal.id, "ab")


def test_dismiss_needs_initials(
    service: MonitoringService, inbox: Inbox, clock: ManualClock, session_id: int
) -> None:
    send(inbox, clock)
    [proposal] = service.proposed_checks(session_id)
    with pytest.raises(ValidationError):
        service.dismiss_proposed(proposal.id, "")
    assert service.proposed_checks(session_id) == [proposal]


def test_an_unknown_proposal_and_an_ended_session_are_refused(
    service: MonitoringService, store: SessionStore, inbox: Inbox, clock: ManualClock,
    session_id: int,
) -> None:  # fmt: skip
    send(inbox, clock)
    [proposal] = service.proposed_checks(session_id)
    heart_rate = next(
        o.id for o in store.device_observations(session_id) if o.measure == "heart_rate"
    )
    with pytest.raises(KeyError):
        service.record_proposed(heart_rate, {}, "ab")  # a value, not a proposal
    with pytest.raises(KeyError):
        service.dismiss_proposed(999_999, "ab")
    store.end_session(session_id, "AB")
    with pytest.raises(StoreWriteError, match="ended"):
        service.record_proposed(proposal.id, {}, "ab")


def test_a_monitor_that_sends_numerics_apart_has_them_join_the_nibp_taken_with_them(
    service: MonitoringService, session_id: int, inbox: Inbox, clock: ManualClock
) -> None:
    """GE sends the NIBP with its pulse only; SpO2 and RR come each second in messages of
    their own. The latest values of the half minute before the NIBP join it (they are in
    the store when it arrives, so the strip's line and the recorded check agree); older
    ones, or ones sent after it, do not."""
    from session_app.devices.profiles import MessageContext, build_oru
    from session_app.devices.simulator import NibpReading, Numerics

    at = clock.now()

    def take(seconds: int, event: NibpReading | Numerics, name: str) -> None:
        context = MessageContext("JD", at + timedelta(seconds=seconds), name)
        assert (
            parse_message(inbox.handle(build_oru("ge", event, context), "127.0.0.1"))["MSA.F1"]
            == "AA"
        )

    take(-120, Numerics(0, 70, 70, 99, 20, 3.0), "N-old")
    take(-4, Numerics(0, 82, 82, 96, 15, 3.0), "N-before")
    take(-1, Numerics(0, 81, 81, 97, 14, 3.0), "N-latest")
    take(0, NibpReading(0, 142, 88, 106, 80), "NIBP-1")
    take(3, Numerics(0, 90, 90, 91, 22, 3.0), "N-after")
    [proposal] = service.proposed_checks(session_id)
    assert proposal.values == {
        "systolic": 142, "diastolic": 88, "heart_rate": 80, "spo2": 97, "resp_rate": 14
    }  # fmt: skip
    assert proposal.summary() == "142/88 · HR 80 · SpO2 97 · RR 14"
    saved = service.record_proposed(proposal.id, {}, "AB")
    assert (saved.check.signs.spo2, saved.check.signs.resp_rate) == (97, 14)


def test_the_strip_reads_the_newest_open_proposals_complete_and_how_many_are_open(
    service: MonitoringService, session_id: int, inbox: Inbox, clock: ManualClock
) -> None:
    """A long session may hold dozens of undecided NIBP sets; joining each one's numerics
    is a read apiece, and the strip shows three. Those three come complete, newest first,
    with the number open; the rest are counted, not joined."""
    from session_app.devices.profiles import MessageContext, build_oru
    from session_app.devices.simulator import NibpReading, Numerics

    start = clock.now()
    for n in range(6):
        at = start + timedelta(minutes=5 * n)
        for name, offset, event in (
            (f"N{n}", -2, Numerics(0, 70 + n, 70 + n, 95, 12 + n, 3.0)),
            (f"NIBP{n}", 0, NibpReading(0, 130 + n, 80, 96, 70 + n)),
        ):
            context = MessageContext("JD", at + timedelta(seconds=offset), name)
            assert "|AA|" in inbox.handle(build_oru("ge", event, context), "127.0.0.1")
    shown = service.open_proposals(session_id, shown=3)
    assert shown.total == 6
    assert [p.values["systolic"] for p in shown.newest] == [135, 134, 133]
    assert [p.values["resp_rate"] for p in shown.newest] == [17, 16, 15]  # joined
    assert shown.newest[0] == service.proposed_checks(session_id)[-1]


def test_each_look_at_the_proposals_reads_only_the_values_of_messages_new_since(
    service: MonitoringService, store: SessionStore, session_id: int, inbox: Inbox,
    clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A message's values never change once stored: what it proposes is worked out once.
    A new NIBP reads that one message; a decision reads no message at all; and what the
    service proposes is what a service looking for the first time proposes."""
    read: list[list[int]] = []
    message_values = store.message_values

    def counted(message_ids, measures):
        read.append(list(message_ids))
        return message_values(message_ids, measures)

    monkeypatch.setattr(store, "message_values", counted)
    for n in range(1, 4):
        send(inbox, clock, n)
        clock.advance(minutes=5)
    first = service.proposed_checks(session_id)
    assert len(first) == 3 and len(read) == 1 and len(read[0]) == 3
    send(inbox, clock, 4)
    assert len(service.proposed_checks(session_id)) == 4
    assert len(read) == 2 and len(read[1]) == 1
    service.dismiss_proposed(first[0].id, "AB")
    after = service.proposed_checks(session_id)
    assert len(read) == 2  # a decision: nothing more read
    whole = MonitoringService(store, clock).proposed_checks(session_id)  # read from scratch
    assert [p.id for p in after] == [p.id for p in whole] and first[0].id not in {
        p.id for p in after
    }
