//! Who may take which action on a dossier: the one-stop division of work as one table.
//!
//! Decree 118/2025/NĐ-CP (which replaced Decrees 61/2018 and 107/2021 on 1 July 2025) gives a
//! dossier's life to three seats: the one-stop officer of the unit that received it, the
//! specialist of the unit that handles it now, and the head of that unit, who decides. An
//! account's role says which seat it holds and at which tier; its unit says where. Every door
//! (API, pages, CLI) asks [`permit`]; docs/roles.md is this table in prose.

use crate::roles::Role;
use errors::Code;
use serde::Serialize;

/// A seat of the one-stop mechanism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seat {
    /// Bộ phận Một cửa: receives, checks, issues the receipt, refuses, returns the result.
    OneStop,
    /// Công chức chuyên môn (commune) or chuyên viên sở, ngành (province): processes.
    Specialist,
    /// Chủ tịch, phó chủ tịch UBND xã, or the province's leadership: decides.
    Leader,
}

/// Which of the dossier's units the seat must be at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Desk {
    /// The unit that received the dossier (and returns its result).
    Receiving,
    /// The unit handling it now (after a transfer, the one it was sent to).
    Handling,
}

/// One row of the matrix: `seat` at `desk` may take `action`, because of `basis`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub action: &'static str,
    pub seat: Seat,
    pub desk: Desk,
    /// The rule that gives the seat this work (cited in docs/roles.md).
    pub basis: &'static str,
}

const RECEIPT: &str =
    "NĐ 118/2025/NĐ-CP, tiếp nhận hồ sơ tại Bộ phận Một cửa (trước đây Điều 15 NĐ 61/2018/NĐ-CP)";
const TRANSFER: &str =
    "NĐ 118/2025/NĐ-CP, chuyển hồ sơ đến cơ quan có thẩm quyền (trước đây Điều 16 NĐ 61/2018/NĐ-CP)";
const RESOLUTION: &str =
    "NĐ 118/2025/NĐ-CP, giải quyết thủ tục hành chính (trước đây Điều 17 NĐ 61/2018/NĐ-CP)";
const RETURN: &str = "NĐ 118/2025/NĐ-CP, trả hồ sơ, kết quả giải quyết (trước đây Điều 18 NĐ 61/2018/NĐ-CP)";
const FEES: &str =
    "NĐ 118/2025/NĐ-CP, thu phí, lệ phí, nghĩa vụ tài chính tại Bộ phận Một cửa; quy định của thủ tục";
const APOLOGY: &str = "NĐ 118/2025/NĐ-CP, hồ sơ quá hạn: văn bản xin lỗi và hẹn lại ngày trả (Mẫu 04) do cơ quan có thẩm quyền ký";
const SIGNING: &str = "Luật Giao dịch điện tử 20/2023/QH15; NĐ 118/2025/NĐ-CP: kết quả giải quyết điện tử do người có thẩm quyền ký số";
const SEAL: &str = "NĐ 30/2020/NĐ-CP về công tác văn thư: văn bản điện tử của cơ quan có chữ ký số của người có thẩm quyền và chữ ký số của cơ quan, do văn thư cơ quan (ở xã: Văn phòng HĐND và UBND, nơi đặt Bộ phận Một cửa) thực hiện";
const CORRECTION: &str =
    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 (quyền chỉnh sửa dữ liệu); NĐ 13/2023/NĐ-CP Điều 9";

