//! Alerts in the web app: each person's list (page and API), marking read, and the sweep that
//! raises new alerts every minute, tells their owners over the live stream and delivers the
//! outbox.

use crate::auth::{Caller, PageUser};
use crate::auth::{NoFields, SignedForm};
use crate::error::ApiResult;
use crate::error::ErrorAnswer;
use crate::view::{bar, page_error, render, UserBar};
use crate::Routes;
use crate::{blocking, live, Web};
use app::Actor;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Json;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub fn staff_routes() -> Routes {
    Routes::default()
        .routes(routes!(list_api))
        .routes(routes!(read_api))
        .route("/canh-bao", get(page))
        .route("/canh-bao/{id}/da-doc", post(read_page))
}

/// Every minute: new alerts, the statuses for the national portal (when it is fed), then
/// the outbox.
pub async fn sweep(web: Arc<Web>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every.tick().await;
        let (app, senders) = (web.app.clone(), web.senders.clone());
        match blocking(move || app.alerts().raise_alerts(&senders)).await {
            Ok(raised) => raised.iter().for_each(|a| web.announce(live::Notice::alert(a))),
            Err(e) => tracing::warn!(
                code = %e.0.code,
                cause = e.0.cause.as_deref().unwrap_or(""),
                "không rà soát được hồ sơ sắp đến hạn"
            ),
        }
        if let Some(silence) = web.node_silence {
            let (app, senders) = (web.app.clone(), web.senders.clone());
            match blocking(move || app.alerts().raise_node_alerts(silence, &senders)).await {
                Ok(raised) => raised.iter().for_each(|a| web.announce(live::Notice::alert(a))),
                Err(e) => tracing::warn!(
                    code = %e.0.code,
                    cause = e.0.cause.as_deref().unwrap_or(""),
                    "không rà soát được các máy trạm của xã"
                ),
            }
        }
        if web.senders.portal.is_some() {
            let app = web.app.clone();
            if let Err(e) = blocking(move || app.portal_round()).await {
                tracing::warn!(
                    code = %e.0.code,
                    cause = e.0.cause.as_deref().unwrap_or(""),
                    "không lấy được trạng thái hồ sơ để gửi Cổng Dịch vụ công quốc gia"
                );
            }
        }
        let (app, senders) = (web.app.clone(), web.senders.clone());
        if let Err(e) = blocking(move || app.alerts().deliver_outbox(&senders, 500)).await {
            tracing::warn!(
                code = %e.0.code,
                cause = e.0.cause.as_deref().unwrap_or(""),
                "không gửi được cảnh báo"
            );
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only those not yet read.
    unread: Option<bool>,
}

/// The caller's alerts, newest first (at most 200).
#[derive(Serialize, ToSchema)]
#[schema(as = AlertList)]
struct Alerts {
    items: Vec<app::alerts::Alert>,
}

/// An alert marked read.
#[derive(Serialize, ToSchema)]
struct AlertRead {
    id: i64,
    read: bool,
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    summary = "Cảnh báo của tài khoản: hồ sơ sắp đến hạn, quá hạn",
    params(ListQuery),
    responses((status = 200, description = "Các cảnh báo", body = Alerts)))]
async fn list_api(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Alerts>> {
    let q = crate::extract::query(q)?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let items = blocking(move || app.alerts().list(&actor, q.unread.unwrap_or(false), 200)).await?;
    Ok(Json(Alerts { items }))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/read", tag = "alerts",
    summary = "Đánh dấu một cảnh báo đã đọc",
    params(("id" = String, Path, description = "Số của cảnh báo")),
    responses(
        (status = 200, description = "Đã đánh dấu", body = AlertRead),
        (status = 404, description = "Không có cảnh báo này của tài khoản (alert_not_found)", body = ErrorAnswer),
    ))]
async fn read_api(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AlertRead>> {
    let id = crate::extract::path_id(&id, Code::AlertNotFound, "cảnh báo")?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    blocking(move || app.alerts().mark_alert_read(id, &actor)).await?;
    Ok(Json(AlertRead { id, read: true }))
}

struct AlertView {
    id: i64,
    when: String,
    kind: &'static str,
    css: &'static str,
    code: String,
    /// Where the alert's subject is shown: the dossier, or the province's list of nodes.
    href: String,
    due: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    user: Option<UserBar>,
    csrf: String,
    alerts: Vec<AlertView>,
    unread: usize,
}

async fn page(State(web): State<Arc<Web>>, u: PageUser) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    let alerts = match blocking(move || app.alerts().list(&actor, false, 200)).await {
        Ok(a) => a,
        Err(e) => return page_error(e),
    };
    let alerts: Vec<AlertView> = alerts
        .into_iter()
        .map(|a| AlertView {
            id: a.id,
            when: a.created_at.format("%H:%M %d/%m/%Y").to_string(),
            kind: a.kind.label(),
            css: if a.kind == app::alerts::AlertKind::NearDue { "near" } else { "late" },
            href: if a.kind == app::alerts::AlertKind::NodeSilent {
                "/quan-tri/may-tram".into()
            } else {
                format!("/ho-so/{}", a.dossier_code)
            },
            code: a.dossier_code,
            due: a.due_at.format("%H:%M %d/%m/%Y").to_string(),
            read: a.read,
        })
        .collect();
    render(&AlertsPage {
        user: bar(&u.session),
        csrf: u.session.csrf.clone(),
        unread: alerts.iter().filter(|a| !a.read).count(),
        alerts,
    })
}

async fn read_page(
    State(web): State<Arc<Web>>,
    Path(id): Path<String>,
    SignedForm(u, _): SignedForm<NoFields>,
) -> Response {
    let id = match crate::extract::path_id(&id, Code::AlertNotFound, "cảnh báo") {
        Ok(id) => id,
        Err(e) => return page_error(e),
    };
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    match blocking(move || app.alerts().mark_alert_read(id, &actor)).await {
        Ok(()) => Redirect::to("/canh-bao").into_response(),
        Err(e) => page_error(e),
    }
}
