//! The papers of a dossier ([`domain::papers::Paper`]) laid out on A4 as PDF/A-2b: the layout of
//! an administrative document (Decree 30/2020/NĐ-CP: the agency and the national motto side
//! by side, place and date, the title, the body, the signature block), set in Liberation Serif
//! (metric-compatible with the Times New Roman the decree names), every glyph used embedded.

mod layout;
mod stream_ends;

pub use layout::render;

/// Why a paper could not be written.
#[derive(Debug)]
pub struct PdfError(pub String);

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "không tạo được tệp PDF: {}", self.0)
    }
}

impl std::error::Error for PdfError {}
