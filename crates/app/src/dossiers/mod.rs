//! Dossiers, the one-stop desk's capability: receiving them, moving them through the
//! workflow, lists and the unit's register, what a citizen sees when tracking one, their
//! documents, the personal data they hold, and the sealed history that vouches for them all.

pub(crate) mod audit;
mod documents;
pub mod export;
pub(crate) mod intake;
pub mod papers;
pub(crate) mod privacy;
pub(crate) mod public;
pub(crate) mod queries;
pub(crate) mod recent;
pub(crate) mod records;
pub mod results;
pub(crate) mod workflow;

crate::capability! {
    /// Dossiers: intake, the workflow, reading within the caller's scope, tracking, documents,
    /// personal data and the history's seal.
    Dossiers, dossiers
}
