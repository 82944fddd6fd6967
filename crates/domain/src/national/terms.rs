//! Time limits and fees as the portal writes them: "7 Ngày làm việc", "15 - 20 Ngày", "Trong
//! ngày", "20,000 VNĐ", "Phí : 0 Đồng", "Miễn phí", a note in parentheses.

use serde::Serialize;

/// The unit a published time limit is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    WorkingDays,
    Days,
    Hours,
    WorkingHours,
    Months,
    Years,
    /// "Trong ngày": the same working day.
    SameDay,
}

impl Unit {
    /// As the portal writes it, which the catalog's limit reader understands.
    fn portal_word(self) -> &'static str {
        match self {
            Unit::WorkingDays => "Ngày làm việc",
            Unit::Days => "Ngày",
            Unit::Hours => "Giờ",
            Unit::WorkingHours => "Giờ làm việc",
            Unit::Months => "Tháng",
            Unit::Years => "Năm",
            Unit::SameDay => "Trong ngày",
        }
    }
}

/// A channel's time limit as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Limit {
    /// The number, or the upper end of a range ("15 - 20 ngày" is at most 20).
    pub value: u32,
    /// The lower end of a range.
    pub from: Option<u32>,
    /// `None` where the page shows a bare number: the unit was lost, and is not guessed.
    pub unit: Option<Unit>,
}

impl Limit {
    /// "7 Ngày làm việc", "20 Ngày", "Trong ngày"; a bare number stays bare.
    pub fn published(&self) -> String {
        match self.unit {
            Some(Unit::SameDay) => "Trong ngày".into(),
            Some(u) => format!("{} {}", self.value, u.portal_word()),
            None => self.value.to_string(),
        }
    }
}

/// One amount of a fee or charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// "Phí", "Lệ phí" where the text names it.
    pub label: Option<String>,
    pub value: u64,
    /// "VND", "USD".
    pub currency: String,
}

/// What a channel costs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Fee {
    /// "Miễn phí", or every amount zero.
    pub free: bool,
    pub amounts: Vec<Amount>,
    /// The amount is set by the province (its People's Council) or "theo quy định".
    pub set_elsewhere: bool,
    /// The note that goes with it, as published.
    pub note: Option<String>,
    /// The text read.
    pub text: String,
}

impl Fee {
    /// Nothing said about the cost ("Không có thông tin", or nothing at all).
    pub fn unstated(&self) -> bool {
        !self.free && self.amounts.is_empty() && !self.set_elsewhere
    }

