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

/// Optimal-string-alignment distance (Damerau-Levenshtein with adjacent swaps) between two
/// folded strings.
pub fn typo_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}
