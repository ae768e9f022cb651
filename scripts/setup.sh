#!/usr/bin/env bash
# Installs what is missing for Ripple on Debian 12 / Ubuntu 22.04+ (idempotent):
# the system libraries Tauri's WebKitGTK window needs, the UI's npm packages, the UI build.
#   scripts/setup.sh          what the app needs
#   scripts/setup.sh --test   also what the test suites need (Xvfb, WebKitWebDriver, Chromium, poppler-utils for the PDF test)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
          build-essential pkg-config libssl-dev file)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(xvfb xauth x11-apps netpbm dbus webkit2gtk-driver chromium poppler-utils)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> Installing system packages: ${missing[*]}"
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "Ripple needs $tool on PATH (Rust ≥ 1.90 via rustup, Node ≥ 20)." >&2; exit 1; }
done

# npm ci only when the lock file changed since the last install.
stamp=ui/node_modules/.ripple-lock-stamp
if [[ ! -f $stamp ]] || ! cmp -s ui/package-lock.json "$stamp"; then
  echo "==> Installing the UI's npm packages"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  cp ui/package-lock.json "$stamp"
fi
if [[ -f e2e/package-lock.json ]]; then
  stamp=e2e/node_modules/.ripple-lock-stamp
  if [[ "${1:-}" == "--test" ]] && { [[ ! -f $stamp ]] || ! cmp -s e2e/package-lock.json "$stamp"; }; then
    echo "==> Installing the end-to-end tests' npm packages"
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
    cp e2e/package-lock.json "$stamp"
  fi
fi

echo "==> Building the UI"
(cd ui && npm run --silent build)
