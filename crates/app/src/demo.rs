//! Demo data: accounts and two weeks of dossiers in Đà Nẵng (48) and Huế (46), so that a
//! newcomer sees a living system. Only a database without accounts is filled.

use crate::{ActionRequest, Actor, App, AppResult, Applicant, IntakeRequest};
use calendar::WorkCalendar;
use chrono::{Datelike, Duration, NaiveDateTime, Timelike};
use domain::roles::Role;
use domain::Channel;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use store::DbUrl;

/// The password of every demo account (the README lists them).
pub const DEMO_PASSWORD: &str = "haicap2025";

/// (username, role, unit, full name)
pub const DEMO_USERS: &[(&str, Role, &str, &str)] = &[
    ("admin.danang", Role::Admin, "48", "Quản trị Đà Nẵng"),
    ("lanhdao.danang", Role::ProvinceLeader, "48", "Lãnh đạo UBND thành phố Đà Nẵng"),
    ("sotuphap.danang", Role::Department, "48", "Chuyên viên Sở Tư pháp"),
    ("sonoivu.danang", Role::Department, "48", "Chuyên viên Sở Nội vụ"),
    ("sonnmt.danang", Role::Department, "48", "Chuyên viên Sở Nông nghiệp và Môi trường"),
    ("motcua.haichau", Role::Officer, "20242", "Nguyễn Thị Lan"),
    ("chuyenvien.haichau", Role::Specialist, "20242", "Trần Văn Minh"),
    ("chutich.haichau", Role::CommuneLeader, "20242", "Lê Văn Hùng"),
    ("chuyenvien2.haichau", Role::Specialist, "20242", "Đỗ Thị Thu"),
    ("chutich.hoacuong", Role::CommuneLeader, "20257", "Ngô Văn Tâm"),
    ("motcua.hoacuong", Role::Officer, "20257", "Phạm Thị Hoa"),
    ("lanhdao.hue", Role::ProvinceLeader, "46", "Lãnh đạo UBND thành phố Huế"),
    ("motcua.phuxuan", Role::Officer, "19753", "Võ Thị Mai"),
];

const NAMES: &[&str] = &[
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Minh Châu",
    "Phạm Quốc Dũng",
    "Hoàng Thị Én",
    "Võ Văn Phúc",
    "Đặng Thị Giang",
    "Bùi Văn Hải",
    "Đỗ Thị Hương",
    "Huỳnh Văn Khoa",
    "Ngô Thị Linh",
    "Dương Văn Nam",
];

const STREETS: &[&str] = &["Trần Phú", "Lê Lợi", "Bạch Đằng", "Nguyễn Văn Linh", "Hùng Vương", "Lê Duẩn"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub users: usize,
    pub dossiers: usize,
}

