//! Coordination between the tiers in the API: proposals and their responses, directives and
//! communes' reports, staff workload, leave and quotas. Every change is announced on the live
//! stream to those who may see it.

use crate::auth::Caller;
use crate::error::ErrorAnswer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, query, Body};
use crate::live::Notice;
use crate::Routes;
use crate::{blocking, Web};
use app::accounts::staff::{Leave, NewLeave, StaffingUpdate, UnitLine, UnitWorkload};
use app::coordination::directives::{
    DirectiveDetail, DirectiveFilter, DirectiveList, DirectiveRecord, NewDirective, NewReport,
};
use app::coordination::proposals::{
    NewProposal, ProposalDetail, ProposalFilter, ProposalList, ProposalRecord, ProposalResponse,
    ProposalSummary,
};
use app::Actor;
use app::Code;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub fn staff_routes() -> Routes {
    Routes::default()
        .routes(routes!(file, list))
        .routes(routes!(summary))
        .routes(routes!(central_csv))
        .routes(routes!(one))
        .routes(routes!(respond))
        .routes(routes!(issue, directives))
        .routes(routes!(directive))
        .routes(routes!(report))
        .routes(routes!(workload))
        .routes(routes!(comparison))
        .routes(routes!(leave))
        .routes(routes!(staffing))
        .routes(routes!(suggested))
}

fn actor(caller: &Caller) -> Actor {
    Actor::of(&caller.session.user)
}

#[utoipa::path(post, path = "/api/v1/proposals", tag = "coordination", operation_id = "file_proposal",
    summary = "Gửi kiến nghị lên tỉnh (lãnh đạo UBND cấp xã)",
    request_body = NewProposal,
    responses(
        (status = 201, description = "Kiến nghị đã gửi, đã chuyển sở, ngành phụ trách, có hạn trả lời", body = ProposalRecord),
        (status = 403, description = "Chỉ lãnh đạo UBND cấp xã được gửi (commune_leader_only)", body = ErrorAnswer),
        (status = 409, description = "Ở máy trạm của xã: việc này làm tại máy chủ của tỉnh (coordination_at_province)", body = ErrorAnswer),
    ))]
async fn file(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<NewProposal>,
) -> ApiResult<(StatusCode, Json<ProposalRecord>)> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let p = blocking(move || app.coordination().file_proposal(&b, &who)).await?;
    web.announce(Notice::proposal(&p));
    Ok((StatusCode::CREATED, Json(p)))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProposalQuery {
    /// open, info_requested, answered, closed…
    pub status: Option<String>,
    /// A category's code.
    pub category: Option<String>,
    /// A commune's code.
    pub commune: Option<String>,
    /// A department's code.
    pub handler: Option<String>,
    /// Only those past their deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Only those sent to the central government.
    #[serde(default)]
    pub to_central: bool,
    /// At most this many (50 when 0 or left out).
    #[serde(default)]
    pub limit: u32,
    #[serde(default)]
    pub offset: u32,
}

impl ProposalQuery {
    pub(crate) fn filter(self) -> ProposalFilter {
        ProposalFilter {
            status: self.status,
            category: self.category,
            commune: self.commune,
            handler: self.handler,
            overdue: self.overdue,
            to_central: self.to_central,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/proposals", tag = "coordination", operation_id = "list_proposals",
    summary = "Kiến nghị trong phạm vi của tài khoản",
    params(ProposalQuery),
    responses((status = 200, description = "Kiến nghị, mới nhất trước", body = ProposalList)))]
async fn list(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ProposalQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ProposalList>> {
    let q = query(q)?;
    // Present but empty is an error here (the page's "all" is the parameter left out).
    for (name, v, code) in [
        ("status", &q.status, Code::InvalidStatus),
        ("category", &q.category, Code::InvalidCategory),
        ("commune", &q.commune, Code::UnknownCommune),
        ("handler", &q.handler, Code::UnknownDepartment),
    ] {
        if v.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ApiError::new(code, format!("tham số {name} để trống")));
        }
    }
    let f = q.filter();
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(blocking(move || app.coordination().proposals(&f, &who)).await?))
}

#[utoipa::path(get, path = "/api/v1/proposals/summary", tag = "coordination", operation_id = "proposal_summary",
    summary = "Tổng hợp kiến nghị theo lĩnh vực",
    responses((status = 200, description = "Số kiến nghị theo lĩnh vực và trạng thái", body = ProposalSummary)))]
async fn summary(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Json<ProposalSummary>> {
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(blocking(move || app.coordination().proposal_summary(&who)).await?))
}

#[utoipa::path(get, path = "/api/v1/proposals/central.csv", tag = "coordination", operation_id = "central_proposals_csv",
    summary = "Kiến nghị gửi Trung ương (CSV)",
    responses((status = 200, description = "Tệp CSV", content_type = "text/csv", body = String)))]
