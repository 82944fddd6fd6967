//! The work queue: what waits for this officer's seat, or every dossier of the unit.

use crate::auth::PageUser;
use crate::extract::behind_param;
use crate::view::{bar, page_error, render, time, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::{Actor, DossierFilter};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::due::DueState;
use domain::Status;
use serde::Deserialize;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default().route("/", get(queue))
}

// ---- queue ----
struct QueueRow {
    code: String,
    procedure: String,
    applicant: String,
    status: String,
    due: String,
    flag: String,
    css: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    /// Showing this officer's own queue (not every dossier of the unit).
    mine: bool,
    queue_label: String,
    user: Option<UserBar>,
    /// The heading of a drill-down list, with its period.
    heading: Option<String>,
    unit: String,
    procedure: String,
    rows: Vec<QueueRow>,
    total: i64,
    q: String,
    status: String,
    overdue: bool,
    statuses: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct QueueQuery {
    q: Option<String>,
    unit: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    procedure: Option<String>,
    behind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// "1": every dossier of the unit, not only this officer's queue.
    all: Option<String>,
}

/// What the role's own queue holds.
fn queue_label(role: domain::roles::Role) -> &'static str {
    use domain::permissions::{seat_of, Seat};
    match seat_of(role) {
        Some(Seat::OneStop) => {
            "Việc của bộ phận một cửa: hồ sơ chờ tiếp nhận, chờ bổ sung, chờ nộp phí, chờ trả kết quả"
        }
        Some(Seat::Specialist) => "Việc của bạn: hồ sơ được giao cho bạn và hồ sơ chưa giao ai ở đơn vị",
        Some(Seat::Leader) => "Việc chờ lãnh đạo: hồ sơ đang giải quyết tại đơn vị, chờ phân công, phê duyệt",
        None => "Hồ sơ trong phạm vi của bạn",
    }
}

/// The queue's status filter: the open statuses first, then the finished ones.
const FINISHED: [Status; 4] = [Status::Returned, Status::Refused, Status::Withdrawn, Status::Stopped];

async fn queue(
    State(web): State<Arc<Web>>,
    u: PageUser,
    uri: axum::http::Uri,
    Query(q): Query<QueueQuery>,
) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    // The nation processes no dossier: its first page is the dashboard of the provinces
    // (the list of status records stays one link away, from its figures).
    if actor.scope.status_records_only() && uri.query().is_none() {
        return Redirect::to("/bang-dieu-hanh").into_response();
    }
    let text = q.q.clone().unwrap_or_default().trim().to_string();
    if !text.is_empty() {
        // A whole code opens the dossier; anything else searches names, phones and codes.
        let (app2, actor2, code) = (app.clone(), actor.clone(), text.clone());
        if blocking(move || app2.dossiers().visible(&code, &actor2)).await.is_ok() {
            return Redirect::to(&format!("/ho-so/{}", crate::auth::url_encode(&text))).into_response();
        }
    }
    let status = q.status.as_deref().and_then(Status::parse);
    let overdue = q.overdue.as_deref() == Some("true");
    let behind = match behind_param(&web, q.behind.as_deref(), q.from.as_deref(), q.to.as_deref()) {
        Ok(b) => b,
        Err(e) => return page_error(e),
    };
    let procedure = q.procedure.clone().filter(|p| !p.trim().is_empty());
    let heading = behind
        .map(|(b, from, to)| {
            format!("{} (từ {} đến {})", b.label(), from.format("%d/%m/%Y"), to.format("%d/%m/%Y"))
        })
        .or_else(|| {
            procedure.as_ref().map(|p| {
                let name = web.app.catalog().get(p).map_or_else(|| p.clone(), |x| x.name.clone());
                format!("Hồ sơ thủ tục: {name}")
            })
        });
    // The work queue: what is still open, unless a status or a drill-down is asked for; by
    // default what this officer's role works on (the desk, the specialist, the leader).
    let all = q.all.as_deref() == Some("1");
    let mine = !all && behind.is_none() && procedure.is_none() && status.is_none() && text.is_empty();
    let filter = DossierFilter {
        mine,
        status,
        overdue,
        text: Some(text.clone()).filter(|t| !t.is_empty()),
        unit: q.unit.clone().filter(|u| !u.trim().is_empty()),
        open_only: behind.is_none() && procedure.is_none(),
        procedure: procedure.clone(),
        behind,
        page: 1,
        per_page: 200,
        ..DossierFilter::default()
    };
    let page = match blocking(move || app.dossiers().list(&filter, &actor)).await {
        Ok(p) => p,
        Err(e) => return page_error(e),
    };
    let now = web.app.now();
    let horizon = domain::due::near_due_horizon(&web.app.calendar(), now);
    let catalog = web.app.catalog();
    let rows = page
        .items
        .iter()
        .map(|d| {
            let (flag, css) = match domain::due::due_state(d.status, d.finished_at, d.due_at, now, horizon) {
                DueState::Overdue => ("Quá hạn", "late"),
                DueState::NearDue => ("Sắp đến hạn", "near"),
                DueState::OnTrack | DueState::NotCounting => ("", ""),
            };
            QueueRow {
                code: d.code.clone(),
                procedure: catalog
                    .get(&d.procedure_code)
                    .map_or(d.procedure_code.clone(), |p| p.name.clone()),
                applicant: d.applicant_name.clone(),
                status: d.status.label().to_string(),
                due: time(d.due_at),
                flag: flag.into(),
                css: css.into(),
            }
        })
        .collect();
    let statuses = domain::status::OPEN_STATUSES
        .iter()
        .chain(&FINISHED)
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect();
    render(&QueuePage {
        mine,
        queue_label: queue_label(u.session.user.role).into(),
        user: bar(&u.session),
        heading,
        unit: q.unit.unwrap_or_default(),
        procedure: procedure.unwrap_or_default(),
        rows,
        total: page.total,
        q: text,
        status: q.status.unwrap_or_default(),
        overdue,
        statuses,
    })
}
