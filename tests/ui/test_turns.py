"""The staff side's deferred jobs run one per turn of the event loop (ui.turns): a 10×
monitor feed's 28 ms stalls held the trace's store read, its data step and the
countdown's tick in one turn."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from session_app.ui.turns import TurnQueue, shared_turn_queue


def test_two_jobs_asked_together_run_at_turns_of_their_own(qtbot) -> None:
    """What was posted while the first job ran (a key press, a timer's call) runs before
    the second: called straight after each other, it would come last."""
    queue, owner = TurnQueue(), QObject()
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        QTimer.singleShot(0, lambda: ran.append("posted meanwhile"))

    queue.run_soon(owner, first)
    queue.run_soon(owner, lambda: ran.append("second"))
    assert ran == []  # nothing in the asker's own turn
    qtbot.waitUntil(lambda: len(ran) == 3)
    assert ran == ["first", "posted meanwhile", "second"]


def test_a_job_already_waiting_is_not_queued_twice(qtbot) -> None:
    queue, owner = TurnQueue(), QObject()
    ran: list[int] = []

    def job() -> None:
        ran.append(1)

    queue.run_soon(owner, job)
    queue.run_soon(owner, job)
    qtbot.waitUntil(lambda: not queue.waiting(owner))
    qtbot.wait(20)
    assert ran == [1]
    queue.run_soon(owner, job)  # once it ran, it may be asked again
    qtbot.waitUntil(lambda: ran == [1, 1])


def test_a_cancelled_or_deleted_owner_s_jobs_do_not_run(qtbot) -> None:
    queue, stopped, going, staying = TurnQueue(), QObject(), QObject(), QObject()
    ran: list[str] = []
    queue.run_soon(stopped, lambda: ran.append("stopped"))
    queue.run_soon(going, lambda: ran.append("going"))
    queue.run_soon(staying, lambda: ran.append("staying"))
    queue.cancel(stopped)
    assert not queue.waiting(stopped) and queue.waiting(going)
    going.deleteLater()
    qtbot.waitUntil(lambda: ran == ["staying"])
    qtbot.wait(20)
    assert ran == ["staying"]


def test_the_application_has_one_shared_queue(qapp) -> None:
    assert shared_turn_queue() is shared_turn_queue()
    assert shared_turn_queue().parent() is qapp
