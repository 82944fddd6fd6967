//! The rules of the one-stop mechanism (cơ chế một cửa), in plain Rust: no database, no HTTP,
//! no async.
//!
//! - [`status`]: dossier statuses and channels, mapped losslessly onto the national portal's
//!   TrangThaiHoSo (1–10) and KenhThucHien (1–3);
//! - [`dossier`]: the workflow as an explicit state machine: an [`Action`] asked in a status is
//!   either refused with the status and the allowed actions named, or turned into an [`Event`];
//!   the state is the fold of its events, so history can be replayed and checked.
//!
//! - [`audit`]: the hash chain of each dossier's events and the daily digest;
//! - [`code`]: dossier codes from a configurable pattern; [`routing`]: which agency handles a
//!   dossier; [`roles`]: roles and the scope they see; [`stats`]: what events add to statistics;
//!   [`service_index`]: the Decision 766 service index and its versioned rules.
//!
//! Deadlines come from the `calendar` crate: receipt sets the due date, waiting for the
//! citizen (a supplement, a payment) stops the clock, an apology letter (Form 04) extends it,
//! and every change of the due date is an event with its reason.

pub mod audit;
pub mod catalog;
pub mod code;
pub mod directive;
pub mod dossier;
pub mod due;
pub mod national;
pub mod papers;
pub mod permissions;
pub mod plain;
pub mod proposal;
pub mod replication;
pub mod result_kind;
pub mod roles;
pub mod routing;
pub mod service_index;
pub mod stats;
pub mod status;
pub mod workload;

pub use dossier::{Action, DomainError, Dossier, Event, EventKind, Verdict};
pub use status::{Channel, Status};
