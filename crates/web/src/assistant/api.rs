//! The assistant's part of the API: questions, hand-off to officers, feedback and its review,
//! usage, and the operations handbook.

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiResult;
use crate::error::ErrorAnswer;
use crate::extract::{date_param, path_id, query, Body};
use crate::Routes;
use crate::{blocking, Web};
use app::assistant::Feedback;
use app::Actor;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// Questions, hand-offs and feedback from anyone, and a hand-off read by its code: limited per
/// client.
pub fn limited_routes() -> Routes {
    Routes::default()
        .routes(routes!(ask))
        .routes(routes!(hand_off))
        .routes(routes!(handoff))
        .routes(routes!(feedback))
}

pub fn staff_routes() -> Routes {
    Routes::default()
        .routes(routes!(open_handoffs))
        .routes(routes!(answer))
        .routes(routes!(suggestions))
        .routes(routes!(review))
        .routes(routes!(usage))
        .routes(routes!(handbook, create_article))
        .routes(routes!(update_article))
}

/// A citizen's or an official's question.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AskRequest)]
struct Ask {
    question: String,
    /// The province whose procedures and offices the answer should name.
    #[serde(default)]
    province_code: Option<String>,
    /// The commune asking: the procedures it offers come first among close candidates.
    #[serde(default)]
    commune_code: Option<String>,
}

/// Questions handed to officers.
#[derive(Serialize, ToSchema)]
struct HandoffList {
    items: Vec<app::assistant::Handoff>,
}

/// Suggestions waiting for review.
#[derive(Serialize, ToSchema)]
struct SuggestionList {
    items: Vec<app::assistant::Suggestion>,
}

/// Handbook articles.
#[derive(Serialize, ToSchema)]
struct ArticleList {
    items: Vec<app::Article>,
}

/// What was created: its number.
#[derive(Serialize, ToSchema)]
struct Created {
    id: i64,
}

#[utoipa::path(post, path = "/api/v1/assistant/ask", tag = "assistant",
    summary = "Hỏi trợ lý số về thủ tục hành chính",
    description = "Câu trả lời chỉ gồm thông tin trong danh mục thủ tục, có mã thủ tục và căn cứ; khi không chắc, trợ lý nói vậy và gợi ý chuyển câu hỏi cho cán bộ.",
    request_body = Ask,
    responses((status = 200, description = "Câu trả lời", body = app::assistant::Asked)))]
async fn ask(
    State(web): State<Arc<Web>>,
    caller: MaybeCaller,
    Body(b): Body<Ask>,
) -> ApiResult<Json<app::assistant::Asked>> {
    let app = web.app.clone();
    let actor = caller.0.as_ref().map(|s| Actor::of(&s.user));
    let staff = actor.is_some();
    let mut asked = blocking(move || {
        app.assistant().ask_at(
            &b.question,
            b.province_code.as_deref(),
            b.commune_code.as_deref(),
            actor.as_ref(),
        )
    })
    .await?;
    // The handbook is written for officers.
    if !staff {
        asked.reply.handbook.clear();
    }
    Ok(Json(asked))
}

/// A question handed to an officer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = HandoffRequest)]
struct HandOff {
    question: String,
    /// The question's number from the assistant's answer.
    #[serde(default)]
    question_id: Option<i64>,
    /// How to reach the citizen (phone or email), if they want an answer that way.
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    province_code: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/assistant/handoffs", tag = "assistant",
    summary = "Chuyển câu hỏi cho cán bộ",
    request_body = HandOff,
    responses((status = 201, description = "Câu hỏi đã chuyển: mã để tra cứu câu trả lời", body = app::assistant::Handoff)))]
async fn hand_off(
    State(web): State<Arc<Web>>,
    Body(b): Body<HandOff>,
) -> ApiResult<(StatusCode, Json<app::assistant::Handoff>)> {
    let app = web.app.clone();
    let h = blocking(move || {
        app.assistant().hand_off(b.question_id, &b.question, b.contact.as_deref(), b.province_code.as_deref())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(h)))
}

#[utoipa::path(get, path = "/api/v1/assistant/handoffs/{code}", tag = "assistant",
    summary = "Câu hỏi đã chuyển và câu trả lời của cán bộ",
    params(("code" = String, Path, description = "Mã câu hỏi đã chuyển")),
    responses(
        (status = 200, description = "Câu hỏi", body = app::assistant::Handoff),
        (status = 404, description = "Không có câu hỏi với mã này", body = ErrorAnswer),
    ))]
async fn handoff(
    State(web): State<Arc<Web>>,
    Path(code): Path<String>,
) -> ApiResult<Json<app::assistant::Handoff>> {
    let app = web.app.clone();
    Ok(Json(blocking(move || app.assistant().handoff(&code)).await?))
}

#[utoipa::path(get, path = "/api/v1/assistant/handoffs", tag = "assistant",
    summary = "Câu hỏi chờ cán bộ trả lời (trong phạm vi của tài khoản)",
    responses((status = 200, description = "Câu hỏi chờ trả lời", body = HandoffList)))]
async fn open_handoffs(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Json<HandoffList>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(HandoffList { items: blocking(move || app.assistant().open_handoffs(&actor)).await? }))
}

/// An officer's answer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AnswerRequest)]
struct Answer {
    answer: String,
}

