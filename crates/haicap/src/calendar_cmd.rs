//! `haicap calendar`: lunar dates, working days and legal deadlines.

use crate::error::CliError;
use crate::CmdResult;
use calendar::deadline::{self, fmt_date};
use calendar::{CalendarError, DecidedDays, OfficeHours, Pause, TimeLimit, WorkCalendar};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use clap::{Args, Subcommand};
use errors::Code;
use std::io::Write;
use std::process::ExitCode;

#[derive(Args)]
pub struct CalendarArgs {
    /// Tệp CSV bổ sung ngày nghỉ/ngày làm bù (date,kind,name,basis), ghi đè dữ liệu có sẵn.
    #[arg(long, global = true, env = "HAICAP_CALENDAR_DATA")]
    calendar_data: Option<String>,
    /// Giờ làm việc, ví dụ "mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30".
    #[arg(long, global = true, env = "HAICAP_OFFICE_HOURS")]
    hours: Option<String>,
    #[command(subcommand)]
    cmd: CalendarCmd,
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Hạn giải quyết của hồ sơ.
    Due {
        /// Thời điểm tiếp nhận, RFC3339 (ví dụ 2026-05-11T09:00:00+07:00).
        #[arg(long)]
        received: String,
        /// "N working days" | "N days" | "N working hours" | "same day".
        #[arg(long, allow_hyphen_values = true)]
        limit: String,
        /// Giờ chốt nhận hồ sơ trong ngày (HH:MM).
        #[arg(long)]
        cutoff: Option<String>,
        /// Khoảng tạm dừng (chờ bổ sung) dạng TỪ/ĐẾN (RFC3339), có thể lặp lại.
        #[arg(long)]
        pause: Vec<String>,
        /// Gia hạn thêm (ví dụ "5 working days"), tính từ hạn vừa tính.
        #[arg(long)]
        extend: Option<String>,
        /// In các bước tính.
        #[arg(long)]
        explain: bool,
    },
    /// Âm lịch và ngày làm việc của một ngày.
    Day {
        date: String,
        #[arg(long)]
        json: bool,
    },
    /// Các ngày thường được nghỉ và ngày cuối tuần phải làm việc trong năm.
    Year {
        year: String,
        #[arg(long)]
        json: bool,
    },
    /// Bảng âm lịch theo từng ngày (date,năm,tháng,ngày,nhuận) từ FROM đến TO.
    Lunar {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

fn cal_err(e: CalendarError) -> CliError {
    CliError::new(e.code, e.message)
}

const TZ_SECONDS: i32 = 7 * 3600;

fn parse_date(s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::new(Code::InvalidDate, format!("ngày '{s}' không hợp lệ (định dạng YYYY-MM-DD)"))
    })
}

/// An instant as local time in Vietnam: RFC3339 with any offset, or a local time without one.
fn parse_instant(s: &str) -> Result<NaiveDateTime, CliError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        let vn = FixedOffset::east_opt(TZ_SECONDS).expect("valid offset");
        return Ok(t.with_timezone(&vn).naive_local());
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t);
        }
    }
    Err(CliError::new(
        Code::InvalidDatetime,
        format!("thời điểm '{s}' không hợp lệ (dùng RFC3339, ví dụ 2026-05-11T09:00:00+07:00)"),
    ))
}

fn rfc3339(t: NaiveDateTime) -> String {
    let vn = FixedOffset::east_opt(TZ_SECONDS).expect("valid offset");
    t.and_local_timezone(vn).single().expect("fixed offsets are unambiguous").to_rfc3339()
}

pub fn build_calendar(data: Option<&str>, hours: Option<&str>) -> Result<WorkCalendar, CliError> {
    let mut decided = DecidedDays::builtin();
    if let Some(path) = data {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::new(Code::InputNotFound, format!("không đọc được tệp '{path}': {e}")))?;
        decided.merge(DecidedDays::parse_csv(&text).map_err(cal_err)?);
    }
    let hours = match hours {
        Some(h) => OfficeHours::parse(h).map_err(cal_err)?,
        None => OfficeHours::default(),
    };
    Ok(WorkCalendar::new(decided, hours))
}

