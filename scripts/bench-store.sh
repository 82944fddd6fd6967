#!/usr/bin/env bash
# Throughput of the application layer (intake and workflow transitions) on SQLite with durable
# commits and, when a server answers, on PostgreSQL. Each run starts from a fresh database.
# Prints every run and the median of RUNS (default 5).
#   scripts/bench-store.sh                       # both databases
#   PG_URL=postgres://postgres@127.0.0.1:5432 scripts/bench-store.sh
#   HAICAP_BIN=/path/to/haicap scripts/bench-store.sh   # another build, for A/B runs
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
CLIENTS=${CLIENTS:-32}
INTAKES=${INTAKES:-20000}
TRANSITIONS=${TRANSITIONS:-40000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
if [ -z "${HAICAP_BIN:-}" ]; then
  cargo build --release -q -p haicap
  HAICAP_BIN=$PWD/target/release/haicap
fi
bin=$HAICAP_BIN
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run() { # db-kind bench count
  local kind=$1 bench=$2 count=$3 url
  for i in $(seq "$RUNS"); do
    if [ "$kind" = sqlite ]; then
      rm -f "$tmp"/h.db*
      url="sqlite://$tmp/h.db"
    else
      psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS haicap_bench WITH (FORCE)" -c "CREATE DATABASE haicap_bench" >/dev/null
      url="$PG_URL/haicap_bench"
    fi
    "$bin" bench --db "$url" "$bench" --count "$count" --clients "$CLIENTS" | tee -a "$tmp/$kind-$bench.jsonl" >&2
  done
  printf '%-8s %-12s median %s/s over %s runs (%s clients)\n' "$kind" "$bench" \
    "$(python3 -c 'import json,sys; print("\n".join(str(json.loads(l)["per_second"]) for l in open(sys.argv[1])))' "$tmp/$kind-$bench.jsonl" | median)" \
    "$RUNS" "$CLIENTS"
}

run sqlite intake "$INTAKES"
run sqlite transitions "$TRANSITIONS"
if psql "$PG_URL/postgres" -qc "SELECT 1" >/dev/null 2>&1; then
  run postgres intake "$INTAKES"
  run postgres transitions "$TRANSITIONS"
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS haicap_bench WITH (FORCE)" >/dev/null
else
  echo "PostgreSQL not reachable at $PG_URL: skipped" >&2
fi
