//! A dossier's documents: their list, and their bytes to those whose work needs them.

use super::privacy;
use crate::blobs::Attachment;
use crate::{Actor, AppError, AppResult, Code, DossierRecord, Dossiers};

impl Dossiers<'_> {
    /// The documents of a dossier the actor may see (their names and sizes; the bytes only
    /// through [`Dossiers::attachment`]).
    pub fn attachments(&self, code: &str, actor: &Actor) -> AppResult<Vec<Attachment>> {
        let d = self.visible(code, actor)?;
        self.attachments_of(&d)
    }

    /// The documents of a dossier already read within the caller's scope (no second read of
    /// the dossier).
    pub fn attachments_of(&self, d: &DossierRecord) -> AppResult<Vec<Attachment>> {
        let rows = self.app.store.read(|c| {
            c.query(
                "SELECT seq, file_name, content_type, size, sha256 FROM attachments WHERE dossier_code = $1 ORDER BY seq",
                &[(&d.code).into()],
            )
        })?;
        Ok(rows.iter().map(|r| Attachment::from_row(r, "seq")).collect::<Result<_, _>>()?)
    }

    /// One document's bytes, to those whose work needs the applicant's personal data (a
    /// filed document is personal data); the read is recorded.
    pub fn attachment(&self, code: &str, seq: u32, actor: &Actor) -> AppResult<(Attachment, Vec<u8>)> {
        let d = self.load(code, actor)?;
        if !self.sees_personal_data(&d, actor) {
            return Err(AppError::new(Code::PersonalDataRestricted,
                "giấy tờ của người nộp chỉ dành cho cán bộ một cửa nơi tiếp nhận, người xử lý và lãnh đạo đơn vị xử lý hồ sơ",
            ));
        }
        if d.erased_at.is_some() {
            return Err(AppError::new(
                Code::AttachmentErased,
                "giấy tờ đã được xoá khi hết thời hạn lưu trữ",
            ));
        }
        let a = self
            .attachments_of(&d)?
            .into_iter()
            .find(|a| a.seq == seq)
            .ok_or_else(|| AppError::new(Code::AttachmentNotFound, "không có tệp này"))?;
        let bytes = self.app.blob(&a.sha256)?;
        self.record_read(actor, privacy::DOCUMENT_READ, &d.code, Some(&a.file_name));
        Ok((a, bytes))
    }
}