async fn central_csv(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Response> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let csv = blocking(move || app.coordination().central_proposals_csv(&who)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"kien-nghi-trung-uong.csv\""),
        ],
        csv,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "coordination", operation_id = "get_proposal",
    summary = "Một kiến nghị với các bước xử lý",
    params(("id" = String, Path, description = "Số của kiến nghị")),
    responses(
        (status = 200, description = "Kiến nghị", body = ProposalDetail),
        (status = 404, description = "Không có kiến nghị này trong phạm vi của tài khoản (proposal_not_found)", body = ErrorAnswer),
    ))]
async fn one(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProposalDetail>> {
    let id = path_id(&id, Code::ProposalNotFound, "kiến nghị")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(blocking(move || app.coordination().proposal(id, &who)).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/responses", tag = "coordination", operation_id = "respond_to_proposal",
    summary = "Một bước xử lý kiến nghị: trả lời, yêu cầu bổ sung, chuyển, gửi Trung ương, đóng",
    params(("id" = String, Path, description = "Số của kiến nghị")),
    request_body = ProposalResponse,
    responses(
        (status = 201, description = "Kiến nghị sau bước xử lý", body = ProposalDetail),
        (status = 404, description = "Không có kiến nghị này trong phạm vi của tài khoản (proposal_not_found)", body = ErrorAnswer),
        (status = 409, description = "Bước này không làm được ở trạng thái hiện tại; ở máy trạm của xã: trả lời tại máy chủ của tỉnh (coordination_at_province)", body = ErrorAnswer),
    ))]
async fn respond(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<ProposalResponse>,
) -> ApiResult<(StatusCode, Json<ProposalDetail>)> {
    let id = path_id(&id, Code::ProposalNotFound, "kiến nghị")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    let d = blocking(move || app.coordination().respond_to_proposal(id, &b, &who)).await?;
    web.announce(Notice::proposal(&d.proposal));
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(post, path = "/api/v1/directives", tag = "coordination", operation_id = "issue_directive",
    summary = "Giao nhiệm vụ cho xã, phường (tỉnh)",
    request_body = NewDirective,
    responses(
        (status = 201, description = "Nhiệm vụ đã giao", body = DirectiveRecord),
        (status = 409, description = "Ở máy trạm của xã: việc này làm tại máy chủ của tỉnh (coordination_at_province)", body = ErrorAnswer),
    ))]
async fn issue(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<NewDirective>,
) -> ApiResult<(StatusCode, Json<DirectiveRecord>)> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let d = blocking(move || app.coordination().issue_directive(&b, &who)).await?;
    web.announce(Notice::directive(d.id, &d.province_code, None));
    Ok((StatusCode::CREATED, Json(d)))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DirectiveQuery {
    /// Only those with a late commune (for a commune: its own late ones).
    #[serde(default)]
    pub late: bool,
    /// At most this many (50 when 0 or left out).
    #[serde(default)]
    pub limit: u32,
    #[serde(default)]
    pub offset: u32,
}

#[utoipa::path(get, path = "/api/v1/directives", tag = "coordination", operation_id = "list_directives",
    summary = "Nhiệm vụ trong phạm vi của tài khoản",
    params(DirectiveQuery),
    responses((status = 200, description = "Nhiệm vụ, mới nhất trước", body = DirectiveList)))]
async fn directives(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<DirectiveQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<DirectiveList>> {
    let q = query(q)?;
    let f = DirectiveFilter { late: q.late, limit: q.limit, offset: q.offset };
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(blocking(move || app.coordination().directives(&f, &who)).await?))
}

#[utoipa::path(get, path = "/api/v1/directives/{id}", tag = "coordination", operation_id = "get_directive",
    summary = "Một nhiệm vụ: các xã được giao, báo cáo của từng xã",
    params(("id" = String, Path, description = "Số của nhiệm vụ")),
    responses(
        (status = 200, description = "Nhiệm vụ", body = DirectiveDetail),
        (status = 404, description = "Không có nhiệm vụ này trong phạm vi của tài khoản (directive_not_found)", body = ErrorAnswer),
    ))]
async fn directive(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DirectiveDetail>> {
    let id = path_id(&id, Code::DirectiveNotFound, "nhiệm vụ")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(blocking(move || app.coordination().directive(id, &who)).await?))
}

#[utoipa::path(post, path = "/api/v1/directives/{id}/reports", tag = "coordination", operation_id = "report_on_directive",
    summary = "Báo cáo tiến độ hoặc hoàn thành nhiệm vụ (xã, phường được giao)",
    params(("id" = String, Path, description = "Số của nhiệm vụ")),
    request_body = NewReport,
    responses(
        (status = 201, description = "Nhiệm vụ sau báo cáo", body = DirectiveDetail),
        (status = 403, description = "Chỉ xã, phường được giao báo cáo (commune_only)", body = ErrorAnswer),
        (status = 404, description = "Không có nhiệm vụ này trong phạm vi của tài khoản (directive_not_found)", body = ErrorAnswer),
        (status = 409, description = "Ở máy trạm của xã: việc này làm tại máy chủ của tỉnh (coordination_at_province)", body = ErrorAnswer),
    ))]
