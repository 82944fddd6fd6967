//! The few value types haicap stores, the same on both databases.

use crate::StoreError;
use chrono::{NaiveDate, NaiveDateTime};
use std::sync::Arc;

/// Ordered (kind, then value) so that rows can be written in one order by every writer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Ts(NaiveDateTime),
    Date(NaiveDate),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Self {
        Val::Int(v as i64)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(v.clone())
    }
}
impl From<NaiveDateTime> for Val {
    fn from(v: NaiveDateTime) -> Self {
        Val::Ts(v)
    }
}
impl From<NaiveDate> for Val {
    fn from(v: NaiveDate) -> Self {
        Val::Date(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

/// SQLite keeps times as text in this form (sortable, and what its date functions read).
pub(crate) const TS_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// `t` in [`TS_FORMAT`]. Written field by field: chrono's `format` reads its pattern again at
/// every call, and a national trial run binds some twenty times a second per dossier.
pub(crate) fn ts_text(t: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    if !(0..=9999).contains(&t.year()) {
        return t.format(TS_FORMAT).to_string();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `d` as SQLite keeps dates (YYYY-MM-DD).
pub(crate) fn date_text(d: &NaiveDate) -> String {
    use chrono::Datelike;
    if !(0..=9999).contains(&d.year()) {
        return d.format("%Y-%m-%d").to_string();
    }
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The column names of an answer, shared by its rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns(Arc<[Box<str>]>);

impl Columns {
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Columns {
        Columns(names.into_iter().map(|n| n.as_ref().into()).collect())
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|n| **n == *name)
    }
}

/// One result row: its values, and the names of its answer's columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Row(pub Vec<Val>, pub Columns);

/// A Rust value a column can be read as ([`Row::col`]).
pub trait FromVal: Sized {
    /// What the value is, for the error of a mismatch.
    const WHAT: &'static str;
    /// `None` when `v` is not such a value (NULL included, but for an `Option`).
    fn from_val(v: &Val) -> Option<Self>;
}

impl FromVal for String {
    const WHAT: &'static str = "văn bản";
    fn from_val(v: &Val) -> Option<Self> {
        match v {
            Val::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromVal for i64 {
    const WHAT: &'static str = "số nguyên";
    fn from_val(v: &Val) -> Option<Self> {
        match v {
            Val::Int(i) => Some(*i),
            Val::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
}

impl FromVal for bool {
    const WHAT: &'static str = "đúng/sai";
    fn from_val(v: &Val) -> Option<Self> {
        i64::from_val(v).map(|i| i != 0)
    }
}

impl FromVal for NaiveDateTime {
    const WHAT: &'static str = "thời điểm";
    fn from_val(v: &Val) -> Option<Self> {
        match v {
            Val::Ts(t) => Some(*t),
            Val::Text(s) => parse_ts(s),
            _ => None,
        }
    }
}

impl FromVal for NaiveDate {
    const WHAT: &'static str = "ngày";
    fn from_val(v: &Val) -> Option<Self> {
        match v {
            Val::Date(d) => Some(*d),
            Val::Text(s) => parse_date(s),
            _ => None,
        }
    }
}

impl<T: FromVal> FromVal for Option<T> {
    const WHAT: &'static str = T::WHAT;
    fn from_val(v: &Val) -> Option<Self> {
        match v {
            Val::Null => Some(None),
            v => T::from_val(v).map(Some),
        }
    }
}

impl Row {
    /// The column `name` read as a `T`. An answer without that column, or a value that is not
    /// a `T` (NULL where `T` is not an `Option`), is an error naming the column, never a
    /// silent default: a query and the code reading it cannot drift apart unnoticed.
    pub fn col<T: FromVal>(&self, name: &str) -> Result<T, StoreError> {
        let i = self
            .1
            .index(name)
            .ok_or_else(|| StoreError::Database(format!("câu trả lời không có cột \"{name}\"")))?;
        T::from_val(self.get(i)).ok_or_else(|| {
            // Not the value itself: it may be personal data, and errors are logged.
            StoreError::Database(format!("cột \"{name}\" không phải {}", T::WHAT))
        })
    }

    /// The column `name` read as a `T`, then made a `U` by `parse` (a stored code into its
    /// enum, a number into a narrower one); `None` from `parse` is an error naming the column.
    pub fn col_parsed<T: FromVal, U>(
        &self,
        name: &str,
        parse: impl FnOnce(T) -> Option<U>,
    ) -> Result<U, StoreError> {
        parse(self.col(name)?).ok_or_else(|| {
            StoreError::Database(format!("cột \"{name}\" có giá trị ngoài bảng mã hoặc khoảng cho phép"))
        })
    }

    /// The answer's one column read as a `T`: for single aggregates, whose column has no name
    /// worth giving. An answer of several columns is an error, as a mismatch of [`Row::col`].
    pub fn only<T: FromVal>(&self) -> Result<T, StoreError> {
        match &*self.1 .0 {
            [name] => self.col(name),
            _ => Err(StoreError::Database(format!("câu trả lời có {} cột, cần đúng một", self.1 .0.len()))),
        }
    }

    // By position, with defaults: for tests and for listing an answer whole. haicap's readers
    // use `col`, which names the column and does not default.
    pub fn get(&self, i: usize) -> &Val {
        self.0.get(i).unwrap_or(&Val::Null)
    }

    pub fn text(&self, i: usize) -> Option<&str> {
        match self.get(i) {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn string(&self, i: usize) -> String {
        self.text(i).unwrap_or_default().to_string()
    }

    pub fn int(&self, i: usize) -> Option<i64> {
        match self.get(i) {
            Val::Int(v) => Some(*v),
            Val::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    pub fn bool(&self, i: usize) -> bool {
        self.int(i).is_some_and(|v| v != 0)
    }

    pub fn ts(&self, i: usize) -> Option<NaiveDateTime> {
        match self.get(i) {
            Val::Ts(t) => Some(*t),
            Val::Text(s) => parse_ts(s),
            _ => None,
        }
    }

    pub fn date(&self, i: usize) -> Option<NaiveDate> {
        match self.get(i) {
            Val::Date(d) => Some(*d),
            Val::Text(s) => parse_date(s),
            _ => None,
        }
    }
}

/// Reads a time written by [`ts_text`] (or by SQLite's `datetime()`), without chrono's
/// pattern interpreter for the common form; anything else goes through chrono.
fn parse_ts(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() == 19 && b[10] == b' ' && b[13] == b':' && b[16] == b':' {
        if let (Some(d), Some(h), Some(m), Some(sec)) =
            (parse_date(&s[..10]), digits(&b[11..13]), digits(&b[14..16]), digits(&b[17..19]))
        {
            // A leap second (":60") is chrono's to read.
            if let Some(t) = d.and_hms_opt(h, m, sec) {
                return Some(t);
            }
        }
    }
    NaiveDateTime::parse_from_str(s, TS_FORMAT).ok()
}

/// The number written by ASCII digits only.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10])) {
            if let Some(day) = NaiveDate::from_ymd_opt(y as i32, m, d) {
                return Some(day);
            }
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written forms agree with chrono's, both ways, over the whole calendar.
        #[test]
        fn times_are_written_and_read_as_chrono_does(secs in -70_000_000_000i64..260_000_000_000i64) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            let text = ts_text(&t);
            prop_assert_eq!(&text, &t.format(TS_FORMAT).to_string());
            prop_assert_eq!(parse_ts(&text), NaiveDateTime::parse_from_str(&text, TS_FORMAT).ok());
            prop_assert_eq!(Row(vec![Val::Text(text.clone())], Columns::default()).ts(0), Some(t));
            let day = date_text(&t.date());
            prop_assert_eq!(&day, &t.date().format("%Y-%m-%d").to_string());
            prop_assert_eq!(Row(vec![Val::Text(day)], Columns::default()).date(0), Some(t.date()));
        }

        /// Whatever the text, reading it never panics and agrees with chrono (a leap second
        /// included: "0000-01-01 00:00:60" was once read as nothing).
        #[test]
        fn any_text_is_read_as_chrono_reads_it(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?|.{0,20}") {
            prop_assert_eq!(parse_ts(&s), NaiveDateTime::parse_from_str(&s, TS_FORMAT).ok());
            prop_assert_eq!(parse_date(&s), NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
        }
    }

    #[test]
    fn a_leap_second_is_read_as_chrono_reads_it() {
        let s = "2016-12-31 23:59:60";
        assert!(parse_ts(s).is_some());
        assert_eq!(parse_ts(s), NaiveDateTime::parse_from_str(s, TS_FORMAT).ok());
    }
}
