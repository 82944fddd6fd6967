//! The leaders' figures: dashboard, service index, trend, figures per procedure and the period
//! report, as pages and over the API.

mod api;
mod charts;
mod pages;

use crate::Web;
use axum::Router;
use std::sync::Arc;

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new().merge(api::staff_routes()).merge(pages::staff_routes())
}
