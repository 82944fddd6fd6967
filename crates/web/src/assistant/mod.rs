//! The citizens' digital assistant (questions, hand-offs to an officer, feedback) and its
//! administration (the desk, the handbook, suggestions, usage), as pages and over the API.

mod api;
mod pages;

use crate::Web;
use axum::Router;
use std::sync::Arc;

pub fn limited_routes() -> Router<Arc<Web>> {
    Router::new().merge(api::limited_routes()).merge(pages::limited_routes())
}

pub fn open_routes() -> Router<Arc<Web>> {
    pages::open_routes()
}

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new().merge(api::staff_routes()).merge(pages::staff_routes())
}
