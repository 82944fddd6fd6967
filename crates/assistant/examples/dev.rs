use assistant::Assistant;
use domain::catalog::Catalog;
fn main() {
    let cat = Catalog::builtin();
    let a = Assistant::new(cat.procedures.clone(), &[], vec![]);
    let path = std::env::args().nth(1).unwrap();
    let (mut t1, mut t3, mut n, mut oos, mut abst_oos, mut abst_in) = (0, 0, 0, 0, 0, 0);
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let q = v["question"].as_str().unwrap();
        let labels: Vec<String> = v["labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
        let r = a.ask(q, |_| None);
        let codes: Vec<&str> = r.matches.iter().map(|m| m.code.as_str()).collect();
        let ok1 = codes.first().map_or(false, |c| labels.iter().any(|l| l == c));
        let ok3 = codes.iter().take(3).any(|c| labels.iter().any(|l| l == c));
        if labels.is_empty() { oos += 1; if !r.confident { abst_oos += 1; } } else { n += 1; if ok1 { t1 += 1 } if ok3 { t3 += 1 } if !r.confident { abst_in += 1 } }
        let mark = if labels.is_empty() { "OOS" } else if ok1 { "ok " } else if ok3 { "t3 " } else { "XX " };
        println!("{mark} {} top={:.1} 2nd={:.1} cov={:.2} anc={:.2} {:?} unk={:?} asks={} | {} | got {:?} want {:?}", if r.confident {"C"} else {"-"}, r.signals.top, r.signals.second, r.signals.coverage, r.signals.anchor, r.signals.anchor_term, r.signals.unknown, r.asks.code(), q, codes.iter().take(3).collect::<Vec<_>>(), labels);
    }
    println!("top1 {t1}/{n} top3 {t3}/{n} abstain oos {abst_oos}/{oos} abstain answerable {abst_in}/{n}");
}
