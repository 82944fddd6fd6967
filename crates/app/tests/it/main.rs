//! The application layer's integration tests, in one binary (one link of everything rather
//! than one per file): each module a capability, run on SQLite and, when a server answers at
//! `HAICAP_TEST_PG`, on PostgreSQL too (`common`).

mod common;

mod alerts;
mod assistant;
mod backup;
mod catalog;
mod coordination;
mod copy;
mod figures;
mod national;
mod nodes;
mod permissions;
mod portal;
mod privacy;
mod properties;
mod replication;
mod report;
mod simulate;
mod suite;
mod writer;
