//! Demo data: accounts for every role at a commune and at the province, and a month of
//! dossiers in every commune of Đà Nẵng (48) and Huế (46), so that a newcomer sees a living
//! system and the roles apart. Only a database without accounts is filled.

use crate::{Actor, App, AppResult};
use calendar::WorkCalendar;
use chrono::{Duration, NaiveDateTime, Timelike};
use domain::roles::Role;
use errors::Code;
use std::sync::atomic::{AtomicI64, Ordering};
use store::DbUrl;

/// The password of every demo account (the README lists them).
pub const DEMO_PASSWORD: &str = "haicap2025";

/// (username, role, unit, full name)
pub const DEMO_USERS: &[(&str, Role, &str, &str)] = &[
    ("admin.danang", Role::Admin, "48", "Quản trị Đà Nẵng"),
    ("quantri.quocgia", Role::NationalAdmin, "VN", "Quản trị dữ liệu dùng chung"),
    ("lanhdao.quocgia", Role::NationalLeader, "VN", "Văn phòng Chính phủ"),
    ("motcua.danang", Role::Officer, "48", "Trung tâm Phục vụ hành chính công Đà Nẵng"),
    ("quantri.haichau", Role::Admin, "20242", "Quản trị Phường Hải Châu"),
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

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub users: usize,
    pub dossiers: usize,
}

/// How busy the demo's month is: a fifth of Đà Nẵng's real load (about 6 dossiers a working
/// day per commune), so that `serve --demo` starts in seconds (docs/benchmarks.md).
pub const DEMO_SCALE: f64 = 0.2;

/// Fills a database that has no accounts yet; returns what it made (nothing if it had some):
/// the demo accounts, then the last 30 days of every commune of Đà Nẵng (48) and Huế (46),
/// simulated through the application's own use cases, then some coordination.
pub fn seed(
    url: &DbUrl,
    places: &crate::Places,
    calendar: WorkCalendar,
    now: NaiveDateTime,
) -> AppResult<DemoSummary> {
    let first_day = (now - Duration::days(30)).date();
    let start = first_day.and_hms_opt(7, 30, 0).unwrap_or(now);
    let (clock, read) = crate::simulation::hand_clock(start);
    let app = App::open(url, calendar, read)?.with_places(places.clone());
    let has_users = app.store.read(|c| c.query_one("SELECT 1 FROM users LIMIT 1", &[]))?.is_some();
    if has_users {
        return Ok(DemoSummary::default());
    }
    for (name, role, unit, full) in DEMO_USERS {
        app.accounts().add_user(name, *role, unit, DEMO_PASSWORD, Some(full))?;
    }
    // Up to yesterday: today's work is the visitor's.
    let opts = crate::simulation::SimOptions { days: 30, seed: 2025, scale: DEMO_SCALE, threads: 8 };
    let r = crate::simulation::simulate(&app, &clock, "48,46", first_day, opts, &|_, _, _, _| {})?;
    coordination(&app, &clock, start)?;
    Ok(DemoSummary { users: DEMO_USERS.len(), dossiers: r.dossiers })
}

/// Departments, positions, staffing, a few proposals and directives, so that the coordination
/// pages have something to show. Times are set on the demo clock, in order.
fn coordination(app: &App, clock: &AtomicI64, start: NaiveDateTime) -> AppResult<()> {
    use crate::accounts::staff::StaffingUpdate;
    use crate::coordination::directives::{NewDirective, NewReport};
    use crate::coordination::proposals::{NewProposal, ProposalResponse};
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
        app.accounts().set_profile(user, dept, Some(position), &fields, &console)?;
    }
    let at = |days: i64, hour: u32| {
        let t = (start + Duration::days(days)).with_hour(hour).unwrap_or(start);
        clock.store(t.and_utc().timestamp(), Ordering::SeqCst);
    };
    let who = |name: &str| -> AppResult<Actor> {
        let (u, _) = app
            .accounts()
            .user(name)?
            .ok_or_else(|| crate::AppError::new(Code::UserNotFound, name.to_string()))?;
        Ok(Actor::of(&u))
    };
    let (hai_chau, hoa_cuong, leader) =
        (who("chutich.haichau")?, who("chutich.hoacuong")?, who("lanhdao.danang")?);
    app.accounts().set_staffing(
        "20242",
        &StaffingUpdate { quota: Some(45), population: Some(88_000) },
        &leader,
    )?;
    app.accounts().set_staffing("20257", &StaffingUpdate { quota: Some(38), population: None }, &leader)?;

    at(1, 8);
    let file =
        |title: &str, category: &str, body: &str, procedure: Option<&str>, urgent: bool, by: &Actor| {
            app.coordination().file_proposal(
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
        app.coordination().respond_to_proposal(
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
    let first = app.coordination().issue_directive(
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
    app.coordination().report_on_directive(
        first.id,
        &NewReport {
            status: "done".into(),
            body: "Phường có 2 trụ sở dôi dư; đề xuất chuyển thành nhà văn hóa.".into(),
        },
        &[],
        &hai_chau,
    )?;
    at(10, 8);
    app.coordination().issue_directive(
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
    app.coordination().flag_overdue_proposals()?;
    Ok(())
}
