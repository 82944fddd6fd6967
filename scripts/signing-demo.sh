#!/usr/bin/env bash
# A signing demo on one machine: a SoftHSM2 token and a test certificate authority in DIR, the
# key of the leader of Hải Châu (chutich.haichau) and the ward's own key (its seal, applied at
# its one-stop desk: motcua.haichau) made in the token, certified by the test CA and enrolled
# in the database. Then `haicap serve` with the printed variables signs results.
#
#   scripts/signing-demo.sh DIR [DB_URL]      (DB_URL default: sqlite://DIR/haicap.db, with --demo data)
#
# Needs Debian's softhsm2 and openssl. Test keys and PINs only: never for real results.
set -euo pipefail
dir=$(realpath -m "${1:?usage: scripts/signing-demo.sh DIR [DB_URL]}")
db=${2:-sqlite://$dir/haicap.db}
bin=${HAICAP_BIN:-$(dirname "$0")/../target/release/haicap}
module=/usr/lib/softhsm/libsofthsm2.so
[ -e "$module" ] || { echo "softhsm2 missing: apt-get install softhsm2" >&2; exit 2; }
mkdir -p "$dir/tokens"
export SOFTHSM2_CONF=$dir/softhsm2.conf
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir/tokens" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label haicap-demo --pin 123456 --so-pin 12345678 >/dev/null

# The test root CA (in production: the CA that issues officials' certificates, under the
# national root).
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$dir/ca.key" -out "$dir/ca.pem" \
  -subj "/CN=haicap Demo Root CA/O=haicap demo/C=VN" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null

# A database with the demo's accounts (created once; serve --demo fills it).
if [ "$db" = "sqlite://$dir/haicap.db" ] && [ ! -e "$dir/haicap.db" ]; then
  "$bin" serve --db "$db" --demo --listen 127.0.0.1:0 >"$dir/seed.log" 2>&1 &
  pid=$!
  for _ in $(seq 120); do grep -q "đang phục vụ" "$dir/seed.log" 2>/dev/null && break; sleep 0.5; done
  kill $pid; wait $pid 2>/dev/null || true
fi

export HAICAP_SIGNING_PIN=123456
"$bin" signing keygen --signing-module "$module" --token haicap-demo --key chutich-haichau \
  --subject "CN=Lê Văn Hùng,O=UBND Phường Hải Châu,L=Đà Nẵng,C=VN" --out "$dir/request.pem" >/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' > "$dir/leaf.ext"
openssl x509 -req -in "$dir/request.pem" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 365 -sha256 -extfile "$dir/leaf.ext" -out "$dir/chutich-haichau.pem" 2>/dev/null
"$bin" signing enroll --db "$db" --signing-module "$module" --user chutich.haichau \
  --token haicap-demo --key chutich-haichau --cert "$dir/chutich-haichau.pem"

# The ward's own key: its seal on the results issued in its name (Phường Hải Châu, 20242).
"$bin" signing keygen --signing-module "$module" --token haicap-demo --key con-dau-haichau \
  --subject "CN=UBND Phường Hải Châu,O=UBND Phường Hải Châu,L=Đà Nẵng,C=VN" --out "$dir/seal-request.pem" >/dev/null
openssl x509 -req -in "$dir/seal-request.pem" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 365 -sha256 -extfile "$dir/leaf.ext" -out "$dir/con-dau-haichau.pem" 2>/dev/null
"$bin" signing enroll --db "$db" --signing-module "$module" --unit 20242 \
  --token haicap-demo --key con-dau-haichau --cert "$dir/con-dau-haichau.pem"
cat <<OUT
# Serve with signing (the leader chutich.haichau signs with PIN 123456, the desk
# motcua.haichau seals with the ward's key, PIN 123456):
export SOFTHSM2_CONF=$SOFTHSM2_CONF HAICAP_SIGNING_MODULE=$module HAICAP_TRUST_ROOTS=$dir/ca.pem
$bin serve --db $db
OUT
