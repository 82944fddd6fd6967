//! Receiving at the desk: the intake form, its htmx fragments (procedures, checklist), and the
//! dossier's registration.

use crate::auth::{PageUser, SignedForm};
use crate::view::{bar, fragment, render, UserBar};
use crate::Routes;
use crate::Web;
use app::{Actor, Applicant, IntakeRequest};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::Channel;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default()
        .route("/ho-so/moi", get(intake_page).post(intake))
        .route("/ui/thu-tuc", get(procedure_choices))
        .route("/ui/thanh-phan", get(checklist))
}

// ---- intake ----

#[derive(Default, Deserialize)]
struct IntakeForm {
    #[serde(default)]
    procedure_code: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    #[allow(dead_code)]
    q: String,
    /// Names this intake (see `App::receive_then`): a form sent twice (a double click, a
    /// resend after an error page) files one dossier.
    #[serde(default)]
    intake_key: String,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    user: Option<UserBar>,
    csrf: String,
    error: Option<String>,
    form: IntakeForm,
    procedures: String,
}

// ---- htmx fragments: rendered from templates (escaped there), never assembled by hand ----
struct Choice {
    code: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "fragments/procedure_choices.html")]
struct ProcedureChoices {
    items: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "fragments/checklist.html")]
struct Checklist<'a> {
    name: &'a str,
    documents: &'a [String],
    time: &'a str,
    fee: &'a str,
}

/// Radio choices of the procedures matching `q` (an htmx fragment), the commune's own first.
fn choices_html(web: &Web, q: &str, selected: &str, first: &HashSet<String>) -> String {
    let found = web.app.search_procedures(q, first);
    let items = found
        .iter()
        .take(30)
        .map(|p| Choice { code: p.code.clone(), name: p.name.clone(), checked: p.code == selected })
        .collect();
    fragment(&ProcedureChoices { items })
}

async fn intake_page(State(web): State<Arc<Web>>, u: PageUser) -> Response {
    render(&IntakePage {
        user: bar(&u.session),
        csrf: u.session.csrf.clone(),
        error: None,
        procedures: choices_html(&web, "", "", &web.offered(Some(&u.session.user.unit_code)).await),
        form: IntakeForm { intake_key: app::new_intake_key(), ..IntakeForm::default() },
    })
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn procedure_choices(
    State(web): State<Arc<Web>>,
    u: PageUser,
    Query(q): Query<SearchQuery>,
) -> Response {
    let first = web.offered(Some(&u.session.user.unit_code)).await;
    Html(choices_html(&web, q.q.as_deref().unwrap_or(""), "", &first)).into_response()
}

#[derive(Deserialize)]
struct ChecklistQuery {
    procedure_code: Option<String>,
}

async fn checklist(State(web): State<Arc<Web>>, _u: PageUser, Query(q): Query<ChecklistQuery>) -> Response {
    let catalog = web.app.catalog();
    let Some(p) = q.procedure_code.as_deref().and_then(|c| catalog.get(c)) else {
        return Html(String::new()).into_response();
    };
    render(&Checklist {
        name: &p.name,
        documents: &p.documents,
        time: &domain::plain::time_text(p),
        fee: &domain::plain::fee_text(p),
    })
}

async fn intake(State(web): State<Arc<Web>>, SignedForm(u, f): SignedForm<IntakeForm>) -> Response {
    let channel = Channel::parse(&f.channel).unwrap_or(Channel::Direct);
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let req = IntakeRequest {
        procedure_code: f.procedure_code.clone(),
        channel,
        commune_code: None,
        applicant: Applicant {
            full_name: f.full_name.clone(),
            phone: opt(&f.phone),
            id_number: opt(&f.id_number),
            address: opt(&f.address),
        },
    };
    let actor = Actor::of(&u.session.user);
    let key = Some(f.intake_key.clone()).filter(|k| !k.is_empty());
    match super::receive(&web, req, actor, key).await {
        Ok(received) => {
            if let super::Received::New(d) = &received {
                web.publish(d);
            }
            Redirect::to(&format!("/ho-so/{}/phieu", received.dossier().code)).into_response()
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            let procedures = choices_html(
                &web,
                "",
                &f.procedure_code,
                &web.offered(Some(&u.session.user.unit_code)).await,
            );
            let page = IntakePage {
                user: bar(&u.session),
                csrf: u.session.csrf.clone(),
                error: Some(e.0.message),
                form: f,
                procedures,
            };
            (status, render(&page)).into_response()
        }
    }
}
