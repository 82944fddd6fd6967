//! `haicap dossier`: receive, act on, show and list dossiers from the console or a script.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use app::{ActionRequest, Applicant, DossierFilter, DossierRecord, IntakeRequest};
use clap::{Args, Subcommand, ValueEnum};
use domain::{Channel, Status};
use errors::Code;
use std::process::ExitCode;

#[derive(Args)]
pub struct DossierArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    cmd: DossierCmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChannelArg {
    Direct,
    Online,
    Postal,
}

#[derive(Subcommand)]
enum DossierCmd {
    /// Tiếp nhận hồ sơ; in ra mã hồ sơ.
    Receive {
        #[arg(long)]
        procedure: String,
        #[arg(long, value_enum)]
        channel: ChannelArg,
        /// Mã xã, phường tiếp nhận (hoặc mã tỉnh cho bộ phận một cửa cấp tỉnh).
        #[arg(long)]
        commune: Option<String>,
        #[arg(long)]
        applicant_name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        id_number: Option<String>,
        /// Địa chỉ như người dân ghi (cũ hay mới); được quy đổi sang xã, phường mới.
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Thực hiện một thao tác: receive, refuse, request_supplement, supplement_received, assign,
    /// transfer, request_payment, payment_received, propose, draft_extension, approve, deny,
    /// extend, stop, withdraw, return_result, correct_applicant. Với --as, chỉ các thao tác mà
    /// vai trò và đơn vị của tài khoản được làm (docs/roles.md).
    Act {
        code: String,
        action: String,
        /// Lý do, nội dung (bắt buộc với từ chối, bổ sung, không giải quyết, gia hạn, dừng, rút).
        #[arg(long)]
        note: Option<String>,
        /// Người được phân công (assign) hoặc mã đơn vị nhận (transfer).
        #[arg(long)]
        to: Option<String>,
        /// Số tiền nghĩa vụ tài chính (request_payment), đồng.
        #[arg(long)]
        amount: Option<u64>,
        /// Số ngày làm việc gia hạn (extend, draft_extension).
        #[arg(long)]
        days: Option<u32>,
        /// Kết quả đề xuất (propose): approve hoặc deny.
        #[arg(long)]
        verdict: Option<String>,
        /// Họ tên đã điều chỉnh (correct_applicant; kèm --phone, --id-number, --address).
        #[arg(long)]
        applicant_name: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        id_number: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Chi tiết hồ sơ và lịch sử xử lý (phiếu kiểm soát, Mẫu 06).
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Danh sách hồ sơ theo hạn xử lý.
    List {
        #[arg(long)]
        commune: Option<String>,
        /// Trạng thái: mã (received, processing…) hoặc số TrangThaiHoSo 1-10.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        overdue: bool,
        /// Tìm theo tên người nộp (không dấu cũng được), số điện thoại hoặc mã hồ sơ.
        #[arg(long)]
        q: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 50)]
        per_page: u32,
        #[arg(long)]
        json: bool,
    },
}

fn parse_status(s: &str) -> Result<Status, CliError> {
    Status::parse(s).ok_or_else(|| {
        let names: Vec<String> = domain::status::ALL_STATUSES
            .iter()
            .map(|st| format!("{} ({})", st.code(), st.portal_code()))
            .collect();
        CliError::new(Code::UnknownStatus, format!("trạng thái \"{s}\" không có; dùng: {}", names.join(", ")))
    })
}

fn unit_name(code: &str) -> String {
    units::registry().unit_name(code).map_or(code.to_string(), |n| format!("{n} ({code})"))
}

fn time(t: Option<chrono::NaiveDateTime>) -> String {
    t.map_or("—".into(), |t| t.format("%H:%M %d/%m/%Y").to_string())
}

fn verdict_vi(v: Option<&str>) -> &'static str {
    match v {
        Some("early") => "trước hạn",
        Some("on_time") => "đúng hạn",
        Some("late") => "quá hạn",
        _ => "",
    }
}

