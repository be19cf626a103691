"""SessionSummary from a real store: corrections applied, per-vital figures, counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.summary import load_summary, vital_stats
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.domain.test_rems import NEW_IN_THE_FORM
from tests.export.seed import seed_iv_session, seed_rems_session
from tests.seeding import record


def test_rems_session_summary_has_every_part(store: SessionStore, clock: ManualClock) -> None:
    sid = seed_rems_session(store, clock)
    summary = load_summary(store, sid, clock.now())
    assert summary.is_ended and summary.session.patient_id == "MK-221"
    assert summary.monitoring_min == pytest.approx(135)
    (dose,) = summary.doses
    assert (dose.drug, dose.dose, dose.route, dose.lot) == (
        "Esketamine",
        "84 mg",
        "Intranasal",
        "LOT-2217A",
    )
    # 6 checks stored plus one correction: the summary shows the 6 current ones
    assert len(summary.record.checks) == 7
    assert len(summary.checks) == 6
    corrected = [c for c in summary.checks if c.corrected]
    assert [c.check.signs.spo2 for c in corrected] == [97]
    # the alert raised on the row it replaced is resolved by the correction (SpO2 97)
    assert corrected[0].alert_count == 0 and corrected[0].corrected_alert_count == 1
    assert [a.acked_by for a in summary.alerts] == ["AB", "AB"]
    assert [e.text for e in summary.adverse_events] == ["Adverse event: nausea — mild, no vomiting"]
    assert "Ondansetron 4 mg" in summary.interventions[0].text
    assert any("Resting" in n.text for n in summary.notes)
    assert any("Feels floaty" in n.text for n in summary.notes)  # a check's note
    assert summary.counts is not None and summary.counts.missed == 0
    assert summary.highest_news2 is not None and summary.highest_news2.score.total == 3
    assert summary.discharge is not None and summary.discharge.all_met
    assert summary.rems is not None and set(summary.rems.missing) == NEW_IN_THE_FORM


def test_per_vital_baseline_range_and_peak_change(store: SessionStore, clock: ManualClock) -> None:
    sid = seed_rems_session(store, clock)
    summary = load_summary(store, sid, clock.now())
    stats = {v.measure: v for v in summary.vitals}
    sys_ = stats["systolic"]
    assert (sys_.baseline, sys_.minimum, sys_.maximum, sys_.peak_change) == (128, 128, 176, 48)
    assert sys_.peak_change_at == summary.dose_at + timedelta(minutes=40)
    spo2 = stats["spo2"]
    assert spo2.minimum == 96  # the corrected 79 is gone
    assert stats["cadss"].count == 0 and stats["cadss"].baseline is None


def test_open_session_is_summarised_so_far(store: SessionStore, clock: ManualClock) -> None:
    sid = seed_iv_session(store, clock)
    clock.advance(minutes=40)
    summary = load_summary(store, sid, clock.now())
    assert not summary.is_ended and summary.as_of == clock.now()
    assert summary.rems is None
    assert summary.discharge is None
    assert [e.kind for e in summary.infusion] == ["infusion_start"]
    assert summary.counts is not None and summary.counts.missed >= 1  # overdue checks


def test_peak_change_is_the_largest_in_size_and_signed(
    store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("AA-1", IV_KETAMINE, "AB", 70.0))
    for minutes, hr, baseline in ((0, 80, True), (10, 95, False), (20, 58, False)):
        clock.set(session.started_at + timedelta(minutes=minutes))
        record(service, session.id, heart_rate=hr, is_baseline=baseline)
    hr = next(v for v in vital_stats(store.checks(session.id)) if v.measure == "heart_rate")
    assert hr.peak_change == -22 and hr.baseline == 80
