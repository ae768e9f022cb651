#!/usr/bin/env bash
# Installs what is missing and runs every test suite:
#   1. the library and the Tauri commands (cargo test: unit, integration, mock runtime)
#   2. the generated TypeScript bindings are up to date
#   3. the front end's unit tests (vitest)
#   4. end to end: the real app window under Xvfb, driven over WebDriver
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

echo "==> cargo test (library, CLI, store, Tauri commands)"
# One feature set for tests and the e2e binary, so tauri is compiled once.
cargo test --workspace --features ripple-desktop/custom-protocol

if git rev-parse --git-dir >/dev/null 2>&1; then
  echo "==> TypeScript bindings match the Rust types"
  if ! git diff --exit-code --stat -- ui/src/lib/bindings || [[ -n "$(git ls-files --others --exclude-standard ui/src/lib/bindings)" ]]; then
    echo "The generated bindings in ui/src/lib/bindings changed: commit them." >&2
    exit 1
  fi
fi

echo "==> Front-end unit tests"
(cd ui && npm test --silent)

echo "==> End to end: the real window under Xvfb"
bash e2e/run.sh
