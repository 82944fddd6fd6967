//! The Vietnamese lunisolar calendar (âm lịch), computed astronomically for UTC+7.
//!
//! The rules: a month begins on the local day of a new moon; month 11 is the month that holds
//! the winter solstice; when 13 months lie between two months 11, the first of them that holds
//! no major solar term (trung khí, a multiple of 30° of solar longitude) is the leap month and
//! repeats the number of the month before. Computing at UTC+7 rather than UTC+8 is why some years
//! differ from the Chinese calendar (Tết 1985: 21 January here, 20 February in China).

use crate::astro::{from_jdn, jdn, new_moon, sun_longitude};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Vietnam's time zone, in hours east of UTC.
pub const TIME_ZONE: f64 = 7.0;
/// The first and last solar years supported.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2199;

const SYNODIC_MONTH: f64 = 29.530588853;
/// Julian date of the new moon of 1 January 1900, the origin of the month index used here.
const EPOCH_1900: f64 = 2415021.076998695;
/// Lunations between that new moon and the one of 6 January 2000 (Meeus's origin).
const LUNATIONS_1900_2000: i64 = 1237;

/// A date of the lunar calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LunarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub leap: bool,
}

const STEMS: [&str; 10] = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"];
const BRANCHES: [&str; 12] =
    ["Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"];

impl LunarDate {
    /// The year's name in the sexagenary cycle: 2025 → "Ất Tỵ".
    pub fn year_name(&self) -> String {
        let y = self.year.rem_euclid(60) as usize;
        format!("{} {}", STEMS[(y + 6) % 10], BRANCHES[(y + 8) % 12])
    }
}

impl std::fmt::Display for LunarDate {
    /// "10/3 năm Ất Tỵ", "15/6 nhuận năm Giáp Thìn".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let leap = if self.leap { " nhuận" } else { "" };
        write!(f, "{}/{}{} năm {}", self.day, self.month, leap, self.year_name())
    }
}

/// Local Julian day number of the day holding the new moon number `k` (counted from 1900).
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k - LUNATIONS_1900_2000) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Which 30° sector of solar longitude (0..12) the Sun is in at local midnight starting `day`.
fn sun_sector(day: i64) -> i64 {
    (sun_longitude(day as f64 - 0.5 - TIME_ZONE / 24.0) / 30.0).floor() as i64
}

fn month_index(day: i64) -> i64 {
    ((day as f64 - EPOCH_1900) / SYNODIC_MONTH).floor() as i64
}

/// The first day of month 11 of the lunar year ending in solar year `year`.
fn month11(year: i32) -> i64 {
    let k = month_index(jdn(year, 12, 31));
    let nm = new_moon_day(k);
    // Sector 9 begins at the winter solstice (270°): if it has begun by this month's first
    // day, the solstice fell in the month before.
    if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

/// Position (1-based, counted from month 11) of the leap month in a 13-month year whose month
/// 11 starts on `a11`.
fn leap_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - EPOCH_1900) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

