//! Reading input line by line in constant memory, whatever the file holds.

use std::io::{self, BufRead};

/// The longest line kept; the rest of a longer line is skipped (and the line reported).
pub const MAX_LINE: usize = 64 * 1024;

pub enum Line<'a> {
    Text(&'a str),
    InvalidUtf8,
    TooLong,
}

/// Reads the next line (without its `\n` or `\r\n`) into `buf`, keeping at most [`MAX_LINE`]
/// bytes of it. Returns `None` at the end of input.
pub fn next_line<'a, R: BufRead>(r: &mut R, buf: &'a mut Vec<u8>) -> io::Result<Option<Line<'a>>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        if take > room {
            too_long = true;
        }
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(if done { take + 1 } else { take });
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if too_long {
        return Ok(Some(Line::TooLong));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(match std::str::from_utf8(buf) {
        Ok(s) => Line::Text(s),
        Err(_) => Line::InvalidUtf8,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Vec<String> {
        let mut r = io::BufReader::with_capacity(16, input);
        let mut buf = vec![];
        let mut out = vec![];
        while let Some(l) = next_line(&mut r, &mut buf).unwrap() {
            out.push(match l {
                Line::Text(s) => s.to_string(),
                Line::InvalidUtf8 => "<utf8>".into(),
                Line::TooLong => "<long>".into(),
            });
        }
        out
    }

    #[test]
    fn keeps_every_line_in_order() {
        assert_eq!(all(b"a\r\n\nb\xff\nc"), ["a", "", "<utf8>", "c"]);
        let mut big = vec![b'x'; MAX_LINE + 10];
        big.extend_from_slice(b"\nok\n");
        assert_eq!(all(&big), ["<long>", "ok"]);
        assert!(all(b"").is_empty());
    }
}
