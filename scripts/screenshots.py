"""Run the real app under Xvfb and save a PNG of each window to docs/screenshots/.

Each module in scripts/shots/ defines SCENES: functions that set up the app in some
state (seeding a tmp store through the real store API) and return the windows to
capture. Captures are taken from the X screen (QScreen.grabWindow), i.e. what a
person would see, not an offscreen render.

Usage: python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCREEN = "1920x1080x24"


def _reexec_under_xvfb() -> None:
    if os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb":
        return
    if shutil.which("xvfb-run") is None:
        sys.exit("screenshots need Xvfb: run scripts/system-deps.sh (package xvfb)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "SESSION_APP_SCREENSHOTS": "1"}
    command = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, *sys.argv]
    raise SystemExit(subprocess.call(command, env=env))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--only", nargs="*", default=None, help="scene names to take")
    args = parser.parse_args()
    _reexec_under_xvfb()

    sys.path.insert(0, str(HERE))
    from PySide6.QtWidgets import QApplication
    from shots import settle

    app = QApplication.instance() or QApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    for module_info in sorted(pkgutil.iter_modules([str(HERE / "shots")]), key=lambda m: m.name):
        module = importlib.import_module(f"shots.{module_info.name}")
        for scene in getattr(module, "SCENES", []):
            if args.only and scene.__name__ not in args.only:
                continue
            with tempfile.TemporaryDirectory(prefix="shots-") as tmp:
                for filename, window in scene(Path(tmp)):
                    window.show()
                    window.raise_()
                    window.activateWindow()
                    settle(app)
                    target = args.out / filename
                    screen = window.screen()
                    pixmap = screen.grabWindow(window.winId())
                    if not pixmap.save(str(target)):
                        print(f"could not write {target}", file=sys.stderr)
                        return 1
                    print(f"wrote {target} ({pixmap.width()}x{pixmap.height()})")
                settle(app)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: PySide6 can crash destroying windows that scenes left open,
    # after every PNG has been written. Nothing is left to clean up in this process.
    os._exit(code)
