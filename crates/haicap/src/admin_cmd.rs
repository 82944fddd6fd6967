//! `haicap user`, `haicap province` and `haicap audit`: accounts, each province's settings,
//! and the check of the history.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use app::RuleUpdate;
use clap::{Args, Subcommand};
use domain::roles::Role;
use errors::Code;
use std::io::Read;
use std::process::ExitCode;

#[derive(Args)]
pub struct UserArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    cmd: UserCmd,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Tạo tài khoản; mật khẩu đọc từ đầu vào chuẩn (không để lại trong lịch sử lệnh).
    Add {
        username: String,
        /// officer, specialist, commune_leader, department, province_leader, admin,
        /// national_admin, national_leader
        #[arg(long)]
        role: String,
        /// Mã xã, phường (vai trò cấp xã), mã tỉnh (vai trò cấp tỉnh) hoặc VN (vai trò quốc gia).
        #[arg(long)]
        unit: String,
        #[arg(long)]
        full_name: Option<String>,
        /// Sở, ngành của cán bộ vai trò department: VPUB, SNV, STP, STC, SXD, SNNMT, SKHCN, SYT, SGDDT, SVHTTDL, SCT, CA.
        #[arg(long)]
        department: Option<String>,
        /// Chức vụ.
        #[arg(long)]
        position: Option<String>,
        /// Lĩnh vực thủ tục cán bộ phụ trách (lặp lại được), ví dụ --field "Đất đai".
        #[arg(long = "field")]
        fields: Vec<String>,
        /// Thư điện tử nhận cảnh báo (khi có HAICAP_EMAIL_COMMAND).
        #[arg(long)]
        email: Option<String>,
        /// Số điện thoại nhận tin nhắn cảnh báo (khi có HAICAP_SMS_COMMAND).
        #[arg(long)]
        phone: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Khoá tài khoản (cán bộ nghỉ việc, chuyển công tác): không đăng nhập được, phiên đang mở kết thúc.
    Disable { username: String },
    /// Mở lại tài khoản đã khoá.
    Enable { username: String },
}

fn set_active(app: &app::App, db: &DbArgs, username: &str, active: bool) -> Result<(), CliError> {
    let u = app.accounts().set_active(username, active, &db.actor(app)?)?;
    outln!("{}\t{}", u.username, if u.active { "active" } else { "disabled" });
    eprintln!("Đã {} tài khoản {}.", if u.active { "mở lại" } else { "khoá" }, u.username);
    Ok(())
}

