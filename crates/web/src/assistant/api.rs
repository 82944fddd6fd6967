//! The assistant's part of the API: questions, hand-off to officers, feedback and its review,
//! usage, and the operations handbook.

use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, ApiResult};
use crate::extract::{date_param, query, Body};
use crate::{blocking, Web};
use app::assistant::Feedback;
use app::Actor;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use errors::Code;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Questions, hand-offs and feedback from anyone, and a hand-off read by its code: limited per
/// client.
pub fn limited_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/assistant/ask", post(ask))
        .route("/api/v1/assistant/handoffs", post(hand_off))
        .route("/api/v1/assistant/handoffs/{code}", get(handoff))
        .route("/api/v1/assistant/feedback", post(feedback))
}

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/assistant/handoffs", get(open_handoffs))
        .route("/api/v1/assistant/handoffs/{code}/answer", post(answer))
        .route("/api/v1/assistant/suggestions", get(suggestions))
        .route("/api/v1/assistant/suggestions/{id}/review", post(review))
        .route("/api/v1/assistant/usage", get(usage))
        .route("/api/v1/handbook", get(handbook).post(create_article))
        .route("/api/v1/handbook/{id}", axum::routing::put(update_article))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    question: String,
    #[serde(default)]
    province_code: Option<String>,
}

async fn ask(State(web): State<Arc<Web>>, caller: MaybeCaller, Body(b): Body<Ask>) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    let actor = caller.0.as_ref().map(|s| Actor::of(&s.user));
    let staff = actor.is_some();
    let mut asked =
        blocking(move || app.ask(&b.question, b.province_code.as_deref(), actor.as_ref())).await?;
    // The handbook is written for officers.
    if !staff {
        asked.reply.handbook.clear();
    }
    Ok(Json(json!(asked)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HandOff {
    question: String,
    #[serde(default)]
    question_id: Option<i64>,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    province_code: Option<String>,
}

async fn hand_off(
    State(web): State<Arc<Web>>,
    Body(b): Body<HandOff>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let app = web.app.clone();
    let h = blocking(move || {
        app.hand_off(b.question_id, &b.question, b.contact.as_deref(), b.province_code.as_deref())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!(h))))
}

async fn handoff(State(web): State<Arc<Web>>, Path(code): Path<String>) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    Ok(Json(json!(blocking(move || app.handoff(&code)).await?)))
}

async fn open_handoffs(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(json!({ "items": blocking(move || app.open_handoffs(&actor)).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    answer: String,
}

async fn answer(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(b): Body<Answer>,
) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(json!(blocking(move || app.answer_handoff(&code, &b.answer, &actor)).await?)))
}

async fn feedback(
    State(web): State<Arc<Web>>,
    caller: MaybeCaller,
    Body(f): Body<Feedback>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let app = web.app.clone();
    let actor = caller.0.as_ref().map(|s| Actor::of(&s.user));
    let id = blocking(move || app.feedback(&f, actor.as_ref())).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

async fn suggestions(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(json!({ "items": blocking(move || app.pending_suggestions(&actor)).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Review {
    accept: bool,
}

async fn review(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<Review>,
) -> ApiResult<Json<Value>> {
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| ApiError::new(Code::SuggestionNotFound, "không có góp ý với mã này"))?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(json!(blocking(move || app.review_suggestion(id, b.accept, &actor)).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Period {
    from: Option<String>,
    to: Option<String>,
}

async fn usage(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<Period>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let (month_start, today) = app::stats::month_to_date(web.app.now().date());
    let from = date_param("from", q.from.as_deref(), month_start)?;
    let to = date_param("to", q.to.as_deref(), today)?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(json!(blocking(move || app.assistant_usage(from, to, &actor)).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Search {
    q: Option<String>,
}

async fn handbook(
    State(web): State<Arc<Web>>,
    _caller: Caller,
    q: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let app = web.app.clone();
    let items = blocking(move || app.search_handbook(q.q.as_deref())).await?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleBody {
    title: String,
    body: String,
}

async fn create_article(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<ArticleBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = blocking(move || app.save_article(None, &b.title, &b.body, &actor)).await?;
    Ok((StatusCode::CREATED, Json(json!(a))))
}

async fn update_article(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<ArticleBody>,
) -> ApiResult<Json<Value>> {
    let id: i64 =
        id.trim().parse().map_err(|_| ApiError::new(Code::ArticleNotFound, "không có bài viết này"))?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(json!(blocking(move || app.save_article(Some(id), &b.title, &b.body, &actor)).await?)))
}
