//! Dossiers over the API: intake, the list (scoped, filtered, paginated), one dossier, actions.

use crate::auth::Caller;
use crate::error::ErrorAnswer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{behind_param, query, Body};
use crate::Routes;
use crate::{blocking, Web};
use app::{ActionRequest, Actor, Applicant, DossierFilter, IntakeRequest};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDateTime;
use domain::Event;
use domain::{Channel, Status};
use errors::Code;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub fn staff_routes() -> Routes {
    Routes::default()
        .routes(routes!(create_dossier, list_dossiers))
        .routes(routes!(get_dossier))
        .routes(routes!(act))
}

/// A dossier to receive.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewDossier {
    procedure_code: String,
    channel: Channel,
    applicant: Applicant,
    /// The receiving commune: the commune account's own when left out.
    #[serde(default)]
    commune_code: Option<String>,
}

/// A dossier as the API answers it: the `Dossier` schema of the API description, its own
/// fields and none of the storage's (the history's head, counters, update time);
/// `allowed_actions` are those this caller may take now.
#[derive(Serialize, ToSchema)]
#[schema(as = Dossier)]
struct DossierAnswer<'a> {
    code: &'a str,
    province_code: &'a str,
    receiving_unit: &'a str,
    /// The receiving commune (the portal's name for the receiving unit).
    commune_code: &'a str,
    handling_unit: &'a str,
    procedure_code: &'a str,
    procedure_version: i64,
    channel: Channel,
    status: Status,
    /// The status in Vietnamese.
    status_label: &'static str,
    /// The national portal's status code (TrangThaiHoSo, 1-10).
    #[schema(minimum = 1, maximum = 10)]
    portal_status: u8,
    applicant_name: &'a str,
    /// Masked (`masked`) unless the caller's work needs it.
    applicant_phone: Option<&'a str>,
    applicant_id_number: Option<&'a str>,
    address_text: Option<&'a str>,
    address_commune: Option<&'a str>,
    registered_at: NaiveDateTime,
    received_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    /// How a finished dossier stands against its due date: early, on_time, late.
    verdict: Option<&'a str>,
    assignee: Option<&'a str>,
    /// When the personal data was erased at the end of its retention period.
    #[serde(skip_serializing_if = "Option::is_none")]
    erased_at: Option<NaiveDateTime>,
    /// The receipt's tracking PIN: in the answer to the intake only.
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking_pin: Option<&'a str>,
    /// The ID number and phone are masked for this caller.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    masked: bool,
    /// The history (one dossier's answer only).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    events: &'a [Event],
    /// The actions this caller may take now.
    allowed_actions: Vec<&'static str>,
    /// Where its electronic result stands (one dossier's answer only, once approved).
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<ResultState>,
}

/// An approved dossier's electronic result: signed by the leader, sealed by the agency where
/// the result is issued in its name, and whether the citizen can download it.
#[derive(Serialize, ToSchema)]
struct ResultState {
    signed: bool,
    /// The result is a decision or certificate, issued in the agency's name: it bears the seal.
    seal_required: bool,
    sealed: bool,
    /// The citizen can download it with the tracking PIN (signed, and sealed where required).
    ready: bool,
}

fn result_state(app: &app::App, d: &app::DossierRecord) -> Option<ResultState> {
    use app::dossiers::results::{has_signed, Signed};
    let approved = d.events.iter().any(|e| matches!(e.kind, domain::EventKind::Approved));
    approved.then(|| ResultState {
        signed: has_signed(d, Signed::Result),
        seal_required: app.dossiers().seal_required(d),
        sealed: has_signed(d, Signed::Seal),
        ready: app.dossiers().result_ready(d),
    })
}

fn answer<'a>(app: &app::App, d: &'a app::DossierRecord, actor: &Actor) -> DossierAnswer<'a> {
    DossierAnswer {
        code: &d.code,
        province_code: &d.province_code,
        receiving_unit: &d.receiving_unit,
        commune_code: &d.receiving_unit,
        handling_unit: &d.handling_unit,
        procedure_code: &d.procedure_code,
        procedure_version: d.procedure_version,
        channel: d.channel,
        status: d.status,
        status_label: d.status.label(),
        portal_status: d.status.portal_code(),
        applicant_name: &d.applicant_name,
        applicant_phone: d.applicant_phone.as_deref(),
        applicant_id_number: d.applicant_id_number.as_deref(),
        address_text: d.address_text.as_deref(),
        address_commune: d.address_commune.as_deref(),
        registered_at: d.registered_at,
        received_at: d.received_at,
        due_at: d.due_at,
        finished_at: d.finished_at,
        verdict: d.verdict.as_deref(),
        assignee: d.assignee.as_deref(),
        erased_at: d.erased_at,
        tracking_pin: d.tracking_pin.as_deref(),
        masked: d.masked,
        events: &d.events,
        allowed_actions: app.dossiers().actions_for(d, actor),
        result: result_state(app, d),
    }
}

