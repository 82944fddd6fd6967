#!/usr/bin/env python3
"""Plain BM25 baseline for the assistant: rank_bm25 (BM25Okapi) over the same catalog, with
lowercased syllables as tokens (no folding, no lexicon, no typo handling). Prints the same
figures as `haicap assistant eval`.

    python3 -m venv /tmp/bm25 && /tmp/bm25/bin/pip install rank_bm25==0.2.2
    /tmp/bm25/bin/python scripts/assistant_baseline.py data/catalog/procedures.json \
        ../shared/data/assistant/questions_dev.jsonl
"""
import json
import re
import sys
import time
import unicodedata

from rank_bm25 import BM25Okapi


def tokens(text):
    text = unicodedata.normalize("NFC", text.lower())
    return re.findall(r"\w+", text)


def doc_text(p):
    parts = [p["name"], p.get("field") or "", p.get("result") or ""]
    parts += p.get("aliases_colloquial") or []
    parts += p.get("required_documents") or []
    return " ".join(parts)


def main(catalog_path, questions_path):
    procs = json.load(open(catalog_path, encoding="utf-8"))["procedures"]
    bm25 = BM25Okapi([tokens(doc_text(p)) for p in procs])
    codes = [p["code"] for p in procs]
    qs = [json.loads(l) for l in open(questions_path, encoding="utf-8") if l.strip()]
    rows, times = [], []
    for q in qs:
        t = time.perf_counter()
        scores = bm25.get_scores(tokens(q["question"]))
        times.append((time.perf_counter() - t) * 1e6)
        ranked = sorted(range(len(codes)), key=lambda i: -scores[i])
        rows.append((q["labels"], [codes[i] for i in ranked[:3]], scores[ranked[0]]))
    ans = [r for r in rows if r[0]]
    oos = [r for r in rows if not r[0]]
    top1 = sum(1 for l, c, _ in ans if c[0] in l)
    top3 = sum(1 for l, c, _ in ans if any(x in l for x in c))
    # The best abstention threshold on the top score that abstains on at most 5% of answerable.
    best = (0, 0.0)
    for th in sorted({s for _, _, s in rows}):
        false_abst = sum(1 for _, _, s in ans if s < th)
        if false_abst <= 0.05 * len(ans):
            best = max(best, (sum(1 for _, _, s in oos if s < th), th))
    times.sort()
    p = lambda x: times[min(len(times) - 1, int(x / 100 * len(times)))]
    print(f"questions: {len(rows)} ({len(ans)} answerable, {len(oos)} no match)")
    print(f"top-1: {top1}/{len(ans)} = {100 * top1 / len(ans):.1f}%")
    print(f"top-3: {top3}/{len(ans)} = {100 * top3 / len(ans):.1f}%")
    print(f"abstention on no-match at best threshold ({best[1]:.2f}, <=5% false): {best[0]}/{len(oos)}")
    print(f"latency (us): p50 {p(50):.0f}, p99 {p(99):.0f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
