"""A session's rules: its Protocol from the snapshot stored when it started.

Monitoring (alerts, schedule), the summary and the trend charts all ask here, so they
cannot disagree about a session's thresholds (issue 14). The one fallback: a snapshot
that holds no rules (an old session, or one stored without any) or cannot be read
gives the named preset with its declared defaults, never today's clinic settings, so
a session's rules cannot drift. A name that is no preset gives the declared defaults.
"""

from __future__ import annotations

from session_app.domain.protocols import Protocol, preset
from session_app.domain.session import TreatmentSession


def session_protocol(session: TreatmentSession) -> Protocol:
    """The protocol `session` runs under (see the module's fallback)."""
    snapshot = session.protocol or {}
    if snapshot.get("phases") is not None or snapshot.get("thresholds") is not None:
        try:
            return Protocol.from_dict(snapshot)
        except (KeyError, TypeError, ValueError):
            pass
    try:
        return preset(session.protocol_name)
    except KeyError:
        return Protocol(name=session.protocol_name)
