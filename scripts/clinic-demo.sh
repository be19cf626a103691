#!/usr/bin/env bash
# `make clinic-demo` (issue 16): clinic mode on one machine in a minute.
#
# A throwaway PostgreSQL cluster in a temp folder (initdb + pg_ctl on 127.0.0.1 and a free
# port; as the `postgres` user through setpriv when run as root, as tests/clinic/conftest.py
# does), `clinic init`, two rooms (`clinic add-room`, each with its own data folder, joined
# with `clinic join`), a feeder per room that runs a demo session through the real
# MonitoringService, the two rooms' apps and the station, all on this display.
# Ctrl+C stops everything this script started, then the cluster, and removes the folder.
#
#   scripts/clinic-demo.sh                 the whole demo
#   scripts/clinic-demo.sh --cluster-only  only the cluster, `clinic init` and two rooms (to
#                                          try the clinic commands against), until Ctrl+C
#
# CLINIC_DEMO_NEEDS lists the sub-commands checked before anything starts ('|' between).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
[[ -x $PY ]] || PY=python3
APP=("$PY" -m session_app)
DEMO_PIN=2468
NEEDS=${CLINIC_DEMO_NEEDS:-"clinic join|station"}

say() { echo "clinic-demo: $*"; }
die() { echo "clinic-demo: $*" >&2; exit 2; }

mode=full
case ${1:-} in
    "") ;;
    --cluster-only) mode=cluster-only ;;
    *) die "unknown option '${1}' (use --cluster-only, or nothing)" ;;
esac

if [[ $mode == full ]]; then
    IFS='|' read -ra needs <<<"$NEEDS"
    for sub in "${needs[@]}"; do
        # shellcheck disable=SC2086  # a sub-command is words: "clinic join"
        "${APP[@]}" $sub --help >/dev/null 2>&1 ||
            die "'session-app $sub' is not in this checkout yet (it comes with its own branch); nothing was started"
    done
fi

bindir=""
if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    bindir=$(pg_config --bindir)
else
    for found in /usr/lib/postgresql/*/bin; do [[ -x $found/initdb ]] && bindir=$found; done
fi
[[ -n $bindir ]] || die "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/system-deps.sh"

root=$(mktemp -d "${TMPDIR:-/tmp}/clinic-demo-XXXXXX" 2>/dev/null) ||
    die "cannot create a temp folder in ${TMPDIR:-/tmp}: set TMPDIR to a folder you can write"
run_as=()
if [[ $(id -u) == 0 ]]; then
    chown postgres:postgres "$root"
    run_as=(setpriv "--reuid=$(id -u postgres)" "--regid=$(id -g postgres)" --clear-groups)
    if ! "${run_as[@]}" test -w "$root"; then
        rmdir "$root"
        die "the postgres user cannot enter $root: set TMPDIR to a folder it can reach"
    fi
fi
data=$root/pg/data sock=$root/pg/sock log=$root/pg/server.log
started=()   # pids of what this script started, stopped one by one at the end
cluster_up=0

cleanup() {
    trap - EXIT INT TERM
    # `jobs -p` as well: a Ctrl+C between a `&` and its `started+=` runs this trap with that
    # child not yet listed, and the orphan would hold the caller's terminal or pipe open.
    local pids=("${started[@]}")
    mapfile -t -O "${#pids[@]}" pids < <(jobs -p)
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if ((cluster_up)); then
        "${run_as[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$root"
    say "cluster stopped, $root removed"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${run_as[@]}" mkdir -p -m 0700 "$root/pg" "$sock"
"${run_as[@]}" "$bindir/initdb" -D "$data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C >/dev/null ||
    die "initdb failed"
"${run_as[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w \
    -o "-h 127.0.0.1 -p $port -k $sock" start >/dev/null || die "the cluster did not start: see $log"
cluster_up=1
"${run_as[@]}" "$bindir/createdb" -h "$sock" -p "$port" -U postgres clinic
admin="host=$sock port=$port dbname=clinic user=postgres"
say "PostgreSQL on 127.0.0.1:$port, in $root"

"${APP[@]}" clinic init --server "$admin"
rooms=("Room 1" "Room 2")
for i in 1 2; do
    "${APP[@]}" clinic add-room "${rooms[i - 1]}" --server "$admin" --passfile "$root/room$i.pgpass"
done
on_server=$("${run_as[@]}" psql -h "$sock" -p "$port" -U postgres -d clinic -Atc \
    "SELECT string_agg(name, ', ' ORDER BY name) FROM rooms")
say "rooms on the server: $on_server"
if [[ $mode == cluster-only ]]; then
    say "clinic IT's connection: $admin (rooms' passfiles: $root/room1.pgpass, room2.pgpass)"
    say "Ctrl+C stops the cluster."
    sleep infinity &
    started+=("$!")
    wait "${started[@]}" || true
    exit 0
fi

role_of() { cut -d: -f4 "$1"; }   # the passfile's role (add-room wrote it)
tcp="host=127.0.0.1 port=$port dbname=clinic"

# The station logs in as a member of the read-only station role; its password goes in a
# 0600 passfile and reaches psql on stdin, never on a command line.
station_pass=$root/station.pgpass
station_password=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
(umask 077 && echo "*:*:clinic:clinic_station_demo:$station_password" >"$station_pass")
"${run_as[@]}" psql -q -h "$sock" -p "$port" -U postgres -d clinic -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE clinic_station_demo LOGIN PASSWORD '$station_password' IN ROLE clinic_station;
SQL

for i in 1 2; do
    dir=$root/room$i pass=$root/room$i.pgpass
    echo "$DEMO_PIN" | "${APP[@]}" set-pin --data-dir "$dir" >/dev/null
    "${APP[@]}" clinic join --room "${rooms[i - 1]}" --server "$tcp user=$(role_of "$pass")" \
        --passfile "$pass" --data-dir "$dir"
    # The session and its baseline first, so each app opens on a running session.
    "$PY" scripts/clinic_demo_feed.py --data-dir "$dir" --patient "DEMO-$i" --checks 1 --interval 0
    "$PY" scripts/clinic_demo_feed.py --data-dir "$dir" --patient "DEMO-$i" --interval 4 &
    started+=("$!")
    "${APP[@]}" --data-dir "$dir" &
    started+=("$!")
done
# The station's own PIN (its store under its --data-dir), so it opens at the lock screen.
mkdir -p "$root/station"
echo "$DEMO_PIN" | "$PY" -c '
import sys
from pathlib import Path
from session_app.domain.pin import hash_pin
from session_app.station_app import STATION_STORE
from session_app.store import SessionStore
store = SessionStore.open(Path(sys.argv[1]) / STATION_STORE)
store.set_pin(hash_pin(sys.stdin.readline().strip()))
store.close()' "$root/station"
# Last, once the rooms' full-screen patient windows are up, so the board is the window on top.
sleep "${CLINIC_DEMO_STATION_DELAY:-8}"
"${APP[@]}" station --server "$tcp user=clinic_station_demo passfile=$station_pass" \
    --data-dir "$root/station" &
started+=("$!")

say "two rooms and the station are running; the staff PIN (rooms and station) is $DEMO_PIN. Ctrl+Alt+S on a room shows its staff panel. Ctrl+C stops all."
wait "${started[@]}" || true