fn print_record(d: &DossierRecord, app: &app::App) -> Result<(), CliError> {
    let catalog = app.catalog();
    let name = catalog.get(&d.procedure_code).map_or("", |p| p.name.as_str());
    outln!("Hồ sơ {}", d.code);
    outln!("Thủ tục: {} — {name} (phiên bản {})", d.procedure_code, d.procedure_version);
    let mut who = d.applicant_name.clone();
    if let Some(p) = &d.applicant_phone {
        who.push_str(&format!(" · ĐT {p}"));
    }
    if let Some(n) = &d.applicant_id_number {
        who.push_str(&format!(" · số định danh {n}"));
    }
    outln!("Người nộp: {who}");
    if let Some(a) = &d.address_text {
        let resolved = d
            .address_commune
            .as_deref()
            .map_or(" (chưa xác định được xã, phường)".to_string(), |c| {
                format!(" → {}", unit_name(c))
            });
        outln!("Địa chỉ: {a}{resolved}");
    }
    outln!("Hình thức nộp: {}", d.channel.label());
    outln!("Tiếp nhận tại: {} · Đơn vị xử lý: {}", unit_name(&d.receiving_unit), unit_name(&d.handling_unit));
    outln!("Trạng thái: {} (TrangThaiHoSo {})", d.status.label(), d.status.portal_code());
    let overdue = match d.due_at {
        Some(due)
            if d.finished_at.is_none()
                && !d.status.is_final()
                && !d.status.waits_for_citizen()
                && app.now() > due =>
        {
            " — QUÁ HẠN"
        }
        _ => "",
    };
    outln!(
        "Đăng ký: {} · Tiếp nhận: {} · Hẹn trả: {}{overdue}",
        time(Some(d.registered_at)),
        time(d.received_at),
        time(d.due_at)
    );
    if d.finished_at.is_some() {
        outln!("Hoàn thành: {} ({})", time(d.finished_at), verdict_vi(d.verdict.as_deref()));
    }
    if let Some(a) = &d.assignee {
        outln!("Người xử lý: {a}");
    }
    if !d.events.is_empty() {
        outln!("Lịch sử xử lý:");
        for e in &d.events {
            let note = e.note.as_deref().map_or(String::new(), |n| format!(" — ghi chú: {n}"));
            outln!("  {:>2}. {}  {}  {}{note}", e.seq, time(Some(e.at)), e.actor, e.kind.describe());
        }
    }
    let allowed = domain::dossier::allowed_in(d.status);
    if !allowed.is_empty() {
        let list: Vec<String> =
            allowed.iter().map(|a| format!("{a} ({})", domain::dossier::action_label(a))).collect();
        outln!("Thao tác được phép: {}", list.join(", "));
    }
    Ok(())
}

pub fn run(a: DossierArgs) -> CmdResult {
    let app = a.db.open()?;
    let actor = a.db.actor(&app)?;
    match a.cmd {
        DossierCmd::Receive {
            procedure,
            channel,
            commune,
            applicant_name,
            phone,
            id_number,
            address,
            json,
        } => {
            let channel = match channel {
                ChannelArg::Direct => Channel::Direct,
                ChannelArg::Online => Channel::Online,
                ChannelArg::Postal => Channel::Postal,
            };
            let req = IntakeRequest {
                procedure_code: procedure,
                channel,
                commune_code: commune,
                applicant: Applicant { full_name: applicant_name, phone, id_number, address },
            };
            let d = app.dossiers().receive(&req, &actor)?;
            if json {
                outln!("{}", serde_json::to_string(&d).expect("records serialise"));
            } else {
                outln!("{}", d.code);
                eprintln!(
                    "Đã {} hồ sơ {}; hẹn trả: {}.",
                    if d.status == Status::Registered { "đăng ký" } else { "tiếp nhận" },
                    d.code,
                    time(d.due_at)
                );
            }
        }
        DossierCmd::Act {
            code,
            action,
            note,
            to,
            amount,
            days,
            verdict,
            applicant_name,
            phone,
            id_number,
            address,
            json,
        } => {
            let applicant =
                applicant_name.map(|full_name| Applicant { full_name, phone, id_number, address });
            let req =
                ActionRequest { action, note, to, amount_vnd: amount, extra_days: days, verdict, applicant };
            let d = app.dossiers().act(&code, &req, &actor)?;
            if json {
                outln!("{}", serde_json::to_string(&d).expect("records serialise"));
            } else {
                outln!("{}\t{}\t{}", d.code, d.status.label(), time(d.due_at));
            }
        }
        DossierCmd::Show { code, json } => {
            let d = app.dossiers().dossier(&code, &actor)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&d).expect("records serialise"));
            } else {
                print_record(&d, &app)?;
            }
        }
        DossierCmd::List { commune, status, overdue, q, page, per_page, json } => {
            let status = status.as_deref().map(parse_status).transpose()?;
            let filter = DossierFilter {
                unit: commune,
                province: None,
                status,
                overdue,
                text: q,
                open_only: false,
                page,
                per_page,
                ..DossierFilter::default()
            };
            let p = app.dossiers().list(&filter, &actor)?;
            if json {
                outln!("{}", serde_json::to_string(&p).expect("pages serialise"));
            } else {
                for d in &p.items {
                    outln!(
                        "{}\t{}\t{}\t{}\t{}",
                        d.code,
                        d.status.label(),
                        time(d.due_at),
                        d.procedure_code,
                        d.applicant_name
                    );
                }
                eprintln!("Trang {}: {} hồ sơ / tổng {}.", p.page, p.items.len(), p.total);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
