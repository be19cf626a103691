"""The serial oximeter reader over a real pseudo-terminal (issue 17): no hardware.

pyserial opens the pty's slave through a symlink, as a USB adapter is opened through
/dev/serial/by-id/…; the test writes the device's lines into the master. Closing the
master is the cable pulled (EIO on read); pointing the link at a new pty is the cable
put back. Waits are on queues the reader feeds, never on a sleep.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from session_app.devices.oximeter import OximeterPort
from session_app.devices.samples import DeviceSample, FeedState
from session_app.devices.serial_reader import OximeterReader
from session_app.domain.clock import ManualClock

WAIT_S = 5.0
FAST_RETRY = (0.02, 0.05, 0.1)


class Pty:
    """A pseudo-terminal pair whose slave the link names; close() pulls the cable."""

    def __init__(self, link: Path) -> None:
        self.master, self.slave = os.openpty()
        if link.is_symlink():
            link.unlink()
        link.symlink_to(os.ttyname(self.slave))
        self.open = True

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        if self.open:
            os.close(self.master)
            os.close(self.slave)
            self.open = False


class Harness:
    def __init__(self, tmp_path: Path, protocol: str = "nonin") -> None:
        self.link = tmp_path / f"ttyOXI-{protocol}"
        self.ptys: list[Pty] = []
        self.samples: queue.Queue[DeviceSample] = queue.Queue()
        self.states: queue.Queue[FeedState] = queue.Queue()
        self.clock = ManualClock()
        self.on_samples: Callable[[Sequence[DeviceSample]], None] = self._collect
        self.reader = OximeterReader(
            OximeterPort(str(self.link), protocol),
            lambda samples: self.on_samples(samples),
            clock=self.clock,
            on_state=self.states.put,
            retry_delays=FAST_RETRY,
        )

    def _collect(self, samples: Sequence[DeviceSample]) -> None:
        for sample in samples:
            self.samples.put(sample)

    def plug(self) -> Pty:
        pty = Pty(self.link)
        self.ptys.append(pty)
        return pty

    def next_samples(self, count: int) -> list[DeviceSample]:
        return [self.samples.get(timeout=WAIT_S) for _ in range(count)]

    def wait_state(self, wanted: Callable[[FeedState], bool]) -> FeedState:
        while True:
            state = self.states.get(timeout=WAIT_S)
            if wanted(state):
                return state

    def close(self) -> None:
        self.reader.stop()
        for pty in self.ptys:
            pty.close()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    made = Harness(tmp_path)
    yield made
    made.close()


def connected(state: FeedState) -> bool:
    return state.connected


def test_nonin_lines_in_samples_out(harness: Harness) -> None:
    pty = harness.plug()
    harness.reader.start()
    harness.wait_state(connected)
    pty.send(b"SPO2=097 HR=072\r\nSPO2=095 HR=")  # the second line arrives in two parts
    pty.send(b"081\r\n")
    spo2, hr, spo2_b, hr_b = harness.next_samples(4)
    assert (spo2.measure, spo2.value, spo2.code) == ("spo2", 97, "NONIN SPO2")
    assert spo2.source == "serial"
    assert (hr.measure, hr.value) == ("heart_rate", 72)
    assert (spo2_b.value, hr_b.value) == (95, 81)
    assert spo2.device == f"{harness.link}:nonin"
    assert spo2.observed_at == harness.clock.now()
    state = harness.reader.feed_state()
    assert state == FeedState(f"oximeter {harness.link}", True, harness.clock.now(), "")


def test_masimo_ascii_1_lines(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "masimo")
    try:
        pty = harness.plug()
        harness.reader.start()
        harness.wait_state(connected)
        pty.send(
            b"01/05/26 09:00:06 SN=0000093112 SPO2=093% BPM=101 PI=02.28% ALARM=0000 EXC=000800\r\n"
        )
        spo2, hr = harness.next_samples(2)
        assert (spo2.code, spo2.value, hr.code, hr.value) == ("MASIMO SPO2", 93, "MASIMO BPM", 101)
    finally:
        harness.close()


def test_garbage_is_counted_and_the_next_good_line_still_read(harness: Harness) -> None:
    pty = harness.plug()
    harness.reader.start()
    harness.wait_state(connected)
    pty.send(b"\xff\xfeNOISE\x00\r\n")
    pty.send(b"x" * 5000)  # no line end for far longer than any line
    pty.send(b"\r\nSPO2=099 HR=060\r\n")
    spo2, _ = harness.next_samples(2)
    assert spo2.value == 99
    assert harness.reader.garbled == 2


def test_no_reading_lines_keep_the_feed_connected_and_say_so(harness: Harness) -> None:
    pty = harness.plug()
    harness.reader.start()
    harness.wait_state(connected)
    pty.send(b"SPO2=--- HR=---\r\n")
    state = harness.wait_state(lambda s: s.problem != "")
    assert state.connected and state.problem == "oximeter connected — no reading from the sensor"
    assert state.last_value_at is None
    pty.send(b"SPO2=097 HR=072\r\n")
    harness.next_samples(2)
    assert harness.wait_state(lambda s: s.problem == "").connected


def test_unplug_tells_staff_retries_and_carries_on_when_it_returns(harness: Harness) -> None:
    first = harness.plug()
    harness.reader.start()
    harness.wait_state(connected)
    first.send(b"SPO2=097 HR=072\r\n")
    harness.next_samples(2)

    first.close()  # the cable is pulled: EIO on the next read
    down = harness.wait_state(lambda s: not s.connected)
    assert down.problem == "oximeter unplugged — retrying"
    assert down.last_value_at == harness.clock.now()  # when the last value came
    assert harness.reader.feed_state() == down

    harness.clock.advance(seconds=30)
    again = harness.plug()  # plugged back in (a new pty behind the same link)
    up = harness.wait_state(connected)
    assert up.problem == ""
    again.send(b"SPO2=094 HR=088\r\n")
    spo2, hr = harness.next_samples(2)
    assert (spo2.value, hr.value) == (94, 88)
    assert spo2.observed_at == harness.clock.now()


def test_a_port_that_is_not_there_yet_is_retried(harness: Harness) -> None:
    harness.reader.start()  # nothing behind the link: never connected so far
    state = harness.wait_state(lambda s: s.problem != "")
    assert not state.connected and state.problem == "oximeter not connected — retrying"
    pty = harness.plug()
    harness.wait_state(connected)
    pty.send(b"SPO2=096 HR=070\r\n")
    assert [s.value for s in harness.next_samples(2)] == [96, 70]


def test_a_failing_callback_never_stops_the_reader(harness: Harness) -> None:
    calls: list[int] = []

    def refuse_once(samples: Sequence[DeviceSample]) -> None:
        calls.append(len(samples))
        if len(calls) == 1:
            raise RuntimeError("store busy")
        harness._collect(samples)

    harness.on_samples = refuse_once
    pty = harness.plug()
    harness.reader.start()
    harness.wait_state(connected)
    pty.send(b"SPO2=097 HR=072\r\nSPO2=091 HR=075\r\n")
    assert [s.value for s in harness.next_samples(2)] == [91, 75]
    assert calls == [2, 2]


def test_stop_joins_while_reading_and_while_waiting_to_retry(tmp_path: Path) -> None:
    reading = Harness(tmp_path, "nonin")
    reading.plug()
    reading.reader.start()
    reading.wait_state(connected)
    reading.close()
    assert not reading.reader.running

    waiting = Harness(tmp_path, "masimo")
    waiting.reader.retry_delays = (60.0,)  # stop() must not wait for the retry
    waiting.reader.start()
    waiting.wait_state(lambda s: s.problem != "")
    waiting.close()
    assert not waiting.reader.running
    assert waiting.reader.feed_state().connected is False
