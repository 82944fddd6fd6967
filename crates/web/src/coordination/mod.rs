//! Coordination between the tiers: proposals from communes, directives from the province, and
//! staffing (workload, leave, headcount), as pages and over the API.

mod api;
mod pages;

use crate::Web;
use axum::Router;
use std::sync::Arc;

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new().merge(api::staff_routes()).merge(pages::staff_routes())
}