async fn report(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<NewReport>,
) -> ApiResult<(StatusCode, Json<DirectiveDetail>)> {
    let id = path_id(&id, Code::DirectiveNotFound, "nhiệm vụ")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    let commune = match &who.scope {
        domain::roles::Scope::Commune { commune, .. } => Some(commune.clone()),
        _ => None,
    };
    let d = blocking(move || app.coordination().report_on_directive(id, &b, &[], &who)).await?;
    web.announce(Notice::directive(id, &d.directive.province_code, commune));
    Ok((StatusCode::CREATED, Json(d)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UnitQuery {
    /// A commune's or province's code: the caller's unit when left out.
    unit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/staff/workload", tag = "coordination", operation_id = "staff_workload",
    summary = "Cán bộ của một đơn vị: biên chế, nghỉ phép, hồ sơ đang xử lý của từng người",
    params(UnitQuery),
    responses(
        (status = 200, description = "Khối lượng công việc", body = UnitWorkload),
        (status = 404, description = "Đơn vị không có hoặc ngoài phạm vi của tài khoản", body = ErrorAnswer),
    ))]
async fn workload(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<UnitQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<UnitWorkload>> {
    let who = actor(&caller);
    let unit = query(q)?.unit.unwrap_or_else(|| caller.session.user.unit_code.clone());
    let app = web.app.clone();
    Ok(Json(blocking(move || app.accounts().workload(&unit, &who)).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ProvinceQuery {
    /// A province's code: the caller's when left out.
    province: Option<String>,
}

/// The communes of a province side by side.
#[derive(Serialize, ToSchema)]
#[schema(as = Comparison)]
struct ComparisonAnswer {
    items: Vec<UnitLine>,
}

#[utoipa::path(get, path = "/api/v1/staff/comparison", tag = "coordination", operation_id = "staff_comparison",
    summary = "So sánh biên chế và khối lượng công việc giữa các xã của tỉnh",
    params(ProvinceQuery),
    responses((status = 200, description = "Các xã, phường", body = ComparisonAnswer)))]
async fn comparison(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ProvinceQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ComparisonAnswer>> {
    let who = actor(&caller);
    let province = query(q)?.province.unwrap_or_else(|| caller.session.user.province_code.clone());
    let app = web.app.clone();
    Ok(Json(ComparisonAnswer {
        items: blocking(move || app.accounts().staff_comparison(&province, &who)).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/staff/leave", tag = "coordination", operation_id = "add_leave",
    summary = "Ghi ngày nghỉ của một cán bộ",
    request_body = NewLeave,
    responses((status = 201, description = "Ngày nghỉ đã ghi", body = Leave)))]
async fn leave(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<NewLeave>,
) -> ApiResult<(StatusCode, Json<Leave>)> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let province = caller.session.user.province_code.clone();
    let l = blocking(move || app.accounts().add_leave(&b, &who)).await?;
    web.announce(Notice::staff(&province, None));
    Ok((StatusCode::CREATED, Json(l)))
}

#[utoipa::path(put, path = "/api/v1/staff/units/{code}", tag = "coordination", operation_id = "set_staffing",
    summary = "Biên chế được giao và dân số của một xã, phường",
    params(("code" = String, Path, description = "Mã xã, phường")),
    request_body = StaffingUpdate,
    responses((status = 200, description = "Khối lượng công việc của đơn vị sau khi sửa", body = UnitWorkload)))]
async fn staffing(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(b): Body<StaffingUpdate>,
) -> ApiResult<Json<UnitWorkload>> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let province = caller.session.user.province_code.clone();
    let unit = code.clone();
    let w = blocking(move || {
        app.accounts().set_staffing(&code, &b, &who)?;
        app.accounts().workload(&code, &who)
    })
    .await?;
    web.announce(Notice::staff(&province, Some(unit)));
    Ok(Json(w))
}

/// The official to assign a dossier to, if one is available.
#[derive(Serialize, ToSchema)]
#[schema(as = SuggestedAssignee)]
struct Suggested {
    official: Option<domain::workload::Official>,
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/suggested-assignee", tag = "dossiers", operation_id = "suggested_assignee",
    summary = "Cán bộ nên giao hồ sơ: đang làm, cùng lĩnh vực, ít hồ sơ nhất",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    responses((status = 200, description = "Cán bộ gợi ý (null khi không có ai)", body = Suggested)))]
async fn suggested(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Suggested>> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let official = blocking(move || app.accounts().suggest_assignee(&code, &who)).await?;
    Ok(Json(Suggested { official }))
}
