//! A commune's list of the procedures it offers at its service point: each line a name and
//! the national code, written on the line or carried by its portal link.

use super::{filled, json_line, one_line, required, text_of, RecordError};

/// One line of a commune's list of the procedures it offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered {
    /// The national code, from the line or from its portal link; `None` when neither has one.
    pub code: Option<String>,
    pub name: String,
    pub field: Option<String>,
}

/// A national procedure code: "2.002516", "1.000005".
fn is_code(s: &str) -> bool {
    let Some((a, b)) = s.split_once('.') else { return false };
    !a.is_empty()
        && a.len() <= 2
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.len() == 6
        && b.bytes().all(|c| c.is_ascii_digit())
}

/// The code a portal link carries: `…?ma_thu_tuc=2.002516&…`, `…/ke-khai/2.000986`.
fn code_in_link(link: &str) -> Option<String> {
    let after =
        link.split_once("ma_thu_tuc=").map(|(_, r)| r).or_else(|| link.rsplit_once('/').map(|(_, r)| r))?;
    let code: String = after.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    is_code(&code).then_some(code)
}

/// One line of a commune's offer list (`ten_thu_tuc`, `ma_thu_tuc` or a link with the code).
pub fn offered_line(line: &str) -> Result<Offered, RecordError> {
    let v = json_line(line)?;
    let o = v.as_object().ok_or_else(|| RecordError("không phải một đối tượng JSON".into()))?;
    let name = required(o, "ten_thu_tuc")?;
    let code = filled(&text_of(o, "ma_thu_tuc"))
        .filter(|c| is_code(c))
        .or_else(|| ["online_link", "sample_link"].iter().find_map(|k| code_in_link(&text_of(o, k))));
    Ok(Offered { code, name, field: one_line(filled(&text_of(o, "linh_vuc"))) })
}
