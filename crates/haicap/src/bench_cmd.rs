//! `haicap bench`: throughput of the application layer on a real database, and the workload
//! of the crash test (each dossier code is printed once its commit is acknowledged).

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use app::{ActionRequest, Actor, App, Applicant, IntakeRequest};
use clap::{Args, Subcommand};
use domain::roles::{Role, Scope};
use domain::Channel;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    cmd: BenchCmd,
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Tiếp nhận N hồ sơ trực tiếp từ C luồng đồng thời.
    Intake {
        #[arg(long, default_value_t = 20_000)]
        count: usize,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// In mã từng hồ sơ ngay khi đã ghi bền vững (cho kiểm thử sập nguồn).
        #[arg(long)]
        print_codes: bool,
    },
    /// N thao tác xử lý (tiếp nhận, phân công, phê duyệt, trả kết quả) từ C luồng.
    Transitions {
        #[arg(long, default_value_t = 20_000)]
        count: usize,
        #[arg(long, default_value_t = 32)]
        clients: usize,
    },
    /// Trang kiến nghị, chỉ đạo, cán bộ của xã và tỉnh với một tỉnh 100 xã, 5.000 cán bộ,
    /// 10.000 kiến nghị và 100 nhiệm vụ giao 100 xã (10.000 nhiệm vụ của xã).
    Coordination {
        #[arg(long, default_value_t = 100)]
        communes: usize,
        #[arg(long, default_value_t = 5_000)]
        officials: usize,
        #[arg(long, default_value_t = 10_000)]
        proposals: usize,
        #[arg(long, default_value_t = 100)]
        directives: usize,
        /// Số lần gọi mỗi trang.
        #[arg(long, default_value_t = 200)]
        repeat: usize,
    },
    /// Bảng điều hành, chỉ số phục vụ và API số liệu của một tỉnh và xã đông hồ sơ nhất, trên
    /// cơ sở dữ liệu do `haicap simulate` tạo (30 ngày cuối có số liệu).
    Dashboard {
        #[arg(long, default_value = "48")]
        province: String,
        /// Số lần gọi mỗi trang.
        #[arg(long, default_value_t = 200)]
        repeat: usize,
    },
    /// Máy trạm của xã bắt kịp sau một tuần mất kết nối: N hồ sơ (5 sự kiện mỗi hồ sơ) tại
    /// máy trạm, gửi lên tỉnh (--db) theo từng đợt; in số sự kiện mỗi giây.
    CatchUp {
        #[arg(long, default_value_t = 3_000)]
        dossiers: usize,
    },
    /// Tìm thủ tục khi gõ từng phím, trên danh mục trong cơ sở dữ liệu (sau `haicap catalog
    /// import` bản ghi Cổng): tìm kiếm và danh sách chọn thủ tục khi tiếp nhận của một xã.
    Catalog {
        #[arg(long, default_value = "22390")]
        commune: String,
        /// Số lần mỗi phím gõ.
        #[arg(long, default_value_t = 100)]
        repeat: usize,
    },
}

/// The communes of Đà Nẵng (48): the desks of the workload.
fn desks() -> Vec<(&'static str, &'static str)> {
    let reg = units::registry();
    reg.communes_of("48").map(|it| it.map(|c| (c.code, c.name)).collect()).unwrap_or_default()
}

fn officer(commune: &str) -> Actor {
    staff(commune, Role::Officer)
}

/// A commune's account in `role` (the desk receives and returns, the leader assigns and decides).
fn staff(commune: &str, role: Role) -> Actor {
    Actor {
        department: None,
        username: format!("bench.{}.{commune}", role.code()),
        role: Some(role),
        scope: Scope::Commune { province: "48".into(), commune: commune.into() },
    }
}

fn intake(desk: (&str, &str), i: usize, channel: Channel) -> IntakeRequest {
    IntakeRequest {
        procedure_code: "1.004873".into(),
        channel,
        commune_code: Some(desk.0.into()),
        applicant: Applicant {
            full_name: format!("Người nộp thử {i}"),
            phone: Some(format!("09{:08}", i % 100_000_000)),
            id_number: None,
            address: Some(format!("{} đường Lê Duẩn, {}, Đà Nẵng", i % 300 + 1, desk.1)),
        },
    }
}

