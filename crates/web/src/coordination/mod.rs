//! Coordination between the tiers: proposals from communes, directives from the province, and
//! staffing (workload, leave, headcount), as pages and over the API.

mod api;
mod pages;

use crate::Routes;

pub fn staff_routes() -> Routes {
    Routes::default().merge(api::staff_routes()).merge(pages::staff_routes())
}
