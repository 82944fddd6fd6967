//! Legal time limits: when a dossier is due, and why.
//!
//! - N working days: counted from the working day after receipt; due at the close of office on
//!   the Nth.
//! - N days: the period starts the day after receipt (Civil Code 2015, art. 147); when its last
//!   day is a rest day it ends at the close of the next working day (art. 148).
//! - N working hours: office time, from receipt (or the next opening).
//! - Same day: by the close of office on the day of receipt; received after the cut-off hour,
//!   or on a day off, by the close of the next working day.
//!
//! A cut-off hour, when given, treats a receipt after it as made on the next working day.
//! Pauses (waiting for the citizen's supplement) stop the clock: the office time they cover
//! (calendar time for limits in days) is added back. Every step is recorded in Vietnamese.

use crate::error::CalendarError;
use crate::workcal::{weekday_vi, Reason, WorkCalendar};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use errors::Code;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeLimit {
    WorkingDays(u32),
    Days(u32),
    WorkingHours(u32),
    SameDay,
    /// Calendar months (a year is twelve): the period ends on the same day of the last month,
    /// or that month's last day when it has no such day (Bộ luật Dân sự, điều 147–148).
    Months(u32),
}

impl TimeLimit {
    /// The last day of a period counted in calendar days or months from `reference`, before
    /// it is moved off a day off; `None` for working time.
    fn calendar_end(self, reference: NaiveDate, extra_days: i64) -> Option<NaiveDate> {
        let end = match self {
            TimeLimit::Days(n) => reference + Duration::days(n as i64),
            TimeLimit::Months(n) => reference.checked_add_months(chrono::Months::new(n))?,
            _ => return None,
        };
        Some(end + Duration::days(extra_days))
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeLimit::WorkingDays(n) => write!(f, "{n} ngày làm việc"),
            TimeLimit::Days(n) => write!(f, "{n} ngày"),
            TimeLimit::WorkingHours(n) => write!(f, "{n} giờ làm việc"),
            TimeLimit::SameDay => write!(f, "trong ngày"),
            TimeLimit::Months(n) => write!(f, "{n} tháng"),
        }
    }
}

impl FromStr for TimeLimit {
    type Err = CalendarError;

    /// "3 working days", "5 days", "8 working hours", "same day", or in Vietnamese "3 ngày làm
    /// việc", "5 ngày", "8 giờ làm việc", "trong ngày".
    fn from_str(s: &str) -> Result<Self, CalendarError> {
        let norm = s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let bad = || {
            CalendarError::new(Code::InvalidLimit,
                format!(
                    "thời hạn '{s}' không hợp lệ: dùng \"N working days\", \"N days\", \"N working hours\", \"N months\" \
                     hoặc \"same day\" (hay \"N ngày làm việc\", \"N ngày\", \"N giờ làm việc\", \"N tháng\", \"trong ngày\")"
                ),
            )
        };
        if matches!(norm.as_str(), "same day" | "same-day" | "trong ngày" | "trong ngay") {
            return Ok(TimeLimit::SameDay);
        }
        let (count, unit) = norm.split_once(' ').ok_or_else(bad)?;
        let n: i64 = count.parse().map_err(|_| bad())?;
        if n < 0 {
            return Err(CalendarError::new(Code::NegativeCount, format!("thời hạn không thể âm ({n})")));
        }
        let n = u32::try_from(n).ok().filter(|&n| n <= 10_000).ok_or_else(|| {
            CalendarError::new(Code::InvalidLimit, format!("thời hạn {n} quá lớn (tối đa 10000)"))
        })?;
        Ok(match unit {
            "working day" | "working days" | "ngày làm việc" | "ngay lam viec" => {
                TimeLimit::WorkingDays(n)
            }
            "day" | "days" | "ngày" | "ngay" => TimeLimit::Days(n),
            "working hour" | "working hours" | "giờ làm việc" | "gio lam viec" => {
                TimeLimit::WorkingHours(n)
            }
            "month" | "months" | "tháng" | "thang" => TimeLimit::Months(n),
            _ => return Err(bad()),
        })
    }
}

/// An interval during which the clock stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pause {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub reason: String,
}

/// A computed due date-time (local time, UTC+7) and the steps that led to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub due: NaiveDateTime,
    pub steps: Vec<String>,
}

pub fn fmt_date(d: NaiveDate) -> String {
    format!("{} {}", weekday_vi(d.weekday()), d.format("%d/%m/%Y"))
}

