//! The few value types haicap stores, the same on both databases.

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Clone, Debug, PartialEq)]
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

/// One result row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row(pub Vec<Val>);

impl Row {
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
            Val::Text(s) => NaiveDateTime::parse_from_str(s, TS_FORMAT).ok(),
            _ => None,
        }
    }

    pub fn date(&self, i: usize) -> Option<NaiveDate> {
        match self.get(i) {
            Val::Date(d) => Some(*d),
            Val::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            _ => None,
        }
    }
}
