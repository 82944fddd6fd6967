//! The assistant's pages: the chat page (also shown inside the embeddable widget), the answer a
//! citizen reads by code, the officers' desk (questions to answer, suggestions to review, usage),
//! and the operations handbook.

use crate::auth::MaybeCaller;
use crate::auth::SignedForm;
use crate::view::{bar, page_error, render, time, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::assistant::{Asked, Feedback, Handoff, Suggestion, Usage};
use app::Actor;
use app::Article;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::sync::Arc;

/// Questions, hand-offs and ratings from anyone, and a hand-off read by its code: limited per
/// client.
pub fn limited_routes() -> Routes {
    Routes::default()
        .route("/tro-ly/hoi", post(ask))
        .route("/tro-ly/chuyen-can-bo", post(hand_off))
        .route("/tro-ly/danh-gia", post(rate))
        .route("/tro-ly/hoi-dap", get(handoff_page))
}

/// The assistant's page (framed by commune websites) and its embedding script.
pub fn open_routes() -> Routes {
    Routes::default().route("/tro-ly", get(chat_page)).route("/tro-ly/widget.js", get(widget))
}

pub fn staff_routes() -> Routes {
    Routes::default()
        .route("/tro-ly/quan-ly", get(desk))
        .route("/tro-ly/quan-ly/tra-loi/{code}", post(answer))
        .route("/tro-ly/quan-ly/duyet/{id}", post(review))
        .route("/so-tay", get(handbook_page))
        .route("/so-tay/luu", post(save_article))
}

/// An error in place of an answer (htmx).
#[derive(Template)]
#[template(path = "fragments/error.html")]
struct ErrorFragment {
    message: String,
}

const WIDGET: &str = include_str!("../../assets/widget.js");

async fn widget() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        WIDGET,
    )
        .into_response()
}

fn provinces() -> Vec<(String, String)> {
    units::registry().provinces.iter().map(|p| (p.code.to_string(), p.name.to_string())).collect()
}

/// One answer as the page shows it.
struct AnswerView {
    id: i64,
    question: String,
    answer: String,
    confident: bool,
    asks: String,
    matches: Vec<(String, String)>,
    handbook: Vec<(String, String)>,
    province: String,
}

impl AnswerView {
    fn of(question: &str, a: &Asked) -> AnswerView {
        AnswerView {
            id: a.id,
            question: question.to_string(),
            answer: a.reply.answer.clone(),
            confident: a.reply.confident,
            asks: a.reply.asks.label().to_string(),
            matches: a.reply.matches.iter().take(3).map(|m| (m.code.clone(), m.name.clone())).collect(),
            handbook: a.reply.handbook.iter().map(|m| (m.code.clone(), m.name.clone())).collect(),
            province: a.province_code.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "assistant.html")]
struct ChatPage {
    user: Option<UserBar>,
    embedded: bool,
    province: String,
    commune: String,
    provinces: Vec<(String, String)>,
    question: String,
    answer: Option<AnswerView>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "assistant_answer.html")]
struct AnswerFragment {
    a: AnswerView,
}

#[derive(Deserialize, Default)]
struct ChatQuery {
    #[serde(default)]
    tinh: Option<String>,
    /// The commune whose site embeds the assistant: its procedures first.
    #[serde(default)]
    xa: Option<String>,
    #[serde(default)]
    nhung: Option<String>,
}

async fn chat_page(caller: MaybeCaller, Query(q): Query<ChatQuery>) -> Response {
    render(&ChatPage {
        user: caller.0.as_ref().and_then(bar),
        embedded: q.nhung.is_some(),
        province: q.tinh.unwrap_or_default(),
        commune: q.xa.unwrap_or_default(),
        provinces: provinces(),
        question: String::new(),
        answer: None,
        error: None,
    })
}

#[derive(Deserialize)]
struct AskForm {
    question: String,
    #[serde(default)]
    province: Option<String>,
    #[serde(default)]
    commune: Option<String>,
    #[serde(default)]
    embedded: Option<String>,
}