pub fn run(a: CalendarArgs) -> CmdResult {
    let cal = build_calendar(a.calendar_data.as_deref(), a.hours.as_deref())?;
    match a.cmd {
        CalendarCmd::Due { received, limit, cutoff, pause, extend, explain } => {
            let received = parse_instant(&received)?;
            let limit: TimeLimit = limit.parse().map_err(cal_err)?;
            let cutoff = cutoff
                .map(|c| {
                    NaiveTime::parse_from_str(c.trim(), "%H:%M").map_err(|_| {
                        CliError::new(Code::InvalidTime, format!("giờ chốt '{c}' không hợp lệ (HH:MM)"))
                    })
                })
                .transpose()?;
            let pauses = pause
                .iter()
                .map(|p| {
                    let (from, to) = p.split_once('/').ok_or_else(|| {
                        CliError::new(
                            Code::InvalidPause,
                            format!("khoảng tạm dừng '{p}' phải có dạng TỪ/ĐẾN"),
                        )
                    })?;
                    Ok(Pause {
                        from: parse_instant(from)?,
                        to: parse_instant(to)?,
                        reason: "chờ bổ sung".into(),
                    })
                })
                .collect::<Result<Vec<_>, CliError>>()?;
            let mut d = deadline::due(&cal, received, limit, cutoff, &pauses).map_err(cal_err)?;
            if let Some(extra) = extend {
                let extra: TimeLimit = extra.parse().map_err(cal_err)?;
                let e = deadline::extend(&cal, d.due, extra, "thư xin lỗi và hẹn lại ngày trả kết quả")
                    .map_err(cal_err)?;
                d.steps.extend(e.steps);
                d.due = e.due;
            }
            outln!("{}", rfc3339(d.due));
            if explain {
                for s in &d.steps {
                    outln!("- {s}");
                }
            }
        }
        CalendarCmd::Day { date, json } => {
            let info = cal.day(parse_date(&date)?).map_err(cal_err)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&info).expect("serialize"));
            } else {
                outln!("{} — âm lịch {}", fmt_date(info.date), info.lunar_text);
                match (&info.reason, info.working) {
                    (Some(r), true) => outln!("Ngày làm việc ({}).", r.name),
                    (None, _) => outln!("Ngày làm việc."),
                    (Some(r), false) => outln!("Ngày nghỉ: {}.", r.name),
                }
                if !info.hours.is_empty() {
                    outln!("Giờ làm việc: {}.", info.hours.join(", "));
                }
            }
        }
        CalendarCmd::Year { year, json } => {
            let y: i32 = year
                .trim()
                .parse()
                .map_err(|_| CliError::new(Code::InvalidYear, format!("năm '{year}' không hợp lệ")))?;
            let days = cal.year(y).map_err(cal_err)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&days).expect("serialize"));
            } else {
                for d in days {
                    let r = d.reason.as_ref().expect("exceptions have reasons");
                    let what = if d.working { "làm việc" } else { "nghỉ" };
                    outln!("{}\t{what}\t{} ({})", fmt_date(d.date), r.name, r.basis);
                }
            }
        }
        CalendarCmd::Lunar { from, to } => {
            let (from, to) = (parse_date(&from)?, parse_date(&to)?);
            for y in [from.year(), to.year()] {
                if !(calendar::lunar::FIRST_YEAR..=calendar::lunar::LAST_YEAR).contains(&y) {
                    return Err(cal_err(CalendarError {
                        code: Code::YearOutOfRange,
                        message: format!("năm {y} nằm ngoài phạm vi lịch hỗ trợ (1900–2199)"),
                    }));
                }
            }
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut d = from;
            while d <= to {
                let l = calendar::to_lunar(d);
                writeln!(out, "{d},{},{},{},{}", l.year, l.month, l.day, l.leap as u8)?;
                d = d.succ_opt().expect("in range");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
