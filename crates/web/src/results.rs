//! Results with legal value over the web: the leader signs with the PIN of their token, the
//! officers download the signed file, the citizen downloads it with the tracking PIN, and
//! anyone checks a file (upload it) against the trusted roots and the dossier's history.

use crate::auth::{client_ip, Caller, PageUser, SignedForm};
use crate::error::{ApiError, ApiResult, ErrorAnswer};
use crate::extract::Body;
use crate::view::{page_error, pdf_file, render, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::dossiers::results::Signed;
use app::Actor;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Json;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// A file checked is at most this large (a signed result is tens of KiB).
const MAX_PDF: usize = 10 * 1024 * 1024;

pub fn staff_routes() -> Routes {
    Routes::default()
        .routes(routes!(api_sign))
        .routes(routes!(api_signed_result))
        .routes(routes!(api_sign_apology))
        .routes(routes!(api_seal))
        .route("/ho-so/{code}/ky-so", post(sign_page))
        .route("/ho-so/{code}/ket-qua", get(signed_page))
        .route("/ho-so/{code}/thu-xin-loi", get(signed_apology_page))
}

/// Every route here reads a secret or takes a file from anyone: limited per client.
pub fn limited_routes() -> Routes {
    Routes::default()
        .routes(routes!(api_verify).layer(DefaultBodyLimit::max(MAX_PDF)))
        .route(
            "/xac-minh",
            get(verify_form).post(verify_page).layer(DefaultBodyLimit::max(MAX_PDF + 64 * 1024)),
        )
        .route("/tra-cuu/ket-qua", post(track_result))
        .route("/tra-cuu/thu-xin-loi", post(track_apology))
}

/// The PIN that opens the leader's token: used once, never kept or logged.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SignRequest {
    pin: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/result/sign", tag = "dossiers",
    summary = "Lãnh đạo ký số kết quả giải quyết hồ sơ (PAdES, khoá trong thiết bị ký số PKCS#11)",
    description = "Tạo văn bản kết quả (PDF/A) từ hồ sơ, ký bằng khoá đã đăng ký của tài khoản, lưu tệp và ghi sự kiện result_signed (SHA-256 của tệp và của chứng thư) vào lịch sử hồ sơ.",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body = SignRequest,
    responses(
        (status = 200, description = "Hồ sơ sau khi ký", body = serde_json::Value),
        (status = 400, description = "Thiếu mã PIN (missing_pin)", body = ErrorAnswer),
        (status = 403, description = "Không phải lãnh đạo đơn vị xử lý (action_not_permitted)", body = ErrorAnswer),
        (status = 404, description = "Không có hồ sơ này trong phạm vi của tài khoản", body = ErrorAnswer),
        (status = 409, description = "Hồ sơ chưa có kết quả được phê duyệt, tài khoản chưa đăng ký khoá, hoặc máy chủ chưa cấu hình thiết bị ký số", body = ErrorAnswer),
        (status = 503, description = "Thiết bị ký số không dùng được hoặc mã PIN sai (signing_token)", body = ErrorAnswer),
    ))]
async fn api_sign(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(req): Body<SignRequest>,
) -> ApiResult<Response> {
    sign_answer(&web, &caller, code, Signed::Result, req.pin).await
}

/// Signs `which` paper of the dossier and answers with its code, status and number of events.
async fn sign_answer(
    web: &Arc<Web>,
    caller: &Caller,
    code: String,
    which: Signed,
    pin: String,
) -> ApiResult<Response> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let d = blocking(move || app.dossiers().sign(&code, which, &pin, &actor)).await?;
    web.publish(&d);
    Ok(Json(serde_json::json!({ "code": d.code, "status": d.status, "event_count": d.event_count }))
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/apology/sign", tag = "dossiers",
    summary = "Lãnh đạo ký số thư xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04) của lần gia hạn gần nhất",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body = SignRequest,
    responses(
        (status = 200, description = "Hồ sơ sau khi ký", body = serde_json::Value),
        (status = 400, description = "Thiếu mã PIN (missing_pin)", body = ErrorAnswer),
        (status = 403, description = "Không phải lãnh đạo đơn vị xử lý (action_not_permitted)", body = ErrorAnswer),
        (status = 404, description = "Không có hồ sơ này trong phạm vi của tài khoản", body = ErrorAnswer),
        (status = 409, description = "Không có thư xin lỗi nào chờ ký (nothing_to_sign), tài khoản chưa đăng ký khoá, hoặc máy chủ chưa cấu hình thiết bị ký số", body = ErrorAnswer),
        (status = 503, description = "Thiết bị ký số không dùng được hoặc mã PIN sai (signing_token)", body = ErrorAnswer),
    ))]