async fn ask(
    State(web): State<Arc<Web>>,
    caller: MaybeCaller,
    headers: HeaderMap,
    Form(f): Form<AskForm>,
) -> Response {
    let app = web.app.clone();
    let actor = caller.0.as_ref().map(|s| Actor::of(&s.user));
    let staff = actor.is_some();
    let (question, province) = (f.question.clone(), f.province.clone().filter(|p| !p.is_empty()));
    let commune = f.commune.clone().filter(|c| !c.is_empty());
    let result = blocking(move || {
        app.assistant().ask_at(&question, province.as_deref(), commune.as_deref(), actor.as_ref())
    })
    .await;
    let htmx = headers.contains_key("hx-request");
    let mut page = ChatPage {
        user: caller.0.as_ref().and_then(bar),
        embedded: f.embedded.is_some(),
        province: f.province.clone().unwrap_or_default(),
        commune: f.commune.clone().unwrap_or_default(),
        provinces: provinces(),
        question: f.question.clone(),
        answer: None,
        error: None,
    };
    match result {
        Ok(mut asked) => {
            if !staff {
                asked.reply.handbook.clear();
            }
            let view = AnswerView::of(&f.question, &asked);
            if htmx {
                return render(&AnswerFragment { a: view });
            }
            page.answer = Some(view);
            render(&page)
        }
        Err(e) if htmx => {
            let status = crate::error::status_of(e.0.kind);
            (status, render(&ErrorFragment { message: e.0.message })).into_response()
        }
        Err(e) => {
            page.error = Some(e.0.message);
            render(&page)
        }
    }
}

#[derive(Deserialize)]
struct HandOffForm {
    question: String,
    #[serde(default)]
    question_id: Option<i64>,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    province: Option<String>,
    #[serde(default)]
    consent: Option<String>,
}

