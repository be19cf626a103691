"""The room's device feeds, composed: each one a listener or a reader, its own store, the
inbox and the sustained-breach rule. Qt-free: app.py starts them and gives them `post`.

Why each feed has a store of its own (`SessionStore.for_thread`): its writes run on the
feed's thread (the HL7 handler's worker, the oximeter reader's thread), never on the UI
connection, and what they commit reaches the views through `post` on the UI thread. The
store is closed when the feed stops, after its thread has been joined.

After each commit, the HR and SpO2 values just stored go through the sustained-breach rule
(`domain.sustained`), one rule per device and session; a confirmed breach is one alert
"from monitor" (`MonitoringService.raise_sustained_breach`) through the same store. A
listener that cannot start (`ListenError`) is a feed whose state says so: the header
shows it, the log has it, and the app goes on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from session_app.devices.codes import continuous_values
from session_app.devices.inbox import Inbox
from session_app.devices.listen import ListenAddress, parse_listen_address
from session_app.devices.mllp import ListenError, MllpListener
from session_app.devices.oximeter import OximeterPort
from session_app.devices.samples import DeviceSample, FeedState, FeedStatus
from session_app.devices.serial_reader import RETRY_DELAYS_S, OximeterReader
from session_app.domain.clock import Clock
from session_app.domain.session import TreatmentSession
from session_app.domain.session_protocol import session_protocol
from session_app.domain.settings import resolve_settings
from session_app.domain.sustained import SustainedBreach, SustainedBreachRule, SustainedLimits
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreError
from session_app.store.devices import NewObservation, Poster

log = logging.getLogger("session_app.devices.feeds")

NUMERICS = ("heart_rate", "spo2")  # what the sustained rule watches


class SustainedWatch:
    """The sustained-breach rule for one feed: one rule per (session, device), its limits
    the clinic's monitor settings and the session's own HR thresholds; each breach one
    alert through the feed's store. Runs on the feed's thread only."""

    def __init__(self, store: SessionStore, clock: Clock) -> None:
        self._store = store
        self._service = MonitoringService(store, clock)
        self._rules: dict[tuple[int, str], SustainedBreachRule] = {}

    def feed(self, rows: Sequence[NewObservation]) -> list[SustainedBreach]:
        """Values just committed (the inbox's `committed`); the breaches they confirmed
        (each stored as an alert). Of a reading's heart rates the rule follows one, as the
        trace does (codes.continuous_values). Never raises: a failure is logged and
        the feed goes on."""
        wanted = [s for s in continuous_values(rows) if s.measure in NUMERICS]
        if not wanted:
            return []
        try:
            session = self._store.open_session()
            if session is None:
                return []
            raised: list[SustainedBreach] = []
            for sample in sorted(wanted, key=lambda s: s.observed_at):
                rule = self._rule(sample.device, session)
                for event in rule.feed(sample.measure, sample.value, sample.observed_at):
                    if isinstance(event, SustainedBreach):
                        self._service.raise_sustained_breach(session.id, event)
                        raised.append(event)
                    else:
                        log.info("monitor %s breach ended (%s)", event.measure, event.reason)
            return raised
        except (StoreError, KeyError, ValueError) as exc:
            log.warning("sustained-breach rule not applied: %s", type(exc).__name__)
            return []

    def _rule(self, device: str, session: TreatmentSession) -> SustainedBreachRule:
        key = (session.id, device)
        if key not in self._rules:
            settings = resolve_settings(self._store.load_settings())
            thresholds = session_protocol(session).thresholds
            self._rules[key] = SustainedBreachRule(
                SustainedLimits.from_settings(settings, thresholds)
            )
        return self._rules[key]


class _Hl7Handler:
    """The inbox's handler, then the sustained rule on what that message committed."""

    def __init__(self, inbox: Inbox, watch: SustainedWatch) -> None:
        self._inbox = inbox
        self._watch = watch

    def handle(self, message: str, peer: str) -> str:
        ack = self._inbox.handle(message, peer)
        if self._inbox.committed:  # a new message's values (a repeat commits nothing)
            try:
                self._watch.feed(list(self._inbox.committed))
            except Exception as exc:  # the values are committed: their AA must still go
                log.error("sustained-breach rule failed: %s", type(exc).__name__)
        return ack


class _Unavailable:
    """A feed that could not start: its state is the reason, for the header."""

    def __init__(self, source: str, problem: str) -> None:
        self._state = FeedState(source, connected=False, problem=problem)

    def feed_state(self) -> FeedState:
        return self._state

    def stop(self) -> None:
        pass


class Feed:
    """One running (or failed) feed: say how it stands, stop it."""

    def __init__(self, source: FeedStatus, store: SessionStore | None, stop: Any) -> None:
        self.source = source
        self.store = store
        self._stop = stop

    def feed_state(self) -> FeedState:
        return self.source.feed_state()

    def stop(self) -> None:
        """Stop the thread, then close its store. Never raises (the app is closing)."""
        try:
            self._stop()
        except Exception as exc:
            log.error("device feed did not stop cleanly: %s", type(exc).__name__)
        if self.store is not None:
            self.store.close()
            self.store = None


def _in_words(error: ListenError, address: ListenAddress) -> str:
    """The header's short line: "port 2575 is in use"; any other reason as it is said."""
    text = str(error)
    if text.endswith("the port is in use"):
        return f"port {address.port} is in use"
    return text


def start_hl7_feed(
    store: SessionStore,
    post: Poster,
    address: ListenAddress,
    *,
    allowed_senders: Sequence[str] = (),
    **listener_options: Any,
) -> Feed:
    """Listen for HL7 on `address` into the open session. A listener that cannot start is
    logged and returned as a feed whose state says why: the app keeps working."""
    sibling = store.for_thread(post)
    inbox = Inbox(sibling)
    handler = _Hl7Handler(inbox, SustainedWatch(sibling, store.clock))
    try:
        listener = MllpListener(
            handler,
            address.host,
            address.port,
            allowed_senders=allowed_senders,
            clock=store.clock,
            **listener_options,
        )
        listener.start()
    except (ListenError, ValueError) as exc:
        sibling.close()
        log.warning("monitor feed not started: %s", exc)
        problem = _in_words(exc, address) if isinstance(exc, ListenError) else str(exc)
        return Feed(_Unavailable(f"HL7 {address}", problem), None, lambda: None)
    return Feed(listener, sibling, listener.stop)


def start_oximeter_feed(
    store: SessionStore,
    post: Poster,
    port: OximeterPort,
    *,
    retry_delays: Sequence[float] = RETRY_DELAYS_S,
) -> Feed:
    """Read a serial oximeter into the open session (the reader retries an absent port)."""
    sibling = store.for_thread(post)
    inbox = Inbox(sibling)
    watch = SustainedWatch(sibling, store.clock)

    def take(samples: Sequence[DeviceSample]) -> None:
        if inbox.accept_samples(samples):
            watch.feed(inbox.committed)

    reader = OximeterReader(port, take, clock=store.clock, retry_delays=retry_delays)
    reader.start()
    return Feed(reader, sibling, reader.stop)


def listen_address(
    given: ListenAddress | None, settings: dict[str, Any]
) -> tuple[ListenAddress | None, str]:
    """Where to listen: `--hl7-listen` wins over the `monitor_listen` setting; (None, '')
    when neither is set, (None, why) when the stored setting cannot be read."""
    if given is not None:
        return given, ""
    text = str(settings.get("monitor_listen") or "").strip()
    if not text:
        return None, ""
    try:
        return parse_listen_address(text), ""
    except ValueError as exc:
        return None, f"the monitor_listen setting is not usable: {exc}"


def start_feeds(
    store: SessionStore,
    post: Poster,
    *,
    hl7_listen: ListenAddress | None = None,
    oximeter: OximeterPort | None = None,
) -> list[Feed]:
    """Every feed the arguments or the clinic settings ask for (none by default)."""
    settings = resolve_settings(store.load_settings())
    feeds: list[Feed] = []
    address, problem = listen_address(hl7_listen, settings)
    if problem:
        log.warning("monitor feed not started: %s", problem)
        feeds.append(Feed(_Unavailable("HL7", problem), None, lambda: None))
    if address is not None:
        senders = str(settings.get("monitor_allowed_senders") or "").replace(",", " ").split()
        feeds.append(start_hl7_feed(store, post, address, allowed_senders=senders))
    if oximeter is not None:
        feeds.append(start_oximeter_feed(store, post, oximeter))
    return feeds


def stop_feeds(feeds: Sequence[Feed]) -> None:
    for feed in feeds:
        feed.stop()


def feed_states(feeds: Sequence[Feed]) -> list[FeedState]:
    """How each feed stands now (cheap: no store read), for the header's timer."""
    return [feed.feed_state() for feed in feeds]


NOTICE_EVERY = timedelta(minutes=1)


class OncePerMinute:
    """A notice that may come every second (a monitor sending another patient's data at
    1 Hz): let it through at most once a minute, so staff are told, not flooded."""

    def __init__(self, every: timedelta = NOTICE_EVERY) -> None:
        self.every = every
        self.last: datetime | None = None

    def take(self, now: datetime) -> bool:
        """True when this one is to be shown (the first, or a minute after the last shown)."""
        if self.last is not None and now - self.last < self.every:
            return False
        self.last = now
        return True
