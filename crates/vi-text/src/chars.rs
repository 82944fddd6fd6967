//! Per-character decomposition of Vietnamese letters.
//!
//! The table is built once from the Unicode canonical decompositions (via
//! `unicode-normalization`) rather than typed by hand, so every precomposed Latin letter is
//! covered, upper and lower case alike. Combining marks met in decomposed (NFD) input are
//! classified directly.

use std::sync::OnceLock;
use unicode_normalization::char::decompose_canonical;

/// The vowel or consonant modification a Vietnamese letter carries, apart from its tone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    None,
    /// â ê ô
    Circumflex,
    /// ă
    Breve,
    /// ơ ư
    Horn,
    /// đ
    Stroke,
}

/// The tone of a syllable (thanh điệu).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tone {
    Level,
    /// sắc
    Acute,
    /// huyền
    Grave,
    /// hỏi
    Hook,
    /// ngã
    Tilde,
    /// nặng
    Dot,
}

/// One character of input, classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Letter {
    /// A letter or digit: its folded ASCII lowercase base, its mark and its tone.
    Alnum { base: u8, mark: Mark, tone: Tone },
    /// A combining mark standing alone (decomposed input): it modifies the previous letter.
    Combining { mark: Mark, tone: Tone },
    /// Anything else: punctuation, space, symbols, other scripts.
    Other,
}

/// The table covers U+00C0 to U+1EFF: Latin-1 letters, Latin Extended A and B, the combining
/// marks (U+0300–U+036F) and Latin Extended Additional, where Vietnamese letters live.
const TABLE_START: u32 = 0x00C0;
const TABLE_END: u32 = 0x1F00;

fn combining(c: char) -> Option<(Mark, Tone)> {
    Some(match c {
        '\u{0300}' => (Mark::None, Tone::Grave),
        '\u{0301}' => (Mark::None, Tone::Acute),
        '\u{0303}' => (Mark::None, Tone::Tilde),
        '\u{0309}' => (Mark::None, Tone::Hook),
        '\u{0323}' => (Mark::None, Tone::Dot),
        '\u{0302}' => (Mark::Circumflex, Tone::Level),
        '\u{0306}' => (Mark::Breve, Tone::Level),
        '\u{031B}' => (Mark::Horn, Tone::Level),
        // Other combining marks (e.g. a stray diaeresis) carry no Vietnamese meaning.
        '\u{0304}'..='\u{036F}' => (Mark::None, Tone::Level),
        _ => return None,
    })
}

/// Every character of the covered range, classified once.
pub(crate) fn table() -> &'static [Letter] {
    static TABLE: OnceLock<Vec<Letter>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (TABLE_START..TABLE_END)
            .map(|cp| match char::from_u32(cp) {
                Some(c) => match combining(c) {
                    Some((mark, tone)) => Letter::Combining { mark, tone },
                    None => decompose_letter(c),
                },
                None => Letter::Other,
            })
            .collect()
    })
}

/// Classifies a non-ASCII character with a table from [`table`] (fetched once per text).
#[inline]
pub(crate) fn fold_non_ascii(table: &[Letter], c: char) -> Letter {
    let cp = c as u32;
    if (TABLE_START..TABLE_END).contains(&cp) {
        table[(cp - TABLE_START) as usize]
    } else {
        Letter::Other
    }
}

fn decompose_letter(c: char) -> Letter {
    if matches!(c, 'đ' | 'Đ') {
        return Letter::Alnum { base: b'd', mark: Mark::Stroke, tone: Tone::Level };
    }
    let mut base = None;
    let mut mark = Mark::None;
    let mut tone = Tone::Level;
    decompose_canonical(c, |d| {
        if base.is_none() {
            base = Some(d);
        } else if let Some((m, t)) = combining(d) {
            if m != Mark::None {
                mark = m;
            }
            if t != Tone::Level {
                tone = t;
            }
        }
    });
    match base {
        Some(b) if b.is_ascii_alphabetic() && b != c => {
            Letter::Alnum { base: b.to_ascii_lowercase() as u8, mark, tone }
        }
        _ => Letter::Other,
    }
}

/// Classifies one character.
#[inline]
pub fn fold_char(c: char) -> Letter {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Letter::Alnum { base: c.to_ascii_lowercase() as u8, mark: Mark::None, tone: Tone::Level }
        } else {
            Letter::Other
        };
    }
    fold_non_ascii(table(), c)
}

/// Folds text to lowercase ASCII letters and digits: tones and marks dropped, `đ` → `d`.
/// Other characters are kept lowercased, except combining marks, which are dropped.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match fold_char(c) {
            Letter::Alnum { base, .. } => out.push(base as char),
            Letter::Combining { .. } => {}
            Letter::Other => out.extend(c.to_lowercase()),
        }
    }
    out
}

pub(crate) fn mark_symbol(m: Mark) -> Option<char> {
    match m {
        Mark::None => None,
        Mark::Circumflex => Some('^'),
        Mark::Breve => Some('('),
        Mark::Horn => Some('+'),
        Mark::Stroke => Some('-'),
    }
}

pub(crate) fn tone_digit(t: Tone) -> Option<char> {
    match t {
        Tone::Level => None,
        Tone::Acute => Some('1'),
        Tone::Grave => Some('2'),
        Tone::Hook => Some('3'),
        Tone::Tilde => Some('4'),
        Tone::Dot => Some('5'),
    }
}

/// A key that keeps marks and tones but not where the tone was written: the tone belongs to
/// the syllable, so the old placement "hoà" and the new "hòa" give the same key. Syllables are
/// separated by one space; punctuation is dropped.
pub fn tone_key(s: &str) -> String {
    let mut t = crate::Tokens::default();
    t.tokenize(s);
    let mut out = String::new();
    for (i, tok) in t.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(t.toned(tok));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_letters() {
        assert_eq!(fold("Thừa Thiên Huế"), "thua thien hue");
        assert_eq!(fold("ĐẮK LẮK"), "dak lak");
        assert_eq!(fold("Quảng Ngãi"), "quang ngai");
    }

    #[test]
    fn folds_decomposed_input_like_composed() {
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Phường Bến Nghé").collect();
        assert_ne!(nfd, "Phường Bến Nghé");
        assert_eq!(fold(&nfd), fold("Phường Bến Nghé"));
        assert_eq!(tone_key(&nfd), tone_key("Phường Bến Nghé"));
    }

    #[test]
    fn tone_key_ignores_tone_placement_but_not_tones() {
        assert_eq!(tone_key("Hoà Bình"), tone_key("Hòa Bình"));
        assert_eq!(tone_key("Thuỷ"), tone_key("Thủy"));
        assert_ne!(tone_key("Hòa"), tone_key("Hóa"));
        assert_ne!(tone_key("Ân"), tone_key("An"));
    }

    #[test]
    fn non_latin_is_other() {
        assert_eq!(fold_char('中'), Letter::Other);
        assert_eq!(fold_char('-'), Letter::Other);
    }
}