    /// In plain words: "Miễn phí", "20.000 đồng", "Theo quy định của tỉnh".
    pub fn summary(&self) -> String {
        if self.free {
            return "Miễn phí".into();
        }
        if !self.amounts.is_empty() {
            return self
                .amounts
                .iter()
                .map(|a| {
                    let money = match a.currency.as_str() {
                        "VND" => {
                            format!("{} đồng", vi_text::grouped(i64::try_from(a.value).unwrap_or(i64::MAX)))
                        }
                        other => format!(
                            "{} {other}",
                            vi_text::grouped(i64::try_from(a.value).unwrap_or(i64::MAX))
                        ),
                    };
                    match &a.label {
                        Some(l) => format!("{l}: {money}"),
                        None => money,
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
        }
        if self.set_elsewhere {
            return "Theo mức do cơ quan có thẩm quyền quy định".into();
        }
        "Chưa có thông tin".into()
    }
}

/// Units as the portal writes them, longest first (so that "Ngày làm việc" is not read as
/// "Ngày").
const UNITS: [(&str, Unit); 9] = [
    ("ngày làm việc", Unit::WorkingDays),
    ("giờ làm việc", Unit::WorkingHours),
    ("ngày", Unit::Days),
    ("giờ", Unit::Hours),
    ("tháng", Unit::Months),
    ("năm", Unit::Years),
    ("tuần", Unit::Days),
    ("ngay lam viec", Unit::WorkingDays),
    ("ngay", Unit::Days),
];

/// The leading digits of `s` and what follows them.
pub(super) fn number(s: &str) -> Option<(u64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > 12 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// `s` without `prefix`, compared without case.
pub(super) fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let n = prefix.len();
    (s.len() >= n && s.is_char_boundary(n) && s[..n].to_lowercase() == prefix.to_lowercase()).then(|| &s[n..])
}

/// An amount followed by its currency, at the start of `s`: "20,000 VNĐ", "2.000 đồng",
/// "1,500 USD". Separators of thousands (either mark) are read as such.
pub(super) fn money(s: &str) -> Option<(u64, String, &str)> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(s.len());
    let digits = &s[..end];
    if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let groups: Vec<&str> = digits.trim_end_matches(['.', ',']).split(['.', ',']).collect();
    if groups.iter().skip(1).any(|g| g.len() != 3) {
        return None;
    }
    let value: u64 = groups.concat().parse().ok()?;
    let rest = s[end..].trim_start();
    for (word, currency) in [
        ("Việt Nam Đồng", "VND"),
        ("VNĐ", "VND"),
        ("VND", "VND"),
        ("đồng", "VND"),
        ("Đồng", "VND"),
        ("đ", "VND"),
        ("USD", "USD"),
        ("Đô la Mỹ", "USD"),
    ] {
        // A currency word, not the start of another word ("đ" of "5 đến 7").
        if let Some(after) = strip_ci(rest, word).filter(|a| !a.starts_with(char::is_alphabetic)) {
            return Some((value, currency.to_string(), after));
        }
    }
    None
}

/// The amounts in đồng a note writes ("40.000đ/giấy thông hành", "mức phí 25.000 đồng/hồ sơ").
fn amounts_in(note: &str) -> Vec<u64> {
    let mut out = vec![];
    let mut prev: Option<char> = None;
    for (i, c) in note.char_indices() {
        let starts = c.is_ascii_digit() && !prev.is_some_and(|p| p.is_ascii_digit() || p == '.' || p == ',');
        if starts {
            if let Some((v, currency, _)) = money(&note[i..]) {
                if currency == "VND" {
                    out.push(v);
                }
            }
        }
        prev = Some(c);
    }
    out
}

/// The portal shows some amounts in thousands of đồng ("40 Việt Nam Đồng" beside the note
/// "40.000đ/giấy thông hành"); where the note confirms it, the amount is read in đồng. Where a
/// time without its unit was glued to such an amount ("120 VNĐ" beside "20.000 vnđ/tờ khai":
/// a time of 1, then 20), the note's amount splits them. Nothing changes without the note's
/// confirmation; what stays implausible is left for the caller to mark as doubtful.
pub(super) fn confirm_thousands(limit: &mut Option<Limit>, fee: &mut Fee) {
    let Some(note) = fee.note.as_deref() else { return };
    let noted = amounts_in(note);
    let Some(first) = fee.amounts.first_mut() else { return };
    if first.currency != "VND" || first.value == 0 || first.value >= 1_000 {
        return;
    }
    if noted.contains(&(first.value * 1_000)) {
        first.value *= 1_000;
        return;
    }
    if limit.is_some() {
        return;
    }
    let digits = first.value.to_string();
    for k in 1..digits.len() {
        let (time, amount) = digits.split_at(k);
        if amount.starts_with('0') {
            continue;
        }
        let (Ok(time), Ok(amount)) = (time.parse::<u32>(), amount.parse::<u64>()) else { continue };
        if noted.contains(&(amount * 1_000)) {
            *limit = Some(Limit { value: time, from: None, unit: None });
            first.value = amount * 1_000;
            return;
        }
    }
}

/// A time limit at the start of `s`, and what follows it. `None` when `s` starts with no
/// limit (a fee, a description); a number followed by a currency is a fee, not a time.
pub fn limit(s: &str) -> Option<(Limit, &str)> {
    let t = s.trim_start();
    if let Some(rest) = strip_ci(t, "trong ngày") {
        return Some((Limit { value: 0, from: None, unit: Some(Unit::SameDay) }, rest));
    }
    let t = strip_ci(t, "không quá ").or_else(|| strip_ci(t, "tối đa ")).unwrap_or(t).trim_start();
    let t = strip_ci(t, "từ ").unwrap_or(t);
    if money(t).is_some() {
        return None;
    }
    let (first, rest) = number(t)?;
    let (from, value, rest) = {
        let r = rest.trim_start();
        let r2 = strip_ci(r, "-").or_else(|| strip_ci(r, "đến")).or_else(|| strip_ci(r, "–"));
        match r2.map(str::trim_start).and_then(number) {
            Some((second, after)) if second >= first => (Some(first as u32), second as u32, after),
            _ => (None, first as u32, rest),
        }
    };
    let r = rest.trim_start();
    let lower = r.to_lowercase();
    for (word, unit) in UNITS {
        if lower.starts_with(word) {
            let weeks = word == "tuần";
            let value = if weeks { value * 7 } else { value };
            let from = from.map(|f| if weeks { f * 7 } else { f });
            return Some((Limit { value, from, unit: Some(unit) }, &r[word.len()..]));
        }
    }
    Some((Limit { value, from, unit: None }, rest))
}

/// Words that stand for "nothing stated" where a time or a fee would be.
const NOTHING: [&str; 3] = ["Không có thông tin", "Không quy định", "Không"];

pub(super) fn nothing(s: &str) -> Option<&str> {
    let t = s.trim_start();
    NOTHING.iter().find_map(|w| strip_ci(t, w))
}

/// The balanced parenthesis at the start of `s`: its inside and what follows.
fn parenthesis(s: &str) -> Option<(&str, &str)> {
    let t = s.trim_start();
    if !t.starts_with('(') {
        return None;
    }
    let mut depth = 0;
    for (i, c) in t.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&t[1..i], &t[i + 1..]));
                }
            }
            _ => {}
        }
    }
    Some((&t[1..], ""))
}

