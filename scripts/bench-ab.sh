#!/usr/bin/env bash
# A/B of two checkouts in one session on this machine: the quick throughput bench (BENCH_QUICK=1)
# of each, with this checkout's harness, in the order A B, then B A, ... so that a drift in what
# else the machine runs favours neither side. Prints every run's table, then srv us/req (server CPU
# per request, the steadiest figure) and req/s per row and side.
#
#   scripts/bench-ab.sh /path/to/checkout-a /path/to/checkout-b
#
# Each checkout needs its node_modules (npm ci); a git worktree per commit will do
# (git worktree add --detach /tmp/a <commit>). BENCH_AB_ROUNDS (default 2); any BENCH_* is passed to every run.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 CHECKOUT_A CHECKOUT_B" >&2; exit 2; }
a=$(realpath "$1")
b=$(realpath "$2")
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export BENCH_QUICK=${BENCH_QUICK:-1}

logs=()
for ((round = 1; round <= ${BENCH_AB_ROUNDS:-2}; round++)); do
  if ((round % 2)); then order='A B'; else order='B A'; fi
  for side in $order; do
    if [ "$side" = A ]; then dir=$a; else dir=$b; fi
    log="$out/$round-$side"
    echo "=== round $round, $side: $dir"
    BENCH_ROOT=$dir node --import tsx bench/run.ts | tee "$log"
    logs+=("$log")
  done
done

table() { awk '/^Results \(/ { on = 1 } /^CPU columns:/ { on = 0 } on' "$1"; }

echo
echo "A = $a"
echo "B = $b"
for log in "${logs[@]}"; do
  echo "=== round ${log##*/}: $(grep -m1 '^· code:' "$log" | sed 's/^· //')"
  table "$log"
done

echo
echo "=== per row and side, in run order: srv us/req (lower is better) | req/s"
for log in "${logs[@]}"; do
  side=${log##*-}
  table "$log" | awk -v side="$side" '/^(bare|start|check) / { print $1, $2, side, $NF, $3 }'
done | awk '
  !($1 " " $2 in seen) { seen[$1 " " $2] = 1; rows[n++] = $1 " " $2 }
  { us[$1 " " $2, $3] = us[$1 " " $2, $3] " " $4; rps[$1 " " $2, $3] = rps[$1 " " $2, $3] " " $5 }
  END {
    for (i = 0; i < n; i++) for (s = 0; s < 2; s++) {
      side = s ? "B" : "A"; split(rows[i], r, " ")
      printf "%-6s %-10s %s  us/req%s  | req/s%s\n", r[1], r[2], side, us[rows[i], side], rps[rows[i], side]
    }
  }'