/// The matrix: every action a person may take on a dossier, who may take it, and why.
/// An action not listed for a seat is refused to it; administrators hold no seat.
pub const MATRIX: &[Grant] = &[
    Grant { action: "receive", seat: Seat::OneStop, desk: Desk::Receiving, basis: RECEIPT },
    Grant { action: "refuse", seat: Seat::OneStop, desk: Desk::Receiving, basis: RECEIPT },
    // At intake the desk asks the citizen to complete the file (Mẫu 02); once it is being
    // processed, the specialist asks, through the desk.
    Grant { action: "request_supplement", seat: Seat::OneStop, desk: Desk::Receiving, basis: RECEIPT },
    Grant { action: "request_supplement", seat: Seat::Specialist, desk: Desk::Handling, basis: RESOLUTION },
    Grant { action: "supplement_received", seat: Seat::OneStop, desk: Desk::Receiving, basis: RECEIPT },
    Grant { action: "request_payment", seat: Seat::OneStop, desk: Desk::Receiving, basis: FEES },
    Grant { action: "payment_received", seat: Seat::OneStop, desk: Desk::Receiving, basis: FEES },
    Grant { action: "return_result", seat: Seat::OneStop, desk: Desk::Receiving, basis: RETURN },
    Grant { action: "withdraw", seat: Seat::OneStop, desk: Desk::Receiving, basis: RETURN },
    Grant { action: "correct_applicant", seat: Seat::OneStop, desk: Desk::Receiving, basis: CORRECTION },
    Grant { action: "assign", seat: Seat::Specialist, desk: Desk::Handling, basis: RESOLUTION },
    Grant { action: "assign", seat: Seat::Leader, desk: Desk::Handling, basis: RESOLUTION },
    Grant { action: "transfer", seat: Seat::Specialist, desk: Desk::Handling, basis: TRANSFER },
    Grant { action: "propose", seat: Seat::Specialist, desk: Desk::Handling, basis: RESOLUTION },
    Grant { action: "draft_extension", seat: Seat::Specialist, desk: Desk::Handling, basis: APOLOGY },
    Grant { action: "approve", seat: Seat::Leader, desk: Desk::Handling, basis: RESOLUTION },
    Grant { action: "deny", seat: Seat::Leader, desk: Desk::Handling, basis: RESOLUTION },
    Grant { action: "sign_result", seat: Seat::Leader, desk: Desk::Handling, basis: SIGNING },
    Grant { action: "sign_apology", seat: Seat::Leader, desk: Desk::Handling, basis: APOLOGY },
    // The agency's seal goes on the handling unit's result, applied at its own desk.
    Grant { action: "seal_result", seat: Seat::OneStop, desk: Desk::Handling, basis: SEAL },
    Grant { action: "extend", seat: Seat::Leader, desk: Desk::Handling, basis: APOLOGY },
    Grant { action: "stop", seat: Seat::Leader, desk: Desk::Handling, basis: RESOLUTION },
];

/// The seat a role holds (at its own unit), if any.
pub fn seat_of(role: Role) -> Option<Seat> {
    match role {
        Role::Officer => Some(Seat::OneStop),
        Role::Specialist | Role::Department => Some(Seat::Specialist),
        Role::CommuneLeader | Role::ProvinceLeader => Some(Seat::Leader),
        Role::Admin | Role::NationalAdmin | Role::NationalLeader => None,
    }
}

/// The role that holds `seat` at `unit` (a commune's five digits or a province's two).
pub fn role_for(seat: Seat, unit: &str) -> Role {
    let province = crate::roles::is_province(unit);
    match (seat, province) {
        (Seat::OneStop, _) => Role::Officer,
        (Seat::Specialist, false) => Role::Specialist,
        (Seat::Specialist, true) => Role::Department,
        (Seat::Leader, false) => Role::CommuneLeader,
        (Seat::Leader, true) => Role::ProvinceLeader,
    }
}

/// Where a dossier is: the unit that received it and the one handling it now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place<'a> {
    pub receiving: &'a str,
    pub handling: &'a str,
}

impl Place<'_> {
    fn unit(&self, desk: Desk) -> &str {
        match desk {
            Desk::Receiving => self.receiving,
            Desk::Handling => self.handling,
        }
    }
}

/// Whether `role` at `unit` may take `action` on a dossier at `place`.
pub fn allows(role: Role, unit: &str, action: &str, place: Place) -> bool {
    let Some(seat) = seat_of(role) else { return false };
    MATRIX.iter().any(|g| g.action == action && g.seat == seat && place.unit(g.desk) == unit)
}

/// Why an action was refused to an account: the roles (at which units) that may take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: errors::Code,
    pub message: String,
    /// The role codes that may take the action on this dossier.
    pub roles: Vec<&'static str>,
}