/// Whether a fee's words leave the amount to the province or to another text.
fn set_elsewhere(text: &str) -> bool {
    let t = text.to_lowercase();
    ["hội đồng nhân dân", "hđnd", "theo quy định", "do tỉnh quy định", "ủy ban nhân dân tỉnh quy định"]
        .iter()
        .any(|w| t.contains(w))
}

/// A fee at the start of `s` ("Miễn phí", "Không có thông tin", amounts with their labels and
/// a note in parentheses), and what follows it.
pub(super) fn fee(s: &str) -> (Fee, &str) {
    let start = s.trim_start();
    let mut rest = start;
    let mut out = Fee::default();
    loop {
        let t = rest.trim_start();
        if let Some(after) = strip_ci(t, "Miễn phí") {
            out.free = true;
            rest = after;
            continue;
        }
        // "Phí : 0 Đồng", "Lệ phí: 50,000 VNĐ".
        let (label, t2) = match strip_ci(t, "Lệ phí").or_else(|| strip_ci(t, "Phí")) {
            Some(after) if after.trim_start().starts_with(':') => {
                let l = if strip_ci(t, "Lệ phí").is_some() { "Lệ phí" } else { "Phí" };
                (Some(l.to_string()), after.trim_start()[1..].trim_start())
            }
            _ => (None, t),
        };
        if let Some((value, currency, after)) = money(t2) {
            out.amounts.push(Amount { label, value, currency });
            rest = after;
            continue;
        }
        // A currency without its amount: the page lost the number.
        if label.is_none() {
            if let Some(after) = strip_ci(t, "VNĐ").or_else(|| strip_ci(t, "Việt Nam Đồng")) {
                rest = after;
                continue;
            }
        }
        break;
    }
    if !out.free && out.amounts.is_empty() {
        if let Some(after) = nothing(rest) {
            rest = after;
        }
    }
    if let Some((note, after)) = parenthesis(rest) {
        if !note.trim().is_empty() {
            out.note = Some(note.trim().to_string());
        }
        rest = after;
    }
    if !out.amounts.is_empty() && out.amounts.iter().all(|a| a.value == 0) {
        out.amounts.clear();
        out.free = true;
    }
    // "Miễn phí (theo quy định …)" is free, not an amount someone else sets.
    out.set_elsewhere = !out.free && out.note.as_deref().is_some_and(set_elsewhere);
    out.text = start[..start.len() - rest.len()].trim().to_string();
    (out, rest)
}
