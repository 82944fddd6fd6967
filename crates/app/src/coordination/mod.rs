//! Coordination between the tiers: communes' proposals up to the province, the province's
//! directives down to its communes.

pub mod directives;
pub mod proposals;

crate::capability! {
    /// Coordination: proposals and directives.
    Coordination, coordination
}