/// [`allows`], or a refusal naming the role needed and the unit it must be at.
pub fn permit(
    role: Role,
    unit: &str,
    action: &str,
    label: &str,
    place: Place,
    unit_name: impl Fn(&str) -> String,
) -> Result<(), Refusal> {
    if allows(role, unit, action, place) {
        return Ok(());
    }
    let mut roles = vec![];
    let mut who = vec![];
    for g in MATRIX.iter().filter(|g| g.action == action) {
        let at = place.unit(g.desk);
        let needed = role_for(g.seat, at);
        roles.push(needed.code());
        who.push(format!("{} của {}", needed.label().to_lowercase(), unit_name(at)));
    }
    let message = if who.is_empty() {
        format!("không tài khoản nào được {label}")
    } else {
        format!(
            "tài khoản {} ({}) không được {label} hồ sơ này; cần {}",
            role.label().to_lowercase(),
            unit_name(unit),
            who.join(" hoặc ")
        )
    };
    Err(Refusal { code: Code::ActionNotPermitted, message, roles })
}

/// Whether `role` at `unit` needs the full identity number and phone of the applicant of a
/// dossier at `place` for its work: the receiving officer, the handling specialist and the
/// deciding leader (Law 91/2025/QH15: data minimisation). Everyone else sees them masked.
pub fn needs_personal_data(role: Role, unit: &str, place: Place) -> bool {
    match seat_of(role) {
        Some(Seat::OneStop) => unit == place.receiving,
        Some(Seat::Specialist | Seat::Leader) => unit == place.handling,
        None => false,
    }
}

/// Keeps the last three characters of a number, hiding the rest ("*********789").
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    value.chars().enumerate().map(|(i, c)| if i + 3 < n { '*' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::ALL_ROLES;

    const HERE: Place = Place { receiving: "20242", handling: "20242" };

    #[test]
    fn each_action_of_the_workflow_has_a_seat_and_a_basis() {
        for code in crate::dossier::ACTIONS {
            assert!(MATRIX.iter().any(|g| g.action == *code), "{code} has no row");
        }
        for g in MATRIX {
            assert!(crate::dossier::ACTIONS.contains(&g.action), "{} is not an action", g.action);
            assert!(g.basis.contains("/"), "{} cites a text", g.action);
        }
    }

    #[test]
    fn the_desk_receives_the_specialist_proposes_the_leader_decides() {
        assert!(allows(Role::Officer, "20242", "receive", HERE));
        assert!(!allows(Role::Officer, "20242", "approve", HERE));
        assert!(allows(Role::Specialist, "20242", "propose", HERE));
        assert!(!allows(Role::Specialist, "20242", "approve", HERE));
        assert!(allows(Role::CommuneLeader, "20242", "approve", HERE));
        for r in ALL_ROLES.into_iter().filter(|r| *r != Role::Officer) {
            assert!(!allows(r, "20242", "receive", HERE), "{r}");
        }
        assert!(crate::dossier::ACTIONS.iter().all(|a| !allows(Role::Admin, "20242", a, HERE)));
    }

    #[test]
    fn after_a_transfer_the_sender_keeps_the_desk_and_loses_the_processing() {
        let sent_up = Place { receiving: "20242", handling: "48" };
        assert!(!allows(Role::Specialist, "20242", "propose", sent_up));
        assert!(!allows(Role::CommuneLeader, "20242", "approve", sent_up));
        assert!(
            allows(Role::Officer, "20242", "return_result", sent_up),
            "the result comes back to the desk"
        );
        assert!(allows(Role::Department, "48", "propose", sent_up));
        assert!(allows(Role::ProvinceLeader, "48", "approve", sent_up));
        let e = permit(Role::CommuneLeader, "20242", "approve", "phê duyệt", sent_up, |u| u.to_string())
            .unwrap_err();
        assert_eq!(e.code, "action_not_permitted");
        assert_eq!(e.roles, ["province_leader"]);
        assert!(e.message.contains("lãnh đạo ubnd cấp tỉnh của 48"), "{}", e.message);
    }

    #[test]
    fn personal_data_goes_to_the_three_seats_that_work_on_the_dossier() {
        let sent_up = Place { receiving: "20242", handling: "48" };
        assert!(needs_personal_data(Role::Officer, "20242", sent_up));
        assert!(!needs_personal_data(Role::Specialist, "20242", sent_up));
        assert!(needs_personal_data(Role::Department, "48", sent_up));
        assert!(
            !needs_personal_data(Role::ProvinceLeader, "48", HERE),
            "a province leader of a commune dossier"
        );
        assert!(!needs_personal_data(Role::Admin, "20242", HERE));
        assert_eq!(mask("001203004567"), "*********567");
        assert_eq!(mask("12"), "12");
    }
}
