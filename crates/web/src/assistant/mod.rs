//! The citizens' digital assistant (questions, hand-offs to an officer, feedback) and its
//! administration (the desk, the handbook, suggestions, usage), as pages and over the API.

mod api;
mod pages;

use crate::Routes;

pub fn limited_routes() -> Routes {
    Routes::default().merge(api::limited_routes()).merge(pages::limited_routes())
}

pub fn open_routes() -> Routes {
    pages::open_routes()
}

pub fn staff_routes() -> Routes {
    Routes::default().merge(api::staff_routes()).merge(pages::staff_routes())
}
