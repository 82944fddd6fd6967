#!/usr/bin/env python3
"""Addresses written in styles the development set does not use, with the truth.

A check that the converter understands addresses rather than one file: every address here is
built from the project's own unit data (data/units), in styles picked from what banks, post
offices, foreign forms and hurried clerks write, none of them copied from dev.csv. The output
has the yardstick's columns, so ../shared/bench/address/bench.py can score it:

    python3 scripts/address_styles.py --out /tmp/styles.csv [--n 400] [--seed 7]
    python3 ../shared/bench/address/bench.py --name haicap --data /tmp/styles.csv \
        --cmd "$PWD/target/release/haicap address convert --format codes"

Rows whose text cannot decide the commune (another old commune of that name in the same
province, when the district is left out) are marked ambiguous; split communes are marked with
all their parts, as in dev.csv.
"""
import argparse
import csv
import random
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "data" / "units"

TYPES = ["Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Quận", "Huyện", "Tỉnh", "Xã"]


def strip_accents(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def split_type(name):
    for t in TYPES:
        if name.startswith(t + " "):
            return t, name[len(t) + 1:]
    return "", name


def fold(s):
    return strip_accents(s).lower()


ABBR = {"": "", "Thành phố": "TP", "Thị trấn": "TT", "Thị xã": "TX", "Phường": "P", "Quận": "Q",
        "Huyện": "H", "Tỉnh": "T", "Xã": "X", "Đặc khu": "ĐK"}
ENGLISH = {"": "", "Thành phố": "City", "Thị trấn": "Town", "Thị xã": "Town", "Phường": "Ward",
           "Quận": "District", "Huyện": "District", "Tỉnh": "Province", "Xã": "Commune",
           "Đặc khu": "Special Zone"}
HAMLETS = ["Thôn Đông", "Ấp 3", "Xóm Mới", "Tổ 7", "Khu phố 2", "Bản Na", "Thôn Trung Hòa",
           "Tổ dân phố 5", "Khóm 4", "Ấp Bình Lợi"]
STREETS = ["Số 12 Lê Lợi", "45/7 Nguyễn Trãi", "Ngõ 3 Trần Hưng Đạo", "Kiệt 21 Hùng Vương",
           "Lô B2 KCN", "số nhà 88, đường Quang Trung", "Hẻm 102 Lý Thường Kiệt"]


def typo(word, rng):
    """One slip of the keyboard in a word of five or more letters: swap, drop or double."""
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 5:
        return word
    i = rng.choice(letters[1:-1])
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap" and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def typo_name(core, rng):
    """A slip in the longest syllable of a name."""
    parts = core.split(" ")
    k = max(range(len(parts)), key=lambda j: len(parts[j]))
    parts[k] = typo(parts[k], rng)
    return " ".join(parts)


def old_styles(w, d, p, rng):
    """(style, text) for an old commune w in district d of province p (full official names)."""
    (wt, wc), (dt, dc), (pt, pc) = split_type(w), split_type(d), split_type(p)
    plain = strip_accents
    yield "bank_upper", plain(f"{rng.choice(STREETS)} {ABBR[wt]} {wc} {ABBR[dt]} {dc} {ABBR[pt]} {pc}").upper()
    yield "english", plain(f"{rng.choice(STREETS)}, {wc} {ENGLISH[wt]}, {dc} {ENGLISH[dt]}, {pc} {ENGLISH[pt]}, Vietnam")
    yield "dash_reversed", f"{p} - {d} - {w}"
    yield "hamlet_first", f"{rng.choice(HAMLETS)}, {wt.lower()} {wc}, {dc}, {pc}"
    yield "two_typos", f"{wt} {typo_name(wc, rng)}, {dt} {typo_name(dc, rng)}, {pc}"
    yield "no_province", f"{w}, {d}"
    yield "dotted_abbr", f"{ABBR[wt]}.{wc} - {ABBR[dt]}.{dc} - {ABBR[pt]}.{pc}"
    yield "partial_accents", f"{plain(wc) if rng.random() < .5 else wc}, {dc}, {plain(pc)}"
    # Everything at once: no district, no accents, a slip, abbreviations, lower case.
    yield "hard_mix", plain(f"{rng.choice(HAMLETS)} {ABBR[wt]}. {typo_name(wc, rng)} {ABBR[pt]}. {pc}").lower()


def new_styles(w, p, rng):
    (wt, wc), (pt, pc) = split_type(w), split_type(p)
    plain = strip_accents
    yield "new_bank_upper", plain(f"{rng.choice(STREETS)} {ABBR[wt]} {wc} {ABBR[pt]} {pc}").upper()
    yield "new_english", plain(f"{wc} {ENGLISH[wt]}, {pc} {ENGLISH[pt]}")
    yield "new_hamlet", f"{rng.choice(HAMLETS)} - {wc} - {pc}"
    yield "new_typo", f"{wt} {typo_name(wc, rng)}, {pc}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=400, help="units sampled per style family")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    legacy = list(csv.DictReader(open(UNITS / "legacy_to_2025.csv", encoding="utf-8")))
    legacy = [r for r in legacy if r["old_ward_code"]]
    communes = list(csv.DictReader(open(UNITS / "communes_2025.csv", encoding="utf-8")))
    # Names that the text alone cannot tell apart.
    by_old_prov_name = defaultdict(set)
    by_district_name = defaultdict(set)
    for r in legacy:
        core = fold(split_type(r["old_ward"])[1])
        by_old_prov_name[(r["old_province_code"], core)].add(r["new_ward_code"])
        by_district_name[(r["old_district_code"], core)].add(r["new_ward_code"])
    new_by_prov_name = defaultdict(set)
    for c in communes:
        new_by_prov_name[(c["province_code"], fold(split_type(c["commune_name"])[1]))].add(c["commune_code"])
    rows = []
    for r in rng.sample(legacy, a.n):
        core = fold(split_type(r["old_ward"])[1])
        for style, text in old_styles(r["old_ward"], r["old_district"], r["old_province"], rng):
            same = by_district_name[(r["old_district_code"], core)]
            if style in ("partial_accents", "hard_mix"):
                same = by_old_prov_name[(r["old_province_code"], core)]
            rows.append({
                "address": text, "kind": "legacy", "gt_province_code": r["new_province_code"],
                "gt_ward_code": r["new_ward_code"], "gt_province": r["new_province"],
                "gt_ward": r["new_ward"], "is_split": r["is_split"],
                "split_codes": r["split_new_ward_codes"], "ambiguous": int(len(same) > 1),
                "old_province_code": r["old_province_code"], "old_district_code": r["old_district_code"],
                "old_ward_code": r["old_ward_code"], "clean": f"{r['old_ward']}, {r['old_district']}, {r['old_province']}",
                "noise": style,
            })
    provinces = {c["province_code"]: c["province_name"] for c in communes}
    for c in rng.sample(communes, a.n):
        core = fold(split_type(c["commune_name"])[1])
        for style, text in new_styles(c["commune_name"], provinces[c["province_code"]], rng):
            rows.append({
                "address": text, "kind": "new", "gt_province_code": c["province_code"],
                "gt_ward_code": c["commune_code"], "gt_province": provinces[c["province_code"]],
                "gt_ward": c["commune_name"], "is_split": 0, "split_codes": "",
                "ambiguous": int(len(new_by_prov_name[(c["province_code"], core)]) > 1),
                "old_province_code": "", "old_district_code": "", "old_ward_code": "",
                "clean": f"{c['commune_name']}, {provinces[c['province_code']]}", "noise": style,
            })
    rng.shuffle(rows)
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", *rows[0].keys()])
        w.writeheader()
        for i, r in enumerate(rows, 1):
            w.writerow({"id": i, **r})
    print(f"{len(rows)} rows written to {a.out}")


if __name__ == "__main__":
    main()
