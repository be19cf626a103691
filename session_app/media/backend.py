"""Loading python-vlc and the one libvlc instance, or saying plainly why not.

python-vlc raises different things when the system libvlc is missing (ImportError,
OSError, NameError from its ctypes loader) and `vlc.Instance()` returns None when the
plugins cannot be found. Every one of those becomes an unavailable backend with a
reason a nurse can pass on to clinic IT; nothing else in the app has to care.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

# Quiet by default: libvlc's own chatter goes to stderr otherwise.
DEFAULT_ARGS: tuple[str, ...] = ("--quiet", "--no-video-title-show", "--no-xlib")
# What tests and headless runs use: the decoders run, nothing is heard or drawn.
HEADLESS_ARGS: tuple[str, ...] = ("--aout=adummy", "--vout=dummy")
ARGS_ENV = "SESSION_APP_VLC_ARGS"


@dataclass(frozen=True)
class VlcBackend:
    """The vlc module and one libvlc instance, or the reason there are none."""

    vlc: ModuleType | None
    instance: Any | None
    reason: str = ""
    args: tuple[str, ...] = field(default=())

    @property
    def available(self) -> bool:
        return self.vlc is not None and self.instance is not None


def unavailable(reason: str) -> VlcBackend:
    return VlcBackend(vlc=None, instance=None, reason=reason)


def load_backend(args: Sequence[str] | None = None) -> VlcBackend:
    """Import vlc and create the instance (DEFAULT_ARGS plus `args`); never raises.

    Extra libvlc arguments may come from the environment (SESSION_APP_VLC_ARGS, split on
    spaces), e.g. "--aout=adummy --vout=dummy" on a machine without sound.
    """
    chosen = DEFAULT_ARGS + tuple(args or ())
    chosen += tuple(os.environ.get(ARGS_ENV, "").split())
    try:
        vlc = importlib.import_module("vlc")
    except Exception as exc:  # ImportError, OSError, NameError: python-vlc found no libvlc
        return unavailable(f"libvlc could not be loaded ({type(exc).__name__}: {exc})")
    try:
        instance = vlc.Instance(list(chosen))
    except Exception as exc:
        return unavailable(f"libvlc did not start ({type(exc).__name__}: {exc})")
    if instance is None:
        return unavailable("libvlc did not start (no instance: are the VLC plugins installed?)")
    return VlcBackend(vlc=vlc, instance=instance, args=chosen)


class BackendStart:
    """`load_backend` on a thread of its own, started at once; `result()` waits for it.

    The app starts it before importing Qt: libvlc's start (its plugins) and python-vlc's
    search for the library run while Qt loads, instead of after it (issue 7: start-up).
    libvlc is thread-safe and the instance is only used once `result()` has returned.
    """

    def __init__(self, args: Sequence[str] | None = None) -> None:
        self._backend = unavailable("libvlc did not finish starting")
        self._thread = threading.Thread(target=self._load, args=(args,), name="libvlc-start")
        self._thread.daemon = True  # never keeps the app from closing
        self._thread.start()

    def _load(self, args: Sequence[str] | None) -> None:
        self._backend = load_backend(args)

    def result(self) -> VlcBackend:
        self._thread.join()
        return self._backend
