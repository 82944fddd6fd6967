//! The people who work in haicap: their accounts and sign-in, and the staff of each unit
//! with their leave and workload.

pub(crate) mod sessions;
pub mod staff;
pub(crate) mod users;

crate::capability! {
    /// Accounts: users, sessions, staff and workload.
    Accounts, accounts
}