/// Runs `work(i)` for i in 0..count on `clients` threads; returns (seconds, failures).
fn drive(count: usize, clients: usize, work: impl Fn(usize) -> bool + Sync) -> (f64, usize) {
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..clients.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                if !work(i) {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    (start.elapsed().as_secs_f64(), failed.into_inner())
}

fn report(what: &str, n: usize, secs: f64, failed: usize, app: &App) -> Result<(), CliError> {
    outln!(
        "{{\"bench\":\"{what}\",\"db\":\"{:?}\",\"count\":{n},\"failed\":{failed},\"seconds\":{secs:.3},\"per_second\":{:.0}}}",
        app.store().dialect(),
        n as f64 / secs
    );
    Ok(())
}

pub fn run(a: BenchArgs) -> CmdResult {
    let app = Arc::new(a.db.open()?);
    let desks = desks();
    match a.cmd {
        BenchCmd::Coordination { communes, officials, proposals, directives, repeat } => {
            let seeded = app
                .store()
                .read(|c| c.query_one("SELECT 1 FROM proposals LIMIT 1", &[]))
                .map_err(app::AppError::from)?
                .is_some();
            if !seeded {
                let t = Instant::now();
                crate::bench_coordination::seed(&app, communes, officials, proposals, directives)?;
                eprintln!("đã nạp dữ liệu trong {:.1} s", t.elapsed().as_secs_f64());
            }
            crate::bench_coordination::print(&crate::bench_coordination::measure(app.clone(), repeat)?)?;
        }
        BenchCmd::CatchUp { dossiers } => {
            let r = crate::bench_catchup::measure(&app, dossiers)?;
            eprintln!("máy trạm: {} hồ sơ chuẩn bị trong {:.1} s", r.dossiers, r.prepare_seconds);
            outln!(
                "{{\"bench\":\"catch_up\",\"db\":\"{:?}\",\"dossiers\":{},\"events\":{},\"seconds\":{:.3},\"events_per_second\":{:.0}}}",
                app.store().dialect(),
                r.dossiers,
                r.events,
                r.seconds,
                r.events as f64 / r.seconds
            );
        }
        BenchCmd::Catalog { commune, repeat } => {
            let (about, figures) = crate::bench_catalog::measure(app.clone(), commune.trim(), repeat)?;
            eprintln!("{about}");
            crate::bench_coordination::print(&figures)?;
        }
        BenchCmd::Dashboard { province, repeat } => {
            let (about, figures) = crate::bench_dashboard::measure(app.clone(), province.trim(), repeat)?;
            eprintln!("{about}");
            crate::bench_coordination::print(&figures)?;
        }
        BenchCmd::Intake { count, clients, print_codes } => {
            let out = Mutex::new(std::io::stdout());
            let (secs, failed) = drive(count, clients, |i| {
                let desk = desks[i % desks.len()];
                match app.dossiers().receive(&intake(desk, i, Channel::Direct), &officer(desk.0)) {
                    Ok(d) => {
                        if print_codes {
                            let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
                            let _ = writeln!(o, "{}", d.code);
                            let _ = o.flush();
                        }
                        true
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        false
                    }
                }
            });
            if !print_codes {
                report("intake", count, secs, failed, &app)?;
            }
        }
        BenchCmd::Transitions { count, clients } => {
            // Online dossiers, each then received (desk), assigned (leader, to the commune's
            // specialist), approved (leader) and returned (desk): 4 steps.
            let steps = ["receive", "assign", "approve", "return_result"];
            for (code, _) in &desks {
                match app.accounts().add_user(
                    &format!("xuly.{code}"),
                    Role::Specialist,
                    code,
                    "mat-khau-bench",
                    None,
                ) {
                    Ok(_) => {}
                    Err(e) if e.code == "user_exists" => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let dossiers = count.div_ceil(steps.len());
            let codes: Vec<(String, &str)> = (0..dossiers)
                .map(|i| {
                    let desk = desks[i % desks.len()];
                    app.dossiers()
                        .receive(&intake(desk, i, Channel::Online), &officer(desk.0))
                        .map(|d| (d.code, desk.0))
                })
                .collect::<Result<_, _>>()?;
            // Step by step, so that each dossier's actions stay in order.
            let mut total = (0.0, 0);
            for step in steps {
                let role =
                    if matches!(step, "assign" | "approve") { Role::CommuneLeader } else { Role::Officer };
                let (secs, failed) = drive(codes.len(), clients, |i| {
                    let (code, desk) = &codes[i];
                    let req = ActionRequest { to: Some(format!("xuly.{desk}")), ..ActionRequest::new(step) };
                    app.dossiers().act(code, &req, &staff(desk, role)).map_err(|e| eprintln!("{e}")).is_ok()
                });
                total = (total.0 + secs, total.1 + failed);
            }
            report("transitions", codes.len() * steps.len(), total.0, total.1, &app)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
