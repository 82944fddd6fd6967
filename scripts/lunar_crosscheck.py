#!/usr/bin/env python3
"""Cross-checks haicap's lunar calendar against an independent computation, every day.

The reference here uses PyEphem (libastro: VSOP87 and ELP lunar theory, not Meeus's series)
and a different formulation of the same civil rules for Vietnam (UTC+7):
  - new moons from ephem.next_new_moon; a month starts on the local day of its new moon;
  - the instants of the 12 major solar terms (apparent solar longitude k*30 degrees) found by
    bisection; a month "holds" a term when the term's local day falls inside it;
  - month 11 is the month holding the winter solstice (270 degrees); when 13 months lie between
    two months 11, the first month after month 11 holding no major term is the leap month.
It prints the number of days that disagree (and the first ones) and exits 1 if any do, except
months whose new moon falls within a minute of local midnight: there a few seconds' error in
any series decides the day, so they are reported as undecidable at this precision, not failed.

    python3 scripts/lunar_crosscheck.py --haicap target/release/haicap [--from 1900-01-01 --to 2199-12-31]
"""
import argparse, datetime as dt, math, subprocess, sys
import ephem

TZ = dt.timedelta(hours=7)


def local_day(d):
    return (ephem.Date(d).datetime() + TZ).date()


def sun_lon(t):
    s = ephem.Sun()
    s.compute(t)
    return math.degrees(ephem.Ecliptic(s, epoch=t).lon)


def solar_terms(start, end):
    """Local days of the major solar terms between two dates: {day: degrees}."""
    out = {}
    t = ephem.Date(start)
    prev = sun_lon(t)
    while t < ephem.Date(end):
        t2 = ephem.Date(t + 1)
        cur = sun_lon(t2)
        a, b = prev, cur if cur >= prev else cur + 360
        k = math.floor(b / 30)
        if k * 30 > a:  # a multiple of 30 degrees was crossed during this day
            target = (k * 30) % 360
            lo, hi = float(t), float(t2)
            for _ in range(40):
                mid = (lo + hi) / 2
                d = (sun_lon(mid) - target + 540) % 360 - 180
                lo, hi = (mid, hi) if d < 0 else (lo, mid)
            out[local_day(hi)] = target
        t, prev = t2, cur
    return out


def reference(first_year, last_year):
    start, end = dt.date(first_year - 1, 10, 1), dt.date(last_year + 2, 3, 1)
    starts = []
    t = ephem.Date(start)
    while True:
        t = ephem.next_new_moon(t)
        if ephem.Date(t).datetime().date() > end:
            break
        starts.append(local_day(t))
        t = ephem.Date(t + 1)
    terms = solar_terms(start - dt.timedelta(days=40), end + dt.timedelta(days=40))
    term_days = sorted(terms)
    holds = []
    for i in range(len(starts) - 1):
        a, b = starts[i], starts[i + 1]
        holds.append([terms[d] for d in term_days if a <= d < b])
    elevens = [i for i, h in enumerate(holds) if 270 in h]
    number, leap = {}, {}
    for a, b in zip(elevens, elevens[1:]):
        leap_at = None
        if b - a == 13:
            leap_at = next(j for j in range(a + 1, b) if not holds[j])
        m = 11
        for j in range(a, b):
            if j == leap_at:
                # A leap month repeats the number of the month before it.
                number[j], leap[j] = (m - 2) % 12 + 1, True
                continue
            number[j], leap[j] = m, False
            m = m % 12 + 1
    table = {}
    # The lunar year is the solar year in which its month 1 begins; months 11 and 12 close it.
    year = starts[elevens[0]].year
    for j in sorted(number):
        a, b = starts[j], starts[j + 1]
        if number[j] == 1 and not leap[j]:
            year = a.year
        day = a
        while day < b:
            table[day] = (year, number[j], (day - a).days + 1, int(leap[j]))
            day += dt.timedelta(days=1)
    return table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--haicap', required=True)
    ap.add_argument('--from', dest='frm', default='1900-01-01')
    ap.add_argument('--to', default='2199-12-31')
    a = ap.parse_args()
    f, t = dt.date.fromisoformat(a.frm), dt.date.fromisoformat(a.to)
    ref = reference(f.year, t.year)
    out = subprocess.run([a.haicap, 'calendar', 'lunar', '--from', a.frm, '--to', a.to],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    bad = []
    for line in out:
        d, y, m, day, lp = line.split(',')
        got = (int(y), int(m), int(day), int(lp))
        want = ref.get(dt.date.fromisoformat(d))
        if got != want:
            bad.append((d, got, want))
    days = (t - f).days + 1
    edge, failed = [], []
    def near_midnight(month_start):
        # The new moon that starts a month beginning on (or a day off) `month_start`.
        nm = ephem.Date(ephem.next_new_moon(ephem.Date(month_start - dt.timedelta(days=2)))).datetime() + TZ
        midnight = dt.datetime.combine(nm.date(), dt.time())
        off = min((nm - midnight).total_seconds(), (midnight + dt.timedelta(days=1) - nm).total_seconds())
        return nm if off < 60 else None

    for b in bad:
        day = dt.date.fromisoformat(b[0])
        starts = [day - dt.timedelta(days=x[2] - 1) for x in (b[1], b[2]) if x]
        nm = next((n for n in map(near_midnight, starts) if n), None)
        (edge if nm else failed).append(b + (nm,))
    print(f'lunar cross-check {a.frm}..{a.to}: {days} days, {len(out)} compared, {len(bad)} differ '
          f'({len(edge)} in months whose new moon is within 60 s of local midnight, {len(failed)} other)')
    for nm in sorted({e[3] for e in edge}):
        print(f'  undecidable: the month whose new moon is at {nm} (UTC+7)')
    for b in failed[:20]:
        print('  differs:', b[0], 'haicap', b[1], 'reference', b[2])
    sys.exit(1 if failed or len(out) != days else 0)


if __name__ == '__main__':
    main()
