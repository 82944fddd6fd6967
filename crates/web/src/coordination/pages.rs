//! Coordination pages: proposals (kiến nghị) from communes and their answers, the province's
//! directives (chỉ đạo) with communes' reports, and staff workload (cán bộ). Lists refresh
//! live when something they show changes.

use super::api::ProposalQuery;
use crate::auth::check_csrf;
use crate::auth::PageUser;
use crate::auth::SignedForm;
use crate::live::Notice;
use crate::uploads::read_multipart;
use crate::view::{bar, file_response, page_error, render, time, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::accounts::staff::{NewLeave, StaffingUpdate, UnitLine, UnitWorkload};
use app::coordination::directives::{
    DirectiveDetail, DirectiveFilter, DirectiveRecord, NewDirective, NewReport,
};
use app::coordination::proposals::{
    NewProposal, ProposalDetail, ProposalRecord, ProposalResponse, ProposalSummary,
};
use app::Actor;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::proposal::{ALL_CATEGORIES, DEPARTMENTS};
use domain::roles::{Role, Scope};
use errors::Code;
use serde::Deserialize;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default()
        .route("/kien-nghi", get(proposals_page))
        .route("/kien-nghi/moi", get(new_proposal_page).post(file_proposal))
        .route("/kien-nghi/{id}", get(proposal_page))
        .route("/kien-nghi/{id}/xu-ly", post(respond))
        .route("/chi-dao", get(directives_page).post(issue))
        .route("/chi-dao/{id}", get(directive_page))
        .route("/chi-dao/{id}/bao-cao", post(report).layer(DefaultBodyLimit::max(26 * 1024 * 1024)))
        .route("/chi-dao/{id}/tep/{commune}/{report}/{file}", get(download))
        .route("/can-bo", get(workload_page))
        .route("/can-bo/nghi-phep", post(add_leave))
        .route("/can-bo/bien-che", post(set_staffing))
        .route("/can-bo/so-sanh", get(comparison_page))
}

fn actor(u: &PageUser) -> Actor {
    Actor::of(&u.session.user)
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn action_label(a: &str) -> &'static str {
    match a {
        "answer" => "Trả lời",
        "request_info" => "Đề nghị xã bổ sung thông tin",
        "supplement" => "Bổ sung thông tin",
        "forward" => "Chuyển sở, ngành khác",
        "escalate" => "Báo cáo lãnh đạo UBND tỉnh",
        "to_central" => "Đưa vào kiến nghị Trung ương",
        "reopen" => "Chưa đồng ý, đề nghị trả lời lại",
        "close" => "Xác nhận đã giải quyết",
        _ => "Thao tác",
    }
}

// ---- proposals ----

#[derive(Template)]
#[template(path = "proposals.html")]
struct ProposalsPage {
    user: Option<UserBar>,
    items: Vec<ProposalRecord>,
    total: i64,
    overdue: i64,
    summary: Option<ProposalSummary>,
    may_file: bool,
    status: String,
    category: String,
    only_overdue: bool,
    categories: Vec<(&'static str, &'static str)>,
}

impl ProposalsPage {
    fn when(&self, t: &chrono::NaiveDateTime) -> String {
        time(Some(*t))
    }
}

async fn proposals_page(
    State(web): State<Arc<Web>>,
    user: PageUser,
    q: Result<Query<ProposalQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (status, category, only_overdue) =
        (q.status.clone().unwrap_or_default(), q.category.clone().unwrap_or_default(), q.overdue);
    let f = q.filter();
    let who = actor(&user);
    let leader = matches!(who.role, Some(Role::ProvinceLeader | Role::Admin))
        && matches!(who.scope, Scope::Province(_));
    // At a commune's node proposals are read, and filed at the province's server.
    let may_file = matches!(who.role, Some(Role::CommuneLeader | Role::Admin))
        && matches!(who.scope, Scope::Commune { .. })
        && web.app.upstream().is_none();
    let app = web.app.clone();
    let r = blocking(move || {
        let list = app.coordination().proposals(&f, &who)?;
        let summary = if leader { Some(app.coordination().proposal_summary(&who)?) } else { None };
        Ok((list, summary))
    })
    .await;
    match r {
        Ok((list, summary)) => render(&ProposalsPage {
            user: bar(&user.session),
            items: list.items,
            total: list.total,
            overdue: list.overdue,
            summary,
            may_file,
            status,
            category,
            only_overdue,
            categories: ALL_CATEGORIES.iter().map(|c| (c.code(), c.label())).collect(),
        }),
        Err(e) => page_error(e),
    }
}

