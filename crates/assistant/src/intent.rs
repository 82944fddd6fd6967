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
            "mat bao nhieu tien",
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
            "mat bao lau",
            "mat bao nhieu ngay",
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
            // "… được không hay phải lên tỉnh?"
            "hay phai len",
            "hay phai ra",
            "hay phai ve",
            "hay phai den",
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
            "co bat buoc",
            "doi tuong nao",
            "nhung ai",
            "ai duoc",
        ],
    ),
    // Often said after another question ("làm ở đâu, theo thủ tục nào?"): that one first.
    (Asks::WhichProcedure, &["thu tuc nao"]),
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

/// Marks in `used` the syllables of a cue found at `at..end`: only the cue's own words, as a
/// `*` gap may hold the subject of the question.
fn mark(cue: &[&str], at: usize, end: usize, used: &mut [bool]) {
    let fixed = cue.iter().filter(|c| **c != "*").count();
    for (k, u) in used[at..end].iter_mut().enumerate() {
        if k < fixed - 1 || at + k == end - 1 {
            *u = true;
        }
    }
}

/// Words that "phí" begins without being a fee: "phi nông nghiệp", "phi chính phủ", "phi
/// thương mại", "phi mậu dịch", "phi ngân hàng", "phi lợi nhuận", "phi công", "phi cơ".
const NOT_FEE: &[&str] = &["nong", "chinh", "thuong", "mau", "ngan", "loi", "cong", "co", "vu"];
/// Words that "phí" ends without being the procedure's fee: "mai táng phí" (a benefit), "học
/// phí", "viện phí", "kinh phí" (what something costs or is funded with).
const NOT_FEE_AFTER: &[&str] = &["tang", "hoc", "vien", "kinh"];

/// Asking who: the conditions, whoever the question names.
const WHO: [&[&str]; 2] = [&["doi", "tuong", "nao"], &["nhung", "ai"]];

/// What "có được" asks when a benefit follows it: whether one qualifies ("có được miễn lệ phí
/// trước bạ không" asks who is exempt, not how much the fee is).
const BENEFITS: &[&str] = &["mien", "giam", "xet", "huong", "tro", "ho"];

/// Where the question proper begins: after the last "thì" that ends a topic ("…, muốn đề nghị
/// miễn phí thi hành án thì cần giấy tờ gì?"); "thì" folds with "thi" (an exam, "thi hành",
/// "thi công", "thi đua"). 0 when there is none.
fn question_start(words: &[String]) -> usize {
    const AFTER: &[&str] = &["hanh", "cong", "dua", "tuyen", "dau", "sat", "thu", "hoc", "lai", "nghiep"];
    const BEFORE: &[&str] = &["du", "ki", "cuoc", "de", "bai", "sat", "hoi"];
    let particle = |i: usize| {
        let next = words.get(i + 1).map_or("", String::as_str);
        let prev = if i > 0 { words[i - 1].as_str() } else { "" };
        words[i] == "thi" && !AFTER.contains(&next) && !BEFORE.contains(&prev)
    };
    (0..words.len()).rev().find(|&i| particle(i)).map_or(0, |i| i + 1)
}

/// What a cue found at `at` (its first syllable) is: not a cue at all ("phí" opening another
/// word: "phi nông nghiệp"), a cue that asks nothing (a time told, "thời hạn 2 năm", not
/// asked), or one that asks.
#[derive(PartialEq)]
enum Found {
    NotCue,
    Told,
    Asks,
}

fn found_at(words: &[String], cue: &str, at: usize) -> Found {
    let after = |n: usize| words.get(at + n).map_or("", String::as_str);
    let number = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let before = if at > 0 { words[at - 1].as_str() } else { "" };
    match cue {
        "phi" if NOT_FEE.contains(&after(1)) || NOT_FEE_AFTER.contains(&before) => Found::NotCue,
        // "giấy chứng nhận đủ điều kiện kinh doanh …" names a paper; it asks nothing.
        "du dieu kien" if before == "nhan" => Found::NotCue,
        "thoi han" if number(after(2)) => Found::Told,
        _ => Found::Asks,
    }
}

