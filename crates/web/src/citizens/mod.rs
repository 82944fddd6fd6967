//! What a citizen does without an account: track a dossier, rate its service, file online.

mod submission;
mod tracking;

use crate::Web;
use axum::Router;
use std::sync::Arc;

pub fn limited_routes() -> Router<Arc<Web>> {
    Router::new().merge(tracking::limited_routes()).merge(submission::limited_routes())
}

pub fn open_routes() -> Router<Arc<Web>> {
    submission::open_routes()
}
