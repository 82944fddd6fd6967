#!/usr/bin/env bash
# How long `haicap serve --demo` takes on a fresh database until it answers /healthz (accounts,
# a month of every commune of Đà Nẵng and Huế simulated, coordination). Prints every run and
# the median of RUNS (default 3).
#   scripts/bench-demo.sh
#   HAICAP_BIN=/path/to/haicap scripts/bench-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PORT=${PORT:-18099}
if [ -z "${HAICAP_BIN:-}" ]; then
  cargo build --release -q -p haicap
  HAICAP_BIN=$PWD/target/release/haicap
fi
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
times=()
for i in $(seq "$RUNS"); do
  rm -rf "$tmp"/*
  start=$(date +%s.%N)
  "$HAICAP_BIN" serve --db "sqlite://$tmp/demo.db" --demo --listen "127.0.0.1:$PORT" >"$tmp/log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do
    kill -0 $pid 2>/dev/null || { cat "$tmp/log"; exit 1; }
    sleep 0.1
  done
  t=$(echo "$(date +%s.%N) - $start" | bc)
  kill $pid; wait $pid 2>/dev/null || true; pid=
  echo "run $i: ready after ${t} s; $(grep -o 'Đã nạp dữ liệu mẫu.*' "$tmp/log")"
  times+=("$t")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median: %.1f s\n", a[int((NR+1)/2)]}'
