"""The native surface libvlc draws video into, inside the patient window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget


class VideoSurface(QWidget):
    """A plain native child window; libvlc paints it, Qt only forwards input.

    Only this widget gets a window of its own: by default Qt would also make its parents
    and their siblings (the other pages, the header, the control bar) native windows,
    which costs start-up and paint time and gains nothing here.
    """

    activity = Signal()
    double_clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("VideoSurface")
        self.setAccessibleName("Video")
        QApplication.setAttribute(Qt.ApplicationAttribute.AA_DontCreateNativeWidgetSiblings)
        self.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.activity.emit()
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.activity.emit()
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.double_clicked.emit()
        super().mouseDoubleClickEvent(event)
