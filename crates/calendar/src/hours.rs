//! Office hours per weekday, configurable per province or one-stop centre.

use crate::error::CalendarError;
use chrono::{NaiveTime, Weekday};
use errors::Code;

/// Opening intervals for each weekday (Monday first), in order and not overlapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeHours {
    days: [Vec<(NaiveTime, NaiveTime)>; 7],
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

impl Default for OfficeHours {
    /// Monday to Friday, 07:30–11:30 and 13:00–17:00.
    fn default() -> Self {
        let day = vec![(t(7, 30), t(11, 30)), (t(13, 0), t(17, 0))];
        OfficeHours { days: [day.clone(), day.clone(), day.clone(), day.clone(), day, vec![], vec![]] }
    }
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl OfficeHours {
    /// Parses a spec such as `mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30`. Days not
    /// named are closed.
    pub fn parse(spec: &str) -> Result<Self, CalendarError> {
        let bad =
            |why: String| CalendarError::new(Code::InvalidHours, format!("giờ làm việc không hợp lệ: {why}"));
        let mut days: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (which, ranges) =
                part.split_once(' ').ok_or_else(|| bad(format!("'{part}' thiếu khoảng giờ")))?;
            let day_index = |n: &str| {
                DAY_NAMES
                    .iter()
                    .position(|d| *d == n.trim())
                    .ok_or_else(|| bad(format!("không rõ ngày '{n}'")))
            };
            let (a, b) = match which.split_once('-') {
                Some((a, b)) => (day_index(a)?, day_index(b)?),
                None => (day_index(which)?, day_index(which)?),
            };
            if a > b {
                return Err(bad(format!("khoảng ngày '{which}' ngược")));
            }
            let mut intervals = vec![];
            for r in ranges.split(',').map(str::trim) {
                let (s, e) =
                    r.split_once('-').ok_or_else(|| bad(format!("'{r}' không có dạng HH:MM-HH:MM")))?;
                let parse = |x: &str| {
                    NaiveTime::parse_from_str(x.trim(), "%H:%M")
                        .map_err(|_| bad(format!("giờ '{x}' không hợp lệ")))
                };
                let (s, e) = (parse(s)?, parse(e)?);
                if s >= e {
                    return Err(bad(format!("'{r}': giờ mở cửa phải trước giờ đóng cửa")));
                }
                if intervals.last().is_some_and(|&(_, last_end)| s < last_end) {
                    return Err(bad(format!("'{r}' chồng lên khoảng trước")));
                }
                intervals.push((s, e));
            }
            for d in &mut days[a..=b] {
                *d = intervals.clone();
            }
        }
        Ok(OfficeHours { days })
    }

    pub fn on(&self, day: Weekday) -> &[(NaiveTime, NaiveTime)] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// The hours as [`OfficeHours::parse`] reads them.
    pub fn to_spec(&self) -> String {
        let fmt = |t: NaiveTime| t.format("%H:%M").to_string();
        let days: Vec<String> = DAY_NAMES
            .iter()
            .zip(&self.days)
            .filter(|(_, ranges)| !ranges.is_empty())
            .map(|(name, ranges)| {
                let r: Vec<String> = ranges.iter().map(|(s, e)| format!("{}-{}", fmt(*s), fmt(*e))).collect();
                format!("{name} {}", r.join(","))
            })
            .collect();
        days.join("; ")
    }

    /// The hours used on a weekend day decided as a working day: those of a weekday.
    pub fn weekday_hours(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.days[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs_with_saturday_mornings() {
        let h = OfficeHours::parse("mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30").unwrap();
        assert_eq!(h.on(Weekday::Wed), OfficeHours::default().on(Weekday::Wed));
        assert_eq!(h.on(Weekday::Sat), &[(t(7, 30), t(11, 30))]);
        assert!(h.on(Weekday::Sun).is_empty());
    }

    #[test]
    fn hours_read_back_from_their_spec() {
        for spec in ["mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30", "tue 08:00-12:00", ""] {
            let h = OfficeHours::parse(spec).unwrap();
            assert_eq!(OfficeHours::parse(&h.to_spec()).unwrap(), h, "{spec}");
        }
        assert_eq!(OfficeHours::parse("wed 08:00-09:00").unwrap().to_spec(), "wed 08:00-09:00");
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in [
            "mon 17:00-08:00",
            "funday 08:00-09:00",
            "mon 8h-9h",
            "mon 08:00-12:00,11:00-13:00",
            "fri-mon 08:00-09:00",
        ] {
            assert_eq!(OfficeHours::parse(bad).unwrap_err().code, "invalid_hours", "{bad}");
        }
    }
}
