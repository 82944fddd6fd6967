#!/usr/bin/env python3
"""Results signed per second through the server: N approved dossiers of Hải Châu, then each
signed by chutich.haichau over the API, one after another (the token opened for each).

  scripts/signing-demo.sh /tmp/ky-so && (export the variables it prints; haicap serve --db … --listen 127.0.0.1:18091) &
  HAICAP_PUBLIC_RATE=0 …; scripts/bench-signing.py 200 [http://127.0.0.1:18091] [PIN]
"""
import json, statistics, sys, time, urllib.request
B = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:18091"
PIN = sys.argv[3] if len(sys.argv) > 3 else "123456"
def call(method, path, token=None, body=None):
    req = urllib.request.Request(B + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
tok = lambda u: call("POST", "/api/v1/auth/login", body={"username": u, "password": "haicap2025"})["token"]
T, L = tok("motcua.haichau"), tok("chutich.haichau")
n = int(sys.argv[1])
codes = []
for i in range(n):
    d = call("POST", "/api/v1/dossiers", T, {"procedure_code": "1.004873", "channel": "direct", "applicant": {"full_name": f"Nguyễn Văn {i}"}})
    call("POST", f"/api/v1/dossiers/{d['code']}/actions", L, {"action": "approve"})
    codes.append(d["code"])
lat = []
t0 = time.perf_counter()
for c in codes:
    t = time.perf_counter()
    call("POST", f"/api/v1/dossiers/{c}/result/sign", L, {"pin": PIN})
    lat.append((time.perf_counter() - t) * 1000)
total = time.perf_counter() - t0
lat.sort()
print(f"{n} results signed over HTTP in {total:.2f} s: {n/total:.0f}/s; latency median {statistics.median(lat):.1f} ms, p99 {lat[int(0.99*(n-1))]:.1f} ms")
