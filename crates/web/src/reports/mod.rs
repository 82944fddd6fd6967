//! The leaders' figures: dashboard, service index, trend, figures per procedure and the period
//! report, as pages and over the API.

mod api;
mod charts;
mod pages;

use crate::Routes;

pub fn staff_routes() -> Routes {
    Routes::default().merge(api::staff_routes()).merge(pages::staff_routes())
}
