//! The web layer's integration tests, in one binary: the API and pages end to end, security,
//! operations (the database away and back), and the crate's shape.

mod api;
mod contract;
mod operations;
mod security;
mod shape;