async fn api_sign_apology(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(req): Body<SignRequest>,
) -> ApiResult<Response> {
    sign_answer(&web, &caller, code, Signed::Apology, req.pin).await
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/result/seal", tag = "dossiers",
    summary = "Văn thư đơn vị xử lý đóng dấu số kết quả đã được lãnh đạo ký (chữ ký số của cơ quan)",
    description = "Ký tiếp tệp kết quả lãnh đạo đã ký bằng khoá của cơ quan (chứng thư số của tổ chức) đã đăng ký cho đơn vị xử lý; chữ ký của lãnh đạo vẫn hợp lệ. Tệp đã đóng dấu thay tệp trước; sự kiện result_sealed ghi SHA-256 của tệp và của chứng thư.",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body = SignRequest,
    responses(
        (status = 200, description = "Hồ sơ sau khi đóng dấu số", body = serde_json::Value),
        (status = 400, description = "Thiếu mã PIN (missing_pin)", body = ErrorAnswer),
        (status = 403, description = "Không phải cán bộ một cửa (văn thư) của đơn vị xử lý (action_not_permitted)", body = ErrorAnswer),
        (status = 404, description = "Không có hồ sơ này trong phạm vi của tài khoản", body = ErrorAnswer),
        (status = 409, description = "Kết quả chưa được lãnh đạo ký (nothing_to_sign), đã đóng dấu (already_signed), đơn vị chưa đăng ký khoá của cơ quan (no_signing_key), hoặc máy chủ chưa cấu hình thiết bị ký số", body = ErrorAnswer),
        (status = 503, description = "Thiết bị ký số không dùng được hoặc mã PIN sai (signing_token)", body = ErrorAnswer),
    ))]
async fn api_seal(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(req): Body<SignRequest>,
) -> ApiResult<Response> {
    sign_answer(&web, &caller, code, Signed::Seal, req.pin).await
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/result", tag = "dossiers",
    summary = "Tệp kết quả đã ký số của hồ sơ (PDF/A)",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    responses(
        (status = 200, description = "Tệp PDF đã ký số", content_type = "application/pdf"),
        (status = 403, description = "Kết quả ghi thông tin người nộp: chỉ cán bộ cần cho công việc (personal_data_restricted)", body = ErrorAnswer),
        (status = 404, description = "Không có hồ sơ này hoặc hồ sơ chưa có kết quả ký số (no_signed_result)", body = ErrorAnswer),
    ))]
async fn api_signed_result(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let (file, bytes) = blocking(move || app.dossiers().signed_result(&code, &actor)).await?;
    Ok(pdf_file(file.file_name.trim_end_matches(".pdf"), bytes))
}

#[derive(Deserialize)]
struct SignForm {
    pin: String,
    /// "apology" for the letter of Form 04, "seal" for the agency's seal; the result otherwise.
    #[serde(default)]
    paper: String,
}

async fn sign_page(
    State(web): State<Arc<Web>>,
    Path(code): Path<String>,
    SignedForm(u, f): SignedForm<SignForm>,
) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    let which = match f.paper.as_str() {
        "apology" => Signed::Apology,
        "seal" => Signed::Seal,
        _ => Signed::Result,
    };
    match blocking(move || app.dossiers().sign(&code, which, &f.pin, &actor)).await {
        Ok(d) => {
            web.publish(&d);
            Redirect::to(&format!("/ho-so/{}", d.code)).into_response()
        }
        Err(e) => page_error(e),
    }
}

async fn signed_page(State(web): State<Arc<Web>>, u: PageUser, Path(code): Path<String>) -> Response {
    signed_download(&web, &u, code, Signed::Result).await
}

async fn signed_apology_page(State(web): State<Arc<Web>>, u: PageUser, Path(code): Path<String>) -> Response {
    signed_download(&web, &u, code, Signed::Apology).await
}

