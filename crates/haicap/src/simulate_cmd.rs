//! `haicap simulate`: a trial run of provinces through the real application services.

use crate::db::DbArgs;
use crate::CmdResult;
use app::simulation::{hand_clock, simulate, SimOptions};
use chrono::Duration;
use clap::Args;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Mã tỉnh, thành phố (vd. 48); nhiều mã cách nhau bởi dấu phẩy; hoặc `all` (cả nước).
    #[arg(long)]
    province: String,
    /// Số ngày mô phỏng, kết thúc hôm nay.
    #[arg(long, default_value_t = 30)]
    days: u32,
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Hệ số lượng hồ sơ (1 ≈ 31 hồ sơ mỗi ngày làm việc mỗi xã, như Đà Nẵng quý đầu).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Số luồng gửi việc cùng lúc (nhiều luồng: bộ ghi gộp được nhiều thao tác vào một lần ghi).
    #[arg(long, default_value_t = 32)]
    threads: usize,
}

pub fn run(a: SimulateArgs) -> CmdResult {
    let today = app::vietnam_now().date();
    let start_day = today - Duration::days(a.days as i64);
    let (clock, read) = hand_clock(start_day.and_hms_opt(7, 30, 0).expect("valid"));
    let cal = a.db.calendar()?;
    // A rehearsal's commits are not synced one by one (a power cut loses its last seconds,
    // never consistency), and the open dossiers of a whole province stay in memory.
    // PostgreSQL commits on several connections at once: more writers, fewer waits for
    // round trips (SQLite has one writer whatever is asked).
    let opts = store::Options { durable: false, writers: 8, ..store::Options::default() };
    let app =
        app::App::open_with(&a.db.url()?, cal, read, opts)?.keep_recent(1 << 18).with_places(a.db.places()?);
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    // A terminal gets a line rewritten in place; a log gets one line a simulated day.
    let progress = |day: u32, days: u32, dossiers: usize, actions: usize| {
        let secs = started.elapsed().as_secs_f64();
        let rate = dossiers as f64 / secs.max(0.001);
        let line = format!(
            "ngày {day}/{days} · {dossiers} hồ sơ · {actions} thao tác · {secs:.0} s · {rate:.0} hồ sơ/giây"
        );
        if tty {
            eprint!("\r{line}   ");
        } else {
            eprintln!("{line}");
        }
    };
    let opts = SimOptions { days: a.days, seed: a.seed, scale: a.scale, threads: a.threads };
    let r = simulate(&app, &clock, a.province.trim(), start_day, opts, &progress)?;
    if tty {
        eprintln!();
    }
    let secs = started.elapsed().as_secs_f64();
    outln!(
        "{{\"province\":\"{}\",\"days\":{},\"dossiers\":{},\"actions\":{},\"refused_actions\":{},\"seconds\":{secs:.1},\"dossiers_per_second\":{:.0}}}",
        a.province.trim(),
        a.days,
        r.dossiers,
        r.actions,
        r.refused_actions,
        r.dossiers as f64 / secs
    );
    Ok(ExitCode::SUCCESS)
}
