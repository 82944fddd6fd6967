//! A stream whose data ends with a carriage return, made unambiguous.
//!
//! The PDF writer ends every stream with LF `endstream`. When the (compressed) data happens to
//! end with CR, a reader takes CR LF as the end-of-line marker and counts one byte fewer than
//! the stream's /Length, which PDF/A forbids (ISO 19005-2, 6.1.7.1): about one paper in two
//! hundred failed a validator. Such a stream gets one more CR, so the marker is CR LF and the
//! data keeps its own CR; the cross-reference offsets after it move by a byte each.

use crate::PdfError;

const END: &[u8] = b"\r\nendstream";

/// The file with every ambiguous stream end mended; the bytes unchanged when there is none.
pub(crate) fn mend(pdf: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    // Where the writer's LF follows data ending with CR (the LF's index).
    let at: Vec<usize> =
        pdf.windows(END.len()).enumerate().filter(|(_, w)| *w == END).map(|(i, _)| i + 1).collect();
    if at.is_empty() {
        return Ok(pdf);
    }
    let moved = |offset: usize| offset + at.partition_point(|&i| i <= offset);
    let mut out = Vec::with_capacity(pdf.len() + at.len());
    let mut from = 0;
    for &i in &at {
        out.extend_from_slice(&pdf[from..i]);
        out.push(b'\r');
        from = i;
    }
    out.extend_from_slice(&pdf[from..]);

    let broken = || PdfError("bảng tham chiếu chéo không đọc được".into());
    let start_key = out.windows(10).rposition(|w| w == b"startxref\n").ok_or_else(broken)? + 10;
    let digits = out[start_key..].iter().take_while(|b| b.is_ascii_digit()).count();
    let xref: usize = std::str::from_utf8(&out[start_key..start_key + digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(broken)?;
    let xref = moved(xref);
    let new_start = xref.to_string();
    if !out.get(xref..).is_some_and(|t| t.starts_with(b"xref\n")) {
        return Err(broken());
    }
    // Subsections ("first count" then count entries of 20 bytes) until the trailer.
    let mut p = xref + 5;
    while !out[p..].starts_with(b"trailer") {
        let line_end = p + out[p..].iter().position(|&b| b == b'\n').ok_or_else(broken)?;
        let header = std::str::from_utf8(&out[p..line_end]).map_err(|_| broken())?;
        let count: usize =
            header.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(broken)?;
        p = line_end + 1;
        for _ in 0..count {
            let entry = out.get(p..p + 20).ok_or_else(broken)?;
            if entry[17] == b'n' {
                let offset: usize =
                    std::str::from_utf8(&entry[..10]).ok().and_then(|s| s.parse().ok()).ok_or_else(broken)?;
                out[p..p + 10].copy_from_slice(format!("{:010}", moved(offset)).as_bytes());
            }
            p += 20;
        }
    }
    out.splice(start_key..start_key + digits, new_start.into_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-object file whose first stream holds `data`, laid out as the writer does.
    fn sample(data: &str) -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let one = pdf.len();
        pdf.extend_from_slice(
            format!("1 0 obj\n<</Length 4>>\nstream\n{data}\nendstream\nendobj\n").as_bytes(),
        );
        let two = pdf.len();
        pdf.extend_from_slice(b"2 0 obj\n<</Length 2>>\nstream\nok\nendstream\nendobj\n");
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!(
                "xref\n0 3\n0000000000 65535 f\r\n{one:010} 00000 n\r\n{two:010} 00000 n\r\ntrailer\n<</Size 3>>\nstartxref\n{xref}\n%%EOF"
            )
            .as_bytes(),
        );
        pdf
    }

    fn offsets(pdf: &[u8]) -> Vec<usize> {
        let text = String::from_utf8_lossy(pdf);
        let table = &text[text.rfind("xref\n0 3\n").unwrap()..];
        let mut found: Vec<usize> = table.lines().skip(3).take(2).map(|l| l[..10].parse().unwrap()).collect();
        found.push(text[text.rfind("startxref\n").unwrap() + 10..].lines().next().unwrap().parse().unwrap());
        found
    }

    #[test]
    fn a_stream_ending_with_cr_gets_its_own_end_of_line_and_every_offset_after_it_moves() {
        let before = sample("abc\r");
        let after = mend(before.clone()).unwrap();
        assert_eq!(after.len(), before.len() + 1);
        assert!(after.windows(15).any(|w| w == b"abc\r\r\nendstream"));
        // Each offset still points at its object (and the table), in both files.
        for pdf in [&before, &after] {
            let [one, two, xref] = offsets(pdf)[..] else { panic!() };
            assert!(pdf[one..].starts_with(b"1 0 obj") && pdf[two..].starts_with(b"2 0 obj"));
            assert!(pdf[xref..].starts_with(b"xref\n"));
        }
        assert_eq!(offsets(&after)[0], offsets(&before)[0], "the object before the stream stays");
    }

    #[test]
    fn a_file_without_such_a_stream_is_returned_as_it_was() {
        let plain = sample("abcd");
        assert_eq!(mend(plain.clone()).unwrap(), plain);
    }

    #[test]
    fn a_table_that_cannot_be_read_is_an_error_not_a_file_with_wrong_offsets() {
        let broken =
            String::from_utf8_lossy(&sample("abc\r")).replace("startxref\n", "startxref\n9").into_bytes();
        assert!(mend(broken).is_err());
    }
}
