#!/usr/bin/env bash
# Engine benchmark (figures, not a test): generates maps of 1,000 / 10,000 / 100,000
# units (~5 links per unit) with `ripple generate`, times ripple per incident and the
# full analysis, and times the same strongest-chain computation in NetworkX on the
# same files. NetworkX is installed into .venv-bench/ (gitignored) on first run.
#
#   bash bench/engine.sh            # all three sizes
#   SIZES="1000 10000" bash bench/engine.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SIZES="${SIZES:-1000 10000 100000}"
INCIDENTS="${INCIDENTS:-10}"
REPEAT="${REPEAT:-5}"
EPSILON="${EPSILON:-0.05}"
WORK="${BENCH_DIR:-$ROOT/target/bench}"
mkdir -p "$WORK"

cargo build --release -p ripple --bin ripple >&2
RIPPLE="${CARGO_TARGET_DIR:-$ROOT/target}/release/ripple"

if [ ! -x .venv-bench/bin/python ]; then
  python3 -m venv .venv-bench >&2
  .venv-bench/bin/pip install --quiet networkx >&2
fi
PY=.venv-bench/bin/python

printf '%-8s %-8s %10s %10s %12s %12s %9s %9s %8s %s\n' units links ripple_ms pass_ms analysis_ms networkx_ms ratio pass_ratio hits_ok hits
for n in $SIZES; do
  map="$WORK/generated-$n.json"
  [ -f "$map" ] || "$RIPPLE" generate --units "$n" --seed 1 --out "$map"
  r=$("$RIPPLE" bench-impact --map "$map" --count "$INCIDENTS" --repeat "$REPEAT" --epsilon "$EPSILON" --analyze)
  sources=$(echo "$r" | "$PY" -c 'import json,sys; print(",".join(json.load(sys.stdin)["incidents"]))')
  x=$("$PY" bench/networkx_chains.py "$map" "$sources" "$REPEAT" "$EPSILON")
  R="$r" X="$x" "$PY" - <<'PY'
import json, os
r, x = json.loads(os.environ["R"]), json.loads(os.environ["X"])
ok = r["hits"] == x["hits"]
print(f'{r["units"]:<8} {r["links"]:<8} {r["mean_incident_ms"]:10.3f} {r["mean_pass_ms"]:10.3f} {r["analysis_ms"]:12.1f} '
      f'{x["mean_incident_ms"]:12.3f} {x["mean_incident_ms"] / r["mean_incident_ms"]:8.1f}x '
      f'{x["mean_incident_ms"] / r["mean_pass_ms"]:8.1f}x {str(ok):>8} '
      f'{sum(r["hits"]) // len(r["hits"])} per incident')
PY
done
echo "ripple_ms and networkx_ms: mean over $INCIDENTS incidents of the median of $REPEAT runs (strongest chains with paths, ε=$EPSILON)."
echo "ripple_ms is the whole ImpactResult (ids, chains, waves, sorted); pass_ms the bare Dijkstra pass with predecessors."
echo "analysis_ms: criticality of every unit, cycles, dominators per segment, betweenness (sampled above 5,000 units)."
echo "hits_ok: both found the same number of units above ε for every incident."
