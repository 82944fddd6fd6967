#!/usr/bin/env bash
# Starts `haicap serve --demo` on a fresh database and runs the browser tests against it.
# Needs: chromium (apt-get install chromium) and `npm ci` in e2e/ (playwright-core only).
set -euo pipefail
cd "$(dirname "$0")"
bin=${HAICAP_BIN:-../target/release/haicap}
port=${PORT:-18080}
tmp=$(mktemp -d)
HAICAP_PUBLIC_RATE=${HAICAP_PUBLIC_RATE:-600} "$bin" serve --db "sqlite://$tmp/e2e.db" --demo --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
for t in officer_and_citizen.mjs assistant.mjs coordination.mjs dashboard.mjs; do
  HAICAP_URL="http://127.0.0.1:$port" node "$t" || { cat "$tmp/server.log"; exit 1; }
done
