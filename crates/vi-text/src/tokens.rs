//! Splitting free text into syllables.
//!
//! One [`Tokens`] value is reused line after line: its buffers are cleared, not freed, so a
//! batch of millions of addresses allocates almost nothing.

use crate::chars::{fold_non_ascii, mark_symbol, table, tone_digit, Letter, Mark, Tone};

/// What stands between a token and the one before it, strongest kind wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sep {
    /// Nothing: a letter-digit boundary inside one word ("Q1", "F5", "21B").
    None,
    /// White space.
    Space,
    /// A hyphen, dot, apostrophe or other light punctuation.
    Soft,
    /// A comma, semicolon, slash, bar, colon or bracket: the end of an address part.
    Hard,
}

/// One syllable (or number) of the input.
#[derive(Clone, Copy, Debug)]
pub struct Token {
    /// Byte range in the original text.
    pub start: u32,
    pub end: u32,
    /// The separator before this token (`Hard` for the first one).
    pub sep: Sep,
    /// Whether the token carried any tone or mark in the input.
    pub marked: bool,
    /// All digits.
    pub numeric: bool,
    plain: (u32, u32),
    toned: (u32, u32),
}

/// A tokenized text with reusable buffers.
#[derive(Default, Debug)]
pub struct Tokens {
    plain: String,
    toned: String,
    list: Vec<Token>,
}

/// ASCII character classes: letters and digits first, then separators by strength.
const LETTER: u8 = 0;
const DIGIT: u8 = 1;
const SPACE: u8 = 2;
const SOFT: u8 = 3;
const HARD: u8 = 4;
const SEPS: [Sep; 3] = [Sep::Space, Sep::Soft, Sep::Hard];

const ASCII: [u8; 128] = {
    let mut t = [SOFT; 128];
    let mut c = 0;
    while c < 128 {
        let ch = c as u8;
        t[c] = if ch.is_ascii_alphabetic() {
            LETTER
        } else if ch.is_ascii_digit() {
            DIGIT
        } else if ch.is_ascii_whitespace() && ch != b'\n' && ch != b'\r' && ch != b'\t' {
            SPACE
        } else {
            match ch {
                b',' | b';' | b'|' | b'/' | b'\\' | b':' | b'(' | b')' | b'[' | b']' | b'{' | b'}'
                | b'\n' | b'\r' | b'\t' | b'<' | b'>' | b'"' => HARD,
                _ => SOFT,
            }
        };
        c += 1;
    }
    t
};

fn sep_of(c: char) -> Sep {
    match c {
        ',' | ';' | '|' | '/' | '\\' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '\n' | '\r' | '\t' | '<'
        | '>' | '"' | '“' | '”' | '–' | '—' => Sep::Hard,
        c if c.is_whitespace() => Sep::Space,
        _ => Sep::Soft,
    }
}

impl Tokens {
    /// Replaces the content with the tokens of `s`.
    pub fn tokenize(&mut self, s: &str) {
        self.plain.clear();
        self.toned.clear();
        self.list.clear();
        let b = s.as_bytes();
        let n = b.len();
        let mut i = 0;
        let mut pending = Sep::Hard;
        let letters = table();
        loop {
            // Between tokens: gather the strongest separator.
            while i < n {
                let x = b[i];
                if x < 0x80 {
                    let k = ASCII[x as usize];
                    if k <= DIGIT {
                        break;
                    }
                    pending = pending.max(SEPS[(k - SPACE) as usize]);
                    i += 1;
                    continue;
                }
                let c = s[i..].chars().next().expect("char boundary");
                match fold_non_ascii(letters, c) {
                    Letter::Alnum { .. } => break,
                    // A stray combining mark with no letter before it carries nothing.
                    Letter::Combining { .. } => {}
                    Letter::Other => pending = pending.max(sep_of(c)),
                }
                i += c.len_utf8();
            }
            if i >= n {
                break;
            }
            // One token: a run of letters, or of digits ("Q1" is "q" then "1").
            let start = i;
            let first_digit = b[i].is_ascii_digit();
            let mut o = Open {
                start,
                sep: pending,
                digit: first_digit,
                tone: Tone::Level,
                plain0: self.plain.len(),
                toned0: None,
            };
            let mut boundary = false;
            while i < n {
                let x = b[i];
                if x < 0x80 {
                    let k = ASCII[x as usize];
                    if k > DIGIT {
                        break;
                    }
                    if (k == DIGIT) != first_digit {
                        boundary = true;
                        break;
                    }
                    let lower = x.to_ascii_lowercase() as char;
                    self.plain.push(lower);
                    if o.toned0.is_some() {
                        self.toned.push(lower);
                    }
                    i += 1;
                    continue;
                }
                let c = s[i..].chars().next().expect("char boundary");
                match fold_non_ascii(letters, c) {
                    Letter::Alnum { base, mark, tone } => {
                        if base.is_ascii_digit() != first_digit {
                            boundary = true;
                            break;
                        }
                        self.plain.push(base as char);
                        if o.toned0.is_some() {
                            self.toned.push(base as char);
                        }
                        o.apply(&self.plain, &mut self.toned, mark, tone);
                    }
                    Letter::Combining { mark, tone } => o.apply(&self.plain, &mut self.toned, mark, tone),
                    Letter::Other => break,
                }
                i += c.len_utf8();
            }
            self.close(Some(o), i);
            pending = if boundary { Sep::None } else { Sep::Space };
        }
    }

