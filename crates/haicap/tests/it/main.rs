//! The `haicap` binary as operators use it, in one test binary (linked once): the commands
//! (`cli`), dossiers, accounts and the audit through them (`dossier_cli`), and two servers on
//! one PostgreSQL database (`servers`). Run one part with e.g.
//! `cargo test -p haicap --test it servers::`.

mod cli;
mod dossier_cli;
mod http;
mod node_link;
mod servers;
