#!/usr/bin/env bash
# The server's memory while citizens upload documents: CLIENTS (default 8) online submissions
# at once, each with two 9 MB PDFs, against `haicap serve` (release) on a fresh SQLite
# database; prints the server's peak resident memory (VmHWM) before and after, and how many
# submissions were accepted. HAICAP_BIN: the binary to measure (default: this checkout's
# release build), for A/B runs.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-8}
PORT=${PORT:-18097}
if [ -z "${HAICAP_BIN:-}" ]; then
  cargo build --release -q -p haicap
  HAICAP_BIN=$PWD/target/release/haicap
fi
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
HAICAP_PUBLIC_RATE=0 "$HAICAP_BIN" serve --db "sqlite://$tmp/h.db" --listen "127.0.0.1:$PORT" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
for f in a b; do
  { printf '%%PDF-1.7\n'; head -c $((9 * 1024 * 1024)) /dev/urandom; } >"$tmp/$f.pdf"
done
before=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
for i in $(seq "$CLIENTS"); do
  curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT/nop-truc-tuyen/1.004873" \
    -F "full_name=Người nộp $i" -F "phone=0905$(printf %06d "$i")" -F commune_code=20242 -F province=48 \
    -F consent=yes -F "files=@$tmp/a.pdf;type=application/pdf" -F "files=@$tmp/b.pdf;type=application/pdf" \
    >>"$tmp/codes" &
done
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
after=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
ok=$(grep -c '^200$' "$tmp/codes" || true)
echo "{\"clients\": $CLIENTS, \"accepted\": $ok, \"peak_rss_mib_before\": $((before / 1024)), \"peak_rss_mib_after\": $((after / 1024)), \"uploaded_mib\": $((CLIENTS * 18))}"
