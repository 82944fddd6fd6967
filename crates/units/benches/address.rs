//! Parser benchmarks: `cargo bench -p units --bench address`.
//!
//! Inputs are built from the registry itself (every old commune's canonical address, and the
//! same without accents and types), so the benchmark needs no data file.

use units::{registry, AddressParser};

fn main() {
    divan::main();
}

fn canonical_old() -> Vec<String> {
    let r = registry();
    r.legacy_communes
        .iter()
        .map(|c| {
            let d = r.district_of(c);
            format!("12 Trần Phú, {}, {}, {}", c.name, d.name, r.legacy_province_of(d).name)
        })
        .collect()
}

fn messy() -> Vec<String> {
    canonical_old()
        .iter()
        .map(|s| {
            let plain = vi_text::fold(s);
            plain.replace("phuong ", "p.").replace("xa ", "").replace("huyen ", "h.").replace("tinh ", "")
        })
        .collect()
}

#[divan::bench(sample_count = 20)]
fn convert_canonical_old(b: divan::Bencher) {
    let inputs = canonical_old();
    let mut p = AddressParser::new();
    b.counter(divan::counter::ItemsCount::new(inputs.len())).bench_local(|| {
        for s in &inputs {
            divan::black_box(p.convert(s));
        }
    });
}

#[divan::bench(sample_count = 20)]
fn convert_messy_old(b: divan::Bencher) {
    let inputs = messy();
    let mut p = AddressParser::new();
    b.counter(divan::counter::ItemsCount::new(inputs.len())).bench_local(|| {
        for s in &inputs {
            divan::black_box(p.convert(s));
        }
    });
}

#[divan::bench(sample_count = 20)]
fn tokenize(b: divan::Bencher) {
    let inputs = canonical_old();
    let mut t = vi_text::Tokens::default();
    b.counter(divan::counter::ItemsCount::new(inputs.len())).bench_local(|| {
        for s in &inputs {
            t.tokenize(s);
            divan::black_box(t.len());
        }
    });
}
