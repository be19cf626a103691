"""Memory: RSS at start, and over an 8-hour session run in simulated time.

The real app (both windows, real SQLite file, real libvlc playing a built-in track) on a
ManualClock. Each simulated second the clock moves and the staff countdown ticks (what
its 1 s QTimer does); every 10 simulated seconds Qt processes its events; every 5
minutes a nurse types a check into the form and saves it (alerts acknowledged); every
hour a note is logged. RSS is read at each simulated hour; growth is the least-squares
slope over hours 1–8 (hour 0 still holds first-use allocations).
"""

from __future__ import annotations

import argparse
import gc
import random

from benchmarks.core import Figure, emit, median, rss_mb, run_child, temp_dir

HOURS = 8
GROWTH_BUDGET_MB_PER_H = 5.0


def slope(xs: list[float], ys: list[float]) -> float:
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mean_x) ** 2 for x in xs)
    return num / den if den else 0.0


def measure(hours: int = HOURS) -> dict[str, object]:
    from benchmarks.qt_child import build_app, qt_app, settle, type_into
    from benchmarks.seed import vitals_at
    from session_app.domain.clock import ManualClock
    from session_app.domain.protocols import IV_KETAMINE
    from session_app.domain.session import NewSession
    from session_app.media.library import MediaKind

    app = qt_app()
    with temp_dir("memory") as data_dir:
        clock = ManualClock()
        windows = build_app(data_dir, clock)
        start_rss = rss_mb()
        items = [i for _, group in windows.patient.library.grouped() for i in group]
        windows.patient.choose(next(i for i in items if i.kind is MediaKind.AUDIO))
        settle(1.0)
        staff = windows.staff
        service = staff.service
        form = staff.vitals_form
        session = service.start_session(NewSession("BM-8H", IV_KETAMINE, "AB", 70.0))
        staff.show_session(session)
        rng = random.Random(8)
        service.record_check(session.id, vitals_at(rng, -10))
        service.log_event(
            session.id,
            "dose",
            {"drug": "Ketamine", "dose": "35", "unit": "mg", "route": "IV bolus"},
            "AB",
        )
        hourly: list[float] = []
        saved = 0
        for second in range(hours * 3600 + 1):
            if second % 3600 == 0:
                app.processEvents()
                gc.collect()
                hourly.append(rss_mb())
                if second:
                    service.log_event(session.id, "note", {"text": "Resting, music on"}, "AB")
            clock.advance(seconds=1)
            staff.countdown.tick()
            if second % 10 == 0:
                app.processEvents()
            if second % 300 == 299:
                type_into(form, vitals_at(rng, second / 60))
                form.save_button.click()
                saved += 1
                for alert in service.open_alerts(session.id):
                    service.acknowledge(alert.id, "AB")
        checks = len(windows.store.checks(session.id))
        windows.staff.stop()
        windows.store.close()
    return {"start_rss": start_rss, "hourly_rss": hourly, "saves": saved, "checks": checks}


def run(display: str, runs: int = 1) -> list[Figure]:
    results = [run_child("memory", ["--json"], display=display, timeout=3600) for _ in range(runs)]
    growths = []
    for r in results:
        hourly = [float(v) for v in r["hourly_rss"]]
        growths.append(slope([float(h) for h in range(1, len(hourly))], hourly[1:]))
    first = results[0]
    hourly = [float(v) for v in first["hourly_rss"]]
    return [
        Figure(
            "memory.rss_start",
            "RSS at start (both windows shown, nothing playing)",
            median([float(r["start_rss"]) for r in results]),
            "MB",
        ),
        Figure(
            "memory.rss_8h",
            f"RSS after an {len(hourly) - 1}-hour session (simulated time, music playing)",
            median([float(r["hourly_rss"][-1]) for r in results]),
            "MB",
            note=f"{first['checks']} checks; hourly: " + ", ".join(f"{v:.0f}" for v in hourly),
        ),
        Figure(
            "memory.growth",
            "RSS growth per simulated hour",
            median(growths),
            "MB/h",
            budget=GROWTH_BUDGET_MB_PER_H,
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hours", type=int, default=HOURS)
    emit(measure(parser.parse_args().hours))