/// Everything asked, in the order of [`CUES`] (`WhichProcedure` when nothing else is), and
/// which syllables said so: they are about the question's form, not its subject. When the
/// question proper (after its last "thì") asks something, the cues told before it are part of
/// the subject ("miễn phí thi hành án", "chi phí") and ask nothing; they are still not words
/// to search by.
pub fn detect(words: &[String]) -> (Vec<Asks>, Vec<bool>) {
    let start = question_start(words);
    let mut used = vec![false; words.len()];
    // What each cue asks, with the position of its first syllable, in the order of CUES.
    let mut asked: Vec<(Asks, usize)> = vec![];
    for (asks, cues) in CUES {
        for c in *cues {
            let pattern: Vec<&str> = c.split(' ').collect();
            for at in 0..words.len() {
                let Some(end) = matches_at(words, &pattern, at) else { continue };
                let found = found_at(words, c, at);
                if found != Found::NotCue {
                    mark(&pattern, at, end, &mut used);
                }
                if found == Found::Asks {
                    asked.push((*asks, at));
                }
            }
        }
    }
    // "có … không" frames a yes-or-no question ("khai sinh có mất lệ phí không"): its "có" is
    // the question's form, not the "có" of a name ("khai sinh có yếu tố nước ngoài").
    for i in 0..words.len() {
        if words[i] == "co" && (i + 2..=i + 4).any(|j| words.get(j).is_some_and(|w| w == "khong")) {
            used[i] = true;
        }
    }
    let proper = asked.iter().any(|(_, at)| *at >= start);
    let mut out: Vec<Asks> = vec![];
    for (asks, at) in &asked {
        if (!proper || *at >= start) && !out.contains(asks) {
            out.push(*asks);
        }
    }
    if words.windows(3).any(|w| w[0] == "co" && w[1] == "duoc" && BENEFITS.contains(&w[2].as_str())) {
        out.retain(|a| *a != Asks::Eligibility);
        let at = out.iter().position(|a| *a != Asks::WhichProcedure).unwrap_or(out.len());
        out.insert(at, Asks::Eligibility);
    }
    // A question that opens with "Điều kiện" asks for the conditions, however long what follows;
    // one that asks who ("đối tượng nào", "những ai") asks who qualifies, whatever benefit it
    // names ("… được cấp thẻ bảo hiểm y tế miễn phí"). ("ai được" may ask who among heirs
    // while asking for the procedure: a cue, not first.)
    let who = WHO.iter().any(|w| words.windows(w.len()).any(|x| x == *w));
    if (words.len() > 2 && words[..2] == ["dieu", "kien"]) || who {
        out.retain(|a| *a != Asks::Eligibility);
        out.insert(0, Asks::Eligibility);
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
        // "mất bao lâu": its "mất" asks, it is no lost paper.
        let w = Analyzer::default().words("cấp giấy phép lái xe mất bao lâu");
        assert_eq!(detect(&w), (vec![Asks::Time], vec![false, false, false, false, false, true, true, true]));
        // "… được không hay phải lên (ra, về, đến) …" asks where.
        assert_eq!(asks("Ở xã có làm hộ chiếu được không hay phải lên công an tỉnh?")[0], Asks::Where);
        assert_eq!(asks("lam o phuong duoc khong hay phai ve que")[0], Asks::Where);
        // Who may: "đối tượng nào", "những ai", "ai được".
        assert_eq!(asks("Ai được hưởng trợ cấp thai sản?"), [Asks::Eligibility]);
        assert_eq!(asks("Đối tượng nào được hưởng trợ cấp xã hội hàng tháng?"), [Asks::Eligibility]);
        assert_eq!(asks("nhung ai duoc cap the bao hiem y te mien phi")[0], Asks::Eligibility);
    }

    #[test]
    fn the_question_proper_is_what_follows_its_last_thi() {
        // A fee, a cost, a time told before "thì" are the subject, not what is asked.
        assert_eq!(
            asks("Tôi thuộc diện neo đơn, muốn đề nghị miễn phí thi hành án thì cần giấy tờ gì?"),
            [Asks::Documents]
        );
        assert_eq!(asks("Đi khám tự trả chi phí, giờ muốn được thanh toán thì nộp ở đâu?"), [Asks::Where]);
        // "thi hành" is no "thì"; nor is an exam.
        assert_eq!(asks("thi hành án dân sự có mất phí không"), [Asks::Fee]);
        // Nothing asked after it: what comes before counts.
        assert_eq!(asks("mất bao lâu thì có kết quả?"), [Asks::Time]);
        // A time told asks nothing.
        assert_eq!(
            asks("Công ty vay vốn nước ngoài thời hạn 2 năm, có phải đăng ký không, thủ tục nào?"),
            [Asks::Eligibility, Asks::WhichProcedure]
        );
        assert_eq!(asks("thời hạn giải quyết là bao lâu"), [Asks::Time]);
    }

    #[test]
    fn the_co_of_a_yes_or_no_question_is_its_form() {
        let a = Analyzer::default();
        let w = a.words("đăng ký khai sinh có mất lệ phí không");
        assert!(detect(&w).1[4], "\"có … không\" asks; its \"có\" is no word of a name");
        // "có" with no "không" to close it near is the name's own.
        let w = a.words("đăng ký khai sinh có yếu tố nước ngoài ở đâu");
        assert!(!detect(&w).1[4]);
    }

    #[test]
    fn a_word_that_phi_begins_is_no_fee() {
        let a = Analyzer::default();
        let w = a.words("khai thuế sử dụng đất phi nông nghiệp nộp tờ khai ở đâu");
        let (asked, used) = detect(&w);
        assert_eq!(asked, [Asks::Where]);
        assert!(!used[5], "\"phi\" stays a word to search by");
        assert_eq!(asks("lệ phí cấp phép bao nhiêu"), [Asks::Fee]);
        // "phí" ending another word: a benefit, a cost, funds.
        assert_eq!(asks("hỗ trợ mai táng phí cho người có công ở đâu"), [Asks::Where]);
        assert_eq!(asks("xin miễn giảm học phí cho con làm thủ tục gì")[0], Asks::WhichProcedure);
    }

    #[test]
    fn a_benefit_asked_with_co_duoc_asks_who_qualifies() {
        assert_eq!(
            asks("Bố mẹ tặng đất cho con thì có được miễn lệ phí trước bạ không?")[0],
            Asks::Eligibility
        );
        assert_eq!(asks("người nghèo có được trợ giúp pháp lý miễn phí không")[0], Asks::Eligibility);
        assert_eq!(asks("lệ phí trước bạ nhà đất là bao nhiêu")[0], Asks::Fee);
        assert_eq!(
            asks("Điều kiện dự thi lấy chứng chỉ nghiệp vụ khai hải quan là gì?"),
            [Asks::Eligibility]
        );
        assert_eq!(asks("ô tô sơn lại màu có bắt buộc đổi đăng ký xe không"), [Asks::Eligibility]);
        // A paper's name says "đủ điều kiện"; it asks nothing.
        assert_eq!(asks("cấp giấy chứng nhận đủ điều kiện kinh doanh thuốc thú y"), [Asks::WhichProcedure]);
        assert_eq!(asks("cơ sở đủ điều kiện thì được cấp không")[0], Asks::Eligibility);
    }
}
