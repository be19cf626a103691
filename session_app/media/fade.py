"""Volume ramps and the time they run on (pure Python, no Qt).

A ramp is a raised-cosine curve: it leaves and arrives with zero slope, so a fade never
starts or stops with a step (no click). The player samples ramps on a timer against an
injected time source; tests inject `ManualTime` and sample the curve without waiting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

TimeSource = Callable[[], float]
MIN_FADE_S = 1.5


def smooth(x: float) -> float:
    """0 → 1 along half a cosine, clamped outside [0, 1]."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    return 0.5 - 0.5 * math.cos(math.pi * x)


@dataclass(frozen=True)
class Ramp:
    start: float
    end: float
    t0: float
    duration: float

    def value(self, t: float) -> float:
        if self.duration <= 0:
            return self.end
        return self.start + (self.end - self.start) * smooth((t - self.t0) / self.duration)

    def done(self, t: float) -> bool:
        return t >= self.t0 + self.duration


class Fader:
    """One gain between 0 and 1 that moves only along ramps."""

    def __init__(self, clock: TimeSource, value: float = 1.0) -> None:
        self._clock = clock
        self._ramp = Ramp(value, value, clock(), 0.0)

    def value(self) -> float:
        return self._ramp.value(self._clock())

    @property
    def target(self) -> float:
        return self._ramp.end

    def moving(self) -> bool:
        return not self._ramp.done(self._clock())

    def to(self, target: float, duration: float) -> None:
        """Ramp from wherever the gain is now (mid-fade too) to `target`."""
        now = self._clock()
        self._ramp = Ramp(self._ramp.value(now), target, now, duration)

    def set(self, value: float) -> None:
        self._ramp = Ramp(value, value, self._clock(), 0.0)


@dataclass(frozen=True)
class SleepTimer:
    """Play on, then fade smoothly to silence by `ends_at` (the last `fade_s` seconds)."""

    minutes: int
    started_at: float
    fade_s: float

    @classmethod
    def start(cls, minutes: int, now: float) -> SleepTimer:
        total = minutes * 60.0
        return cls(minutes, now, min(180.0, max(MIN_FADE_S, total / 3)))

    @property
    def ends_at(self) -> float:
        return self.started_at + self.minutes * 60.0

    def gain(self, now: float) -> float:
        return 1.0 - smooth((now - (self.ends_at - self.fade_s)) / self.fade_s)

    def finished(self, now: float) -> bool:
        return now >= self.ends_at


class ManualTime:
    """A time source that moves only when told to (tests, screenshots)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def monotonic() -> float:
    return time.monotonic()
