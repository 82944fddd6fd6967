//! Statuses and channels, with the national portal's codes.

use serde::{Deserialize, Serialize};

/// TrangThaiHoSo of the national public-service portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    /// 1 Mới đăng ký: submitted online or by post, not yet accepted.
    Registered,
    /// 2 Được tiếp nhận.
    Received,
    /// 3 Không được tiếp nhận (Form 03).
    Refused,
    /// 4 Đang xử lý.
    Processing,
    /// 5 Yêu cầu bổ sung giấy tờ (Form 02): the clock is stopped.
    SupplementRequested,
    /// 6 Yêu cầu thực hiện nghĩa vụ tài chính: the clock is stopped.
    PaymentRequested,
    /// 7 Công dân yêu cầu rút hồ sơ.
    Withdrawn,
    /// 8 Dừng xử lý (Form 05).
    Stopped,
    /// 9 Đã xử lý xong: the result is ready.
    Resolved,
    /// 10 Đã trả kết quả.
    Returned,
}

pub const ALL_STATUSES: [Status; 10] = [
    Status::Registered,
    Status::Received,
    Status::Refused,
    Status::Processing,
    Status::SupplementRequested,
    Status::PaymentRequested,
    Status::Withdrawn,
    Status::Stopped,
    Status::Resolved,
    Status::Returned,
];

/// The statuses of a dossier not yet finished for the citizen, by portal code. The partial
/// index `dossiers_open` of the schema (its latest definition, migration 8) lists the same codes.
pub const OPEN_STATUSES: [Status; 6] = [
    Status::Registered,
    Status::Received,
    Status::Processing,
    Status::SupplementRequested,
    Status::PaymentRequested,
    Status::Resolved,
];

impl Status {
    /// A status by its code (`processing`) or its portal number (`4`).
    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        if let Some(st) = s.parse::<u8>().ok().and_then(Status::from_portal_code) {
            return Some(st);
        }
        ALL_STATUSES.into_iter().find(|st| st.code() == s)
    }

    /// Stable code, as the API and the CLI write it (the serde name).
    pub fn code(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Received => "received",
            Status::Refused => "refused",
            Status::Processing => "processing",
            Status::SupplementRequested => "supplement_requested",
            Status::PaymentRequested => "payment_requested",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::Resolved => "resolved",
            Status::Returned => "returned",
        }
    }

    /// The portal codes of `statuses`, for SQL: "1, 2, 4".
    pub fn sql_list(statuses: &[Status]) -> String {
        statuses.iter().map(|s| s.portal_code().to_string()).collect::<Vec<_>>().join(", ")
    }

    /// The portal's TrangThaiHoSo code.
    pub fn portal_code(self) -> u8 {
        ALL_STATUSES.iter().position(|s| *s == self).expect("every status is listed") as u8 + 1
    }

    pub fn from_portal_code(code: u8) -> Option<Status> {
        ALL_STATUSES.get((code as usize).checked_sub(1)?).copied()
    }

    /// The portal's Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Registered => "Mới đăng ký",
            Status::Received => "Được tiếp nhận",
            Status::Refused => "Không được tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Status::PaymentRequested => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Resolved => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }

    /// No action is possible any more.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Refused | Status::Withdrawn | Status::Stopped | Status::Returned)
    }

    /// The clock is stopped while the office waits for the citizen.
    pub fn waits_for_citizen(self) -> bool {
        matches!(self, Status::SupplementRequested | Status::PaymentRequested)
    }
}

/// KenhThucHien of the national portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// 1 Trực tiếp.
    Direct,
    /// 2 Trực tuyến.
    Online,
    /// 3 Bưu chính.
    Postal,
}

impl Channel {
    pub fn portal_code(self) -> u8 {
        match self {
            Channel::Direct => 1,
            Channel::Online => 2,
            Channel::Postal => 3,
        }
    }

    pub fn from_portal_code(code: u8) -> Option<Channel> {
        Some(match code {
            1 => Channel::Direct,
            2 => Channel::Online,
            3 => Channel::Postal,
            _ => return None,
        })
    }

    /// As files, forms, the API and metrics write it.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        [Channel::Direct, Channel::Online, Channel::Postal].into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Direct => "Trực tiếp",
            Channel::Online => "Trực tuyến",
            Channel::Postal => "Bưu chính",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_statuses_match_the_partial_index_of_the_schema() {
        for schema in [
            include_str!("../../store/migrations/0003_attachments.sql"),
            include_str!("../../store/migrations/0008_open_index.sql"),
        ] {
            assert!(schema.contains(&format!("WHERE status IN ({});", Status::sql_list(&OPEN_STATUSES))));
        }
        assert_eq!(Status::parse("processing"), Some(Status::Processing));
        assert_eq!(Status::parse(" 10 "), Some(Status::Returned));
        assert_eq!(Status::parse("flying"), None);
        for st in ALL_STATUSES {
            assert_eq!(serde_json::to_value(st).unwrap(), st.code(), "the code is the serde name");
        }
        assert_eq!(Status::parse("11"), None);
    }

    #[test]
    fn portal_codes_round_trip_losslessly() {
        for (i, s) in ALL_STATUSES.iter().enumerate() {
            assert_eq!(s.portal_code() as usize, i + 1);
            assert_eq!(Status::from_portal_code(s.portal_code()), Some(*s));
        }
        assert_eq!(Status::from_portal_code(0), None);
        assert_eq!(Status::from_portal_code(11), None);
        for c in [Channel::Direct, Channel::Online, Channel::Postal] {
            assert_eq!(Channel::from_portal_code(c.portal_code()), Some(c));
        }
        assert_eq!(Status::SupplementRequested.portal_code(), 5);
        assert_eq!(Status::Returned.portal_code(), 10);
    }
}
