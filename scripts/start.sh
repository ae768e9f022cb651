#!/usr/bin/env bash
# Installs what is missing, builds Ripple and starts it on the demo workshop.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "Ripple is a desktop app and needs a display, but neither DISPLAY nor WAYLAND_DISPLAY is set." >&2
  echo "Run this from a desktop session (or for a headless check: xvfb-run -a bash scripts/start.sh)." >&2
  exit 1
fi
bash scripts/setup.sh
echo "==> Building the app (the first build takes a few minutes)"
cargo build --release -p ripple-desktop --features custom-protocol
exec target/release/ripple-desktop "$@"
