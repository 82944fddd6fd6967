//! Where an application keeps what is not in its database: the assistant's index and the
//! citizens' documents. Decided at the edge (the binary's flags and environment) and passed
//! in; nothing in `app` reads the environment.

use std::path::{Path, PathBuf};
use store::DbUrl;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Places {
    /// The data directory: the assistant's index, and the documents unless `blobs` says
    /// otherwise.
    pub data_dir: PathBuf,
    /// The documents' folder: one per database, shared by every server of that database.
    pub blobs: PathBuf,
}

impl Places {
    /// A data directory with the documents in its `blobs`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Places {
        let data_dir = dir.into();
        Places { blobs: data_dir.join("blobs"), data_dir }
    }

    /// The defaults for a database: the folder of a SQLite file; `haicap-data` for
    /// PostgreSQL.
    pub fn for_db(url: &DbUrl) -> Places {
        Places::in_dir(default_data_dir(url))
    }
}

/// The data directory of a database when none is given.
pub fn default_data_dir(url: &DbUrl) -> PathBuf {
    match url {
        DbUrl::Sqlite(p) => {
            p.parent().filter(|d| !d.as_os_str().is_empty()).map_or_else(|| ".".into(), Path::to_path_buf)
        }
        DbUrl::Postgres(_) => "haicap-data".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_live_in_the_data_directory_unless_told_otherwise() {
        let sqlite = DbUrl::Sqlite("/var/lib/haicap/haicap.db".into());
        assert_eq!(Places::for_db(&sqlite).blobs, PathBuf::from("/var/lib/haicap/blobs"));
        assert_eq!(Places::for_db(&DbUrl::Sqlite("h.db".into())).data_dir, PathBuf::from("."));
        let pg = DbUrl::parse("postgres://db.example/haicap").unwrap();
        assert_eq!(Places::for_db(&pg), Places::in_dir("haicap-data"));
    }
}
