//! The astronomy the lunar calendar needs: Julian days, new moons and the Sun's longitude.
//!
//! Written from Jean Meeus, *Astronomical Algorithms* (2nd ed.): chapter 49 for the true new
//! moon (with the planetary corrections) and chapter 25 for the Sun's apparent longitude,
//! with ΔT from the Espenak–Meeus polynomials. Accurate to well under a minute for new moons
//! and about 0.01° (≈ 15 minutes) for the Sun over 1900–2199.

use std::f64::consts::PI;

/// Julian day number (at noon) of a Gregorian date.
pub fn jdn(year: i32, month: u32, day: u32) -> i64 {
    let a = (14 - month as i64) / 12;
    let y = year as i64 + 4800 - a;
    let m = month as i64 + 12 * a - 3;
    day as i64 + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
}

/// Gregorian (year, month, day) of a Julian day number.
pub fn from_jdn(jd: i64) -> (i32, u32, u32) {
    let a = jd + 32044;
    let b = (4 * a + 3) / 146097;
    let c = a - b * 146097 / 4;
    let d = (4 * c + 3) / 1461;
    let e = c - 1461 * d / 4;
    let m = (5 * e + 2) / 153;
    let day = e - (153 * m + 2) / 5 + 1;
    let month = m + 3 - 12 * (m / 10);
    let year = b * 100 + d - 4800 + m / 10;
    (year as i32, month as u32, day as u32)
}

fn rad(deg: f64) -> f64 {
    deg * PI / 180.0
}

/// ΔT = TT − UT in seconds (Espenak & Meeus, NASA eclipse pages), for a decimal year.
pub fn delta_t(y: f64) -> f64 {
    if y < 1900.0 {
        let t = y - 1860.0;
        7.62 + 0.5737 * t - 0.251754 * t.powi(2) + 0.01680668 * t.powi(3) - 0.0004473624 * t.powi(4)
            + t.powi(5) / 233174.0
    } else if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494119 * t - 0.0598939 * t.powi(2) + 0.0061966 * t.powi(3) - 0.000197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.84493 * t - 0.076100 * t.powi(2) + 0.0020936 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.3345 * t - 0.060374 * t.powi(2)
            + 0.0017275 * t.powi(3)
            + 0.000651814 * t.powi(4)
            + 0.00002373599 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.32217 * t + 0.005589 * t.powi(2)
    } else if y < 2150.0 {
        -20.0 + 32.0 * ((y - 1820.0) / 100.0).powi(2) - 0.5628 * (2150.0 - y)
    } else {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    }
}

/// The instant (Julian date, UT) of the `k`-th new moon after that of 6 January 2000.
pub fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4;
    let e = 1.0 - 0.002516 * t - 0.0000074 * t2;
    let m = rad(2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3);
    let mp = rad(201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4);
    let f = rad(160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4);
    let om = rad(124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3);
    let s = f64::sin;
    let corr = -0.40720 * s(mp)
        + 0.17241 * e * s(m)
        + 0.01608 * s(2.0 * mp)
        + 0.01039 * s(2.0 * f)
        + 0.00739 * e * s(mp - m)
        - 0.00514 * e * s(mp + m)
        + 0.00208 * e * e * s(2.0 * m)
        - 0.00111 * s(mp - 2.0 * f)
        - 0.00057 * s(mp + 2.0 * f)
        + 0.00056 * e * s(2.0 * mp + m)
        - 0.00042 * s(3.0 * mp)
        + 0.00042 * e * s(m + 2.0 * f)
        + 0.00038 * e * s(m - 2.0 * f)
        - 0.00024 * e * s(2.0 * mp - m)
        - 0.00017 * s(om)
        - 0.00007 * s(mp + 2.0 * m)
        + 0.00004 * s(2.0 * mp - 2.0 * f)
        + 0.00004 * s(3.0 * m)
        + 0.00003 * s(mp + m - 2.0 * f)
        + 0.00003 * s(2.0 * mp + 2.0 * f)
        - 0.00003 * s(mp + m + 2.0 * f)
        + 0.00003 * s(mp - m + 2.0 * f)
        - 0.00002 * s(mp - m - 2.0 * f)
        - 0.00002 * s(3.0 * mp + m)
        + 0.00002 * s(4.0 * mp);
    const PLANETARY: [(f64, f64, f64); 14] = [
        (299.77, 0.107408, 0.000325),
        (251.88, 0.016321, 0.000165),
        (251.83, 26.651886, 0.000164),
        (349.42, 36.412478, 0.000126),
        (84.66, 18.206239, 0.000110),
        (141.74, 53.303771, 0.000062),
        (207.14, 2.453732, 0.000060),
        (154.84, 7.306860, 0.000056),
        (34.52, 27.261239, 0.000047),
        (207.19, 0.121824, 0.000042),
        (291.34, 1.844379, 0.000040),
        (161.72, 24.198154, 0.000037),
        (239.56, 25.513099, 0.000035),
        (331.55, 3.592518, 0.000023),
    ];
    let mut planetary = 0.0;
    for (i, (a0, ak, c)) in PLANETARY.iter().enumerate() {
        let mut arg = a0 + ak * k;
        if i == 0 {
            arg -= 0.009173 * t2;
        }
        planetary += c * rad(arg).sin();
    }
    let jde = jde + corr + planetary;
    let year = 2000.0 + (jde - 2451545.0) / 365.25;
    jde - delta_t(year) / 86400.0
}

/// The Sun's apparent ecliptic longitude in degrees [0, 360) at a Julian date (UT).
pub fn sun_longitude(jd_ut: f64) -> f64 {
    let year = 2000.0 + (jd_ut - 2451545.0) / 365.25;
    let jde = jd_ut + delta_t(year) / 86400.0;
    let t = (jde - 2451545.0) / 36525.0;
    let t2 = t * t;
    let l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t2;
    let m = rad(357.52911 + 35999.05029 * t - 0.0001537 * t2);
    let c = (1.914602 - 0.004817 * t - 0.000014 * t2) * m.sin()
        + (0.019993 - 0.000101 * t) * (2.0 * m).sin()
        + 0.000289 * (3.0 * m).sin();
    let omega = rad(125.04 - 1934.136 * t);
    let lambda = l0 + c - 0.00569 - 0.00478 * omega.sin();
    lambda.rem_euclid(360.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn julian_day_round_trip_and_epoch() {
        assert_eq!(jdn(2000, 1, 1), 2451545);
        for jd in (2415021..2524594).step_by(97) {
            let (y, m, d) = from_jdn(jd);
            assert_eq!(jdn(y, m, d), jd);
        }
    }

    #[test]
    fn new_moon_matches_meeus_example() {
        // Meeus example 49.a: the new moon of 1977 February 18, 3h37m42s TD (k = -283).
        let jde = new_moon(-283) + delta_t(1977.13) / 86400.0;
        assert!((jde - 2443192.65118).abs() < 0.0005, "{jde}");
    }

    #[test]
    fn sun_longitude_matches_meeus_example() {
        // Meeus example 25.a: 1992 October 13.0 TD, apparent longitude 199.90895°.
        let jd = 2448908.5 - delta_t(1992.8) / 86400.0;
        assert!((sun_longitude(jd) - 199.90895).abs() < 0.01);
    }
}
