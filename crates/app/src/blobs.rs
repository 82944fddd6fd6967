//! Uploaded documents: checked (size, count, real type), stored by content hash behind a port.

use crate::{AppError, AppResult};
use errors::Code;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: usize = 25 * 1024 * 1024;
pub const MAX_FILES: usize = 10;

/// Where document bytes live, named by their SHA-256.
pub trait BlobStore: Send + Sync {
    fn put(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn get(&self, hash: &str) -> std::io::Result<Option<Vec<u8>>>;
    /// Removes a blob (personal data past its retention period); absent is not an error.
    fn delete(&self, hash: &str) -> std::io::Result<()>;
    /// Every blob's hash and when it was stored, and leftovers of interrupted writes (hash
    /// `None`), for the sweep of what no dossier refers to.
    fn list(&self) -> std::io::Result<Vec<(Option<String>, std::path::PathBuf, std::time::SystemTime)>>;
    /// Where incoming files are spooled while a request is read: on the store's own file
    /// system, so that storing one is a rename.
    fn spool_dir(&self) -> PathBuf {
        std::env::temp_dir()
    }
    /// Stores a spooled file under its hash (the file may be moved away).
    fn put_file(&self, hash: &str, file: &Path) -> std::io::Result<()> {
        self.put(hash, &std::fs::read(file)?)
    }
}

/// Where a folder store spools what it receives (a leftover there is swept like any other).
const SPOOL: &str = ".spool";

/// A folder: `ab/cdef…` per blob, written to a temporary name, synced, then renamed, so a
/// crash never leaves half a document under its hash.
pub struct FsBlobs {
    pub root: PathBuf,
}

impl FsBlobs {
    /// Puts a document under its hash: `write` gives a complete, synced file (on the store's
    /// file system) that is renamed into place, so a crash never leaves half a document under
    /// its hash. Stored already: only marked as just stored.
    fn place(
        &self,
        hash: &str,
        write: impl FnOnce(&Path) -> std::io::Result<PathBuf>,
    ) -> std::io::Result<()> {
        let path = self.path(hash).ok_or_else(|| std::io::Error::other("bad hash"))?;
        if path.exists() {
            // Marked as just stored, so that the sweep of documents nobody refers to leaves it
            // to the transaction about to refer to it.
            let touched = std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            match touched {
                Ok(()) => return Ok(()),
                // Removed meanwhile: written again below.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        let dir = path.parent().expect("has a parent");
        std::fs::create_dir_all(dir)?;
        let tmp = write(dir)?;
        std::fs::rename(&tmp, &path)
    }

    /// How many files the folder holds (blobs and leftovers): for tests and checks.
    pub fn list_count(&self) -> usize {
        self.list().map_or(0, |l| l.len())
    }

    fn path(&self, hash: &str) -> Option<PathBuf> {
        valid_hash(hash).then(|| self.root.join(&hash[..2]).join(&hash[2..]))
    }
}

impl BlobStore for FsBlobs {
    fn put(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.place(hash, |dir| {
            // A name of its own per write: two requests storing the same document at once each
            // write their copy, and the second rename replaces the first with the same bytes.
            static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = dir.join(format!(".{}.tmp{}-{n}", &hash[2..], std::process::id()));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            Ok(tmp)
        })
    }

    fn spool_dir(&self) -> PathBuf {
        self.root.join(SPOOL)
    }

    fn put_file(&self, hash: &str, file: &Path) -> std::io::Result<()> {
        self.place(hash, |_| {
            std::fs::File::open(file)?.sync_all()?;
            Ok(file.to_path_buf())
        })
    }

    fn get(&self, hash: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(hash) else { return Ok(None) };
        match std::fs::read(path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn delete(&self, hash: &str) -> std::io::Result<()> {
        let Some(path) = self.path(hash) else { return Ok(()) };
        remove(&path)
    }

    fn list(&self) -> std::io::Result<Vec<(Option<String>, PathBuf, std::time::SystemTime)>> {
        let mut out = vec![];
        let dirs = match std::fs::read_dir(&self.root) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for dir in dirs {
            let dir = dir?;
            let prefix = dir.file_name().to_string_lossy().into_owned();
            if prefix == SPOOL {
                // Files of requests that never finished (a crash, a cut connection).
                for f in std::fs::read_dir(dir.path())? {
                    let f = f?;
                    out.push((None, f.path(), f.metadata()?.modified()?));
                }
                continue;
            }
            if prefix.len() != 2 || !dir.file_type()?.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(dir.path())? {
                let f = f?;
                let name = f.file_name().to_string_lossy().into_owned();
                let modified = f.metadata()?.modified()?;
                let hash = format!("{prefix}{name}");
                let is_blob = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
                out.push((is_blob.then_some(hash), f.path(), modified));
            }
        }
        Ok(out)
    }
}

/// Removes a file; absent is not an error.
pub(crate) fn remove(path: &std::path::Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Whether `hash` can name a document: a SHA-256 in lowercase hex.
pub fn valid_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The lowercase hex SHA-256 of a document: its name in the store.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A file as the citizen sent it.
#[derive(Debug)]
pub struct Upload {
    pub file_name: String,
    pub content: Content,
}

/// An upload's bytes: in memory (what the console and the tests build), or spooled to a
/// temporary file beside the store while the request was read (what the web does, so that a
/// 25 MB submission never sits in memory).
#[derive(Debug)]
pub enum Content {
    Bytes(Vec<u8>),
    Spooled(Spooled),
}

/// How many first bytes are kept to recognise a file's type.
const HEAD: usize = 16;

impl Upload {
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Upload {
        Upload { file_name: file_name.into(), content: Content::Bytes(bytes.into()) }
    }

    pub fn size(&self) -> u64 {
        match &self.content {
            Content::Bytes(b) => b.len() as u64,
            Content::Spooled(s) => s.size,
        }
    }

    fn head(&self) -> &[u8] {
        match &self.content {
            Content::Bytes(b) => &b[..b.len().min(HEAD)],
            Content::Spooled(s) => &s.head,
        }
    }

    fn sha256(&self) -> String {
        match &self.content {
            Content::Bytes(b) => sha256_hex(b),
            Content::Spooled(s) => s.sha256.clone(),
        }
    }

    /// Stores the upload under its hash.
    pub(crate) fn store(&self, blobs: &dyn BlobStore, hash: &str) -> AppResult<()> {
        match &self.content {
            Content::Bytes(b) => blobs.put(hash, b),
            Content::Spooled(s) => blobs.put_file(hash, s.file.path()),
        }
        .map_err(|e| AppError::internal(Code::BlobStore, format!("không lưu được tệp: {e}")))
    }
}

/// A file being received: written to a temporary file as its chunks come, hashed on the way.
pub struct Spool {
    file: tempfile::NamedTempFile,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

/// A file received whole, in its temporary file (removed when dropped, unless stored).
#[derive(Debug)]
pub struct Spooled {
    file: tempfile::NamedTempFile,
    size: u64,
    sha256: String,
    head: Vec<u8>,
}

impl Spool {
    /// A new temporary file in `dir`.
    pub fn new_in(dir: &Path) -> std::io::Result<Spool> {
        std::fs::create_dir_all(dir)?;
        let file = tempfile::Builder::new().prefix("upload-").tempfile_in(dir)?;
        Ok(Spool { file, hasher: Sha256::new(), size: 0, head: Vec::with_capacity(HEAD) })
    }

    pub fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        if self.head.len() < HEAD {
            let n = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..n]);
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        self.file.write_all(chunk)
    }

    pub fn finish(mut self) -> std::io::Result<Spooled> {
        self.file.flush()?;
        Ok(Spooled {
            file: self.file,
            size: self.size,
            sha256: format!("{:x}", self.hasher.finalize()),
            head: self.head,
        })
    }
}

/// A stored document of a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub seq: u32,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

impl Attachment {
    /// A document as its row has it (a dossier's and a directive report's alike), its number
    /// in the column `seq_column`.
    pub(crate) fn from_row(r: &store::Row, seq_column: &str) -> Result<Attachment, store::StoreError> {
        Ok(Attachment {
            seq: r.col_parsed(seq_column, |n: i64| u32::try_from(n).ok())?,
            file_name: r.col("file_name")?,
            content_type: r.col("content_type")?,
            size: r.col_parsed("size", |n: i64| u64::try_from(n).ok())?,
            sha256: r.col("sha256")?,
        })
    }
}

/// What a sweep of the document store did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Documents no dossier refers to, removed.
    pub removed: u64,
    /// Leftovers of interrupted writes, removed.
    pub leftovers: u64,
    pub kept: u64,
}

impl crate::App {
    /// Removes the stored documents that no dossier refers to and the leftovers of interrupted
    /// writes, once older than `min_age` (a submission stores its files just before its
    /// transaction: a younger file may be about to be referred to).
    pub fn sweep_blobs(&self, min_age: std::time::Duration) -> AppResult<SweepReport> {
        let io =
            |e: std::io::Error| AppError::internal(Code::BlobStore, format!("không đọc được kho tệp: {e}"));
        let now = std::time::SystemTime::now();
        let mut report = SweepReport::default();
        for (hash, path, modified) in self.blobs.list().map_err(io)? {
            if now.duration_since(modified).unwrap_or_default() < min_age {
                report.kept += 1;
                continue;
            }
            let Some(hash) = hash else {
                remove(&path).map_err(io)?;
                report.leftovers += 1;
                continue;
            };
            let h = hash.clone();
            let referred = self.store.read(move |c| {
                // A filed document or a signed result.
                match c.query_one("SELECT 1 FROM attachments WHERE sha256 = $1 LIMIT 1", &[(&h).into()])? {
                    Some(r) => Ok(Some(r)),
                    None => c.query_one("SELECT 1 FROM signed_results WHERE sha256 = $1", &[(&h).into()]),
                }
            })?;
            if referred.is_some() {
                report.kept += 1;
            } else {
                self.blobs.delete(&hash).map_err(io)?;
                report.removed += 1;
            }
        }
        if report.removed + report.leftovers > 0 {
            tracing::info!(
                removed = report.removed,
                leftovers = report.leftovers,
                "đã dọn tệp không thuộc hồ sơ nào"
            );
        }
        Ok(report)
    }
}

/// The real type, from the first bytes (never from the name or the browser's claim).
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

fn clean_name(name: &str) -> String {
    // Keep the last path part, no control characters, at most 120 characters.
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "tep".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Checks the uploads and describes them; nothing is stored yet.
pub fn check(uploads: &[Upload]) -> AppResult<Vec<(Attachment, &Upload)>> {
    let uploads: Vec<&Upload> = uploads.iter().filter(|u| u.size() > 0).collect();
    if uploads.len() > MAX_FILES {
        return Err(AppError::new(Code::TooManyFiles, format!("tối đa {MAX_FILES} tệp cho một hồ sơ")));
    }
    let total: u64 = uploads.iter().map(|u| u.size()).sum();
    if total > MAX_TOTAL_BYTES as u64 {
        return Err(AppError::new(Code::FilesTooLarge, "tổng dung lượng tệp vượt 25 MB"));
    }
    uploads
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            let name = clean_name(&u.file_name);
            if u.size() > MAX_FILE_BYTES as u64 {
                return Err(AppError::new(Code::FileTooLarge, format!("tệp \"{name}\" lớn hơn 10 MB")));
            }
            let content_type = sniff(u.head()).ok_or_else(|| {
                AppError::new(Code::FileType, format!("tệp \"{name}\" không phải PDF, JPEG hay PNG"))
            })?;
            let a = Attachment {
                seq: i as u32 + 1,
                file_name: name,
                content_type: content_type.into(),
                size: u.size(),
                sha256: u.sha256(),
            };
            Ok((a, u))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, bytes: &[u8]) -> Upload {
        Upload::new(name, bytes)
    }

    #[test]
    fn types_come_from_the_bytes_and_limits_hold() {
        let files =
            [up("C:\\giay to\\to khai.pdf", b"%PDF-1.7 ..."), up("anh.jpg", &[0xFF, 0xD8, 0xFF, 0xE0])];
        let ok = check(&files).unwrap();
        assert_eq!(ok[0].0.file_name, "to khai.pdf");
        assert_eq!(ok[0].0.content_type, "application/pdf");
        assert_eq!(ok[1].0.content_type, "image/jpeg");
        assert_eq!(check(&[up("virus.pdf", b"MZ\x90\x00")]).unwrap_err().code, "file_type");
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_FILE_BYTES + 1, 0);
        assert_eq!(check(&[up("big.pdf", &big)]).unwrap_err().code, "file_too_large");
        let many: Vec<Upload> = (0..11).map(|i| up(&format!("{i}.png"), b"\x89PNG\r\n\x1a\n")).collect();
        assert_eq!(check(&many).unwrap_err().code, "too_many_files");
        assert!(check(&[up("empty.pdf", b"")]).unwrap().is_empty(), "an empty file input is no file");
    }

    #[test]
    fn blobs_are_stored_once_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let s = FsBlobs { root: dir.path().to_path_buf() };
        let files = [up("a.png", b"\x89PNG\r\n\x1a\nxyz")];
        let checked = check(&files).unwrap();
        let (a, u) = &checked[0];
        u.store(&s, &a.sha256).unwrap();
        u.store(&s, &a.sha256).unwrap();
        assert_eq!(s.get(&a.sha256).unwrap().as_deref(), Some(&b"\x89PNG\r\n\x1a\nxyz"[..]));
        assert_eq!(s.get("../../etc/passwd").unwrap(), None);
    }

    #[test]
    fn the_same_document_stored_by_many_at_once_is_stored_for_all() {
        let dir = tempfile::tempdir().unwrap();
        let s = FsBlobs { root: dir.path().to_path_buf() };
        let bytes = b"%PDF-1.4 the same form from many citizens".to_vec();
        let hash = format!("{:x}", Sha256::digest(&bytes));
        let failures = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..16 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        // Each round starts with the document absent, so all threads write it.
                        let _ = std::fs::remove_file(s.path(&hash).unwrap());
                        if s.put(&hash, &bytes).is_err() {
                            failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(failures.into_inner(), 0);
        s.put(&hash, &bytes).unwrap();
        assert_eq!(s.get(&hash).unwrap(), Some(bytes));
    }

    #[test]
    fn a_spooled_upload_is_hashed_as_it_comes_and_moved_into_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let s = FsBlobs { root: dir.path().to_path_buf() };
        let bytes: Vec<u8> = b"%PDF-1.7\n".iter().copied().chain((0..200_000u32).map(|i| i as u8)).collect();
        let mut spool = Spool::new_in(&s.spool_dir()).unwrap();
        for chunk in bytes.chunks(7_001) {
            spool.write(chunk).unwrap();
        }
        let files =
            [Upload { file_name: "don.pdf".into(), content: Content::Spooled(spool.finish().unwrap()) }];
        let checked = check(&files).unwrap();
        let (a, u) = &checked[0];
        assert_eq!((a.sha256.as_str(), a.size), (sha256_hex(&bytes).as_str(), bytes.len() as u64));
        assert_eq!(a.content_type, "application/pdf");
        u.store(&s, &a.sha256).unwrap();
        assert_eq!(s.get(&a.sha256).unwrap(), Some(bytes));
        drop(files);
        assert_eq!(std::fs::read_dir(s.spool_dir()).unwrap().count(), 0, "moved, not copied");

        // A request abandoned midway leaves nothing; a crash's leftover is swept as one.
        let mut spool = Spool::new_in(&s.spool_dir()).unwrap();
        spool.write(b"%PDF-1.7 half").unwrap();
        drop(spool);
        assert_eq!(std::fs::read_dir(s.spool_dir()).unwrap().count(), 0);
        std::fs::write(s.spool_dir().join("upload-crashed"), b"%PDF").unwrap();
        let listed = s.list().unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed.iter().filter(|(hash, _, _)| hash.is_none()).count(), 1);
    }
}
