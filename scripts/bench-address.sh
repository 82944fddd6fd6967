#!/usr/bin/env bash
# Address conversion benchmark: accuracy on the shared yardstick, and throughput of
# `haicap address convert --format codes` over 600,000 lines, one process pinned to one core.
#
#   scripts/bench-address.sh            # ours only
#   BASELINE=1 scripts/bench-address.sh # also vietnamadminunits 1.0.4 (installs it in /tmp/vau)
#
# Figures go to stdout; docs/benchmarks.md quotes them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED:-$root/../shared}"
yard="$shared/bench/address"
out="${OUT:-/tmp/haicap-bench}"
mkdir -p "$out"
cargo build --release -q -p haicap --manifest-path "$root/Cargo.toml"
bin="$root/target/release/haicap"

echo "== accuracy on $(basename "$shared")/data/addresses/dev.csv"
python3 "$yard/bench.py" --name haicap --cmd "$bin address convert --format codes" --outdir "$out" --repeat 5

if [ "${BASELINE:-0}" = 1 ]; then
  [ -x /tmp/vau/bin/python ] || { python3 -m venv /tmp/vau && /tmp/vau/bin/pip install -q vietnamadminunits==1.0.4; }
  python3 "$yard/bench.py" --name vietnamadminunits --cmd "/tmp/vau/bin/python adapters/vau_adapter.py" --outdir "$out"
fi

echo "== throughput: 600,000 lines (dev.csv addresses repeated), pinned to CPU 0"
python3 - "$shared/data/addresses/dev.csv" "$out/600k.txt" <<'PY'
import csv, sys
rows = [r['address'] for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))]
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    for i in range(600_000):
        f.write(rows[i % len(rows)] + '\n')
PY
runs=()
for i in 1 2 3 4 5; do
  /usr/bin/time -o "$out/time.txt" -f "%e %M" taskset -c 0 "$bin" address convert --format codes "$out/600k.txt" > /dev/null 2>&1
  t=$(tail -1 "$out/time.txt")
  runs+=("$t")
  echo "  run $i: ${t% *} s, max RSS ${t#* } KB"
done
printf '%s\n' "${runs[@]}" | sort -n | awk 'NR==3 {printf "  median: %s s = %.0f addresses/s, max RSS %.1f MB\n", $1, 600000/$1, $2/1024}'

echo "== confidence calibration on dev.csv (split communes excluded)"
"$bin" address convert --format jsonl < <(python3 -c "
import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')): print(r['address'])
" "$shared/data/addresses/dev.csv") 2>/dev/null > "$out/dev.jsonl"
python3 - "$shared/data/addresses/dev.csv" "$out/dev.jsonl" <<'PY'
import csv, json, sys
from collections import Counter
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
out = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
n, ok = Counter(), Counter()
for r, v in zip(rows, out):
    if r['is_split'] == '1':
        continue
    c = v.get('confidence', 0)
    b = '>= 0.8' if c >= 0.8 else ('0.5-0.8' if c >= 0.5 else '< 0.5 (uncertain)')
    n[b] += 1
    ok[b] += (v.get('commune') or {}).get('code') == r['gt_ward_code']
total = sum(n.values())
for b in ['>= 0.8', '0.5-0.8', '< 0.5 (uncertain)']:
    print(f'  confidence {b:18s} {n[b]:5d} lines ({100*n[b]/total:.1f} %), {100*ok[b]/max(1,n[b]):.2f} % correct')
PY
