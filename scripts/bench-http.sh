#!/usr/bin/env bash
# Dossier intakes over HTTP: wrk POSTs /api/v1/dossiers against `haicap serve` (release) on a
# fresh database, RUNS times (default 3) for DURATION (default 20s) with CONNECTIONS (default
# 32). SQLite by default; DB=postgres uses a fresh database on PG_URL. wrk and the server share
# the machine's cores.
#   SERVERS=2 (PostgreSQL only): two servers on the one database, each driven by its own wrk
#     with half the connections, as behind a load balancer; the figures are summed (rate) and
#     the worse of the two (latencies).
#   DESKS=N: the intakes spread over the one-stop desks of N communes of Đà Nẵng (an officer
#     account each, the requests taking their tokens in turn), as a province's load is spread
#     over its communes; default 1 (every intake at one desk: the busiest case for the day's
#     counters and statistics rows).
#   KEYS=1: each intake under an Idempotency-Key (as the intake page and careful clients send).
#   HAICAP_BIN: the binary to measure (default: this checkout's release build), for A/B runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
DB=${DB:-sqlite}
SERVERS=${SERVERS:-1}
DESKS=${DESKS:-1}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-18090}
if [ -z "${HAICAP_BIN:-}" ]; then
  cargo build --release -q -p haicap
  HAICAP_BIN=$PWD/target/release/haicap
fi
bin=$HAICAP_BIN
if [ "$SERVERS" -gt 1 ] && [ "$DB" != postgres ]; then
  echo "SERVERS=$SERVERS needs DB=postgres (servers share a PostgreSQL database)" >&2
  exit 2
fi
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for i in $(seq "$RUNS"); do
  if [ "$DB" = postgres ]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS haicap_http WITH (FORCE)" -c "CREATE DATABASE haicap_http" >/dev/null
    url="$PG_URL/haicap_http"
  else
    rm -f "$tmp"/h.db*
    url="sqlite://$tmp/h.db"
  fi
  # code:name of each desk (the applicant lives in the desk's commune).
  desks=$("$bin" units list --province 48 --json | python3 -c "
import json, sys
cs = json.load(sys.stdin)
cs = [c for c in cs if c['code'] == '20242'] + [c for c in cs if c['code'] != '20242']
print(' '.join(c['code'] + ':' + c['name'].replace(' ', '_') for c in cs[:$DESKS]))")
  for d in $desks; do
    echo -n 'mat-khau-dai' | "$bin" user add "bench${d%%:*}" --role officer --unit "${d%%:*}" --password-stdin --db "$url" >/dev/null 2>&1
  done
  pids=()
  for s in $(seq "$SERVERS"); do
    port=$((PORT + s - 1))
    "$bin" serve --db "$url" --data-dir "$tmp/data$s" --listen "127.0.0.1:$port" >"$tmp/server$s.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  done
  wrks=()
  for s in $(seq "$SERVERS"); do
    port=$((PORT + s - 1))
    token=$(for d in $desks; do curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"username\":\"bench${d%%:*}\",\"password\":\"mat-khau-dai\"}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"] + "|" + sys.argv[1].replace("_", " "))' "${d#*:}"; done | paste -sd,)
    HAICAP_KEYS=${KEYS:+wrk$s} HAICAP_TOKEN=$token wrk -t2 -c"$((CONNECTIONS / SERVERS))" -d"$DURATION" -s scripts/intake.lua "http://127.0.0.1:$port" \
      | tail -1 >"$tmp/wrk$s.json" &
    wrks+=($!)
  done
  wait "${wrks[@]}"
  cat "$tmp"/wrk*.json | python3 -c '
import json, sys
r = [json.loads(l) for l in sys.stdin]
print(json.dumps({"per_second": sum(x["per_second"] for x in r), "p50_ms": max(x["p50_ms"] for x in r),
                  "p99_ms": max(x["p99_ms"] for x in r), "non_2xx_or_errors": sum(x["non_2xx_or_errors"] for x in r)}))' \
    | tee -a "$tmp/runs.jsonl"
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
done
python3 - "$tmp/runs.jsonl" "$DB" "$CONNECTIONS" "$SERVERS" "$DESKS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in runs)
print(f"{sys.argv[2]}, {sys.argv[4]} server(s), {sys.argv[5]} desk(s): median of {len(runs)} runs, {sys.argv[3]} connections: "
      f"{med('per_second'):.0f} intakes/s (runs: {' '.join(str(round(r['per_second'])) for r in runs)}), "
      f"p50 {med('p50_ms'):.1f} ms, p99 {med('p99_ms'):.1f} ms, errors {sum(r['non_2xx_or_errors'] for r in runs)}")
PY