/// Fills a database that has no accounts yet; returns what it made (nothing if it had some).
pub fn seed(url: &DbUrl, calendar: WorkCalendar, now: NaiveDateTime) -> AppResult<DemoSummary> {
    let start = (now - Duration::days(14)).with_hour(7).and_then(|t| t.with_minute(30)).unwrap_or(now);
    let clock = Arc::new(AtomicI64::new(start.and_utc().timestamp()));
    let c2 = clock.clone();
    let app = App::open(
        url,
        calendar,
        Arc::new(move || {
            chrono::DateTime::from_timestamp(c2.load(Ordering::SeqCst), 0).unwrap_or_default().naive_utc()
        }),
    )?;
    let has_users = app.store.read(|c| c.query_one("SELECT 1 FROM users LIMIT 1", &[]))?.is_some();
    if has_users {
        return Ok(DemoSummary::default());
    }
    for (name, role, unit, full) in DEMO_USERS {
        app.add_user(name, *role, unit, DEMO_PASSWORD, Some(full))?;
    }
    let catalog = app.catalog();
    let procedures: Vec<&str> = catalog
        .procedures
        .iter()
        .filter(|p| {
            p.direct
                && p.terms(Channel::Direct).is_some()
                && matches!(p.level, domain::catalog::Level::Commune)
        })
        .map(|p| p.code.as_str())
        .collect();
    let desks: Vec<(&str, &str)> = DEMO_USERS
        .iter()
        .filter(|(_, role, _, _)| *role == Role::Officer)
        .map(|(user, _, unit, _)| (*user, *unit))
        .collect();
    let reg = units::registry();
    let mut rng = crate::simulate::Rng::new(2025);
    let mut dossiers = 0;
    let mut open: Vec<(String, String, usize)> = vec![];
    let mut t = start;
    while t < now - Duration::hours(1) {
        // Office hours only, a handful of citizens an hour at each desk.
        if (7..17).contains(&t.hour()) && t.weekday().num_days_from_monday() < 5 {
            for (user, unit) in &desks {
                if rng.below(3) != 0 {
                    continue;
                }
                clock.store(t.and_utc().timestamp() + rng.below(3000) as i64, Ordering::SeqCst);
                let actor = Actor {
                    department: None,
                    username: user.to_string(),
                    role: Some(Role::Officer),
                    scope: domain::roles::Scope::Commune {
                        province: reg
                            .commune(unit)
                            .map(|c| reg.province_of(c).code.to_string())
                            .unwrap_or_default(),
                        commune: unit.to_string(),
                    },
                };
                let commune = reg
                    .commune(unit)
                    .map(|c| format!("{}, {}", c.name, reg.province_of(c).name))
                    .unwrap_or_default();
                let channel = if rng.below(4) == 0 { Channel::Online } else { Channel::Direct };
                let req = IntakeRequest {
                    procedure_code: rng.pick(&procedures).to_string(),
                    channel,
                    commune_code: Some(unit.to_string()),
                    applicant: Applicant {
                        full_name: rng.pick(NAMES).to_string(),
                        phone: Some(format!("09{:08}", rng.below(100_000_000))),
                        id_number: Some(format!("0{:011}", rng.below(100_000_000_000))),
                        address: Some(format!("{} {}, {commune}", rng.below(200) + 1, rng.pick(STREETS))),
                    },
                };
                // Online procedures not offered online fall back to the desk.
                let d = app.receive(&req, &actor).or_else(|_| {
                    app.receive(&IntakeRequest { channel: Channel::Direct, ..req.clone() }, &actor)
                });
                if let Ok(d) = d {
                    dossiers += 1;
                    open.push((d.code, user.to_string(), 0));
                }
            }
            // Move some open dossiers on.
            let steps = [
                "receive",
                "assign",
                "request_supplement",
                "supplement_received",
                "approve",
                "return_result",
            ];
            for (code, user, step) in open.iter_mut() {
                if *step >= steps.len() || rng.below(6) != 0 {
                    continue;
                }
                let mut req = ActionRequest::new(steps[*step]);
                req.to = Some("chuyenvien.haichau".into());
                req.note = Some("giấy tờ cư trú chưa rõ".into());
                // Not every dossier needs a supplement.
                if steps[*step] == "request_supplement" && rng.below(3) != 0 {
                    req = ActionRequest::new("approve");
                    *step = 4;
                }
                // A step the dossier is not ready for is simply skipped.
                let _ = app.act(code, &req, &Actor::console(user));
                *step += 1;
            }
        }
        t += Duration::hours(1);
        clock.store(t.and_utc().timestamp(), Ordering::SeqCst);
    }
    coordination(&app, &clock, start)?;
    Ok(DemoSummary { users: DEMO_USERS.len(), dossiers })
}

