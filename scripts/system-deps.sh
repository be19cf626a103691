#!/usr/bin/env bash
# Install the Debian packages session_app needs, only when one is missing.
# As root (or with sudo) it installs them; otherwise it prints the exact command and fails.
# Usage: scripts/system-deps.sh            (what `make run` and `make test` need)
#        scripts/system-deps.sh --extra    (also tools for screenshots, media and PDF checks)
#        scripts/system-deps.sh --bench    (also cvlc, for `make bench`)
set -euo pipefail

PACKAGES=(
  libvlc5 vlc-plugin-base vlc-plugin-video-output
  xvfb xauth
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libegl1 libgl1 libdbus-1-3
  libfontconfig1 fonts-dejavu-core fonts-noto-color-emoji
  poppler-utils
  postgresql  # clinic mode: the clinic server, and the throwaway cluster of tests/clinic
)
if [ "${1:-}" = "--extra" ]; then
  PACKAGES+=(sox ffmpeg x11-apps imagemagick)
fi
# `make bench`: cvlc (VLC alone, the idle-CPU reference); setpriv runs it as `nobody` under root.
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(vlc-bin util-linux)
fi
# For tests of this script: pretend one more package is needed.
if [ -n "${SYSTEM_DEPS_EXTRA:-}" ]; then
  PACKAGES+=("$SYSTEM_DEPS_EXTRA")
fi
# A Debian python3 without venv/ensurepip cannot create .venv.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  PACKAGES+=(python3-venv)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

install_cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo)
else
  echo "session_app needs these Debian packages: ${missing[*]}" >&2
  echo "Run this, then try again:" >&2
  echo "  sudo sh -c '$install_cmd'" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
