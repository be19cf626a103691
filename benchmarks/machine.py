"""The machine a run was measured on (figures are only comparable on the same class)."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _version(*dists: str) -> str:
    for dist in dists:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def _libvlc() -> str:
    try:
        import vlc

        return vlc.libvlc_get_version().decode()
    except Exception as exc:  # missing libvlc: say so, the run still goes on
        return f"unavailable ({type(exc).__name__})"


def describe() -> dict[str, str]:
    return {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "ram": f"{_ram_gb():.1f} GB",
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "pyside6": _version("PySide6-Essentials", "PySide6"),
        "pyqtgraph": _version("pyqtgraph"),
        "numpy": _version("numpy"),
        "python-vlc": _version("python-vlc"),
        "libvlc": _libvlc(),
    }


def one_line(info: dict[str, str]) -> str:
    return (
        f"{info['cpu']} · {info['cores']} cores · {info['ram']} RAM · {info['os']} · "
        f"Python {info['python']} · PySide6 {info['pyside6']} · pyqtgraph {info['pyqtgraph']} · "
        f"numpy {info['numpy']} · python-vlc {info['python-vlc']} · libvlc {info['libvlc']}"
    )