/// The header naming an intake, so that a client that lost the answer can send it again.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// One page of dossiers.
#[derive(Serialize, ToSchema)]
#[schema(as = DossierPage)]
struct PageAnswer<'a> {
    items: Vec<DossierAnswer<'a>>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    summary = "Tiếp nhận hồ sơ",
    params(("Idempotency-Key" = Option<String>, Header, description = "Khoá của lần nộp (chữ ASCII nhìn thấy được, tối đa 128 ký tự): gửi lại cùng khoá nhận lại hồ sơ đã tạo, không tạo hồ sơ thứ hai")),
    request_body = NewDossier,
    responses(
        (status = 201, description = "Hồ sơ đã tiếp nhận (có mã tra cứu)", body = DossierAnswer,
            headers(("Idempotent-Replayed" = String, description = "`true` khi đây là hồ sơ đã tạo lần trước dưới cùng khoá"))),
        (status = 403, description = "Tài khoản không được tiếp nhận hồ sơ của đơn vị này", body = ErrorAnswer),
    ))]
async fn create_dossier(
    State(web): State<Arc<Web>>,
    caller: Caller,
    headers: HeaderMap,
    Body(b): Body<NewDossier>,
) -> ApiResult<Response> {
    let actor = Actor::of(&caller.session.user);
    let req = IntakeRequest {
        procedure_code: b.procedure_code,
        channel: b.channel,
        commune_code: b.commune_code,
        applicant: b.applicant,
    };
    // Checked by the intake (a key that is not visible ASCII is refused there).
    let key = headers.get(IDEMPOTENCY_KEY).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let received = super::receive(&web, req, actor.clone(), key).await?;
    let d = received.dossier();
    let mut response = (StatusCode::CREATED, Json(answer(&web.app, d, &actor))).into_response();
    match received {
        super::Received::New(ref d) => web.publish(d),
        // The same answer as the first time, said to be a repeat.
        super::Received::Again(_) => {
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
    }
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    summary = "Một hồ sơ, với lịch sử xử lý",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    responses(
        (status = 200, description = "Hồ sơ", body = DossierAnswer),
        (status = 404, description = "Không có hồ sơ này trong phạm vi của tài khoản", body = ErrorAnswer),
    ))]
async fn get_dossier(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let d = blocking(move || app.dossiers().dossier(&code, &a)).await?;
    Ok(Json(answer(&web.app, &d, &actor)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// A status code (received, processing…).
    status: Option<String>,
    /// Only the overdue.
    overdue: Option<bool>,
    /// From 1.
    #[param(minimum = 1)]
    page: Option<u32>,
    /// 1 to 500 (50 when left out).
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
    /// A commune's (or the province's) code.
    commune: Option<String>,
    /// The applicant's name (with or without diacritics), phone or dossier code.
    q: Option<String>,
    /// A procedure's code.
    procedure: Option<String>,
    /// The dossiers behind an indicator that falls short (with from, to): resolved_late,
    /// overdue, not_online, not_digitised, dissatisfied.
    behind: Option<String>,
    /// YYYY-MM-DD.
    #[param(format = Date)]
    from: Option<String>,
    /// YYYY-MM-DD.
    #[param(format = Date)]
    to: Option<String>,
    /// Only the caller's own work: the desk's (to receive, supplements, fees, results), the
    /// official's (assigned or unassigned), the leader's (being decided in the unit).
    mine: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers",
    summary = "Danh sách hồ sơ trong phạm vi của tài khoản (lọc, phân trang)",
    params(ListQuery),
    responses((status = 200, description = "Một trang hồ sơ", body = PageAnswer)))]
async fn list_dossiers(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| ApiError::new(Code::UnknownStatus, format!("trạng thái \"{s}\" không có")))?,
        ),
    };
    let per_page = q.per_page.unwrap_or(50);
    let page = q.page.unwrap_or(1);
    if !(1..=500).contains(&per_page) || page == 0 {
        return Err(ApiError::new(Code::InvalidPage, "page từ 1 trở lên, per_page từ 1 đến 500"));
    }
    let behind = behind_param(&web, q.behind.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let filter = DossierFilter {
        unit: q.commune,
        province: None,
        status,
        overdue: q.overdue.unwrap_or(false),
        text: q.q,
        open_only: false,
        procedure: q.procedure,
        behind,
        mine: q.mine.unwrap_or(false),
        page,
        per_page,
    };
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let p = blocking(move || app.dossiers().list(&filter, &a)).await?;
    let items = p.items.iter().map(|d| answer(&web.app, d, &actor)).collect();
    Ok(Json(PageAnswer { items, page: p.page, per_page: p.per_page, total: p.total }).into_response())
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers",
    summary = "Thao tác xử lý hồ sơ",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "Hồ sơ sau thao tác", body = DossierAnswer),
        (status = 403, description = "Vai trò hoặc đơn vị của tài khoản không được làm thao tác này (action_not_permitted)", body = ErrorAnswer),
        (status = 404, description = "Không có hồ sơ này trong phạm vi của tài khoản", body = ErrorAnswer),
        (status = 409, description = "Thao tác không hợp lệ ở trạng thái hiện tại (invalid_transition, kèm `allowed`) hoặc hồ sơ vừa được người khác cập nhật", body = ErrorAnswer),
    ))]
async fn act(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(req): Body<ActionRequest>,
) -> ApiResult<Response> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let d = blocking(move || app.dossiers().act(&code, &req, &a)).await?;
    web.publish(&d);
    Ok(Json(answer(&web.app, &d, &actor)).into_response())
}