pub(crate) fn in_range(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// The lunar date of a solar date (any date; accurate for 1900–2199).
pub fn to_lunar(date: NaiveDate) -> LunarDate {
    let day = jdn(date.year(), date.month(), date.day());
    // The mean lunation only estimates which new moon came last: true new moons drift from it
    // by up to half a day, so step back until the month really starts on or before `day`.
    let mut k = month_index(day) + 1;
    let mut month_start = new_moon_day(k);
    while month_start > day {
        k -= 1;
        month_start = new_moon_day(k);
    }
    let mut a11 = month11(date.year());
    let mut b11 = a11;
    let mut year;
    if a11 >= month_start {
        year = date.year();
        a11 = month11(date.year() - 1);
    } else {
        year = date.year() + 1;
        b11 = month11(date.year() + 1);
    }
    let lunar_day = (day - month_start + 1) as u32;
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_offset(a11);
        if diff >= leap_diff {
            month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        year -= 1;
    }
    LunarDate { year, month: month as u32, day: lunar_day, leap }
}

/// The solar date of a lunar date, or `None` when it does not exist (day 30 of a short month,
/// a leap month the year does not have, a month outside 1..=12).
pub fn to_solar(l: LunarDate) -> Option<NaiveDate> {
    if !(1..=12).contains(&l.month) || !(1..=30).contains(&l.day) {
        return None;
    }
    let (a11, b11) = if l.month < 11 {
        (month11(l.year - 1), month11(l.year))
    } else {
        (month11(l.year), month11(l.year + 1))
    };
    let k = ((a11 as f64 - EPOCH_1900) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut off = l.month as i64 - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if l.leap && l.month as i64 != leap_month {
            return None;
        }
        if l.leap || off >= leap_off {
            off += 1;
        }
    } else if l.leap {
        return None;
    }
    let start = new_moon_day(k + off);
    let next = new_moon_day(k + off + 1);
    if l.day as i64 > next - start {
        return None;
    }
    let (y, m, d) = from_jdn(start + l.day as i64 - 1);
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The solar date of the lunar new year (Tết Nguyên đán) of a lunar year.
pub fn tet(year: i32) -> NaiveDate {
    to_solar(LunarDate { year, month: 1, day: 1, leap: false }).expect("every lunar year has a first day")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn known_tet_dates_including_years_vietnam_differs_from_china() {
        assert_eq!(tet(1985), d(1985, 1, 21));
        assert_eq!(tet(2007), d(2007, 2, 17));
        assert_eq!(tet(2025), d(2025, 1, 29));
        assert_eq!(tet(2026), d(2026, 2, 17));
        assert_eq!(tet(2027), d(2027, 2, 6));
        assert_eq!(tet(2028), d(2028, 1, 26));
        assert_eq!(tet(2030), d(2030, 2, 2));
    }

    #[test]
    fn hung_kings_day() {
        let gio_to = |y| to_solar(LunarDate { year: y, month: 3, day: 10, leap: false }).unwrap();
        assert_eq!(gio_to(2025), d(2025, 4, 7));
        assert_eq!(gio_to(2026), d(2026, 4, 26));
        assert_eq!(gio_to(2027), d(2027, 4, 16));
    }

    #[test]
    fn leap_months() {
        // 2023 had a leap 2nd month (22/3/2023 was 1/2 nhuận); 2025 a leap 6th month.
        assert_eq!(to_lunar(d(2023, 3, 22)), LunarDate { year: 2023, month: 2, day: 1, leap: true });
        assert_eq!(to_lunar(d(2025, 7, 25)), LunarDate { year: 2025, month: 6, day: 1, leap: true });
        assert!(to_solar(LunarDate { year: 2026, month: 6, day: 1, leap: true }).is_none());
    }

    #[test]
    fn year_names() {
        assert_eq!(to_lunar(d(2025, 6, 1)).year_name(), "Ất Tỵ");
        assert_eq!(to_lunar(d(2026, 6, 1)).year_name(), "Bính Ngọ");
        assert_eq!(to_lunar(d(2026, 2, 16)).to_string(), "29/12 năm Ất Tỵ");
    }

    #[test]
    fn months_whose_new_moon_is_just_after_local_midnight() {
        // New moon at 00:00:14 on 8 May 2054 and 00:16 on 10 April 2062 (UTC+7): the day
        // before ends the previous month, it does not start a "day 0".
        assert_eq!(to_lunar(d(2054, 5, 7)).day, 30);
        assert_eq!(to_lunar(d(2054, 5, 8)).day, 1);
        assert_eq!(to_lunar(d(2062, 4, 9)).day, 30);
        assert_eq!(to_lunar(d(2062, 4, 10)).day, 1);
    }

    #[test]
    fn round_trip_every_day_of_a_few_decades() {
        let mut day = d(1900, 1, 31);
        while day < d(1960, 1, 1) {
            let l = to_lunar(day);
            assert_eq!(to_solar(l), Some(day), "{day} {l:?}");
            day = day.succ_opt().unwrap();
        }
    }
}
