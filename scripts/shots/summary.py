"""End of session: the summary view of a complete REMS session, the discharge checklist of
one about to end, and the first page of the PDF (rendered with pdftoppm) — all as a nurse
or a chart reader would see them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from session_app.domain.clock import ManualClock, ensure_utc  # noqa: E402
from session_app.domain.summary import load_summary  # noqa: E402
from session_app.export.pdf import render_pdf  # noqa: E402
from session_app.monitoring import MonitoringService  # noqa: E402
from session_app.store import SessionStore  # noqa: E402
from session_app.ui.summary.discharge_dialog import DischargeDialog  # noqa: E402
from session_app.ui.summary.view import SummaryView  # noqa: E402
from tests.export.seed import seed_rems_session  # noqa: E402

OUT = REPO / "docs" / "screenshots"


def _morning_clock() -> ManualClock:
    """09:00 local time three days ago: a plausible clinic morning."""
    day = datetime.now().astimezone() - timedelta(days=3)
    return ManualClock(ensure_utc(datetime.combine(day.date(), time(9, 0), day.tzinfo)))


def summary_view(tmp: Path):
    clock = _morning_clock()
    store = SessionStore.open(tmp, clock=clock)
    sid = seed_rems_session(store, clock)
    view = SummaryView(store, sid, clock)
    view.resize(1600, 1000)

    pdf = render_pdf(load_summary(store, sid, clock.now()), tmp / "summary.pdf")
    if shutil.which("pdftoppm"):
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(OUT / "summary-pdf-page1"),
            ],
            check=True,
        )
        print(f"wrote {OUT / 'summary-pdf-page1.png'}")
    return [("summary-view.png", view)]


def discharge_checklist(tmp: Path):
    clock = _morning_clock()
    store = SessionStore.open(tmp, clock=clock)
    sid = seed_rems_session(store, clock, end=False)
    # the last check is 118 min after the dose: the 120 min minimum is not reached yet
    dialog = DischargeDialog(store, sid, clock, service=MonitoringService(store, clock))
    for key in ("activity", "breathing"):
        dialog.aldrete[key].setCurrentIndex(3)
    dialog.responsible_adult.setChecked(True)
    dialog.advice.setChecked(True)
    dialog.vitals_ok_predose.setCurrentIndex(1)
    dialog.ended_by.setText("AB")
    return [("discharge-checklist.png", dialog)]


SCENES = [summary_view, discharge_checklist]
