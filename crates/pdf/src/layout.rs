//! Where each line of a paper goes on the page (pure arithmetic over the fonts' widths), then
//! the drawing of those lines with krilla.

use crate::PdfError;
use chrono::{Datelike, NaiveDateTime, Timelike};
use domain::papers::{Block, Paper, Table};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-Italic.ttf");

// A4 in points, and the margins of Decree 30/2020 (top and bottom 20 mm, left 30 mm, right
// 20 mm).
const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;
const LEFT: f32 = 85.04;
const RIGHT: f32 = 56.69;
const TOP: f32 = 56.69;
const BOTTOM: f32 = 56.69;
/// The header's left column (the agency) is this wide; the motto takes the rest.
const AGENCY_W: f32 = 190.0;
const BODY_SIZE: f32 = 13.0;
/// Line spacing: Decree 30/2020 allows single to 1.5; a little over single keeps a form on
/// one page.
const LEADING: f32 = 1.25;
/// A paragraph's first line is indented 1 cm.
const INDENT: f32 = 28.35;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
    Italic,
}

impl Face {
    fn data(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR,
            Face::Bold => BOLD,
            Face::Italic => ITALIC,
        }
    }

    /// The advance of `text` at `size` points, as the font's metrics give it.
    pub(crate) fn width(self, text: &str, size: f32) -> f32 {
        let Ok(font) = skrifa::FontRef::new(self.data()) else { return 0.0 };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(size / 2.0))
            .sum()
    }
}

/// One thing drawn: a run of text with its baseline's start, or a rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text { x: f32, y: f32, face: Face, size: f32, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
}

/// A table's text size and the room around each cell's text.
const TABLE_SIZE: f32 = 8.0;
const CELL_PAD: f32 = 2.5;

