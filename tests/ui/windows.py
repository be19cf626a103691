"""Shutting both windows down at the end of a test, as staff confirming "close" would."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent

from session_app.app import AppWindows


def shut_down(windows: AppWindows) -> None:
    """What staff confirming "close session_app" leads to, without the dialog: the panel
    and its timers are gone before the store closes."""
    windows.patient.player.stop()
    windows.staff.confirm_closing()
    windows.staff.stop()
    windows.staff.close()
    windows.staff.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    windows.patient.allow_close = True
    windows.store.close()
