//! Multipart forms with documents: limits enforced while reading, never after, and each file
//! spooled to a temporary file beside the document store as its chunks arrive (hashed on the
//! way), so that a request holds one chunk in memory, not 25 MB.

use crate::error::ApiError;
use app::blobs::{Content, Upload, MAX_FILES, MAX_FILE_BYTES, MAX_TOTAL_BYTES};
use errors::Code;

/// A text field of a form sent with files: at most this many bytes.
pub(crate) const MAX_FIELD_BYTES: usize = 16 * 1024;

/// Reads a form with files, chunk by chunk, refusing as soon as a limit is passed (a file over
/// 10 MB, more than 25 MB in all, more than 10 files, a text field over 16 KiB). Files go to
/// the store's spool (`app.spool()`); a refused or abandoned request's files are removed when
/// dropped, and what a crash leaves is swept (`App::sweep_blobs`).
pub(crate) async fn read_multipart(
    app: &app::App,
    form: &mut axum::extract::Multipart,
) -> Result<(std::collections::HashMap<String, String>, Vec<Upload>), ApiError> {
    let unreadable = || ApiError::new(Code::BadUpload, "không đọc được nội dung gửi lên");
    let too_large = |m: &str| ApiError::new(Code::FilesTooLarge, m.to_string());
    let spool_failed = |e: std::io::Error| {
        ApiError(app::AppError::internal(Code::BlobStore, format!("không ghi được tệp tạm: {e}")))
    };
    let mut fields = std::collections::HashMap::new();
    let mut uploads = vec![];
    let mut total = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "files" {
            if uploads.len() >= MAX_FILES {
                return Err(too_large(&format!("tối đa {MAX_FILES} tệp cho một hồ sơ")));
            }
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut spool = app.spool()?;
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                size += chunk.len();
                total += chunk.len();
                if size > MAX_FILE_BYTES {
                    return Err(too_large("mỗi tệp tối đa 10 MB"));
                }
                if total > MAX_TOTAL_BYTES {
                    return Err(too_large("tổng dung lượng tệp tối đa 25 MB"));
                }
                // A chunk into the page cache: no wait worth a blocking thread (the file is
                // synced once, when it is stored).
                spool.write(&chunk).map_err(spool_failed)?;
            }
            let content = Content::Spooled(spool.finish().map_err(spool_failed)?);
            uploads.push(Upload { file_name, content });
        } else {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_FIELD_BYTES {
                    return Err(too_large("một ô của biểu mẫu dài quá 16 KiB"));
                }
            }
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok((fields, uploads))
}
