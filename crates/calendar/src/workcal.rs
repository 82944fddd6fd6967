//! Which days and hours are working time for the public service.

use crate::error::CalendarError;
use crate::holidays::{rule_holidays, DayKind, DecidedDays};
use crate::hours::OfficeHours;
use crate::lunar::{in_range, to_lunar, LunarDate, FIRST_YEAR, LAST_YEAR};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Why a day is (or is not) a working day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub name: String,
    /// statutory, default, compensatory, announced, derived, weekend.
    pub basis: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub weekday: &'static str,
    pub lunar: LunarDate,
    pub lunar_text: String,
    pub working: bool,
    /// The holiday, swap or weekend that applies, if any.
    pub reason: Option<Reason>,
    /// Office hours that day ("07:30-11:30"), empty when closed.
    pub hours: Vec<String>,
}

/// The exceptions of one year: weekdays off and weekend days worked.
#[derive(Debug, Default)]
struct YearDays {
    off: BTreeMap<NaiveDate, Reason>,
    work: BTreeMap<NaiveDate, Reason>,
}

pub struct WorkCalendar {
    decided: DecidedDays,
    hours: OfficeHours,
    years: Vec<OnceLock<YearDays>>,
}

/// "thứ Hai" … "Chủ nhật".
pub fn weekday_vi(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Default for WorkCalendar {
    fn default() -> Self {
        WorkCalendar::new(DecidedDays::builtin(), OfficeHours::default())
    }
}

impl WorkCalendar {
    pub fn new(decided: DecidedDays, hours: OfficeHours) -> Self {
        let years = (FIRST_YEAR..=LAST_YEAR).map(|_| OnceLock::new()).collect();
        WorkCalendar { decided, hours, years }
    }

    /// The decided days this calendar holds (the shipped ones and an administrator's).
    pub fn decided(&self) -> &DecidedDays {
        &self.decided
    }

    pub fn hours(&self) -> &OfficeHours {
        &self.hours
    }

    fn year_days(&self, year: i32) -> Result<&YearDays, CalendarError> {
        if !in_range(year) {
            return Err(CalendarError::out_of_range(year));
        }
        Ok(self.years[(year - FIRST_YEAR) as usize].get_or_init(|| {
            let mut y = YearDays::default();
            for h in rule_holidays(year, &self.decided) {
                y.off.entry(h.date).or_insert(Reason { name: h.name, basis: h.basis.to_string() });
            }
            for d in self.decided.in_year(year) {
                let basis = ["statutory", "derived", "announced"]
                    .into_iter()
                    .find(|b| d.basis.starts_with(b))
                    .unwrap_or("announced");
                let reason = Reason { name: d.name.clone(), basis: basis.to_string() };
                match d.kind {
                    DayKind::Off => {
                        y.work.remove(&d.date);
                        y.off.insert(d.date, reason);
                    }
                    DayKind::Work => {
                        y.off.remove(&d.date);
                        y.work.insert(d.date, reason);
                    }
                }
            }
            y
        }))
    }

    /// Whether `d` is a working day of the public service, and why not when not.
    pub fn status(&self, d: NaiveDate) -> Result<(bool, Option<Reason>), CalendarError> {
        let y = self.year_days(d.year())?;
        if let Some(r) = y.work.get(&d) {
            return Ok((true, Some(r.clone())));
        }
        if let Some(r) = y.off.get(&d) {
            return Ok((false, Some(r.clone())));
        }
        if is_weekend(d) {
            return Ok((false, Some(Reason { name: "nghỉ cuối tuần".into(), basis: "weekend".into() })));
        }
        Ok((true, None))
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let y = self.year_days(d.year())?;
        Ok(y.work.contains_key(&d) || (!y.off.contains_key(&d) && !is_weekend(d)))
    }

    /// Office intervals on `d`: a working day's configured hours (a weekday's on a weekend day
    /// worked); on a weekend day that is no holiday, the desk's own hours if it opens then
    /// (a Saturday-morning desk); none on a holiday.
    pub fn hours_on(&self, d: NaiveDate) -> Result<&[(NaiveTime, NaiveTime)], CalendarError> {
        let h = self.hours.on(d.weekday());
        if self.is_working_day(d)? {
            return Ok(if h.is_empty() { self.hours.weekday_hours() } else { h });
        }
        if h.is_empty() || self.in_holiday_break(d)? {
            return Ok(&[]);
        }
        Ok(h)
    }

    /// A weekend day off, or one next to a weekday off: announcements list the weekdays of a
    /// break ("nghỉ từ thứ Bảy 14/02 đến Chủ nhật 22/02"), and the weekend inside it is no
    /// day for a Saturday desk either.
    fn in_holiday_break(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let off = |x: NaiveDate| -> Result<bool, CalendarError> {
            Ok(self.year_days(x.year())?.off.contains_key(&x))
        };
        if off(d)? {
            return Ok(true);
        }
        let (before, after) = match d.weekday() {
            Weekday::Sat => (1, 2),
            Weekday::Sun => (2, 1),
            _ => return Ok(false),
        };
        let (prev, next) = (d - chrono::Duration::days(before), d + chrono::Duration::days(after));
        Ok(off(prev)? || off(next)?)
    }

    pub fn day(&self, d: NaiveDate) -> Result<DayInfo, CalendarError> {
        let (working, reason) = self.status(d)?;
        let lunar = to_lunar(d);
        let hours = self
            .hours_on(d)?
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect();
        Ok(DayInfo {
            date: d,
            weekday: weekday_vi(d.weekday()),
            lunar,
            lunar_text: lunar.to_string(),
            working,
            reason,
            hours,
        })
    }

    /// The exceptions of a year, by date: weekdays off and weekend days worked.
    pub fn year(&self, year: i32) -> Result<Vec<DayInfo>, CalendarError> {
        let y = self.year_days(year)?;
        let mut dates: Vec<NaiveDate> = y.off.keys().filter(|d| !is_weekend(**d)).copied().collect();
        dates.extend(y.work.keys().copied());
        dates.sort();
        dates.into_iter().map(|d| self.day(d)).collect()
    }

    /// The first working day strictly after `d`, with the days skipped on the way.
    pub fn next_working_day(
        &self,
        d: NaiveDate,
        skipped: &mut Vec<(NaiveDate, Reason)>,
    ) -> Result<NaiveDate, CalendarError> {
        let mut x = d;
        loop {
            x = x.succ_opt().ok_or_else(|| CalendarError::out_of_range(d.year()))?;
            match self.status(x)? {
                (true, _) => return Ok(x),
                (false, reason) => skipped.push((x, reason.expect("a day off has a reason"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn decided_swaps_and_holidays_2025() {
        let c = WorkCalendar::default();
        assert!(!c.is_working_day(d(2025, 1, 27)).unwrap()); // swapped Monday
        assert!(c.is_working_day(d(2025, 2, 8)).unwrap()); // make-up Saturday
        assert!(c.is_working_day(d(2025, 2, 3)).unwrap()); // no compensatory day: announced
        assert!(!c.is_working_day(d(2025, 4, 7)).unwrap()); // Giỗ Tổ
        assert!(!c.is_working_day(d(2025, 9, 1)).unwrap());
        assert!(c.is_working_day(d(2025, 9, 3)).unwrap());
    }

    #[test]
    fn year_lists_weekdays_off_and_weekend_days_worked() {
        let c = WorkCalendar::default();
        let y = c.year(2026).unwrap();
        let dates: Vec<NaiveDate> = y.iter().map(|x| x.date).collect();
        assert!(dates.contains(&d(2026, 1, 10)) && dates.contains(&d(2026, 4, 27)));
        assert!(!dates.contains(&d(2026, 4, 26))); // Sunday: not a weekday off
        assert!(y.iter().all(|x| x.reason.is_some()));
    }

    #[test]
    fn a_saturday_desk_opens_on_saturdays_but_not_on_holidays() {
        let hours = OfficeHours::parse("mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30").unwrap();
        let c = WorkCalendar::new(DecidedDays::builtin(), hours);
        assert_eq!(c.hours_on(d(2026, 5, 9)).unwrap().len(), 1); // an ordinary Saturday
        assert!(!c.is_working_day(d(2026, 5, 9)).unwrap()); // still no legal working day
        assert!(c.hours_on(d(2026, 2, 14)).unwrap().is_empty()); // Saturday inside the Tết break
        assert!(c.hours_on(d(2026, 5, 2)).unwrap().is_empty()); // Saturday after 1 May
        assert!(c.hours_on(d(2026, 5, 10)).unwrap().is_empty()); // Sunday
    }

    #[test]
    fn out_of_range_years_are_errors() {
        let c = WorkCalendar::default();
        assert_eq!(c.day(d(2200, 1, 1)).unwrap_err().code, "year_out_of_range");
        assert_eq!(c.year(1899).unwrap_err().code, "year_out_of_range");
    }
}
