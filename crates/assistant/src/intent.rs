//! What part of a procedure the citizen asks about: which one, the documents, the time, the fee,
//! where to go, whether it can be done online, or who is eligible.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Asks {
    WhichProcedure,
    Documents,
    Time,
    Fee,
    Where,
    HowOnline,
    Eligibility,
}

impl Asks {
    pub fn code(self) -> &'static str {
        match self {
            Asks::WhichProcedure => "which_procedure",
            Asks::Documents => "documents",
            Asks::Time => "time",
            Asks::Fee => "fee",
            Asks::Where => "where",
            Asks::HowOnline => "how_online",
            Asks::Eligibility => "eligibility",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Asks::WhichProcedure => "thủ tục cần làm",
            Asks::Documents => "hồ sơ cần chuẩn bị",
            Asks::Time => "thời hạn giải quyết",
            Asks::Fee => "phí, lệ phí",
            Asks::Where => "nơi nộp hồ sơ",
            Asks::HowOnline => "nộp trực tuyến",
            Asks::Eligibility => "điều kiện, đối tượng",
        }
    }
}

/// Phrases (analysed, folded) that say what is asked, most specific first. A `*` stands for any
/// one to three syllables.
const CUES: &[(Asks, &[&str])] = &[
    (
        Asks::WhichProcedure,
        &[
            "lam giay to gi",
            "lam giay gi",
            "lam thu tuc gi",
            "thu tuc gi",
            "phai lam gi",
            "thu tuc ra sao",
            "thu tuc the nao",
        ],
    ),
    (
        Asks::Fee,
        &[
            "bao nhieu tien",
            "mat tien",
            "ton tien",
            "le phi",
            "phi bao nhieu",
            "mat phi",
            "mien phi",
            "het bao nhieu",
            "bao nhieu mot ban",
            "bao nhieu 1 ban",
            "tien 1",
            "phi",
            "chi phi",
        ],
    ),
    (
        Asks::Time,
        &[
            "bao lau",
            "may ngay",
            "bao nhieu ngay",
            "khi nao co",
            "thoi han",
            "han chot",
            "bao gio co",
            "mat may",
            "lau khong",
            "trong bao",
        ],
    ),
    (
        Asks::Documents,
        &[
            "giay to gi",
            "giay gi",
            "can gi",
            "mang gi",
            "mang theo",
            "ho so gom",
            "gom nhung gi",
            "gom gi",
            "can nhung gi",
            "chuan bi gi",
            "nop gi",
            "ho so * gi",
            "can * giay",
            "giay to can",
            "can giay",
            "thanh phan ho so",
            "ho so gi",
            "can ho so",
            "giay to nao",
        ],
    ),
    (
        Asks::HowOnline,
        &[
            "online",
            "truc tuyen",
            "qua mang",
            "tren mang",
            "vneid",
            "dich vu cong",
            "bang cach nao",
            "qua app",
        ],
    ),
    (
        Asks::Where,
        &[
            "o dau",
            "cho nao",
            "noi nao",
            "co quan nao",
            "len tinh",
            "xa hay",
            "phuong hay",
            "nop o",
            "lam o",
            "ve que",
            "bao ai",
            "ai giai quyet",
            "tai dau",
            "dau a",
            "o xa duoc",
        ],
    ),
    (
        Asks::Eligibility,
        &[
            "co duoc khong",
            "duoc khong",
            "co phai * khong",
            "co can * khong",
            "co duoc",
            "du dieu kien",
            "dieu kien gi",
            "dieu kien de",
            "dieu kien * la gi",
            "dieu kien la gi",
            "dieu kien nao",
            "nhung dieu kien",
            "can dieu kien",
            "tieu chuan gi",
        ],
    ),
];

fn matches_at(words: &[String], cue: &[&str], i: usize) -> Option<usize> {
    let mut j = i;
    let mut k = 0;
    while k < cue.len() {
        if cue[k] == "*" {
            let rest = &cue[k + 1..];
            return (1..=3).find_map(|skip| matches_at(words, rest, j + skip));
        }
        if words.get(j).map(String::as_str) != Some(cue[k]) {
            return None;
        }
        j += 1;
        k += 1;
    }
    Some(j)
}

/// Marks in `used` the syllables of every occurrence of `cue`; whether there was one.
fn find(words: &[String], cue: &str, used: &mut [bool]) -> bool {
    let cue: Vec<&str> = cue.split(' ').collect();
    let mut any = false;
    for i in 0..words.len() {
        if let Some(end) = matches_at(words, &cue, i) {
            any = true;
            // Only the cue's own words: a `*` gap may hold the subject of the question.
            let fixed = cue.iter().filter(|c| **c != "*").count();
            for (k, u) in used[i..end].iter_mut().enumerate() {
                if k < fixed - 1 || i + k == end - 1 {
                    *u = true;
                }
            }
        }
    }
    any
}

/// Everything asked, in the order of [`CUES`] (`WhichProcedure` when nothing else is), and
/// which syllables said so: they are about the question's form, not its subject.
pub fn detect(words: &[String]) -> (Vec<Asks>, Vec<bool>) {
    let mut used = vec![false; words.len()];
    let mut out = vec![];
    for (asks, cues) in CUES {
        let mut hit = false;
        for c in *cues {
            hit |= find(words, c, &mut used);
        }
        if hit && !out.contains(asks) {
            out.push(*asks);
        }
    }
    if out.is_empty() {
        out.push(Asks::WhichProcedure);
    }
    (out, used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;

    fn asks(q: &str) -> Vec<Asks> {
        detect(&Analyzer::default().words(q)).0
    }

    #[test]
    fn cue_words_are_marked_but_not_the_subject_in_a_gap() {
        let a = Analyzer::default();
        let w = a.words("hồ sơ khai sinh gồm gì");
        let (_, used) = detect(&w);
        assert_eq!(used, [true, true, false, false, true, true]);
    }

    #[test]
    fn finds_what_is_asked() {
        assert_eq!(asks("lam giay khai sinh mat bao lau"), [Asks::Time]);
        assert_eq!(asks("Đăng ký khai sinh có mất tiền không?"), [Asks::Fee]);
        assert_eq!(asks("kết hôn cần mang gì theo vậy ad"), [Asks::Documents]);
        assert_eq!(asks("xin giay xac nhan doc than o dau ad oi"), [Asks::Where]);
        assert_eq!(asks("đăng ký tạm trú trên VNeID được không"), [Asks::HowOnline, Asks::Eligibility]);
        assert_eq!(asks("Con tôi mới sinh, giờ phải làm giấy tờ gì?")[0], Asks::WhichProcedure);
        assert_eq!(asks("Hồ sơ xin phép xây nhà gồm những gì?"), [Asks::Documents]);
        assert_eq!(asks("khai tử"), [Asks::WhichProcedure]);
        assert_eq!(asks("Điều kiện để được cấp giấy phép lái tàu là gì?"), [Asks::Eligibility]);
        assert_eq!(asks("Muốn làm công chứng viên thì cần những điều kiện gì?"), [Asks::Eligibility]);
        assert_eq!(asks("xin cấp lại giấy phép thì cần hồ sơ gì?"), [Asks::Documents]);
    }
}
