"""A child process for the kill test: the room's HL7 feed as the app composes it
(devices.feeds.start_hl7_feed: the real listener, its own store, the inbox) on a data
folder; it prints its port and runs until its stdin closes.

With SESSION_APP_TEST_KILL_AFTER_COMMIT set, it SIGKILLs itself when the first message
has been committed: the store announces the commit to its listeners before the handler
returns, so the ACK is never sent. The variable is read here only, never by the app.

    python -m tests.devices.feed_driver DATA_DIR
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from session_app.devices.feeds import start_hl7_feed
from session_app.devices.listen import ListenAddress
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind

KILL_ENV = "SESSION_APP_TEST_KILL_AFTER_COMMIT"


def _kill_after_commit(change: Change) -> None:
    if change.kind is ChangeKind.DEVICE_DATA:
        os.kill(os.getpid(), signal.SIGKILL)


def main(data_dir: str) -> int:
    store = SessionStore.open(Path(data_dir))
    if os.environ.get(KILL_ENV):
        store.subscribe(_kill_after_commit)
    # No UI thread here: a posted announcement runs at once, on the handler's thread.
    feed = start_hl7_feed(store, lambda call: call(), ListenAddress("127.0.0.1", 0))
    print(feed.feed_state().source.rsplit(":", 1)[1], flush=True)
    sys.stdin.read()
    feed.stop()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
