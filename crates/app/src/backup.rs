//! Backups of a whole deployment, documents included, and their restore (the file format and
//! the table copies are the store's; the documents are this layer's, in the blob store).

use crate::{App, AppError, AppResult};
use errors::Code;
use sha2::{Digest, Sha256};
use std::path::Path;
use store::StoreError;

#[derive(Debug, Default)]
pub struct BackupReport {
    /// Rows per table.
    pub tables: Vec<(String, u64)>,
    /// Documents put in the backup.
    pub documents: u64,
    /// Documents a dossier or report refers to that the blob store does not have.
    pub missing: Vec<String>,
}

impl BackupReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    /// Writes a backup of the database and its documents to the new file `to`, while the
    /// service runs (see `store::backup`).
    pub fn backup(&self, to: &Path, progress: &mut dyn FnMut(&str, u64)) -> AppResult<BackupReport> {
        let tables = store::backup::snapshot(self.store.url(), to, progress)?;
        let wanted = store::backup::referenced_documents(to)?;
        let mut missing = vec![];
        let blobs = self.blobs.clone();
        let mut documents = wanted.iter().filter_map(|sha| match blobs.get(sha) {
            Ok(Some(bytes)) => Some(Ok((sha.clone(), bytes))),
            Ok(None) => {
                missing.push(sha.clone());
                None
            }
            Err(e) => Some(Err(StoreError::Unavailable(format!("không đọc được tệp {sha}: {e}")))),
        });
        let n = store::backup::add_documents(to, &mut documents);
        drop(documents);
        let n = match n {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(to);
                return Err(e.into());
            }
        };
        Ok(BackupReport { tables, documents: n, missing })
    }

    /// Puts the documents of the backup at `from` into this deployment's blob store, each
    /// checked against its name (its SHA-256) first.
    pub fn restore_documents(&self, from: &Path) -> AppResult<u64> {
        let blobs = self.blobs.clone();
        Ok(store::backup::each_document(from, &mut |sha, bytes| {
            if hex(&Sha256::digest(bytes)) != sha {
                return Err(StoreError::Constraint(format!("tệp {sha} trong bản sao lưu bị hỏng")));
            }
            blobs
                .put(sha, bytes)
                .map_err(|e| StoreError::Unavailable(format!("không ghi được tệp {sha}: {e}")))
        })?)
    }
}

/// Restores the backup at `from` into the empty database `to` (tables only: then open it and
/// call [`App::restore_documents`]).
pub fn restore_tables(
    from: &Path,
    to: &store::DbUrl,
    progress: &mut dyn FnMut(&str, u64),
) -> AppResult<Vec<(String, u64)>> {
    store::backup::restore(from, to, progress).map_err(|e| match e {
        // The operator's mistakes (a target with data, not a backup) in their own words.
        StoreError::Constraint(m) => AppError::new(Code::RestoreRefused, m),
        e => e.into(),
    })
}
