#!/usr/bin/env python3
"""The database outage drill, from outside, as a province's IT staff would run it.

Two `haicap serve` processes share a throw-away PostgreSQL cluster (initdb on another port: the
shared server is never stopped). Clients file dossiers through both servers without pause, as
a careful client does: each intake under an `Idempotency-Key`, sent again (to either server)
after a 503 or a timeout until it is answered 201. The cluster is stopped (`pg_ctl stop -m
fast`, as a restart or an upgrade does), kept away for OUTAGE seconds, and started again.
Nobody touches the servers. Then:

- every intake answered 201 is in the database, each once, and nothing else is (a write
  whose commit was cut short is answered once its outcome is known; a repeat finds it);
- every refusal while the database was away is 503 `db_unavailable`, in our words (or the
  client's own timeout, for a write waiting for the database to say what became of it);
- both servers' /readyz go 503 during the outage and 200 after, and intakes resume by
  themselves within seconds of the database's return;
- `haicap audit verify` passes on the result.

Usage: scripts/outage_drill.py [--outage 60] [--bin target/release/haicap] [--port 5450]
Prints a JSON summary; exits 1 when a check fails. Runs as root (the cluster as `postgres`) or
as the postgres user.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"


def as_postgres(args):
    if os.geteuid() == 0:
        return ["su", "postgres", "-c", " ".join(args)]
    return args


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def request(method, url, body=None, token=None, timeout=10, key=None):
    """(status, body, whether the answer is a repeat); status 0 for the client's own failure."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    if key:
        req.add_header("idempotency-key", key)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), r.headers.get("idempotent-replayed") == "true"
    except urllib.error.HTTPError as e:
        return e.code, e.read(), False
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e).encode(), False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--outage", type=float, default=60.0, help="seconds the database is away")
    ap.add_argument("--bin", default="target/release/haicap")
    ap.add_argument("--port", type=int, default=5450, help="the throw-away cluster's port")
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)

    tmp = tempfile.mkdtemp(prefix="haicap-drill-")
    os.chmod(tmp, 0o777)
    data = os.path.join(tmp, "pg")
    pg_opts = f"'-p {args.port} -c listen_addresses=127.0.0.1 -k {tmp}'"
    log = os.path.join(tmp, "pg.log")
    start = as_postgres([f"{PG_BIN}/pg_ctl", "-D", data, "-o", pg_opts, "-l", log, "-w", "start"])
    stop = as_postgres([f"{PG_BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
    servers = []
    try:
        sh(as_postgres([f"{PG_BIN}/initdb", "-D", data, "-A", "trust"]))
        sh(start)
        base = f"postgres://postgres@127.0.0.1:{args.port}"
        sh(["psql", f"{base}/postgres", "-qc", "CREATE DATABASE haicap"])
        url = f"{base}/haicap"
        sh([binary, "user", "add", "drill", "--role", "officer", "--unit", "20242", "--password-stdin", "--db", url],
           input="mat-khau-dai")
        ports = [18290, 18291]
        for i, port in enumerate(ports):
            out = open(os.path.join(tmp, f"server{i}.log"), "w")
            servers.append(subprocess.Popen(
                [binary, "serve", "--db", url, "--data-dir", os.path.join(tmp, f"data{i}"),
                 "--listen", f"127.0.0.1:{port}"], stdout=out, stderr=out))
        for port in ports:
            for _ in range(200):
                if request("GET", f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
                time.sleep(0.1)
        tokens = []
        for port in ports:
            s, b, _ = request("POST", f"http://127.0.0.1:{port}/api/v1/auth/login",
                              {"username": "drill", "password": "mat-khau-dai"})
            assert s == 200, (s, b)
            tokens.append(json.loads(b)["token"])

        answers = []  # (time, server, status, dossier code or error code)
        lock = threading.Lock()
        running = True

        def client(k):
            n = 0
            while running:
                n += 1
                key = f"drill-{k}-{n}"
                body = {"procedure_code": "1.004873", "channel": "direct",
                        "applicant": {"full_name": f"Người thử {k}-{n}", "phone": f"09{k:02d}{n:06d}",
                                      "address": f"{n % 300 + 1} Trần Phú, Phường Hải Châu, Đà Nẵng"}}
                for attempt in range(1000):
                    i = (k + n + attempt) % 2
                    s, b, replayed = request("POST", f"http://127.0.0.1:{ports[i]}/api/v1/dossiers", body,
                                             tokens[i], key=key)
                    try:
                        j = json.loads(b)
                        what = j.get("code") if s == 201 else j.get("error", {}).get("code")
                    except ValueError:
                        what = b[:80].decode(errors="replace")
                    with lock:
                        answers.append((time.monotonic(), i, s, what, key, replayed))
                    if s == 201:
                        break
                    time.sleep(0.2)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(5)
        went = time.monotonic()
        sh(stop)
        stopped = time.monotonic()
        time.sleep(2)
        ready_during = [request("GET", f"http://127.0.0.1:{p}/readyz")[0] for p in ports]
        time.sleep(max(0.0, args.outage - (time.monotonic() - went)))
        sh(start)
        back = time.monotonic()
        ready_after = [None, None]
        while time.monotonic() - back < 60 and None in ready_after:
            for i, p in enumerate(ports):
                if ready_after[i] is None and request("GET", f"http://127.0.0.1:{p}/readyz")[0] == 200:
                    ready_after[i] = round(time.monotonic() - back, 2)
            time.sleep(0.1)
        time.sleep(10)
        running = False
        for t in threads:
            t.join()

        acknowledged = [a for a in answers if a[2] == 201]
        refused = [a for a in answers if a[2] != 201]
        resumed = []
        for i in (0, 1):
            first = next((a[0] for a in acknowledged if a[1] == i and a[0] > back), None)
            resumed.append(None if first is None else round(first - back, 2))
        stored = sh(["psql", url, "-tAc", "SELECT code FROM dossiers"]).stdout.split()
        verify = subprocess.run([binary, "audit", "verify", "--db", url], capture_output=True, text=True)
        acked = {a[3] for a in acknowledged}
        per_key = {}
        for a in acknowledged:
            per_key.setdefault(a[4], set()).add(a[3])
        keys_stored = int(sh(["psql", url, "-tAc", "SELECT count(*) FROM intake_keys"]).stdout)
        checks = {
            "every acknowledged intake is stored": acked <= set(stored),
            "nothing stored that was not acknowledged": len(stored) == len(acked),
            "one dossier per intake key": all(len(c) == 1 for c in per_key.values()) and keys_stored == len(stored),
            "every refusal is 503 db_unavailable or the client's timeout":
                all((a[2] == 503 and a[3] == "db_unavailable") or a[2] == 0 for a in refused),
            "refusals only while the database was away": all(went - 1 <= a[0] <= back + 30 for a in refused),
            "not ready while away": ready_during == [503, 503],
            "ready again by itself": None not in ready_after,
            "intakes resumed on both servers": None not in resumed,
            "audit verify passes": verify.returncode == 0,
        }
        summary = {
            "outage_seconds": round(back - went, 1),
            "stop_took_seconds": round(stopped - went, 2),
            "acknowledged": len(acknowledged),
            "stored": len(stored),
            "refused": len(refused),
            "answered_as_repeats": sum(1 for a in acknowledged if a[5]),
            "client_timeouts": sum(1 for a in refused if a[2] == 0),
            "refusals": sorted({f"{a[2]} {a[3]}" for a in refused}),
            "ready_after_start_seconds": ready_after,
            "first_intake_after_start_seconds": resumed,
            "checks": checks,
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0 if all(checks.values()) else 1
    finally:
        for s in servers:
            s.terminate()
            s.wait()
        subprocess.run(as_postgres([f"{PG_BIN}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
