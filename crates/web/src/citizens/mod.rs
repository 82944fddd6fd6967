//! What a citizen does without an account: track a dossier, rate its service, file online.

mod submission;
mod tracking;

use crate::Routes;

pub fn limited_routes() -> Routes {
    Routes::default().merge(tracking::limited_routes()).merge(submission::limited_routes())
}

pub fn open_routes() -> Routes {
    submission::open_routes()
}
