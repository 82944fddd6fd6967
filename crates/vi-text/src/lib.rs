//! Vietnamese text handling shared by every part of haicap.
//!
//! Pure: no IO, no async. The three jobs are
//! - [`fold`]: strip tones, vowel marks and the stroke of `đ` so that
//!   "Thừa Thiên Huế", "THUA THIEN HUE" and a decomposed (NFD) spelling compare equal;
//! - [`Tokens`]: split free text into syllables with their byte offsets, their folded and
//!   tone-canonical forms, and the separator in front of each one;
//! - [`TypoIndex`]: find the known syllables within one edit of a misspelt one.

mod chars;
mod tokens;
mod typo;

pub use chars::{fold, fold_char, tone_key, Letter, Mark, Tone};
pub use tokens::{Sep, Token, Tokens};
pub use typo::{one_edit, TypoIndex};

/// A key that sorts Vietnamese names the way people expect: by letters first, then by
/// marks and tones, so "An Bình" < "Ân Thi" < "Bình An".
pub fn sort_key(s: &str) -> String {
    let mut k = fold(s);
    k.push('\u{0}');
    k.push_str(&tone_key(s));
    k
}

/// Packs a short string (at most 16 bytes) into an integer key, for hash tables whose keys are
/// syllables: no pointer to follow and no byte comparison on look-up. Longer strings give `None`
/// (no syllable or name part is that long).
#[inline]
pub fn pack(s: &[u8]) -> Option<u128> {
    if s.len() > 16 {
        return None;
    }
    let mut b = [0u8; 16];
    b[..s.len()].copy_from_slice(s);
    // The length goes in too, so that "a" and "a\0" differ (not that NUL appears in syllables).
    Some(u128::from_le_bytes(b) ^ ((s.len() as u128) << 120))
}

/// Optimal-string-alignment distance (Damerau-Levenshtein with adjacent swaps) between two
/// folded strings.
pub fn typo_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_orders_by_letters_then_marks() {
        let mut names = vec!["Bình An", "Ân Thi", "An Bình", "an binh"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(names, ["an binh", "An Bình", "Ân Thi", "Bình An"]);
    }
}

/// A number as Vietnamese writes it: 1234567 → "1.234.567".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod grouped_tests {
    #[test]
    fn thousands_are_separated_by_dots() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1_000), "1.000");
        assert_eq!(super::grouped(-1_234_567), "-1.234.567");
    }
}