pub fn run_user(a: UserArgs) -> CmdResult {
    let app = a.db.open()?;
    match a.cmd {
        UserCmd::Add {
            username,
            role,
            unit,
            full_name,
            department,
            position,
            fields,
            email,
            phone,
            password_stdin: _,
        } => {
            let role: Role = role.parse().map_err(|m| CliError::new(Code::UnknownRole, m))?;
            let mut password = String::new();
            std::io::stdin().take(4096).read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            if role == Role::Department && department.is_none() {
                return Err(CliError::new(
                    Code::MissingDepartment,
                    "tài khoản cán bộ sở, ngành cần --department (ví dụ --department STP)",
                ));
            }
            if let Some(d) = department.as_deref().filter(|d| domain::proposal::department(d).is_none()) {
                return Err(CliError::new(Code::UnknownDepartment, format!("không có sở, ngành mã \"{d}\"")));
            }
            // Checked before the account is made: a bad address never leaves half an account.
            app::alerts::check_contact(email.as_deref(), phone.as_deref())?;
            let u = app.accounts().add_user(&username, role, &unit, password, full_name.as_deref())?;
            let console = app::Actor::console("console");
            if department.is_some() || position.is_some() || !fields.is_empty() {
                app.accounts().set_profile(
                    &u.username,
                    department.as_deref(),
                    position.as_deref(),
                    &fields,
                    &console,
                )?;
            }
            if email.is_some() || phone.is_some() {
                app.alerts().set_contact(&u.username, email.as_deref(), phone.as_deref(), &console)?;
            }
            outln!("{}\t{}\t{}", u.username, u.role, u.unit_code);
            eprintln!("Đã tạo tài khoản {} ({}) thuộc đơn vị {}.", u.username, role.label(), u.unit_code);
        }
        UserCmd::Disable { username } => set_active(&app, &a.db, &username, false)?,
        UserCmd::Enable { username } => set_active(&app, &a.db, &username, true)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ProvinceArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    cmd: ProvinceCmd,
}

#[derive(Subcommand)]
enum ProvinceCmd {
    /// Cấu hình của tỉnh: mẫu mã hồ sơ, thủ tục ủy quyền, phí riêng, tiếp nhận không phụ thuộc địa giới.
    Show {
        province: String,
        #[arg(long)]
        json: bool,
    },
    /// Đặt mẫu mã hồ sơ, ví dụ "{unit}-{yymmdd}-{seq:4}".
    SetPattern { province: String, pattern: String },
    /// Đặt quy định của tỉnh cho một thủ tục.
    SetRule {
        province: String,
        procedure: String,
        /// Tiếp nhận tại mọi xã, phường trong tỉnh (không phụ thuộc địa giới hành chính).
        #[arg(long)]
        boundary_free: Option<bool>,
        /// Tỉnh ủy quyền cho cấp xã giải quyết.
        #[arg(long)]
        delegated: Option<bool>,
        /// Mức phí, lệ phí của tỉnh (đồng); "none" để bỏ.
        #[arg(long)]
        fee: Option<String>,
        #[arg(long)]
        fee_note: Option<String>,
    },
}

pub fn run_province(a: ProvinceArgs) -> CmdResult {
    let app = a.db.open()?;
    match a.cmd {
        ProvinceCmd::Show { province, json } => {
            let s = app.province_settings(&province)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&s).expect("settings serialise"));
                return Ok(ExitCode::SUCCESS);
            }
            outln!("Tỉnh {} — mẫu mã hồ sơ: {}", s.province_code, s.code_pattern);
            if s.rules.is_empty() {
                outln!("Chưa có quy định riêng cho thủ tục nào.");
            }
            for r in &s.rules {
                let fee = r.fee_vnd.map_or("theo danh mục".into(), |f| format!("{f} đồng"));
                outln!(
                    "{}\tủy quyền cấp xã: {}\tkhông phụ thuộc địa giới: {}\tphí: {fee}{}",
                    r.procedure_code,
                    if r.delegated_to_commune { "có" } else { "không" },
                    if r.boundary_free { "có" } else { "không" },
                    r.fee_note.as_deref().map_or(String::new(), |n| format!(" ({n})"))
                );
            }
        }
        ProvinceCmd::SetPattern { province, pattern } => {
            app.set_code_pattern(&province, &pattern)?;
            eprintln!("Đã đặt mẫu mã hồ sơ của tỉnh {province}: {pattern}");
        }
        ProvinceCmd::SetRule { province, procedure, boundary_free, delegated, fee, fee_note } => {
            let fee_vnd = match fee.as_deref() {
                None => None,
                Some("none") => Some(None),
                Some(f) => Some(Some(f.replace('.', "").parse::<i64>().map_err(|_| {
                    CliError::new(Code::InvalidFee, format!("mức phí \"{f}\" không phải số đồng"))
                })?)),
            };
            let update = RuleUpdate {
                delegated_to_commune: delegated,
                boundary_free,
                fee_vnd,
                fee_note: fee_note.map(|n| Some(n).filter(|n| !n.is_empty())),
            };
            let r = app.set_rule(&province, &procedure, update)?;
            eprintln!(
                "Đã lưu: {} — ủy quyền cấp xã: {}, không phụ thuộc địa giới: {}.",
                r.procedure_code, r.delegated_to_commune, r.boundary_free
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    cmd: AuditCmd,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Kiểm tra toàn bộ chuỗi băm, hồ sơ và bản tóm tắt ngày; nêu tên hồ sơ bị sửa (mã thoát 1).
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Niêm phong các ngày đã qua (tự động khi sang ngày mới).
    Seal,
    /// Bản tóm tắt đã niêm phong của một ngày (dd/mm/yyyy), để gửi lưu ngoài hệ thống.
    Digest { day: String },
    /// Ai đã xem dữ liệu cá nhân, tải giấy tờ hoặc xuất báo cáo có dữ liệu cá nhân của hồ sơ.
    Reads {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Xoá dữ liệu cá nhân của hồ sơ đã kết thúc quá thời hạn lưu trữ (tính từ ngày trả kết
    /// quả); để lại sự kiện và bản niêm phong, chuỗi băm vẫn kiểm tra được.
    Erase {
        /// Thời hạn lưu trữ, số ngày (mặc định HAICAP_RETENTION_DAYS hoặc 1825 = 5 năm).
        #[arg(long, env = "HAICAP_RETENTION_DAYS", default_value_t = app::DEFAULT_RETENTION_DAYS)]
        retention_days: u32,
    },
}

pub fn run_audit(a: AuditArgs) -> CmdResult {
    let app = a.db.open()?;
    match a.cmd {
        AuditCmd::Verify { json } => {
            let r = app.dossiers().verify()?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&r).expect("reports serialise"));
            } else {
                for p in &r.problems {
                    let day = p.day.map_or(String::new(), |d| format!(" [ngày {}]", d.format("%d/%m/%Y")));
                    outln!("{}{day}: {}", p.dossier.as_deref().unwrap_or("—"), p.message);
                }
            }
            let altered = r.altered_dossiers();
            if r.unsealed > 0 {
                eprintln!(
                    "{} hồ sơ đăng ký trước khi có niêm phong người nộp và giấy tờ: chỉ kiểm tra được lịch sử xử lý.",
                    r.unsealed
                );
            }
            if r.ok() {
                eprintln!(
                    "Toàn vẹn: {} hồ sơ, {} sự kiện, {} ngày đã niêm phong; không phát hiện sửa đổi.",
                    r.dossiers, r.events, r.days
                );
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!(
                "PHÁT HIỆN SỬA ĐỔI: {} vấn đề; hồ sơ bị ảnh hưởng: {}.",
                r.problems.len(),
                if altered.is_empty() { "—".into() } else { altered.join(", ") }
            );
            return Ok(ExitCode::from(1));
        }
        AuditCmd::Seal => {
            let last = app.dossiers().seal()?;
            eprintln!(
                "Đã niêm phong đến ngày {}.",
                last.map_or("— (chưa có ngày nào)".into(), |d| d.format("%d/%m/%Y").to_string())
            );
        }
        AuditCmd::Digest { day } => {
            let d = chrono::NaiveDate::parse_from_str(day.trim(), "%d/%m/%Y").map_err(|_| {
                CliError::new(Code::InvalidDate, format!("ngày \"{day}\" không đúng dạng dd/mm/yyyy"))
            })?;
            match app.dossiers().digest(d)? {
                Some((digest, heads)) => outln!("{}\t{digest}\t{heads}", d.format("%d/%m/%Y")),
                None => {
                    return Err(CliError::new(
                        Code::NotSealed,
                        format!("ngày {} chưa được niêm phong hoặc không có hồ sơ nào", d.format("%d/%m/%Y")),
                    ))
                }
            }
        }
        AuditCmd::Reads { code, json } => {
            let reads = app.dossiers().reads(&code)?;
            if json {
                outln!("{}", serde_json::to_string(&reads).expect("reads serialise"));
            } else {
                for r in &reads {
                    outln!(
                        "{}\t{}\t{}\t{}",
                        r.at.format("%H:%M:%S %d/%m/%Y"),
                        r.actor,
                        app::read_label(&r.action),
                        r.detail.as_deref().unwrap_or("")
                    );
                }
                eprintln!("{} lần xem dữ liệu cá nhân của hồ sơ {}.", reads.len(), code.trim());
            }
        }
        AuditCmd::Erase { retention_days } => {
            let r = app.dossiers().erase_expired(chrono::Duration::days(retention_days.into()))?;
            eprintln!(
                "Đã xoá dữ liệu cá nhân của {} hồ sơ kết thúc quá {retention_days} ngày; gỡ {} tệp giấy tờ.",
                r.erased, r.documents_removed
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
