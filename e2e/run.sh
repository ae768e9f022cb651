#!/usr/bin/env bash
# Runs the end-to-end tests against the built app (target/debug/ripple-desktop, built with
# the custom-protocol feature by scripts/test.sh) in a virtual display. With arguments,
# only those test files (relative to e2e/): bash e2e/run.sh tests/cycle.test.js
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export RIPPLE_APP="${RIPPLE_APP:-$root/target/debug/ripple-desktop}"
export RIPPLE_CLI="${RIPPLE_CLI:-$root/target/debug/ripple}"
[[ -x $RIPPLE_APP ]] || { echo "No app binary at $RIPPLE_APP: run scripts/test.sh (or cargo build -p ripple-desktop --features custom-protocol)." >&2; exit 1; }

# tauri-driver, kept inside the repo's target/ so nothing outside the clone is needed.
driver="$root/target/tools/bin/tauri-driver"
if [[ ! -x $driver ]]; then
  echo "==> Installing tauri-driver into target/tools"
  cargo install tauri-driver --locked --quiet --root "$root/target/tools"
fi

# The app and WebKit write under $HOME: give each run a home of its own.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_DATA_HOME=$home/data XDG_CACHE_HOME=$home/cache XDG_CONFIG_HOME=$home/config XDG_RUNTIME_DIR=$home/run
mkdir -p "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export RIPPLE_E2E_DATA="$XDG_DATA_HOME"
export RIPPLE_SCREENSHOTS="$root/target/e2e"
# The app's own defaults (src-tauri/src/main.rs) turn WebKit's compositing and DMA-BUF
# renderer off; WebKitWebDriver's screenshots hang that way, so the WebDriver tests run
# with both on, and tests/default-config.test.js checks the defaults render under Xvfb.
export WEBKIT_DISABLE_COMPOSITING_MODE=0 WEBKIT_DISABLE_DMABUF_RENDERER=0
mkdir -p "$RIPPLE_SCREENSHOTS"

# A session bus of its own: the single-instance handover talks D-Bus, as on a desktop.
dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
  "$0" --port 4444 >"$RIPPLE_SCREENSHOTS/tauri-driver.log" 2>&1 &
  driver_pid=$!
  trap "kill $driver_pid 2>/dev/null" EXIT
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done
  cd e2e
  shift
  if [[ $# -gt 0 ]]; then node --test --test-concurrency=1 "$@"; else npm test --silent; fi
' "$driver" "$driver" "$@"