#[derive(Template)]
#[template(path = "proposal_new.html")]
struct NewProposalPage {
    user: Option<UserBar>,
    csrf: String,
    categories: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn new_proposal_page(user: PageUser) -> Response {
    render(&NewProposalPage {
        user: bar(&user.session),
        csrf: user.session.csrf.clone(),
        categories: ALL_CATEGORIES.iter().map(|c| (c.code(), c.label())).collect(),
        error: None,
    })
}

#[derive(Deserialize)]
struct ProposalForm {
    title: String,
    category: String,
    body: String,
    #[serde(default)]
    urgent: Option<String>,
    #[serde(default)]
    procedure_code: Option<String>,
    #[serde(default)]
    dossier_code: Option<String>,
}

async fn file_proposal(
    State(web): State<Arc<Web>>,
    SignedForm(user, f): SignedForm<ProposalForm>,
) -> Response {
    let req = NewProposal {
        title: f.title,
        category: f.category,
        body: f.body,
        urgent: f.urgent.is_some(),
        procedure_code: f.procedure_code,
        dossier_code: f.dossier_code,
    };
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.coordination().file_proposal(&req, &who)).await {
        Ok(p) => {
            web.announce(Notice::proposal(&p));
            Redirect::to(&format!("/kien-nghi/{}", p.id)).into_response()
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            let page = NewProposalPage {
                user: bar(&user.session),
                csrf: user.session.csrf.clone(),
                categories: ALL_CATEGORIES.iter().map(|c| (c.code(), c.label())).collect(),
                error: Some(e.0.message),
            };
            (status, render(&page)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    user: Option<UserBar>,
    csrf: String,
    d: ProposalDetail,
    actions: Vec<(&'static str, &'static str)>,
    may_forward: bool,
    departments: Vec<(&'static str, &'static str)>,
    filed: String,
    due: String,
}

impl ProposalPage {
    fn when(&self, t: &chrono::NaiveDateTime) -> String {
        time(Some(*t))
    }
}

async fn proposal_page(State(web): State<Arc<Web>>, user: PageUser, Path(id): Path<i64>) -> Response {
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.coordination().proposal(id, &who)).await {
        Ok(d) => render(&ProposalPage {
            user: bar(&user.session),
            csrf: user.session.csrf.clone(),
            actions: d.allowed.iter().map(|a| (*a, action_label(a))).collect(),
            may_forward: d.allowed.contains(&"forward"),
            departments: DEPARTMENTS.iter().map(|d| (d.code, d.name)).collect(),
            filed: time(Some(d.proposal.filed_at)),
            due: time(Some(d.proposal.due_at)),
            d,
        }),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct RespondForm {
    action: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    to: Option<String>,
}

async fn respond(
    State(web): State<Arc<Web>>,
    Path(id): Path<i64>,
    SignedForm(user, f): SignedForm<RespondForm>,
) -> Response {
    let r = ProposalResponse { body: f.body, action: Some(f.action), to: f.to.filter(|t| !t.is_empty()) };
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.coordination().respond_to_proposal(id, &r, &who)).await {
        Ok(d) => {
            web.announce(Notice::proposal(&d.proposal));
            // Passed on by a department to someone else: it no longer sees it; back to the list.
            let u = &user.session.user;
            let passed_on = u.role == Role::Department
                && u.department_code.as_deref() != Some(d.proposal.handler.as_str());
            let to = if passed_on { "/kien-nghi".to_string() } else { format!("/kien-nghi/{id}") };
            Redirect::to(&to).into_response()
        }
        Err(e) => page_error(e),
    }
}

// ---- directives ----

#[derive(Template)]
#[template(path = "directives.html")]
struct DirectivesPage {
    user: Option<UserBar>,
    csrf: String,
    items: Vec<DirectiveRecord>,
    total: i64,
    may_issue: bool,
    communes: Vec<(String, String)>,
    only_late: bool,
}

impl DirectivesPage {
    fn day(&self, d: &chrono::NaiveDate) -> String {
        date(*d)
    }
}

#[derive(Deserialize, Default)]
struct LateQuery {
    #[serde(default)]
    late: bool,
}

async fn directives_page(
    State(web): State<Arc<Web>>,
    user: PageUser,
    q: Result<Query<LateQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let only_late = q.map(|Query(q)| q.late).unwrap_or(false);
    let who = actor(&user);
    let may_issue = matches!(who.role, Some(Role::ProvinceLeader | Role::Admin))
        && matches!(who.scope, Scope::Province(_));
    let communes = if may_issue {
        let mut v: Vec<(String, String)> = units::registry()
            .communes_of(&user.session.user.province_code)
            .map(|it| it.map(|c| (c.code.to_string(), c.name.to_string())).collect())
            .unwrap_or_default();
        v.sort_by_key(|(_, n)| vi_text::fold(n));
        v
    } else {
        vec![]
    };
    let app = web.app.clone();
    let f = DirectiveFilter { late: only_late, ..DirectiveFilter::default() };
    match blocking(move || app.coordination().directives(&f, &who)).await {
        Ok(list) => render(&DirectivesPage {
            user: bar(&user.session),
            csrf: user.session.csrf.clone(),
            items: list.items,
            total: list.total,
            may_issue,
            communes,
            only_late,
        }),
        Err(e) => page_error(e),
    }
}

async fn issue(State(web): State<Arc<Web>>, user: PageUser, body: axum::body::Bytes) -> Response {
    // Repeated `commune` fields: read the form by hand.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if let Some(r) = check_csrf(&user.session, &get("csrf")) {
        return r;
    }
    let req = NewDirective {
        title: get("title"),
        body: get("body"),
        due_date: get("due_date"),
        commune_codes: pairs.iter().filter(|(n, _)| n == "commune").map(|(_, v)| v.clone()).collect(),
        all_communes: get("all") == "1",
    };
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.coordination().issue_directive(&req, &who)).await {
        Ok(d) => {
            web.announce(Notice::directive(d.id, &d.province_code, None));
            Redirect::to(&format!("/chi-dao/{}", d.id)).into_response()
        }
        Err(e) => page_error(e),
    }
}

#[derive(Template)]
#[template(path = "directive.html")]
struct DirectivePage {
    user: Option<UserBar>,
    csrf: String,
    d: DirectiveDetail,
    due: String,
}

impl DirectivePage {
    fn when(&self, t: &Option<chrono::NaiveDateTime>) -> String {
        time(*t)
    }

