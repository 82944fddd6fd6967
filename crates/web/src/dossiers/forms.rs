//! The printable forms of a dossier: the receipt (Form 01, with the tracking PIN and its QR
//! code) and Forms 02-07, and the documents filed.

use crate::auth::PageUser;
use crate::error::ApiError;
use crate::view::{bar, file_response, page_error, render, time, unit_name, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::Actor;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use errors::Code;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default()
        .route("/ho-so/{code}/phieu", get(receipt))
        .route("/ho-so/{code}/mau/{n}", get(form_letter))
        .route("/ho-so/{code}/tep/{seq}", get(download))
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    user: Option<UserBar>,
    code: String,
    agency: String,
    applicant: String,
    address: String,
    phone: String,
    procedure: String,
    documents: Vec<String>,
    limit: String,
    received: String,
    due: String,
    qr: String,
    track_url: String,
    /// The tracking PIN (none for a reader who may not see it, or a dossier filed before PINs).
    pin: Option<String>,
    officer: String,
}

fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(120, 120).build(),
        Err(_) => String::new(),
    }
}

async fn receipt(
    State(web): State<Arc<Web>>,
    u: PageUser,
    parts: Parts,
    Path(code): Path<String>,
) -> Response {
    let d = match super::page::load(&web, &u.session, code).await {
        Ok(d) => d,
        Err(e) => return page_error(e),
    };
    let catalog = web.app.catalog();
    let p = catalog.get(&d.procedure_code);
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if web.secure_cookies { "https" } else { "http" };
    // The QR code opens the tracking page with the PIN filled in: the paper is the key.
    let track_url = match &d.tracking_pin {
        Some(pin) => format!("{scheme}://{host}/tra-cuu?code={}&pin={pin}", d.code),
        None => format!("{scheme}://{host}/tra-cuu?code={}", d.code),
    };
    let officer = d
        .events
        .iter()
        .find(|e| matches!(e.kind, domain::EventKind::Received))
        .map_or(String::new(), |e| e.actor.clone());
    render(&ReceiptPage {
        user: bar(&u.session),
        agency: format!("UBND {}", unit_name(&d.receiving_unit)),
        applicant: d.applicant_name.clone(),
        address: d.address_text.clone().unwrap_or_default(),
        phone: d.applicant_phone.clone().unwrap_or_default(),
        procedure: p.map_or(d.procedure_code.clone(), |p| p.name.clone()),
        documents: p.map(|p| p.documents.clone()).unwrap_or_default(),
        limit: p.and_then(|p| p.terms(d.channel)).map_or(String::new(), |t| t.limit.to_string()),
        received: time(d.received_at.or(Some(d.registered_at))),
        due: time(d.due_at),
        qr: qr_svg(&track_url),
        track_url,
        pin: d.tracking_pin.clone(),
        officer,
        code: d.code,
    })
}

#[derive(Template)]
#[template(path = "form_letter.html")]
struct FormLetter {
    user: Option<UserBar>,
    code: String,
    form_no: String,
    title: String,
    agency: String,
    applicant: String,
    procedure: String,
    received: String,
    paragraphs: Vec<String>,
    place_date: String,
}

async fn form_letter(
    State(web): State<Arc<Web>>,
    u: PageUser,
    Path((code, n)): Path<(String, u8)>,
) -> Response {
    let d = match super::page::load(&web, &u.session, code).await {
        Ok(d) => d,
        Err(e) => return page_error(e),
    };
    use domain::EventKind as K;
    let find = |pred: &dyn Fn(&K) -> bool| d.events.iter().rev().find(|e| pred(&e.kind)).cloned();
    let (title, paragraphs, at) = match n {
        2 => match find(&|k| matches!(k, K::SupplementRequested { .. })) {
            Some(e) => {
                let K::SupplementRequested { note } = &e.kind else { unreachable!() };
                (
                    "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                    vec![
                        format!("Nội dung yêu cầu bổ sung: {note}"),
                        "Thời gian chờ bổ sung không tính vào thời hạn giải quyết.".into(),
                    ],
                    e.at,
                )
            }
            None => return page_error(ApiError::new(Code::NoSuchForm, "hồ sơ chưa có yêu cầu bổ sung")),
        },
        3 => match find(&|k| matches!(k, K::Refused { .. })) {
            Some(e) => {
                let K::Refused { reason } = &e.kind else { unreachable!() };
                ("PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", vec![format!("Lý do: {reason}")], e.at)
            }
            None => return page_error(ApiError::new(Code::NoSuchForm, "hồ sơ không bị từ chối")),
        },
        4 => match find(&|k| matches!(k, K::Extended { .. })) {
            Some(e) => {
                let K::Extended { reason, extra } = &e.kind else { unreachable!() };
                (
                    "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                    vec![
                        format!("Hồ sơ chưa giải quyết đúng hạn vì: {reason}."),
                        format!(
                            "Xin lỗi ông/bà và hẹn trả kết quả vào {} (gia hạn {extra}).",
                            time(d.due_at)
                        ),
                    ],
                    e.at,
                )
            }
            None => return page_error(ApiError::new(Code::NoSuchForm, "hồ sơ chưa gia hạn")),
        },
        5 => match find(&|k| matches!(k, K::Stopped { .. })) {
            Some(e) => {
                let K::Stopped { reason } = &e.kind else { unreachable!() };
                ("PHIẾU DỪNG XỬ LÝ HỒ SƠ", vec![format!("Lý do dừng xử lý: {reason}")], e.at)
            }
            None => return page_error(ApiError::new(Code::NoSuchForm, "hồ sơ không bị dừng xử lý")),
        },
        _ => return page_error(ApiError::new(Code::NoSuchForm, "không có mẫu này")),
    };
    let catalog = web.app.catalog();
    render(&FormLetter {
        user: bar(&u.session),
        form_no: format!("Mẫu số 0{n}"),
        title: title.into(),
        agency: format!("UBND {}", unit_name(&d.receiving_unit)),
        applicant: d.applicant_name.clone(),
        procedure: catalog.get(&d.procedure_code).map_or(d.procedure_code.clone(), |p| p.name.clone()),
        received: time(d.received_at),
        paragraphs,
        place_date: format!("{}, ngày {}", unit_name(&d.receiving_unit), at.format("%d/%m/%Y")),
        code: d.code,
    })
}

async fn download(
    State(web): State<Arc<Web>>,
    u: PageUser,
    Path((code, seq)): Path<(String, u32)>,
) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    match blocking(move || app.dossiers().attachment(&code, seq, &actor)).await {
        Ok((a, bytes)) => file_response(&a, bytes),
        Err(e) => page_error(e),
    }
}
