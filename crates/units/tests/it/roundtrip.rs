//! Every official name, written in the usual styles, converts to its own code; every old
//! commune's canonical address converts to the commune it became.

use units::{registry, AddressForm, AddressParser};

fn strip_marks(s: &str) -> String {
    // Keep case and spacing, drop tones and marks: "Phường Bến Nghé" → "Phuong Ben Nghe".
    s.chars()
        .map(|c| match vi_text::fold_char(c) {
            vi_text::Letter::Alnum { base, .. } if c.is_uppercase() => (base as char).to_ascii_uppercase(),
            vi_text::Letter::Alnum { base, .. } => base as char,
            _ => c,
        })
        .collect()
}

fn core(name: &str) -> &str {
    ["Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Tỉnh ", "Thành phố ", "Quận ", "Huyện ", "Thị xã "]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
}

fn abbreviated(name: &str) -> String {
    for (long, short) in [
        ("Phường ", "P. "),
        ("Xã ", "X. "),
        ("Thị trấn ", "TT. "),
        ("Tỉnh ", "T. "),
        ("Thành phố ", "TP. "),
        ("Quận ", "Q. "),
        ("Huyện ", "H. "),
        ("Thị xã ", "TX. "),
    ] {
        if let Some(rest) = name.strip_prefix(long) {
            return format!("{short}{rest}");
        }
    }
    name.to_string()
}

#[test]
fn every_new_commune_in_every_style_converts_to_itself() {
    let r = registry();
    let mut p = AddressParser::new();
    let mut failures = vec![];
    for (i, c) in r.communes.iter().enumerate() {
        let prov = r.province_of(c);
        // Names that differ from another commune of the province only by accents or type word
        // cannot be told apart once those are dropped: those styles are skipped for them.
        let twin_unaccented = r
            .communes_of(prov.code)
            .unwrap()
            .any(|o| o.code != c.code && vi_text::fold(core(o.name)) == vi_text::fold(core(c.name)));
        let mut styles = vec![
            format!("{}, {}", c.name, prov.name),
            format!("{}, {}", abbreviated(c.name), abbreviated(prov.name)),
            format!("{} - {}", prov.name, c.name),
        ];
        if !twin_unaccented {
            styles.push(format!("{}, {}", strip_marks(c.name), strip_marks(prov.name)).to_lowercase());
            styles.push(format!("{}, {}", core(c.name), core(prov.name)));
        }
        for s in styles {
            let got = p.convert(&s);
            if got.commune != Some(i as u32) {
                failures.push(format!("{s} → {:?}", got.commune.map(|g| r.communes[g as usize].name)));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

#[test]
fn every_old_commune_canonical_address_converts_to_its_new_commune() {
    let r = registry();
    let mut p = AddressParser::new();
    let mut failures = vec![];
    for lc in &r.legacy_communes {
        let d = r.district_of(lc);
        let lp = r.legacy_province_of(d);
        // Two communes of one district whose names differ only by accents ("Hoằng Phú",
        // "Hoằng Phụ") cannot be told apart without them.
        let twin_unaccented = d.communes.iter().any(|&o| {
            let o = &r.legacy_communes[o as usize];
            o.code != lc.code && vi_text::fold(core(o.name)) == vi_text::fold(core(lc.name))
        });
        let mut styles = vec![format!("{}, {}, {}", lc.name, d.name, lp.name)];
        if !twin_unaccented {
            styles.push(format!(
                "{}, {}, {}",
                strip_marks(lc.name),
                strip_marks(d.name),
                strip_marks(lp.name)
            ));
        }
        for s in styles {
            let got = p.convert(&s);
            let ok = got.commune == Some(lc.new_default) && got.form == AddressForm::Old;
            if !ok {
                failures.push(format!(
                    "{s} → {:?} (expected {})",
                    got.commune.map(|g| r.communes[g as usize].name),
                    r.communes[lc.new_default as usize].name
                ));
            }
            if !lc.split.is_empty() {
                // The other communes it was split into are offered as alternatives.
                let alts: Vec<u32> = got.alternatives.iter().map(|a| a.commune).collect();
                for &n in lc.split.iter().filter(|&&n| n != lc.new_default) {
                    if !alts.contains(&n) {
                        failures.push(format!("{s}: split part {} not listed", r.communes[n as usize].name));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}
