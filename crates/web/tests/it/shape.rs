//! The web crate's shape: capabilities stand on the shared layer and never import each other,
//! so that a check lives in one place (an extractor, a router's guard) and a capability can be
//! read, changed or removed alone.

use std::path::{Path, PathBuf};

/// The shared layer: what every capability may use.
const LAYER: &[&str] =
    &["auth", "error", "extract", "headers", "limits", "live", "observe", "uploads", "view"];

fn capabilities(src: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_string();
            (p.is_dir() || p.extension()? == "rs").then_some(stem)
        })
        .filter(|n| n != "lib" && !LAYER.contains(&n.as_str()))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn files_of(src: &Path, name: &str) -> Vec<PathBuf> {
    let file = src.join(format!("{name}.rs"));
    if file.exists() {
        return vec![file];
    }
    std::fs::read_dir(src.join(name)).unwrap().map(|e| e.unwrap().path()).collect()
}

#[test]
fn capabilities_import_the_shared_layer_never_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let caps = capabilities(&src);
    assert!(caps.len() >= 8, "the capabilities were found: {caps:?}");
    let mut crossings = vec![];
    for cap in &caps {
        for file in files_of(&src, cap) {
            let text = std::fs::read_to_string(&file).unwrap();
            for other in caps.iter().filter(|o| *o != cap) {
                if text.contains(&format!("crate::{other}::")) || text.contains(&format!("crate::{{{other}"))
                {
                    crossings.push(format!("{} uses {other}", file.display()));
                }
            }
        }
    }
    assert!(crossings.is_empty(), "capabilities importing each other: {crossings:#?}");
}

#[test]
fn the_shared_layer_imports_no_capability() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let caps = capabilities(&src);
    let mut crossings = vec![];
    for layer in LAYER {
        let text = std::fs::read_to_string(src.join(format!("{layer}.rs"))).unwrap();
        for cap in &caps {
            if text.contains(&format!("crate::{cap}::")) {
                crossings.push(format!("{layer} uses {cap}"));
            }
        }
    }
    assert!(crossings.is_empty(), "the shared layer importing a capability: {crossings:#?}");
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn markup_comes_from_templates_never_from_format() {
    // Escaping is the templates' job: markup assembled in Rust is where a citizen's text would
    // slip through unescaped.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    sources(&src, &mut files);
    let tag = |line: &str| {
        line.match_indices('<').any(|(i, _)| line[i + 1..].starts_with(|c: char| c.is_ascii_lowercase()))
    };
    let mut found = vec![];
    for f in files {
        for (n, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            if (line.contains("format!(") || line.contains("push_str(")) && line.contains('"') && tag(line) {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "markup built by hand: {found:#?}");
}
