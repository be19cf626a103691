"""Save to chart: press "Save vitals" → record committed and the trend chart redrawn.

The staff panel of the real app (both windows, real SQLite file, real libvlc) on the
runner's X display. The form is filled outside the timing; the timing starts at the
click and ends when the chart's canvas has finished painting the new point (the
budgeted figure). A second figure runs on until the events the save queued have been
handled (the form, flowsheet and layout repainted too). 200 saves in one session (it
grows to 200 checks, the worst case of a long session typed by hand).
`--json` runs it in this process and prints the result line; `run()` is the runner's side.
"""

from __future__ import annotations

import argparse
import random
import time

from benchmarks.core import Figure, emit, median, percentile, run_child, temp_dir

SAVES = 200
P95_BUDGET_MS = 30.0


class ChartPaintClock:
    """Counts and times the end of each paint of one pyqtgraph canvas.

    An event filter sees a Paint event before the paint; to end a timing after the
    chart's frame is drawn, pyqtgraph's `GraphicsView.paintEvent` is wrapped (in this
    benchmark process only). Install before the canvas is built.
    """

    def __init__(self) -> None:
        import pyqtgraph as pg

        self.canvas: object = None
        self.count = 0
        self.ended = 0.0
        original = pg.GraphicsView.paintEvent
        clock = self

        def paint_event(view: object, event: object) -> None:
            original(view, event)
            if view is clock.canvas:
                clock.count += 1
                clock.ended = time.perf_counter()

        pg.GraphicsView.paintEvent = paint_event

    def wait_for_paint(self, after: int, limit_s: float = 2.0) -> bool:
        """Process events until the canvas has finished a paint beyond `after`."""
        from benchmarks.qt_child import qt_app

        app = qt_app()
        deadline = time.perf_counter() + limit_s
        while self.count <= after:
            app.processEvents()
            if time.perf_counter() > deadline:
                return False
        return True


def measure(saves: int = SAVES) -> dict[str, object]:
    from benchmarks.qt_child import build_app, qt_app, settle, type_into
    from benchmarks.seed import vitals_at
    from session_app.domain.clock import ManualClock
    from session_app.domain.protocols import IV_KETAMINE
    from session_app.domain.session import NewSession

    with temp_dir("save") as data_dir:
        clock = ManualClock()
        paints = ChartPaintClock()
        windows = build_app(data_dir, clock)
        staff = windows.staff
        service = staff.service
        paints.canvas = staff.ensure_charts().graphics
        session = service.start_session(NewSession("BM-200", IV_KETAMINE, "AB", 70.0))
        staff.show_session(session)
        rng = random.Random(200)
        clock.advance(minutes=2)
        service.record_check(session.id, vitals_at(rng, -10))
        service.log_event(
            session.id,
            "dose",
            {"drug": "Ketamine", "dose": "35", "unit": "mg", "route": "IV bolus"},
            "AB",
        )
        form = staff.vitals_form
        settle()
        app = qt_app()
        totals: list[float] = []
        settled: list[float] = []
        commits: list[float] = []
        missed = 0
        for index in range(saves):
            clock.advance(minutes=2)
            type_into(form, vitals_at(rng, 2.0 * (index + 1)))
            app.processEvents()  # typing's own repaints are not part of the save
            before = paints.count
            start = time.perf_counter()
            form.save_button.click()
            returned = time.perf_counter()
            if not paints.wait_for_paint(before):
                missed += 1
            painted = paints.ended if paints.count > before else time.perf_counter()
            app.processEvents()  # what the save queued besides the chart
            end = time.perf_counter()
            totals.append((painted - start) * 1000)
            settled.append((end - start) * 1000)
            commits.append((returned - start) * 1000)
        checks = len(windows.store.checks(session.id))
        windows.staff.stop()
        windows.store.close()
    return {
        "totals": totals,
        "settled": settled,
        "commits": commits,
        "checks": checks,
        "missed_paints": missed,
    }


def run(display: str, runs: int = 3) -> list[Figure]:
    results = [run_child("save_to_chart", ["--json"], display=display) for _ in range(runs)]
    p50 = median([percentile(r["totals"], 50) for r in results])
    p95 = median([percentile(r["totals"], 95) for r in results])
    settled_p50 = median([percentile(r["settled"], 50) for r in results])
    settled_p95 = median([percentile(r["settled"], 95) for r in results])
    sync = median([percentile(r["commits"], 50) for r in results])
    stored = results[0]["checks"]
    missed = sum(int(r["missed_paints"]) for r in results)
    note = f"{SAVES} saves × {runs} runs, {stored} checks stored; p50 of click→commit+listeners "
    note += f"{sync:.1f} ms" + (f"; {missed} saves never repainted" if missed else "")
    return [
        Figure("save.p50", "Save vitals → committed + chart redrawn, p50", p50, "ms", note=note),
        Figure(
            "save.p95",
            "Save vitals → committed + chart redrawn, p95",
            p95,
            "ms",
            budget=P95_BUDGET_MS,
        ),
        Figure(
            "save.settled_p95",
            "Save vitals → all it queued handled (form, flowsheet, layout), p95",
            settled_p95,
            "ms",
            note=f"p50 {settled_p50:.1f} ms; the chart's frame is drawn before this",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--saves", type=int, default=SAVES)
    emit(measure(parser.parse_args().saves))
