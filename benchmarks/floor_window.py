"""The start-up floor: a bare script that imports PySide6 and python-vlc, creates a
libvlc instance and shows one empty window. Run by path (not as part of the package),
it prints "probe FloorWindow <monotonic s>" once the window has painted, then quits.

It uses the app's libvlc options (session_app.media.backend.DEFAULT_ARGS, copied here
so the floor imports nothing of the app) plus SESSION_APP_VLC_ARGS, like the app.
"""

import os
import sys
import time

import vlc
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

DEFAULT_ARGS = ["--quiet", "--no-video-title-show", "--no-xlib"]


class FirstPaint(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            QTimer.singleShot(0, self.report)
        return False

    def report(self) -> None:
        print(f"probe FloorWindow {time.monotonic():.6f}", flush=True)
        self.app.exit(0)


def main() -> int:
    app = QApplication(sys.argv)
    instance = vlc.Instance(DEFAULT_ARGS + os.environ.get("SESSION_APP_VLC_ARGS", "").split())
    assert instance is not None, "libvlc did not start"
    probe = FirstPaint(app)
    window = QWidget()
    window.setObjectName("FloorWindow")
    window.installEventFilter(probe)  # the window only, as the app's probe does
    window.resize(1280, 800)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
