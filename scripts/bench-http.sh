#!/usr/bin/env bash
# Dossier intakes over HTTP: wrk POSTs /api/v1/dossiers against `haicap serve` (release) on a
# fresh database, RUNS times (default 3) for DURATION (default 20s) with CONNECTIONS (default
# 32). SQLite by default; DB=postgres uses a fresh database on PG_URL. wrk and the server share
# the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
DB=${DB:-sqlite}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-18090}
cargo build --release -q -p haicap
bin=$PWD/target/release/haicap
tmp=$(mktemp -d)
trap 'kill ${srv:-0} 2>/dev/null || true; rm -rf "$tmp"' EXIT
for i in $(seq "$RUNS"); do
  if [ "$DB" = postgres ]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS haicap_http WITH (FORCE)" -c "CREATE DATABASE haicap_http" >/dev/null
    url="$PG_URL/haicap_http"
  else
    rm -f "$tmp"/h.db*
    url="sqlite://$tmp/h.db"
  fi
  echo -n 'mat-khau-dai' | "$bin" user add bench --role officer --unit 20242 --password-stdin --db "$url" >/dev/null 2>&1
  "$bin" serve --db "$url" --listen "127.0.0.1:$PORT" >"$tmp/server.log" 2>&1 &
  srv=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  token=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"bench","password":"mat-khau-dai"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  HAICAP_TOKEN=$token wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/intake.lua "http://127.0.0.1:$PORT" | tail -1 | tee -a "$tmp/runs.jsonl"
  kill $srv; wait $srv 2>/dev/null || true
done
python3 - "$tmp/runs.jsonl" "$DB" "$CONNECTIONS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in runs)
print(f"{sys.argv[2]}: median of {len(runs)} runs, {sys.argv[3]} connections: {med('per_second'):.0f} intakes/s, "
      f"p50 {med('p50_ms'):.1f} ms, p99 {med('p99_ms'):.1f} ms, errors {sum(r['non_2xx_or_errors'] for r in runs)}")
PY