    fn close(&mut self, open: Option<Open>, end: usize) {
        let Some(o) = open else { return };
        let plain = (o.plain0 as u32, self.plain.len() as u32);
        let toned = match o.toned0 {
            Some(t0) => {
                if let Some(d) = tone_digit(o.tone) {
                    self.toned.push(d);
                }
                (t0 as u32, self.toned.len() as u32)
            }
            // Without marks the toned form is the plain one: nothing copied.
            None => (u32::MAX, u32::MAX),
        };
        self.list.push(Token {
            start: o.start as u32,
            end: end as u32,
            sep: o.sep,
            marked: o.toned0.is_some(),
            numeric: o.digit,
            plain,
            toned,
        });
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn get(&self, i: usize) -> &Token {
        &self.list[i]
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Token> {
        self.list.iter()
    }

    /// Folded form: lowercase ASCII letters or digits.
    pub fn plain(&self, t: &Token) -> &str {
        &self.plain[t.plain.0 as usize..t.plain.1 as usize]
    }

    /// Tone-canonical form (see [`crate::tone_key`]).
    pub fn toned(&self, t: &Token) -> &str {
        if t.toned.0 == u32::MAX {
            return self.plain(t);
        }
        &self.toned[t.toned.0 as usize..t.toned.1 as usize]
    }
}

struct Open {
    start: usize,
    sep: Sep,
    digit: bool,
    tone: Tone,
    plain0: usize,
    /// Where the toned form starts, once the token has shown a mark or tone.
    toned0: Option<usize>,
}

impl Open {
    fn apply(&mut self, plain: &str, toned: &mut String, mark: Mark, tone: Tone) {
        let symbol = mark_symbol(mark);
        if symbol.is_none() && tone == Tone::Level {
            return;
        }
        if self.toned0.is_none() {
            self.toned0 = Some(toned.len());
            toned.push_str(&plain[self.plain0..]);
        }
        if let Some(m) = symbol {
            toned.push(m);
        }
        if tone != Tone::Level {
            self.tone = tone;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plains(s: &str) -> Vec<String> {
        let mut t = Tokens::default();
        t.tokenize(s);
        t.iter().map(|k| t.plain(k).to_string()).collect()
    }

    #[test]
    fn splits_abbreviations_and_numbers() {
        assert_eq!(plains("P.5, Q.10, TP.HCM"), ["p", "5", "q", "10", "tp", "hcm"]);
        assert_eq!(plains("F5 Q1"), ["f", "5", "q", "1"]);
        assert_eq!(plains("Đắk R'Lấp"), ["dak", "r", "lap"]);
    }

    #[test]
    fn records_separators_and_offsets() {
        let s = "Xã Mường Bú, Sơn La";
        let mut t = Tokens::default();
        t.tokenize(s);
        let seps: Vec<Sep> = t.iter().map(|k| k.sep).collect();
        assert_eq!(seps, [Sep::Hard, Sep::Space, Sep::Space, Sep::Hard, Sep::Space]);
        let third = t.get(2);
        assert_eq!(&s[third.start as usize..third.end as usize], "Bú");
        assert!(third.marked);
        assert!(!t.get(4).marked || t.plain(t.get(4)) == "la");
    }

    #[test]
    fn empty_and_symbol_only_inputs_have_no_tokens() {
        assert!(plains("").is_empty());
        assert!(plains(" ,,; -- ").is_empty());
        assert!(plains("😀中文").is_empty());
    }
}
