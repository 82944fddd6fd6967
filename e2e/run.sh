#!/usr/bin/env bash
# Starts `haicap serve --demo` on a fresh database and runs the browser tests against it.
# Needs: chromium (apt-get install chromium), softhsm2 and openssl, and `npm ci` in e2e/
# (playwright-core only).
set -euo pipefail
cd "$(dirname "$0")"
bin=${HAICAP_BIN:-../target/release/haicap}
port=${PORT:-18080}
tmp=$(mktemp -d)
# The demo data with the leader of Hải Châu enrolled with a key in a SoftHSM2 token (PIN 123456)
# and the test root trusted: the leader signs a result in the browser (docs/signing.md).
HAICAP_BIN=$bin ../scripts/signing-demo.sh "$tmp/ky-so" >"$tmp/signing.log" 2>&1 || { cat "$tmp/signing.log"; exit 1; }
export SOFTHSM2_CONF=$tmp/ky-so/softhsm2.conf HAICAP_SIGNING_MODULE=/usr/lib/softhsm/libsofthsm2.so HAICAP_TRUST_ROOTS=$tmp/ky-so/ca.pem
# Hải Châu's node, for the province's page of nodes (docs/nodes.md).
"$bin" node add --commune 20242 --db "sqlite://$tmp/ky-so/haicap.db" >/dev/null
HAICAP_PUBLIC_RATE=${HAICAP_PUBLIC_RATE:-600} "$bin" serve --db "sqlite://$tmp/ky-so/haicap.db" --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
for t in officer_and_citizen.mjs assistant.mjs coordination.mjs dashboard.mjs nodes.mjs; do
  HAICAP_URL="http://127.0.0.1:$port" node "$t" || { cat "$tmp/server.log"; exit 1; }
done