async fn signed_download(web: &Arc<Web>, u: &PageUser, code: String, which: Signed) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    match blocking(move || app.dossiers().signed_paper(&code, which, &actor)).await {
        Ok((file, bytes)) => pdf_file(file.file_name.trim_end_matches(".pdf"), bytes),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct TrackResultForm {
    code: String,
    pin: String,
}

/// The citizen's downloads: the code and the tracking PIN, guesses limited as for tracking.
async fn track_result(State(web): State<Arc<Web>>, parts: Parts, Form(f): Form<TrackResultForm>) -> Response {
    track_download(&web, &parts, f, Signed::Result).await
}

async fn track_apology(
    State(web): State<Arc<Web>>,
    parts: Parts,
    Form(f): Form<TrackResultForm>,
) -> Response {
    track_download(&web, &parts, f, Signed::Apology).await
}

async fn track_download(web: &Arc<Web>, parts: &Parts, f: TrackResultForm, which: Signed) -> Response {
    let app = web.app.clone();
    let ip = client_ip(parts);
    match blocking(move || app.dossiers().track_signed(&f.code, &f.pin, &ip, which)).await {
        Ok((file, bytes)) => pdf_file(file.file_name.trim_end_matches(".pdf"), bytes),
        Err(e) => page_error(e),
    }
}

/// One signature of a checked file, as the API answers it.
#[derive(Serialize, ToSchema)]
struct SignatureAnswer {
    signer: String,
    organization: Option<String>,
    /// RFC 3339, Vietnam time.
    signed_at: Option<String>,
    /// The same, as people read it ("15:01:14 07/12/2026").
    #[serde(skip)]
    signed_at_text: String,
    certificate_sha256: String,
    /// The content is what was signed, and the signature is the certificate's key's.
    intact: bool,
    /// Nothing was added to the file after this signature.
    covers_whole_file: bool,
    /// What was added after it is covered by a later intact signature (the agency's seal).
    signed_later: bool,
    /// The certificate chains to a trusted root.
    trusted: bool,
    root: Option<String>,
    /// The signer's certificate was looked up in its CA's revocation list (and is not in it).
    revocation_checked: bool,
    problems: Vec<String>,
}

/// What a checked file is.
#[derive(Serialize, ToSchema)]
struct VerifyAnswer {
    file_sha256: String,
    /// Signed, intact, trusted, and recorded as the result of a dossier whose history holds,
    /// with the same certificate.
    valid: bool,
    signatures: Vec<SignatureAnswer>,
    roots_configured: bool,
    /// The dossier whose history records this file as its signed result.
    dossier_code: Option<String>,
    recorded_at: Option<String>,
    recorded_signer: Option<String>,
    /// The agency whose seal the history records on this file.
    recorded_seal: Option<String>,
    certificate_matches_history: Option<bool>,
    history_intact: Option<bool>,
}

fn answer(v: app::dossiers::results::Verification) -> VerifyAnswer {
    let valid = v.matches_history();
    VerifyAnswer {
        file_sha256: v.report.file_sha256.clone(),
        valid,
        signatures: v
            .report
            .signatures
            .into_iter()
            .map(|s| SignatureAnswer {
                signed_at_text: s.signed_at_text(),
                signer: s.signer,
                organization: s.organization,
                signed_at: s.signed_at,
                certificate_sha256: s.certificate_sha256,
                intact: s.intact,
                covers_whole_file: s.covers_whole_file,
                signed_later: s.signed_later,
                trusted: s.trusted,
                root: s.root,
                revocation_checked: s.revocation_checked,
                problems: s.problems,
            })
            .collect(),
        roots_configured: v.roots_configured,
        dossier_code: v.history.as_ref().map(|h| h.dossier_code.clone()),
        recorded_at: v.history.as_ref().map(|h| h.signed_at.format("%H:%M %d/%m/%Y").to_string()),
        recorded_signer: v.history.as_ref().map(|h| h.signer.clone()),
        recorded_seal: v.history.as_ref().and_then(|h| h.sealed_by.clone()),
        certificate_matches_history: v.history.as_ref().map(|h| h.certificate_matches),
        history_intact: v.history.as_ref().map(|h| h.history_intact),
    }
}

#[utoipa::path(post, path = "/api/v1/results/verify", tag = "citizens",
    summary = "Xác minh một tệp kết quả đã ký số",
    description = "Gửi nguyên tệp PDF (tối đa 10 MB) làm nội dung yêu cầu (application/octet-stream hoặc application/pdf). Trả lời: ai ký, khi nào, tệp có bị sửa sau khi ký không, chứng thư có thuộc chuỗi tin cậy không, và tệp có đúng là kết quả mà lịch sử hồ sơ ghi nhận không.",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Kết quả xác minh", body = VerifyAnswer),
        (status = 400, description = "Không phải tệp PDF đọc được (pdf_unreadable)", body = ErrorAnswer),
        (status = 413, description = "Tệp lớn hơn 10 MB", body = ErrorAnswer),
    ))]
async fn api_verify(State(web): State<Arc<Web>>, body: axum::body::Bytes) -> ApiResult<Json<VerifyAnswer>> {
    let app = web.app.clone();
    let v = blocking(move || app.verify_result(&body)).await?;
    Ok(Json(answer(v)))
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    user: Option<UserBar>,
    error: Option<String>,
    result: Option<VerifyAnswer>,
}

async fn verify_form() -> Response {
    render(&VerifyPage { user: None, error: None, result: None })
}

async fn verify_page(State(web): State<Arc<Web>>, mut form: Multipart) -> Response {
    let mut bytes = Vec::new();
    let unreadable = || ApiError::new(Code::BadUpload, "không đọc được tệp gửi lên");
    let read = async {
        while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
            if field.name() != Some("file") {
                continue;
            }
            while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                if bytes.len() + chunk.len() > MAX_PDF {
                    return Err(ApiError::new(Code::FileTooLarge, "tệp lớn hơn 10 MB"));
                }
                bytes.extend_from_slice(&chunk);
            }
        }
        Ok(())
    };
    let outcome = match read.await {
        Ok(()) if bytes.is_empty() => Err(ApiError::new(Code::BadUpload, "chưa chọn tệp PDF")),
        Ok(()) => {
            let app = web.app.clone();
            blocking(move || app.verify_result(&bytes)).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(v) => render(&VerifyPage { user: None, error: None, result: Some(answer(v)) }),
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            (status, render(&VerifyPage { user: None, error: Some(e.0.message), result: None }))
                .into_response()
        }
    }
}
