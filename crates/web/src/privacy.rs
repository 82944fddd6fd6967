//! The administrator's page of who read citizens' personal data: every full read of a
//! dossier, every document downloaded, every export holding personal data, within the
//! administrator's scope, or of one dossier.

use crate::auth::PageUser;
use crate::view::{bar, page_error, render, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::Actor;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default().route("/quan-tri/truy-cap-du-lieu", get(reads_page))
}

struct ReadRow {
    at: String,
    actor: String,
    what: String,
    target: String,
    is_dossier: bool,
    detail: String,
}

#[derive(Template)]
#[template(path = "reads.html")]
struct ReadsPage {
    user: Option<UserBar>,
    code: String,
    rows: Vec<ReadRow>,
}

#[derive(Deserialize)]
struct ReadsQuery {
    #[serde(default)]
    ma: String,
}

async fn reads_page(State(web): State<Arc<Web>>, u: PageUser, Query(q): Query<ReadsQuery>) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    let code = q.ma.trim().to_string();
    let c = code.clone();
    let found = blocking(move || {
        // An administrator only; one dossier's reads only if the dossier is in their scope.
        let recent = app.dossiers().recent_reads(&actor, 500)?;
        if c.is_empty() {
            return Ok(recent);
        }
        let d = app.dossiers().visible(&c, &actor)?;
        app.dossiers().reads(&d.code)
    })
    .await;
    let entries = match found {
        Ok(e) => e,
        Err(e) => return page_error(e),
    };
    let rows = entries
        .into_iter()
        .map(|r| ReadRow {
            at: r.at.format("%H:%M:%S %d/%m/%Y").to_string(),
            actor: r.actor,
            what: app::read_label(&r.action).to_string(),
            is_dossier: r.action != "personal_data_export",
            target: r.target.unwrap_or_default(),
            detail: r.detail.unwrap_or_default(),
        })
        .collect();
    render(&ReadsPage { user: bar(&u.session), code, rows })
}
