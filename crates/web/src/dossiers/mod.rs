//! The one-stop dossier workflow for officers: intake at the desk, the work queue, the dossier
//! page with its actions, the printable forms, and the same over the API.

mod api;
mod forms;
mod intake;
pub(crate) mod page;
mod queue;

use crate::error::{ApiError, ApiResult};
use crate::Web;
use axum::Router;
use errors::Code;
use std::sync::Arc;

/// Receives a dossier without holding a thread while the writer commits (the request is
/// checked in memory first): the request waits on the commit's answer, not a blocked thread.
async fn receive(web: &Web, req: app::IntakeRequest, actor: app::Actor) -> ApiResult<app::DossierRecord> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    web.app.receive_then(&req, &actor, move |r| {
        let _ = tx.send(r);
    });
    match rx.await {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => Err(ApiError(app::AppError::internal(Code::Internal, "bộ ghi dữ liệu không trả lời"))),
    }
}

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new()
        .merge(api::staff_routes())
        .merge(queue::staff_routes())
        .merge(intake::staff_routes())
        .merge(page::staff_routes())
        .merge(forms::staff_routes())
}