pub fn fmt_datetime(t: NaiveDateTime) -> String {
    format!("{} {}", t.format("%H:%M"), fmt_date(t.date()))
}

fn fmt_minutes(m: i64) -> String {
    match (m / 60, m % 60) {
        (h, 0) => format!("{h} giờ"),
        (0, mm) => format!("{mm} phút"),
        (h, mm) => format!("{h} giờ {mm} phút"),
    }
}

/// "Không tính ngày nghỉ: từ thứ Bảy 14/02/2026 đến Chủ nhật 22/02/2026 (nghỉ cuối tuần, Tết
/// Nguyên đán Bính Ngọ)." Consecutive days are grouped, their reasons listed once.
fn skipped_text(skipped: &[(NaiveDate, Reason)]) -> Option<String> {
    let mut runs: Vec<(NaiveDate, NaiveDate, Vec<&str>)> = vec![];
    for (d, r) in skipped {
        match runs.last_mut() {
            Some((_, end, reasons)) if end.succ_opt() == Some(*d) => {
                *end = *d;
                if !reasons.contains(&r.name.as_str()) {
                    reasons.push(&r.name);
                }
            }
            _ => runs.push((*d, *d, vec![&r.name])),
        }
    }
    if runs.is_empty() {
        return None;
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|(a, b, reasons)| {
            let span =
                if a == b { fmt_date(*a) } else { format!("từ {} đến {}", fmt_date(*a), fmt_date(*b)) };
            format!("{span} ({})", reasons.join(", "))
        })
        .collect();
    Some(format!("Không tính ngày nghỉ: {}.", parts.join("; ")))
}

fn close_of(cal: &WorkCalendar, d: NaiveDate) -> Result<NaiveDateTime, CalendarError> {
    let end = cal.hours_on(d)?.last().map_or(NaiveTime::from_hms_opt(17, 0, 0).expect("valid"), |h| h.1);
    Ok(d.and_time(end))
}

/// Office minutes between `a` and `b`.
fn office_minutes(cal: &WorkCalendar, a: NaiveDateTime, b: NaiveDateTime) -> Result<i64, CalendarError> {
    let mut total = 0;
    let mut d = a.date();
    while d <= b.date() {
        for &(s, e) in cal.hours_on(d)? {
            let (s, e) = (d.and_time(s).max(a), d.and_time(e).min(b));
            if e > s {
                total += (e - s).num_minutes();
            }
        }
        d = d.succ_opt().ok_or_else(|| CalendarError::out_of_range(d.year()))?;
    }
    Ok(total)
}

/// The instant after `minutes` of office time from `t`; each day used is described in `steps`.
fn advance_office(
    cal: &WorkCalendar,
    t: NaiveDateTime,
    minutes: i64,
    steps: Option<&mut Vec<String>>,
) -> Result<NaiveDateTime, CalendarError> {
    let mut left = minutes;
    let mut d = t.date();
    let mut log = vec![];
    loop {
        let mut used_today = vec![];
        for &(s, e) in cal.hours_on(d)? {
            let s = d.and_time(s).max(t);
            let e = d.and_time(e);
            if e <= s || left == 0 {
                continue;
            }
            let avail = (e - s).num_minutes();
            if avail >= left {
                let end = s + Duration::minutes(left);
                used_today.push(format!("{}–{}", s.format("%H:%M"), end.format("%H:%M")));
                log.push(format!("{}: {}", fmt_date(d), used_today.join(", ")));
                if let Some(st) = steps {
                    st.extend(log);
                }
                return Ok(end);
            }
            left -= avail;
            used_today.push(format!("{}–{}", s.format("%H:%M"), e.format("%H:%M")));
        }
        if !used_today.is_empty() {
            log.push(format!("{}: {}", fmt_date(d), used_today.join(", ")));
        }
        if left == 0 {
            if let Some(st) = steps {
                st.extend(log);
            }
            return Ok(t.max(d.and_time(NaiveTime::MIN)));
        }
        d = d.succ_opt().ok_or_else(|| CalendarError::out_of_range(d.year()))?;
        if !crate::lunar::in_range(d.year()) {
            return Err(CalendarError::out_of_range(d.year()));
        }
    }
}