/// Departments, positions, staffing, a few proposals and directives, so that the coordination
/// pages have something to show. Times are set on the demo clock, in order.
fn coordination(app: &App, clock: &AtomicI64, start: NaiveDateTime) -> AppResult<()> {
    use crate::directives::{NewDirective, NewReport};
    use crate::proposals::{NewProposal, ProposalResponse};
    use crate::staff::StaffingUpdate;
    let console = Actor::console("demo");
    for (user, dept, position) in [
        ("sotuphap.danang", Some("STP"), "Chuyên viên Phòng Hành chính tư pháp"),
        ("sonoivu.danang", Some("SNV"), "Chuyên viên Phòng Xây dựng chính quyền"),
        ("sonnmt.danang", Some("SNNMT"), "Chuyên viên Phòng Đất đai"),
        ("chuyenvien.haichau", None, "Công chức Tư pháp - Hộ tịch"),
        ("chuyenvien2.haichau", None, "Công chức Địa chính"),
        ("chutich.haichau", None, "Chủ tịch UBND phường"),
    ] {
        let fields: Vec<String> = match user {
            "chuyenvien2.haichau" => vec!["Đất đai".into()],
            _ => vec![],
        };
        app.set_profile(user, dept, Some(position), &fields, &console)?;
    }
    let at = |days: i64, hour: u32| {
        let t = (start + Duration::days(days)).with_hour(hour).unwrap_or(start);
        clock.store(t.and_utc().timestamp(), Ordering::SeqCst);
    };
    let who = |name: &str| -> AppResult<Actor> {
        let (u, _) =
            app.user(name)?.ok_or_else(|| crate::AppError::not_found("user_not_found", name.to_string()))?;
        Ok(Actor::of(&u))
    };
    let (hai_chau, hoa_cuong, leader) =
        (who("chutich.haichau")?, who("chutich.hoacuong")?, who("lanhdao.danang")?);
    app.set_staffing("20242", &StaffingUpdate { quota: Some(45), population: Some(88_000) }, &leader)?;
    app.set_staffing("20257", &StaffingUpdate { quota: Some(38), population: None }, &leader)?;

    at(1, 8);
    let file =
        |title: &str, category: &str, body: &str, procedure: Option<&str>, urgent: bool, by: &Actor| {
            app.file_proposal(
                &NewProposal {
                    title: title.into(),
                    category: category.into(),
                    body: body.into(),
                    urgent,
                    procedure_code: procedure.map(str::to_string),
                    dossier_code: None,
                },
                by,
            )
        };
    let staff = file(
        "Thiếu công chức địa chính sau sắp xếp",
        "staff",
        "Phường nhận thêm khối lượng hồ sơ đất đai của quận cũ nhưng chỉ còn 2 công chức địa chính; đề nghị bổ sung biên chế hoặc điều động.",
        None,
        false,
        &hai_chau,
    )?;
    let civil = file(
        "Hướng dẫn đăng ký khai sinh cho trẻ có cha mẹ ở hai phường khác nhau",
        "legal",
        "Đề nghị Sở Tư pháp hướng dẫn thống nhất nơi đăng ký khi cha mẹ cư trú ở hai phường sau sáp nhập.",
        Some("1.001193"),
        false,
        &hai_chau,
    )?;
    at(2, 9);
    file(
        "Đường truyền mạng chậm tại bộ phận một cửa",
        "digital",
        "Đường truyền thường xuyên gián đoạn giờ cao điểm; người dân phải chờ lâu khi nộp hồ sơ trực tuyến tại chỗ.",
        None,
        true,
        &hoa_cuong,
    )?;
    at(3, 10);
    let respond = |id: i64, action: &str, body: &str, by: &Actor| {
        app.respond_to_proposal(
            id,
            &ProposalResponse { body: body.into(), action: Some(action.into()), to: None },
            by,
        )
    };
    respond(
        civil.id,
        "answer",
        "Theo Luật Hộ tịch, đăng ký tại UBND cấp xã nơi cư trú của cha hoặc mẹ; người dân được chọn một trong hai nơi.",
        &who("sotuphap.danang")?,
    )?;
    at(4, 14);
    respond(
        staff.id,
        "request_info",
        "Đề nghị phường gửi số hồ sơ đất đai tiếp nhận mỗi tháng từ 01/7/2025.",
        &who("sonoivu.danang")?,
    )?;
    at(5, 9);
    respond(
        staff.id,
        "supplement",
        "Bình quân 620 hồ sơ đất đai mỗi tháng (trước sắp xếp: 150).",
        &hai_chau,
    )?;

    at(2, 8);
    let first = app.issue_directive(
        &NewDirective {
            title: "Rà soát trụ sở, tài sản dôi dư sau sắp xếp".into(),
            body: "Các phường báo cáo danh sách trụ sở không còn sử dụng và đề xuất phương án xử lý.".into(),
            due_date: (start + Duration::days(9)).format("%d/%m/%Y").to_string(),
            commune_codes: vec!["20242".into(), "20257".into()],
            all_communes: false,
        },
        &leader,
    )?;
    at(6, 15);
    app.report_on_directive(
        first.id,
        &NewReport {
            status: "done".into(),
            body: "Phường có 2 trụ sở dôi dư; đề xuất chuyển thành nhà văn hóa.".into(),
        },
        &[],
        &hai_chau,
    )?;
    at(10, 8);
    app.issue_directive(
        &NewDirective {
            title: "Báo cáo tình hình tiếp nhận hồ sơ tháng".into(),
            body: "Các xã, phường, đặc khu báo cáo số hồ sơ tiếp nhận, giải quyết, quá hạn và nguyên nhân."
                .into(),
            due_date: (start + Duration::days(20)).format("%d/%m/%Y").to_string(),
            commune_codes: vec![],
            all_communes: true,
        },
        &leader,
    )?;
    at(14, 7);
    app.flag_overdue_proposals()?;
    Ok(())
}
