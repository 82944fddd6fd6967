//! The one-stop dossier workflow for officers: intake at the desk, the work queue, the dossier
//! page with its actions, the printable forms, and the same over the API.

mod api;
mod forms;
mod intake;
pub(crate) mod page;
mod queue;

use crate::error::{ApiError, ApiResult};
use crate::Routes;
use crate::Web;
use errors::Code;

/// A dossier received, or the one filed before under the same intake key.
enum Received {
    New(app::DossierRecord),
    Again(app::DossierRecord),
}

impl Received {
    fn dossier(&self) -> &app::DossierRecord {
        match self {
            Received::New(d) | Received::Again(d) => d,
        }
    }
}

/// Receives a dossier without holding a thread while the writer commits (the request is
/// checked in memory first): the request waits on the commit's answer, not a blocked thread.
/// `key` names the intake (see `App::receive_then`): sent again, the request gets the dossier
/// filed the first time.
async fn receive(
    web: &Web,
    req: app::IntakeRequest,
    actor: app::Actor,
    key: Option<String>,
) -> ApiResult<Received> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    web.app.receive_then(&req, &actor, key.as_deref(), move |r| {
        let _ = tx.send(r);
    });
    match (rx.await, key) {
        (Ok(Ok(d)), _) => Ok(Received::New(d)),
        // Refused on a key used before (or another constraint), or not known to be kept: the
        // dossier filed under the key, if there is one.
        (Ok(Err(e)), Some(key)) if matches!(e.code, Code::DbConstraint | Code::DbOutcomeUnknown) => {
            let app = web.app.clone();
            match crate::blocking(move || app.dossiers().filed_under(&key, &actor)).await {
                Ok(Some(d)) => Ok(Received::Again(d)),
                _ => Err(ApiError(e)),
            }
        }
        (Ok(Err(e)), _) => Err(ApiError(e)),
        (Err(_), _) => Err(ApiError(app::AppError::internal(Code::Internal, "bộ ghi dữ liệu không trả lời"))),
    }
}

pub fn staff_routes() -> Routes {
    Routes::default()
        .merge(api::staff_routes())
        .merge(queue::staff_routes())
        .merge(intake::staff_routes())
        .merge(page::staff_routes())
        .merge(forms::staff_routes())
}
