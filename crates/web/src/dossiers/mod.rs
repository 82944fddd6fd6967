//! The one-stop dossier workflow for officers: intake at the desk, the work queue, the dossier
//! page with its actions, the printable forms, and the same over the API.

mod api;
mod forms;
mod intake;
pub(crate) mod page;
mod queue;

use crate::Web;
use axum::Router;
use std::sync::Arc;

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new()
        .merge(api::staff_routes())
        .merge(queue::staff_routes())
        .merge(intake::staff_routes())
        .merge(page::staff_routes())
        .merge(forms::staff_routes())
}