/// Breaks `text` into lines no wider than `width` (the first `first_width`), at spaces; a word
/// wider than a line is broken between letters.
pub(crate) fn wrap(text: &str, face: Face, size: f32, first_width: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let limit = if lines.is_empty() { first_width } else { width };
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if face.width(&candidate, size) <= limit {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: broken between letters if even that does not fit.
            for c in word.chars() {
                let limit = if lines.is_empty() { first_width } else { width };
                line.push(c);
                if face.width(&line, size) > limit && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// The pages of a paper, each a list of what is drawn on it, and their size.
pub(crate) struct Pages {
    pages: Vec<Vec<Op>>,
    y: f32,
    /// The page's width and height (A4 upright or across).
    w: f32,
    h: f32,
}

impl Pages {
    fn new(landscape: bool) -> Self {
        let (w, h) = if landscape { (A4_LONG, A4_SHORT) } else { (A4_SHORT, A4_LONG) };
        Pages { pages: vec![Vec::new()], y: TOP, w, h }
    }

    /// The width between the margins.
    fn width(&self) -> f32 {
        self.w - LEFT - RIGHT
    }

    /// Whether `height` more fits on this page.
    fn fits(&self, height: f32) -> bool {
        self.y + height <= self.h - BOTTOM
    }

    fn ensure(&mut self, height: f32) {
        if !self.fits(height) {
            self.pages.push(Vec::new());
            self.y = TOP + 20.0;
        }
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.push(Op::Line { x1, y1: y, x2, y2: y });
    }

    /// A table: the headings in bold, repeated at the top of each page it runs onto; each
    /// row kept on one page, its cells' text wrapped within their columns, ruled all round.
    fn table(&mut self, t: &Table) {
        let total: f32 = t.widths.iter().map(|&w| f32::from(w)).sum::<f32>().max(1.0);
        let widths: Vec<f32> = t.widths.iter().map(|&w| f32::from(w) * self.width() / total).collect();
        let lines = |cells: &[String], face: Face| -> Vec<Vec<String>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = cells.get(i).map_or("", String::as_str);
                    wrap(text, face, TABLE_SIZE, w - 2.0 * CELL_PAD, w - 2.0 * CELL_PAD)
                })
                .collect()
        };
        let height = |cells: &[Vec<String>]| {
            cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * TABLE_SIZE * LEADING + 2.0 * CELL_PAD
        };
        let head = lines(&t.headings, Face::Bold);
        let head_h = height(&head);
        self.ensure(head_h + TABLE_SIZE * 3.0);
        self.row(&head, &widths, Face::Bold, head_h);
        for cells in &t.rows {
            let cells = lines(cells, Face::Regular);
            let h = height(&cells);
            if !self.fits(h) {
                self.pages.push(Vec::new());
                self.y = TOP + 20.0;
                self.row(&head, &widths, Face::Bold, head_h);
            }
            self.row(&cells, &widths, Face::Regular, h);
        }
        self.y += 6.0;
    }

    /// One row of a table at the current position, ruled above, below and between cells.
    fn row(&mut self, cells: &[Vec<String>], widths: &[f32], face: Face, height: f32) {
        let (top, mut x) = (self.y, LEFT);
        self.rule(LEFT, LEFT + self.width(), top);
        self.rule(LEFT, LEFT + self.width(), top + height);
        for (lines, w) in cells.iter().zip(widths) {
            self.push(Op::Line { x1: x, y1: top, x2: x, y2: top + height });
            for (i, line) in lines.iter().enumerate() {
                let y = top + CELL_PAD + TABLE_SIZE + i as f32 * TABLE_SIZE * LEADING;
                self.push(Op::Text { x: x + CELL_PAD, y, face, size: TABLE_SIZE, text: line.clone() });
            }
            x += w;
        }
        self.push(Op::Line { x1: x, y1: top, x2: x, y2: top + height });
        self.y = top + height;
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    /// `text` centred in the band from `x` `width` wide, on the line whose top is `y`.
    fn centred(&mut self, text: &str, face: Face, size: f32, x: f32, width: f32, y: f32) -> f32 {
        let w = face.width(text, size);
        self.push(Op::Text { x: x + (width - w).max(0.0) / 2.0, y: y + size, face, size, text: text.into() });
        w
    }

    /// Lines centred in a band, from the current position down.
    fn centred_lines(&mut self, text: &str, face: Face, size: f32, x: f32, width: f32) {
        for line in wrap(text, face, size, width, width) {
            self.ensure(size * LEADING);
            let y = self.y;
            self.centred(&line, face, size, x, width, y);
            self.y += size * LEADING;
        }
    }

    /// A paragraph of the body, its first line indented by `indent`.
    fn paragraph(&mut self, text: &str, face: Face, indent: f32) {
        let size = BODY_SIZE;
        let width = self.width();
        for (i, line) in wrap(text, face, size, width - indent, width).into_iter().enumerate() {
            self.ensure(size * LEADING);
            let x = if i == 0 { LEFT + indent } else { LEFT };
            self.push(Op::Text { x, y: self.y + size, face, size, text: line });
            self.y += size * LEADING;
        }
        self.y += 3.0;
    }
}

/// Lays a paper out: the pages and what each holds.
pub(crate) fn lay_out(paper: &Paper) -> Vec<Vec<Op>> {
    let mut p = Pages::new(paper.landscape);
    let full = p.width();
    if let Some(form_no) = &paper.form_no {
        let w = Face::Bold.width(form_no, 12.0);
        p.push(Op::Text {
            x: p.w - RIGHT - w,
            y: p.y + 12.0,
            face: Face::Bold,
            size: 12.0,
            text: form_no.clone(),
        });
        p.y += 20.0;
    }
    let top = p.y;

    // The left column: the agency in bold capitals, a short rule, the reference.
    p.centred_lines(&paper.agency, Face::Bold, 13.0, LEFT - 20.0, AGENCY_W);
    let rule_y = p.y + 2.5;
    let centre = LEFT - 20.0 + AGENCY_W / 2.0;
    p.rule(centre - 30.0, centre + 30.0, rule_y);
    p.y += 8.0;
    // A register has no number of its own.
    if !paper.reference.is_empty() {
        p.centred_lines(&format!("Số: {}", paper.reference), Face::Regular, 13.0, LEFT - 20.0, AGENCY_W);
    }
    let left_end = p.y;

    // The right column: the country, the motto underlined, the place and date.
    let x = LEFT - 20.0 + AGENCY_W;
    let width = p.w - RIGHT - x;
    let country = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    let size = fit(country, Face::Bold, 12.5, width);
    p.centred(country, Face::Bold, size, x, width, top);
    let motto = "Độc lập - Tự do - Hạnh phúc";
    let w = p.centred(motto, Face::Bold, 13.0, x, width, top + size * LEADING);
    let under = top + size * LEADING + 13.0 * LEADING + 1.0;
    p.rule(x + (width - w) / 2.0, x + (width + w) / 2.0, under);
    p.y = under + 10.0;
    p.centred_lines(&paper.place_date, Face::Italic, 13.0, x, width);
    p.y = p.y.max(left_end) + 18.0;

    p.centred_lines(&paper.title, Face::Bold, 14.0, LEFT, full);
    if let Some(subject) = &paper.subject {
        p.centred_lines(subject, Face::Regular, 14.0, LEFT, full);
    }
    p.y += 14.0;

    let mut items = 0;
    for block in &paper.body {
        match block {
            Block::Text(text) => {
                items = 0;
                p.paragraph(text, Face::Regular, INDENT)
            }
            Block::Field(label, value) => {
                items = 0;
                p.paragraph(&format!("- {label}: {value}"), Face::Regular, INDENT)
            }
            Block::Item(text) => {
                items += 1;
                p.paragraph(&format!("{items}. {text}"), Face::Regular, INDENT)
            }
            Block::Heading(text) => {
                items = 0;
                p.y += 3.0;
                p.centred_lines(text, Face::Bold, BODY_SIZE, LEFT, full);
                p.y += 3.0;
            }
            Block::Table(t) => {
                items = 0;
                p.table(t)
            }
        }
    }

    // The signature block, kept on one page, in the right half.
    let titles: Vec<&str> = paper.signer_title.lines().collect();
    let height = (titles.len() as f32 + 1.0) * 13.0 * LEADING + 70.0;
    p.y += 10.0;
    p.ensure(height);
    let x = LEFT + full / 2.0;
    let width = full / 2.0;
    for title in titles {
        p.centred_lines(title, Face::Bold, 13.0, x, width);
    }
    p.centred_lines(paper.sign_note(), Face::Italic, 13.0, x, width);
    p.y += 50.0;
    if let Some(name) = &paper.signer_name {
        p.centred_lines(name, Face::Bold, 13.0, x, width);
    }

    // Pages after the first carry their number at the top, centred (Decree 30/2020).
    for (i, page) in p.pages.iter_mut().enumerate().skip(1) {
        let text = (i + 1).to_string();
        let w = Face::Regular.width(&text, 13.0);
        page.push(Op::Text { x: (p.w - w) / 2.0, y: TOP, face: Face::Regular, size: 13.0, text });
    }
    p.pages
}

/// The size, at most `size`, at which `text` fits in `width`.
fn fit(text: &str, face: Face, size: f32, width: f32) -> f32 {
    let w = face.width(text, size);
    if w <= width {
        size
    } else {
        size * width / w
    }
}

fn date_time(at: NaiveDateTime) -> DateTime {
    DateTime::new(at.year().clamp(0, 9999) as u16)
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(7)
        .utc_offset_minute(0)
}

/// The paper as a PDF/A-2b file. The same paper gives the same bytes: the file is dated with
/// the paper, not with the moment it is written.
pub fn render(paper: &Paper) -> Result<Vec<u8>, PdfError> {
    crate::stream_ends::mend(write(paper)?)
}

/// The file as the PDF writer leaves it.
fn write(paper: &Paper) -> Result<Vec<u8>, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| PdfError(format!("{e:?}")))?;
    let settings = SerializeSettings { configuration, ..SerializeSettings::default() };
    let mut document = Document::new_with(settings);
    let font = |face: Face| Font::new(face.data().into(), 0).ok_or_else(|| PdfError("phông chữ hỏng".into()));
    let fonts = [font(Face::Regular)?, font(Face::Bold)?, font(Face::Italic)?];
    let (w, h) = if paper.landscape { (A4_LONG, A4_SHORT) } else { (A4_SHORT, A4_LONG) };
    for ops in lay_out(paper) {
        let mut page = document.start_page_with(PageSettings::from_wh(w, h).expect("A4 is a size"));
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, face, size, text } => {
                    let font = fonts[face as usize].clone();
                    surface.draw_text(
                        Point::from_xy(x, y),
                        font,
                        size,
                        &text,
                        false,
                        TextDirection::LeftToRight,
                    );
                }
                Op::Line { x1, y1, x2, y2 } => {
                    let mut path = PathBuilder::new();
                    path.move_to(x1, y1);
                    path.line_to(x2, y2);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: 0.6, ..Stroke::default() }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(krilla::paint::Fill::default()));
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.set_metadata(
        Metadata::new()
            .title(paper.title.clone())
            .language("vi".into())
            .creator("haicap".into())
            .producer("haicap".into())
            .document_id(paper.file_stem.clone())
            .creation_date(date_time(paper.dated)),
    );
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_their_width_and_keep_every_word_in_order() {
        let text = "Giấy tờ chứng minh nơi cư trú chỉ khi cơ quan không khai thác được từ CSDL quốc gia về dân cư \
                    https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.004873";
        let lines = wrap(text, Face::Regular, 13.0, 200.0, 250.0);
        assert!(lines.len() > 3);
        for (i, line) in lines.iter().enumerate() {
            let width = if i == 0 { 200.0 } else { 250.0 };
            assert!(Face::Regular.width(line, 13.0) <= width, "{line}");
        }
        // The address, wider than a line, is broken between letters; nothing is lost.
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn a_bold_line_is_wider_than_the_same_line_regular() {
        let s = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
        assert!(Face::Bold.width(s, 12.0) > Face::Regular.width(s, 12.0));
        assert!((Face::Regular.width(s, 24.0) - 2.0 * Face::Regular.width(s, 12.0)).abs() < 0.01);
    }

    /// A receipt whose page content, compressed, ends with a carriage return (found among
    /// 400 generated receipts; one in two hundred is such).
    fn receipt_ending_with_cr() -> Paper {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap().and_hms_opt(9, 30, 0).unwrap();
        Paper {
            form_no: Some("Mẫu số 01".into()),
            agency: "UBND PHƯỜNG HẢI CHÂU".into(),
            reference: "HC-2026-000051".into(),
            place_date: "Hải Châu, ngày 05 tháng 12 năm 2026".into(),
            dated: at,
            title: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ".into(),
            subject: None,
            body: vec![
                Block::Field("Mã tra cứu".into(), "850D3E43".into()),
                Block::Text("Nguyễn Thị Ánh".into()),
            ],
            signer_title: "NGƯỜI TIẾP NHẬN".into(),
            signer_name: Some("Trần Văn Bình".into()),
            digital: false,
            file_stem: "x".into(),
            landscape: false,
        }
    }

    #[test]
    fn a_stream_whose_data_ends_with_cr_is_ended_unambiguously_and_reads_the_same() {
        let paper = receipt_ending_with_cr();
        let raw = write(&paper).unwrap();
        assert!(
            raw.windows(11).any(|w| w == b"\r\nendstream"),
            "the writer no longer ends this paper's stream with CR: find another sample"
        );
        let mended = render(&paper).unwrap();
        assert!(!mended.windows(12).any(|w| w.ends_with(b"\r\nendstream") && w[0] != b'\r'));
        // A reader finds the same objects with the same data, through the moved offsets.
        let (a, b) = (lopdf::Document::load_mem(&raw).unwrap(), lopdf::Document::load_mem(&mended).unwrap());
        assert_eq!(a.objects.len(), b.objects.len());
        for (id, object) in &a.objects {
            match (object, b.get_object(*id).unwrap()) {
                (lopdf::Object::Stream(x), lopdf::Object::Stream(y)) => assert_eq!(x.content, y.content),
                (x, y) => assert_eq!(format!("{x:?}"), format!("{y:?}")),
            }
        }
    }
}