async fn hand_off(State(web): State<Arc<Web>>, Form(f): Form<HandOffForm>) -> Response {
    // Contact details are personal data: left only with consent to the notice.
    let contact = f.contact.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if contact.is_some() {
        if let Err(e) = app::require_consent(f.consent.as_deref() == Some("yes")) {
            return page_error(e.into());
        }
    }
    let app = web.app.clone();
    let province = f.province.clone().filter(|p| !p.is_empty());
    match blocking(move || {
        app.assistant().hand_off(f.question_id, &f.question, f.contact.as_deref(), province.as_deref())
    })
    .await
    {
        Ok(h) => Redirect::to(&format!("/tro-ly/hoi-dap?code={}", crate::auth::url_encode(&h.code)))
            .into_response(),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct RateForm {
    question_id: i64,
    helpful: bool,
    #[serde(default)]
    procedure_code: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

async fn rate(State(web): State<Arc<Web>>, caller: MaybeCaller, Form(f): Form<RateForm>) -> Response {
    let app = web.app.clone();
    let actor = caller.0.as_ref().map(|s| Actor::of(&s.user));
    let text = f.text.filter(|t| !t.trim().is_empty());
    let fb = Feedback {
        question_id: Some(f.question_id),
        helpful: Some(f.helpful),
        kind: text.as_ref().map(|_| "alias".to_string()),
        procedure_code: f.procedure_code.filter(|c| !c.is_empty()),
        text,
    };
    match blocking(move || app.assistant().feedback(&fb, actor.as_ref())).await {
        Ok(_) => axum::response::Html("<p class=\"ok\">Cảm ơn bạn đã góp ý.</p>").into_response(),
        Err(e) => page_error(e),
    }
}

#[derive(Template)]
#[template(path = "handoff.html")]
struct HandoffPage {
    user: Option<UserBar>,
    code: String,
    handoff: Option<Handoff>,
    asked: String,
    answered: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

async fn handoff_page(State(web): State<Arc<Web>>, Query(q): Query<CodeQuery>) -> Response {
    let code = q.code.unwrap_or_default();
    let mut page = HandoffPage {
        user: None,
        code: code.clone(),
        handoff: None,
        asked: String::new(),
        answered: String::new(),
        error: None,
    };
    if code.trim().is_empty() {
        return render(&page);
    }
    let app = web.app.clone();
    match blocking(move || app.assistant().handoff(&code)).await {
        Ok(h) => {
            page.asked = time(Some(h.created_at));
            page.answered = time(h.answered_at);
            page.handoff = Some(h);
            render(&page)
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            page.error = Some(e.0.message);
            (status, render(&page)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "assistant_desk.html")]
struct DeskPage {
    user: Option<UserBar>,
    csrf: String,
    handoffs: Vec<(Handoff, String)>,
    suggestions: Vec<Suggestion>,
    admin: bool,
    usage: Usage,
    rule_met: usize,
}

async fn desk(State(web): State<Arc<Web>>, user: crate::auth::PageUser) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&user.session.user);
    let admin = user.session.user.role == domain::roles::Role::NationalAdmin;
    let (month_start, today) = app::statistics::figures::month_to_date(web.app.now().date());
    let r = blocking(move || {
        let h = app.assistant().open_handoffs(&actor)?;
        let s = if admin { app.assistant().pending_suggestions(&actor)? } else { vec![] };
        let u = app.assistant().assistant_usage(month_start, today, &actor)?;
        Ok((h, s, u))
    })
    .await;
    match r {
        Ok((h, s, u)) => render(&DeskPage {
            user: bar(&user.session),
            csrf: user.session.csrf.clone(),
            handoffs: h.into_iter().map(|h| (h.clone(), time(Some(h.created_at)))).collect(),
            suggestions: s,
            admin,
            rule_met: u.officials.iter().filter(|o| o.meets_weekly_rule).count(),
            usage: u,
        }),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    answer: String,
}

async fn answer(
    State(web): State<Arc<Web>>,
    Path(code): Path<String>,
    SignedForm(user, f): SignedForm<AnswerForm>,
) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&user.session.user);
    match blocking(move || app.assistant().answer_handoff(&code, &f.answer, &actor)).await {
        Ok(_) => Redirect::to("/tro-ly/quan-ly").into_response(),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct ReviewForm {
    accept: bool,
}

async fn review(
    State(web): State<Arc<Web>>,
    Path(id): Path<i64>,
    SignedForm(user, f): SignedForm<ReviewForm>,
) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&user.session.user);
    match blocking(move || app.assistant().review_suggestion(id, f.accept, &actor)).await {
        Ok(_) => Redirect::to("/tro-ly/quan-ly").into_response(),
        Err(e) => page_error(e),
    }
}

#[derive(Template)]
#[template(path = "handbook.html")]
struct HandbookPage {
    user: Option<UserBar>,
    csrf: String,
    admin: bool,
    q: String,
    articles: Vec<Article>,
}

#[derive(Deserialize)]
struct HandbookQuery {
    q: Option<String>,
}

async fn handbook_page(
    State(web): State<Arc<Web>>,
    user: crate::auth::PageUser,
    Query(q): Query<HandbookQuery>,
) -> Response {
    let app = web.app.clone();
    let text = q.q.clone().unwrap_or_default();
    let t = text.clone();
    let r = blocking(move || app.assistant().search_handbook(Some(&t))).await;
    match r {
        Ok(articles) => render(&HandbookPage {
            user: bar(&user.session),
            csrf: user.session.csrf.clone(),
            admin: user.session.user.role == domain::roles::Role::NationalAdmin,
            q: text,
            articles,
        }),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct ArticleForm {
    #[serde(default)]
    id: Option<String>,
    title: String,
    body: String,
}

async fn save_article(State(web): State<Arc<Web>>, SignedForm(user, f): SignedForm<ArticleForm>) -> Response {
    let id = f.id.as_deref().and_then(|i| i.trim().parse::<i64>().ok());
    let app = web.app.clone();
    let actor = Actor::of(&user.session.user);
    match blocking(move || app.assistant().save_article(id, &f.title, &f.body, &actor)).await {
        Ok(a) => Redirect::to(&format!("/so-tay#bai-{}", a.id)).into_response(),
        Err(e) => page_error(e),
    }
}