#[utoipa::path(post, path = "/api/v1/assistant/handoffs/{code}/answer", tag = "assistant",
    summary = "Trả lời câu hỏi đã chuyển",
    params(("code" = String, Path, description = "Mã câu hỏi đã chuyển")),
    request_body = Answer,
    responses(
        (status = 200, description = "Câu hỏi đã trả lời", body = app::assistant::Handoff),
        (status = 409, description = "Câu hỏi đã được trả lời (already_answered)", body = ErrorAnswer),
    ))]
async fn answer(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(b): Body<Answer>,
) -> ApiResult<Json<app::assistant::Handoff>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(blocking(move || app.assistant().answer_handoff(&code, &b.answer, &actor)).await?))
}

#[utoipa::path(post, path = "/api/v1/assistant/feedback", tag = "assistant",
    summary = "Góp ý về câu trả lời: có ích không, tên gọi khác của thủ tục, bài sổ tay nên có",
    request_body = app::assistant::Feedback,
    responses((status = 201, description = "Đã ghi nhận góp ý", body = Created)))]
async fn feedback(
    State(web): State<Arc<Web>>,
    caller: MaybeCaller,
    Body(f): Body<Feedback>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let app = web.app.clone();
    let actor = caller.0.as_ref().map(|s| Actor::of(&s.user));
    let id = blocking(move || app.assistant().feedback(&f, actor.as_ref())).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/api/v1/assistant/suggestions", tag = "assistant",
    summary = "Góp ý chờ duyệt",
    responses((status = 200, description = "Góp ý chờ duyệt", body = SuggestionList)))]
async fn suggestions(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Json<SuggestionList>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(SuggestionList { items: blocking(move || app.assistant().pending_suggestions(&actor)).await? }))
}

/// Accept (the alias joins the search, the text a handbook draft) or dismiss a suggestion.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReviewRequest)]
struct Review {
    accept: bool,
}

#[utoipa::path(post, path = "/api/v1/assistant/suggestions/{id}/review", tag = "assistant",
    summary = "Duyệt một góp ý",
    params(("id" = String, Path, description = "Số của góp ý")),
    request_body = Review,
    responses(
        (status = 200, description = "Góp ý đã duyệt", body = app::assistant::Suggestion),
        (status = 404, description = "Không có góp ý này (suggestion_not_found)", body = ErrorAnswer),
    ))]
async fn review(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<Review>,
) -> ApiResult<Json<app::assistant::Suggestion>> {
    let id = path_id(&id, Code::SuggestionNotFound, "góp ý")?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(blocking(move || app.assistant().review_suggestion(id, b.accept, &actor)).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct Period {
    /// YYYY-MM-DD: the first of this month when left out.
    #[param(format = Date)]
    from: Option<String>,
    /// YYYY-MM-DD: today when left out.
    #[param(format = Date)]
    to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/assistant/usage", tag = "assistant",
    summary = "Mức sử dụng trợ lý số trong kỳ",
    params(Period),
    responses((status = 200, description = "Câu hỏi, cán bộ sử dụng, câu hỏi chưa trả lời được", body = app::assistant::Usage)))]
async fn usage(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<Period>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<app::assistant::Usage>> {
    let q = query(q)?;
    let (month_start, today) = app::statistics::figures::month_to_date(web.app.now().date());
    let from = date_param("from", q.from.as_deref(), month_start)?;
    let to = date_param("to", q.to.as_deref(), today)?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(blocking(move || app.assistant().assistant_usage(from, to, &actor)).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct Search {
    /// Words to look for (every article when left out).
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/handbook", tag = "assistant",
    summary = "Sổ tay nghiệp vụ: tìm bài",
    params(Search),
    responses((status = 200, description = "Các bài", body = ArticleList)))]
async fn handbook(
    State(web): State<Arc<Web>>,
    _caller: Caller,
    q: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ArticleList>> {
    let q = query(q)?;
    let app = web.app.clone();
    let items = blocking(move || app.assistant().search_handbook(q.q.as_deref())).await?;
    Ok(Json(ArticleList { items }))
}

/// A handbook article.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ArticleRequest)]
struct ArticleBody {
    title: String,
    body: String,
}

#[utoipa::path(post, path = "/api/v1/handbook", tag = "assistant",
    summary = "Viết bài sổ tay nghiệp vụ (quản trị dữ liệu quốc gia)",
    request_body = ArticleBody,
    responses((status = 201, description = "Bài đã lưu", body = app::Article)))]
async fn create_article(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<ArticleBody>,
) -> ApiResult<(StatusCode, Json<app::Article>)> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = blocking(move || app.assistant().save_article(None, &b.title, &b.body, &actor)).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(put, path = "/api/v1/handbook/{id}", tag = "assistant",
    summary = "Sửa bài sổ tay nghiệp vụ",
    params(("id" = String, Path, description = "Số của bài")),
    request_body = ArticleBody,
    responses(
        (status = 200, description = "Bài đã lưu", body = app::Article),
        (status = 404, description = "Không có bài này (article_not_found)", body = ErrorAnswer),
    ))]
async fn update_article(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<ArticleBody>,
) -> ApiResult<Json<app::Article>> {
    let id = path_id(&id, Code::ArticleNotFound, "bài viết")?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(blocking(move || app.assistant().save_article(Some(id), &b.title, &b.body, &actor)).await?))
}
