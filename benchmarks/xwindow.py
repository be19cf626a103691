"""An empty native window of the patient window's size for `cvlc --drawable-xid`, so VLC
alone scales the picture to the same size as the app does (on a bare X server VLC's own
window stays at the video's native size). Prints "xid <id>" and idles."""

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget


def main() -> int:
    width, height = (int(v) for v in (sys.argv[1:3] if len(sys.argv) > 2 else (1280, 800)))
    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.setObjectName("BenchVideoWindow")
    window.setAttribute(Qt.WidgetAttribute.WA_NativeWindow, True)
    window.setStyleSheet("background: black")
    window.resize(width, height)
    window.show()
    QTimer.singleShot(200, lambda: print(f"xid {int(window.winId())}", flush=True))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