/// The due date-time of a dossier received at `received` with time limit `limit`.
pub fn due(
    cal: &WorkCalendar,
    received: NaiveDateTime,
    limit: TimeLimit,
    cutoff: Option<NaiveTime>,
    pauses: &[Pause],
) -> Result<Deadline, CalendarError> {
    cal.status(received.date())?;
    let mut steps = vec![format!("Tiếp nhận lúc {}.", fmt_datetime(received))];
    steps.push(format!("Thời hạn giải quyết: {limit}."));
    // The receipt as the law counts it: after the cut-off hour, it is the next working day's.
    let mut reference = received;
    if let Some(c) = cutoff {
        if received.time() > c && limit != TimeLimit::SameDay {
            let mut skipped = vec![];
            let next = cal.next_working_day(received.date(), &mut skipped)?;
            reference = next.and_time(NaiveTime::MIN);
            steps.push(format!(
                "Tiếp nhận sau giờ chốt {}: coi như tiếp nhận vào {}.",
                c.format("%H:%M"),
                fmt_date(next)
            ));
        }
    }
    let base = match limit {
        TimeLimit::WorkingDays(0)
        | TimeLimit::Days(0)
        | TimeLimit::WorkingHours(0)
        | TimeLimit::Months(0)
        | TimeLimit::SameDay => same_day(cal, reference, cutoff, &mut steps)?,
        TimeLimit::WorkingDays(n) => {
            steps.push("Tính từ ngày làm việc tiếp theo ngày tiếp nhận.".into());
            let mut d = reference.date();
            for i in 1..=n {
                let mut skipped = vec![];
                d = cal.next_working_day(d, &mut skipped)?;
                if let Some(s) = skipped_text(&skipped) {
                    steps.push(s);
                }
                if n <= 31 || i == n {
                    steps.push(format!("Ngày làm việc thứ {i}: {}.", fmt_date(d)));
                }
            }
            close_of(cal, d)?
        }
        TimeLimit::Days(n) => {
            let last = limit.calendar_end(reference.date(), 0).unwrap_or(reference.date());
            steps.push(format!(
                "Tính từ ngày sau ngày tiếp nhận (Bộ luật Dân sự, điều 147): ngày thứ {n} là {}.",
                fmt_date(last)
            ));
            roll_to_working_day(cal, last, &mut steps)?
        }
        TimeLimit::Months(n) => {
            let last = limit.calendar_end(reference.date(), 0).ok_or_else(|| {
                CalendarError::new(Code::InvalidLimit, format!("thời hạn {n} tháng vượt quá lịch"))
            })?;
            steps.push(format!(
                "Tính theo tháng (Bộ luật Dân sự, điều 147, 148): hết ngày tương ứng của tháng thứ {n}, {}.",
                fmt_date(last)
            ));
            roll_to_working_day(cal, last, &mut steps)?
        }
        TimeLimit::WorkingHours(n) => {
            steps.push("Tính theo giờ làm việc của cơ quan:".into());
            advance_office(cal, reference, n as i64 * 60, Some(&mut steps))?
        }
    };
    let mut due = base;
    if !pauses.is_empty() {
        due = apply_pauses(cal, received, reference, limit, base, pauses, &mut steps)?;
    }
    steps.push(format!("Hạn trả kết quả: {}.", fmt_datetime(due)));
    Ok(Deadline { due, steps })
}

