"""`session-app monitor-sim`: play a simulated session to a listener or a serial port.

For tests, demos and newcomers: the same feed a bedside monitor (over MLLP) or a pulse
oximeter (over a serial line) would send, from `simulator` (what is measured, when) and
`profiles` (how each vendor writes it). Registering the command loads
only this module and the two pure ones; `sim_player` (asyncio, python-hl7, termios) is
loaded when a simulation runs. Every refusal of an argument is one line and exit 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from session_app.devices.sim_player import Target

# The names `profiles.PROFILES` and `profiles.OXIMETER_LINES` take (a test keeps them the
# same): here, so that building the app's parser imports none of the simulator.
PROFILE_NAMES = ("ge", "mindray", "philips")
PROTOCOL_NAMES = ("masimo", "nonin")

EXIT_BAD_INPUT = 2
MAX_SPEED = 1_000_000.0
MAX_DURATION_MIN = 24 * 60.0


def _target(text: str) -> Target:
    from session_app.devices.sim_player import Target

    host, sep, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, e.g. 127.0.0.1:2575 (got {text!r})")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(
            f"the port must be a number from 1 to 65535 (got {port!r})"
        )
    return Target(host, int(port))


def _text_field(what: str) -> argparse._ActionType:
    def check(text: str) -> str:
        from session_app.devices.profiles import field_problem

        problem = field_problem(text)
        if problem:
            raise argparse.ArgumentTypeError(f"the {what} {problem}")
        return text

    return check


def _positive(what: str, limit: float) -> argparse._ActionType:
    def check(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= limit):
            raise argparse.ArgumentTypeError(
                f"the {what} must be a number above 0 and at most {limit:g} (got {text!r})"
            )
        return value

    return check


def add_monitor_sim_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `monitor-sim` on the app's sub-parsers."""
    sim = commands.add_parser(
        "monitor-sim",
        help="send a simulated monitor session (HL7 over MLLP, or oximeter lines to a serial port)",
        description="Play a simulated session: NIBP every 5 min (3 min during the dose), "
        "numerics at 1 Hz, a BP rise peaking about 40 min after the dose, a short SpO2 dip "
        "and one artefact.",
    )
    sim.add_argument("--to", type=_target, metavar="HOST:PORT", help="the room's HL7 listener")
    sim.add_argument("--patient", type=_text_field("patient ID"), metavar="ID", help="PID-3")
    sim.add_argument("--bed", type=_text_field("bed label"), help="PV1-3's bed label")
    sim.add_argument("--profile", choices=PROFILE_NAMES, default="ge", help="default: ge")
    sim.add_argument(
        "--speed",
        type=_positive("speed", MAX_SPEED),
        default=1.0,
        metavar="N",
        help="simulated time runs N times faster (default 1)",
    )
    sim.add_argument(
        "--duration",
        type=_positive("duration", MAX_DURATION_MIN),
        metavar="MIN",
        help="simulated minutes (default: the whole session, 2 h)",
    )
    sim.add_argument("--seed", type=int, help="the same seed, the same session")
    sim.add_argument(
        "--once", action="store_true", help="no retry: exit 2 if the listener is not there"
    )
    sim.add_argument(
        "--serial", metavar="PTY", help="write oximeter lines to this serial port / pty"
    )
    sim.add_argument("--protocol", choices=PROTOCOL_NAMES, help="with --serial: the line format")


def _refuse(text: str) -> int:
    print(
        f"session-app: error: {text} (see `session-app monitor-sim --help`)",
        file=sys.stderr,
    )
    return EXIT_BAD_INPUT


def run_monitor_sim(args: argparse.Namespace) -> int:
    """Check what argparse cannot, then play the session; returns the exit code."""
    if args.to and args.serial:
        return _refuse("use --to (HL7) or --serial (oximeter), not both")
    if not args.to and not args.serial:
        return _refuse("say where to send: --to HOST:PORT or --serial PTY")
    if args.to and not args.patient:
        return _refuse("--to needs --patient ID (the session's patient ID)")
    if args.serial and not args.protocol:
        return _refuse("--serial needs --protocol nonin|masimo")
    import asyncio
    from datetime import datetime

    from session_app.devices.profiles import numerics_only, session_messages
    from session_app.devices.sim_player import play_hl7, play_serial
    from session_app.devices.simulator import SessionPlan, session_events

    given = {"duration_min": args.duration, "seed": args.seed}
    plan = SessionPlan(**{name: value for name, value in given.items() if value is not None})
    events = session_events(plan)
    start = datetime.now().astimezone()
    try:
        if args.serial:
            return play_serial(args.serial, args.protocol, numerics_only(events), start, args.speed)
        outgoing = session_messages(
            args.profile,
            events,
            patient_id=args.patient,
            start=start,
            speed=args.speed,
            bed=args.bed or "",
        )
        return asyncio.run(play_hl7(args.to, outgoing, args.speed, once=args.once))
    except KeyboardInterrupt:
        print("session-app: monitor-sim stopped", file=sys.stderr)
        return 130
