//! Text that leaves as CSV for a spreadsheet: a cell a citizen or an official typed must stay
//! text when Excel or LibreOffice opens the file. A cell starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return is read as a formula (`=HYPERLINK("http://…","Xem")` becomes a
//! live link); such cells get a leading apostrophe, which spreadsheets show as nothing and
//! which keeps the rest text (OWASP, "CSV injection").

use std::borrow::Cow;

/// `text` as a cell that cannot run as a formula.
pub fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes one row, every cell made safe: the one way haicap writes CSV for people.
pub fn write_row<W: std::io::Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    fields: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    w.write_record(fields.into_iter().map(|f| cell(f.as_ref()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_stay_text_and_plain_text_is_untouched() {
        for f in ["=HYPERLINK(\"http://x\",\"Xem\")", "+84905", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(f).starts_with('\''), "{f}");
        }
        for t in ["Nguyễn Văn A", "20242-261206-0001", "", "a=b", "0905123456"] {
            assert_eq!(cell(t), t);
        }
        let mut w = csv::Writer::from_writer(vec![]);
        write_row(&mut w, ["=1+1", "ok"]).unwrap();
        assert_eq!(String::from_utf8(w.into_inner().unwrap()).unwrap(), "'=1+1,ok\n");
    }
}