    fn at(&self, t: &chrono::NaiveDateTime) -> String {
        time(Some(*t))
    }
}

async fn directive_page(State(web): State<Arc<Web>>, user: PageUser, Path(id): Path<i64>) -> Response {
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.coordination().directive(id, &who)).await {
        Ok(d) => render(&DirectivePage {
            user: bar(&user.session),
            csrf: user.session.csrf.clone(),
            due: date(d.directive.due_date),
            d,
        }),
        Err(e) => page_error(e),
    }
}

async fn report(
    State(web): State<Arc<Web>>,
    user: PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Response {
    let (fields, uploads) = match read_multipart(&web.app, &mut form).await {
        Ok(x) => x,
        Err(e) => return page_error(e),
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    if let Some(r) = check_csrf(&user.session, &get("csrf")) {
        return r;
    }
    let req = NewReport { status: get("status"), body: get("body") };
    let (app, who) = (web.app.clone(), actor(&user));
    let commune = user.session.user.unit_code.clone();
    match blocking(move || app.coordination().report_on_directive(id, &req, &uploads, &who)).await {
        Ok(d) => {
            web.announce(Notice::directive(id, &d.directive.province_code, Some(commune)));
            Redirect::to(&format!("/chi-dao/{id}")).into_response()
        }
        Err(e) => page_error(e),
    }
}

async fn download(
    State(web): State<Arc<Web>>,
    user: PageUser,
    Path((id, commune, report, file)): Path<(i64, String, i64, u32)>,
) -> Response {
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.coordination().directive_attachment(id, &commune, report, file, &who)).await {
        Ok((a, bytes)) => file_response(&a, bytes),
        Err(e) => page_error(e),
    }
}

// ---- staff ----

#[derive(Template)]
#[template(path = "workload.html")]
struct WorkloadPage {
    user: Option<UserBar>,
    csrf: String,
    w: UnitWorkload,
    manages: bool,
    province_view: bool,
}

impl WorkloadPage {
    fn hours(&self, h: &Option<f64>) -> String {
        h.map_or("—".into(), |h| format!("{h:.1} giờ").replace('.', ","))
    }

    fn ratio(&self, r: &Option<f64>) -> String {
        r.map_or("—".into(), |r| format!("{r:.1}").replace('.', ","))
    }

    fn day(&self, d: &chrono::NaiveDate) -> String {
        date(*d)
    }
}

#[derive(Deserialize, Default)]
struct UnitQuery {
    #[serde(default, rename = "don-vi")]
    unit: Option<String>,
}

async fn workload_page(
    State(web): State<Arc<Web>>,
    user: PageUser,
    q: Result<Query<UnitQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let u = &user.session.user;
    let unit = q
        .ok()
        .and_then(|Query(q)| q.unit)
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| u.unit_code.clone());
    let manages = matches!(u.role, Role::CommuneLeader | Role::ProvinceLeader | Role::Admin);
    let province_view = domain::roles::is_province(&u.unit_code);
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.accounts().workload(&unit, &who)).await {
        Ok(w) => render(&WorkloadPage {
            user: bar(&user.session),
            csrf: user.session.csrf.clone(),
            w,
            manages,
            province_view,
        }),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct LeaveForm {
    username: String,
    from_date: String,
    to_date: String,
    #[serde(default)]
    reason: Option<String>,
    unit: String,
}

async fn add_leave(State(web): State<Arc<Web>>, SignedForm(user, f): SignedForm<LeaveForm>) -> Response {
    let req = NewLeave { username: f.username, from_date: f.from_date, to_date: f.to_date, reason: f.reason };
    let (app, who) = (web.app.clone(), actor(&user));
    let province = user.session.user.province_code.clone();
    let unit = f.unit.clone();
    match blocking(move || app.accounts().add_leave(&req, &who)).await {
        Ok(_) => {
            web.announce(Notice::staff(&province, Some(unit.clone())));
            Redirect::to(&format!("/can-bo?don-vi={unit}")).into_response()
        }
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct StaffingForm {
    unit: String,
    #[serde(default)]
    quota: String,
    #[serde(default)]
    population: String,
}

async fn set_staffing(
    State(web): State<Arc<Web>>,
    SignedForm(user, f): SignedForm<StaffingForm>,
) -> Response {
    let num = |s: &str| -> Result<Option<i64>, ()> {
        let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '.').collect();
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse().map(Some).map_err(|_| ())
        }
    };
    let (Ok(quota), Ok(population)) = (num(&f.quota), num(&f.population)) else {
        return page_error(crate::error::ApiError::new(Code::InvalidNumber, "biên chế và dân số phải là số"));
    };
    let (app, who) = (web.app.clone(), actor(&user));
    let unit = f.unit.clone();
    let province = user.session.user.province_code.clone();
    match blocking(move || app.accounts().set_staffing(&f.unit, &StaffingUpdate { quota, population }, &who))
        .await
    {
        Ok(()) => {
            web.announce(Notice::staff(&province, Some(unit.clone())));
            Redirect::to(&format!("/can-bo?don-vi={unit}")).into_response()
        }
        Err(e) => page_error(e),
    }
}

#[derive(Template)]
#[template(path = "comparison.html")]
struct ComparisonPage {
    user: Option<UserBar>,
    lines: Vec<UnitLine>,
    province: String,
}

impl ComparisonPage {
    fn ratio(&self, r: &Option<f64>) -> String {
        r.map_or("—".into(), |r| format!("{r:.1}").replace('.', ","))
    }

    fn opt(&self, v: &Option<i64>) -> String {
        v.map_or("—".into(), vi_text::grouped)
    }
}

async fn comparison_page(State(web): State<Arc<Web>>, user: PageUser) -> Response {
    let province = user.session.user.province_code.clone();
    let name = units::registry().province(&province).map_or(province.clone(), |p| p.name.to_string());
    let (app, who) = (web.app.clone(), actor(&user));
    match blocking(move || app.accounts().staff_comparison(&province, &who)).await {
        Ok(lines) => render(&ComparisonPage { user: bar(&user.session), lines, province: name }),
        Err(e) => page_error(e),
    }
}
