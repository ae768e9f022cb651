#!/usr/bin/env bash
# App figures (not a test): release binary size, time from launch to the demo map shown,
# and idle memory (PSS) of the app with its WebKit processes, under Xvfb.
#   bash bench/app.sh            (RUNS=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/setup.sh --test >/dev/null
cargo build --release --quiet -p ripple-desktop --features custom-protocol
app=$root/target/release/ripple-desktop
driver=$root/target/tools/bin/tauri-driver
[[ -x $driver ]] || cargo install tauri-driver --locked --quiet --root "$root/target/tools"

printf 'release binary: %.1f MB (%s bytes)\n' "$(echo "$(stat -c %s "$app") / 1048576" | bc -l)" "$(stat -c %s "$app")"

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_DATA_HOME=$home/data XDG_CACHE_HOME=$home/cache XDG_CONFIG_HOME=$home/config XDG_RUNTIME_DIR=$home/run
mkdir -p "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export RIPPLE_APP=$app RUNS=${RUNS:-5}

xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
  "$0" --port 4444 >/dev/null 2>&1 &
  trap "kill $! 2>/dev/null" EXIT
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done
  NODE_PATH=e2e/node_modules node bench/app-launch.mjs
' "$driver"