fn same_day(
    cal: &WorkCalendar,
    reference: NaiveDateTime,
    cutoff: Option<NaiveTime>,
    steps: &mut Vec<String>,
) -> Result<NaiveDateTime, CalendarError> {
    let d = reference.date();
    let close = close_of(cal, d)?;
    let in_time = cutoff.is_none_or(|c| reference.time() <= c) && reference < close;
    let open = !cal.hours_on(d)?.is_empty();
    if open && in_time {
        steps.push("Trả kết quả trong ngày tiếp nhận.".into());
        return Ok(close);
    }
    let mut skipped = vec![];
    let next = cal.next_working_day(d, &mut skipped)?;
    let why = if !open {
        "tiếp nhận vào ngày nghỉ".to_string()
    } else if let Some(c) = cutoff.filter(|c| reference.time() > *c) {
        format!("tiếp nhận sau giờ chốt {}", c.format("%H:%M"))
    } else {
        "tiếp nhận sau giờ làm việc".to_string()
    };
    steps.push(format!("{}: trả kết quả vào ngày làm việc tiếp theo, {}.", capitalise(&why), fmt_date(next)));
    if let Some(s) = skipped_text(&skipped) {
        steps.push(s);
    }
    close_of(cal, next)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn roll_to_working_day(
    cal: &WorkCalendar,
    last: NaiveDate,
    steps: &mut Vec<String>,
) -> Result<NaiveDateTime, CalendarError> {
    let (working, reason) = cal.status(last)?;
    if working {
        return close_of(cal, last);
    }
    let mut skipped = vec![];
    let next = cal.next_working_day(last, &mut skipped)?;
    steps.push(format!(
        "Ngày cuối cùng {} là ngày nghỉ ({}): thời hạn kết thúc vào ngày làm việc tiếp theo, {} (Bộ luật Dân sự, điều 148).",
        fmt_date(last),
        reason.map_or_else(String::new, |r| r.name),
        fmt_date(next)
    ));
    close_of(cal, next)
}

/// Adds back the time the clock was stopped, until the due date no longer moves (a later due
/// date may take in more of a long pause).
fn apply_pauses(
    cal: &WorkCalendar,
    received: NaiveDateTime,
    reference: NaiveDateTime,
    limit: TimeLimit,
    base: NaiveDateTime,
    pauses: &[Pause],
    steps: &mut Vec<String>,
) -> Result<NaiveDateTime, CalendarError> {
    for p in pauses {
        if p.to <= p.from {
            return Err(CalendarError::new(
                Code::InvalidPause,
                format!(
                    "khoảng tạm dừng từ {} đến {} không hợp lệ",
                    fmt_datetime(p.from),
                    fmt_datetime(p.to)
                ),
            ));
        }
    }
    // A period of calendar days or months is moved by whole days paused; working time by the
    // office minutes paused.
    let in_days = matches!(limit, TimeLimit::Days(n) | TimeLimit::Months(n) if n > 0);
    let mut due = base;
    let mut paused = 0i64;
    for _ in 0..1000 {
        paused = 0;
        for p in pauses {
            let (a, b) = (p.from.max(received), p.to.min(due));
            if b > a {
                paused += if in_days { (b - a).num_seconds() } else { office_minutes(cal, a, b)? };
            }
        }
        let next = if in_days {
            let extra = (paused + 86_399) / 86_400;
            let last = limit.calendar_end(reference.date(), extra).ok_or_else(|| {
                CalendarError::new(Code::InvalidLimit, "thời hạn vượt quá lịch".to_string())
            })?;
            let mut scratch = vec![];
            roll_to_working_day(cal, last, &mut scratch)?
        } else if paused > 0 {
            advance_office(cal, base, paused, None)?
        } else {
            base
        };
        if next == due {
            break;
        }
        due = next;
    }
    for p in pauses {
        let (a, b) = (p.from.max(received), p.to.min(due));
        if b > a {
            let amount = if in_days {
                format!("{} ngày", ((b - a).num_seconds() + 86_399) / 86_400)
            } else {
                format!("{} làm việc", fmt_minutes(office_minutes(cal, a, b)?))
            };
            steps.push(format!(
                "Tạm dừng ({}) từ {} đến {}: không tính {amount}.",
                p.reason,
                fmt_datetime(p.from),
                fmt_datetime(p.to)
            ));
        }
    }
    if due != base {
        let total =
            if in_days { format!("{} ngày", (paused + 86_399) / 86_400) } else { fmt_minutes(paused) };
        steps.push(format!(
            "Cộng thêm thời gian tạm dừng ({total}): hạn dời từ {} sang {}.",
            fmt_datetime(base),
            fmt_datetime(due)
        ));
    }
    Ok(due)
}

/// A new due date after an extension (Form 04): `extra` counted from the old due date.
pub fn extend(
    cal: &WorkCalendar,
    old_due: NaiveDateTime,
    extra: TimeLimit,
    reason: &str,
) -> Result<Deadline, CalendarError> {
    let mut d = due(cal, old_due, extra, None, &[])?;
    d.steps[0] = format!("Gia hạn ({reason}): thêm {extra} kể từ hạn cũ {}.", fmt_datetime(old_due));
    d.steps.remove(1);
    for s in &mut d.steps {
        if s.starts_with("Tính từ") {
            *s = s.replace("ngày tiếp nhận", "hạn cũ");
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    fn due_of(received: NaiveDateTime, limit: &str, cutoff: Option<(u32, u32)>) -> NaiveDateTime {
        let cal = WorkCalendar::default();
        let c = cutoff.map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap());
        due(&cal, received, limit.parse().unwrap(), c, &[]).unwrap().due
    }

    #[test]
    fn parses_limits_in_english_and_vietnamese() {
        assert_eq!("3 working days".parse(), Ok(TimeLimit::WorkingDays(3)));
        assert_eq!("  5   ngày ".parse(), Ok(TimeLimit::Days(5)));
        assert_eq!("8 giờ làm việc".parse(), Ok(TimeLimit::WorkingHours(8)));
        assert_eq!("Same day".parse(), Ok(TimeLimit::SameDay));
        assert_eq!("3 tháng".parse(), Ok(TimeLimit::Months(3)));
        assert_eq!(TimeLimit::Months(3).to_string(), "3 tháng");
        assert_eq!("-2 days".parse::<TimeLimit>().unwrap_err().code, "negative_count");
        assert_eq!("three days".parse::<TimeLimit>().unwrap_err().code, "invalid_limit");
        assert_eq!("3 weeks".parse::<TimeLimit>().unwrap_err().code, "invalid_limit");
    }

    #[test]
    fn working_days_skip_weekends_and_tet() {
        // Friday 13/02/2026 + 3 working days: Tết closes 14–22/02, so 23, 24, 25/02.
        assert_eq!(due_of(at(2026, 2, 13, 9, 0), "3 working days", None), at(2026, 2, 25, 17, 0));
        // Make-up Saturday 10/01/2026 counts.
        assert_eq!(due_of(at(2026, 1, 9, 9, 0), "1 working days", None), at(2026, 1, 10, 17, 0));
    }

    #[test]
    fn days_roll_forward_when_the_last_is_a_rest_day() {
        // Received Wednesday 22/04/2026, 4 days → Sunday 26/04 (Giỗ Tổ), Monday 27/04 off in
        // compensation, so Tuesday 28/04.
        assert_eq!(due_of(at(2026, 4, 22, 10, 0), "4 days", None), at(2026, 4, 28, 17, 0));
        assert_eq!(due_of(at(2026, 4, 22, 10, 0), "2 days", None), at(2026, 4, 24, 17, 0));
    }

    #[test]
    fn working_hours_use_office_time() {
        // Monday 11/05/2026 10:30 + 8 working hours: 1h before lunch, 4h afternoon, 3h next day.
        assert_eq!(due_of(at(2026, 5, 11, 10, 30), "8 working hours", None), at(2026, 5, 12, 10, 30));
        // Received at 18:00: the count starts at the next opening.
        assert_eq!(due_of(at(2026, 5, 11, 18, 0), "4 working hours", None), at(2026, 5, 12, 11, 30));
    }

    #[test]
    fn same_day_with_cut_off() {
        assert_eq!(due_of(at(2026, 5, 11, 14, 0), "same day", Some((15, 0))), at(2026, 5, 11, 17, 0));
        assert_eq!(due_of(at(2026, 5, 11, 15, 30), "same day", Some((15, 0))), at(2026, 5, 12, 17, 0));
        assert_eq!(due_of(at(2026, 5, 9, 9, 0), "same day", None), at(2026, 5, 11, 17, 0));
        // Saturday
    }

    #[test]
    fn a_saturday_desk_returns_same_day_results_and_counts_its_hours() {
        let hours = crate::OfficeHours::parse("mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30").unwrap();
        let cal = WorkCalendar::new(crate::DecidedDays::builtin(), hours);
        // Saturday 09/05/2026 at 09:00: same day → 11:30 that Saturday.
        assert_eq!(
            due(&cal, at(2026, 5, 9, 9, 0), TimeLimit::SameDay, None, &[]).unwrap().due,
            at(2026, 5, 9, 11, 30)
        );
        // Friday 16:00 + 4 working hours: 1 h on Friday, 3 h on the Saturday morning.
        assert_eq!(
            due(&cal, at(2026, 5, 8, 16, 0), TimeLimit::WorkingHours(4), None, &[]).unwrap().due,
            at(2026, 5, 9, 10, 30)
        );
        // + 6 working hours: the Saturday's 4 h, then 1 h on Monday.
        assert_eq!(
            due(&cal, at(2026, 5, 8, 16, 0), TimeLimit::WorkingHours(6), None, &[]).unwrap().due,
            at(2026, 5, 11, 8, 30)
        );
        // Working days still count the public service's working days only.
        assert_eq!(
            due(&cal, at(2026, 5, 8, 9, 0), TimeLimit::WorkingDays(1), None, &[]).unwrap().due,
            at(2026, 5, 11, 17, 0)
        );
    }

    #[test]
    fn pauses_move_the_due_date_by_the_office_time_they_cover() {
        let cal = WorkCalendar::default();
        let r = at(2026, 5, 11, 9, 0);
        let base = due(&cal, r, TimeLimit::WorkingDays(3), None, &[]).unwrap().due;
        assert_eq!(base, at(2026, 5, 14, 17, 0));
        let pause =
            Pause {
                from: at(2026, 5, 12, 8, 0), to: at(2026, 5, 13, 8, 0), reason: "chờ bổ sung".into()
            };
        let d = due(&cal, r, TimeLimit::WorkingDays(3), None, &[pause]).unwrap();
        // 08:00–11:30 and 13:00–17:00 on 12/05, 07:30–08:00 on 13/05: 8 hours = one working day.
        assert_eq!(d.due, at(2026, 5, 15, 17, 0));
        assert!(d.steps.iter().any(|s| s.contains("Tạm dừng (chờ bổ sung)") && s.contains("8 giờ")));
    }

    #[test]
    fn extension_counts_from_the_old_due_date() {
        let cal = WorkCalendar::default();
        let d = extend(&cal, at(2026, 5, 14, 17, 0), TimeLimit::WorkingDays(5), "hồ sơ phức tạp").unwrap();
        assert_eq!(d.due, at(2026, 5, 21, 17, 0));
        assert!(d.steps[0].starts_with("Gia hạn (hồ sơ phức tạp)"));
    }

    #[test]
    fn explanation_reads_as_vietnamese_steps() {
        let cal = WorkCalendar::default();
        let d = due(&cal, at(2026, 2, 13, 16, 20), TimeLimit::WorkingDays(2), None, &[]).unwrap();
        let text = d.steps.join("\n");
        assert!(text.contains("Tiếp nhận lúc 16:20 thứ Sáu 13/02/2026."), "{text}");
        assert!(text.contains("Tết Nguyên đán Bính Ngọ"), "{text}");
        assert!(text.contains("Hạn trả kết quả: 17:00 thứ Ba 24/02/2026."), "{text}");
    }

    #[test]
    fn errors_for_out_of_range_and_bad_pauses() {
        let cal = WorkCalendar::default();
        assert_eq!(
            due(&cal, at(2199, 12, 30, 9, 0), TimeLimit::WorkingDays(30), None, &[]).unwrap_err().code,
            "year_out_of_range"
        );
        let p = Pause { from: at(2026, 5, 12, 9, 0), to: at(2026, 5, 12, 8, 0), reason: String::new() };
        assert_eq!(
            due(&cal, at(2026, 5, 11, 9, 0), TimeLimit::WorkingDays(3), None, &[p]).unwrap_err().code,
            "invalid_pause"
        );
    }

    #[test]
    fn months_end_on_the_same_day_or_the_months_last_and_never_on_a_day_off() {
        let cal = WorkCalendar::default();
        // 31/03/2026 + 1 month: April has no 31st, so 30/04/2026, a holiday (Giải phóng miền
        // Nam), then 01/05 (Quốc tế Lao động), 02-03/05 a weekend: Monday 04/05/2026.
        let d = due(&cal, at(2026, 3, 31, 9, 0), TimeLimit::Months(1), None, &[]).unwrap();
        assert_eq!(d.due.date(), NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(), "{:?}", d.steps);
        assert!(
            d.steps.iter().any(|s| s.contains("điều 147, 148") && s.contains("30/04/2026")),
            "{:?}",
            d.steps
        );
        // 15/06/2026 + 3 months: Tuesday 15/09/2026, a working day.
        let d = due(&cal, at(2026, 6, 15, 9, 0), TimeLimit::Months(3), None, &[]).unwrap();
        assert_eq!(d.due.date(), NaiveDate::from_ymd_opt(2026, 9, 15).unwrap());
        // Ten days paused move it by ten days: Friday 25/09/2026.
        let pause =
            Pause { from: at(2026, 7, 1, 8, 0), to: at(2026, 7, 11, 8, 0), reason: "bổ sung".into() };
        let d = due(&cal, at(2026, 6, 15, 9, 0), TimeLimit::Months(3), None, &[pause]).unwrap();
        assert_eq!(d.due.date(), NaiveDate::from_ymd_opt(2026, 9, 25).unwrap(), "{:?}", d.steps);
    }
}
