#!/usr/bin/env bash
# make monitor-demo: the app with its HL7 listener on 127.0.0.1 and the monitor simulator
# feeding it, so a newcomer sees proposed checks arrive within a minute.
#
# Everything goes into a new temporary data folder (a staff PIN and an open session for
# patient DEMO-001), removed when the app closes: the clinic's own data is never touched.
# The simulator runs the 2-hour session at 10x (NIBP every 30 s of real time, every 18 s
# during the dose window) and retries until the listener is up.
#
# Usage: scripts/monitor-demo.sh
#   MONITOR_DEMO_PORT=2575  MONITOR_DEMO_PROFILE=ge|mindray|philips  MONITOR_DEMO_SPEED=10
set -euo pipefail

cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${MONITOR_DEMO_PORT:-2575}
PROFILE=${MONITOR_DEMO_PROFILE:-ge}
SPEED=${MONITOR_DEMO_SPEED:-10}
PATIENT=DEMO-001
PIN=2468

# Refuse before starting or creating anything.
help=$("$PY" -m session_app --help 2>&1) || true
if [[ $help != *--hl7-listen* ]]; then
  echo "monitor-demo: this session-app has no --hl7-listen option (the HL7 listener is not in this checkout); nothing was started" >&2
  exit 2
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "monitor-demo: 127.0.0.1:$PORT is in use (set MONITOR_DEMO_PORT to another port); nothing was started" >&2
  exit 2
fi

DATA=$(mktemp -d -t session_app-monitor-demo.XXXXXX)
APP=""
cleanup() {  # under set -e: no command here may fail, or the folder would stay
  # Every background job, not only those named yet: a stop between a `&` and its `$!` would
  # otherwise leave that child running (as clinic-demo.sh learnt).
  local pid
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "$PIN" | "$PY" -m session_app --data-dir "$DATA" set-pin >/dev/null
"$PY" - "$DATA" "$PATIENT" <<'PYTHON'
"""Open the demo's session, as a nurse would before the monitor starts sending."""
import sys
from pathlib import Path

from session_app.domain.clock import SystemClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

store = SessionStore.open(Path(sys.argv[1]))
try:
    MonitoringService(store, SystemClock()).start_session(
        NewSession(sys.argv[2], IV_KETAMINE, "RN", 70.0)
    )
finally:
    store.close()
PYTHON

echo "monitor-demo: staff PIN $PIN, patient $PATIENT, a $PROFILE monitor at ${SPEED}x on 127.0.0.1:$PORT."
echo "monitor-demo: Ctrl+Alt+S shows the staff panel (one screen: the patient window is full-screen);"
echo "monitor-demo: unlock it; the first proposed check arrives within a minute. Close the app to stop."
"$PY" -m session_app --data-dir "$DATA" --single-screen --hl7-listen "127.0.0.1:$PORT" &
APP=$!
"$PY" -m session_app monitor-sim --to "127.0.0.1:$PORT" --patient "$PATIENT" \
  --profile "$PROFILE" --speed "$SPEED" &
wait "$APP" || true
