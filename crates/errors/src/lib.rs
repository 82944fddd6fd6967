//! The error catalogue: every stable code haicap answers with, its kind (hence its HTTP status)
//! and its default Vietnamese message, in one table. Every crate's errors carry a [`Code`], so
//! a typo cannot make a new "stable" code; `docs/errors.md` is generated from this table
//! (`haicap errors`) and a test keeps it current.

use std::fmt;

/// What kind of failure a code is (the web answers it with [`Kind::status`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The request itself is wrong (400).
    Invalid,
    /// Nothing there, or nothing the caller may see (404).
    NotFound,
    /// Not allowed in the current state, or lost a race (409).
    Conflict,
    /// Not allowed for this caller (403).
    Forbidden,
    /// Wrong or missing credentials (401).
    Unauthorized,
    /// The request body is too large (413).
    TooLarge,
    /// Too many attempts (429).
    TooManyRequests,
    /// The database is away or busy: worth trying again shortly (503).
    Unavailable,
    /// A fault of ours (a bug, a broken record, a disk that failed): 500, with a generic
    /// message and the request's id; the cause goes to the log only.
    Internal,
}

impl Kind {
    /// The HTTP status of an answer of this kind.
    pub fn status(self) -> u16 {
        match self {
            Kind::Invalid => 400,
            Kind::NotFound => 404,
            Kind::Conflict => 409,
            Kind::Forbidden => 403,
            Kind::Unauthorized => 401,
            Kind::TooLarge => 413,
            Kind::TooManyRequests => 429,
            Kind::Unavailable => 503,
            Kind::Internal => 500,
        }
    }
}

/// What a client is told of a fault of ours (the cause goes to the log only).
pub const INTERNAL_MESSAGE: &str = "lỗi xử lý nội bộ; bộ phận kỹ thuật đã được ghi nhận, hãy thử lại sau";

macro_rules! catalogue {
    ($($variant:ident = $code:literal, $kind:ident, $message:expr;)*) => {
        /// A stable error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the catalogue's order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as clients and scripts see it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            pub fn kind(self) -> Kind {
                match self {
                    $(Code::$variant => Kind::$kind,)*
                }
            }

            /// The message where a caller has nothing more precise to say.
            pub fn message(self) -> &'static str {
                match self {
                    $(Code::$variant => $message,)*
                }
            }
        }
    };
}

catalogue! {
    ActionNotPermitted = "action_not_permitted", Forbidden, "vai trò hoặc đơn vị của tài khoản không được thực hiện thao tác này với hồ sơ";
    AdminOnly = "admin_only", Forbidden, "chỉ quản trị hệ thống được sửa liên hệ của cán bộ";
    AlertNotFound = "alert_not_found", NotFound, "không có cảnh báo số …";
    AlreadyAnswered = "already_answered", Conflict, "câu hỏi này đã được trả lời";
    AlreadySigned = "already_signed", Conflict, "kết quả của hồ sơ đã được ký số";
    AlreadyRated = "already_rated", Conflict, "hồ sơ này đã được đánh giá";
    AppendOnly = "append_only", Conflict, "lịch sử hồ sơ chỉ được ghi thêm, không được sửa hay xoá";
    ArticleNotFound = "article_not_found", NotFound, "không có bài viết này";
    AssigneeCannotProcess = "assignee_cannot_process", Invalid, "tài khoản \"…\" (…) không phải người xử lý hồ sơ";
    AssigneeOtherUnit = "assignee_other_unit", Invalid, "tài khoản \"…\" không thuộc …, đơn vị đang xử lý hồ sơ";
    AttachmentErased = "attachment_erased", NotFound, "giấy tờ đã được xoá khi hết thời hạn lưu trữ";
    AttachmentNotFound = "attachment_not_found", NotFound, "không có tệp này";
    BadLogFilter = "bad_log_filter", Invalid, "mức nhật ký \"…\" không hợp lệ: …";
    BadMetricsAllow = "bad_metrics_allow", Invalid, "danh sách địa chỉ được đọc /metrics không hợp lệ";
    BadTrustedProxies = "bad_trusted_proxies", Invalid, "danh sách máy chủ trung gian tin cậy không hợp lệ";
    BadUpload = "bad_upload", Invalid, "không đọc được nội dung gửi lên";
    Bench = "bench", Internal, "phép đo hiệu năng không chạy được";
    BlobMissing = "blob_missing", Internal, INTERNAL_MESSAGE;
    BlobStore = "blob_store", Internal, INTERNAL_MESSAGE;
    BodyTooLarge = "body_too_large", TooLarge, "nội dung gửi lên quá lớn (tối đa 64 KiB)";
    BrokenHistory = "broken_history", Internal, INTERNAL_MESSAGE;
    BrokenPipe = "broken_pipe", Internal, "đầu ra đã đóng";
    Busy = "busy", Conflict, "nhiệm vụ vừa được cập nhật; hãy tải lại và thử lại";
    Calendar = "calendar", Invalid, "ngày nằm ngoài phạm vi lịch làm việc";
    CertificateInvalid = "certificate_invalid", Invalid, "chứng thư số không đọc được hoặc không hợp lệ";
    ChannelNotOffered = "channel_not_offered", Invalid, "thủ tục \"…\" không nhận hồ sơ …";
    ColumnNotFound = "column_not_found", Invalid, "không có cột '…' trong tệp CSV (các cột: …)";
    CommuneLeaderOnly = "commune_leader_only", Forbidden, "chỉ lãnh đạo UBND cấp xã được gửi kiến nghị lên tỉnh";
    CommuneOnly = "commune_only", Forbidden, "báo cáo nhiệm vụ do xã, phường được giao gửi";
    ConcurrentUpdate = "concurrent_update", Conflict, "hồ sơ đang được người khác cập nhật; hãy thử lại";
    ConsentRequired = "consent_required", Invalid, "cần đồng ý với thông báo xử lý dữ liệu cá nhân trước khi gửi";
    CoordinationAtProvince = "coordination_at_province", Conflict, "ở máy trạm của xã, nhiệm vụ và kiến nghị chỉ để xem; báo cáo, gửi và trả lời tại máy chủ của tỉnh";
    CorruptRecord = "corrupt_record", Internal, INTERNAL_MESSAGE;
    DbBusy = "db_busy", Unavailable, "hệ thống đang bận; hãy thử lại";
    DbConstraint = "db_constraint", Conflict, "dữ liệu mâu thuẫn với dữ liệu đã có; hãy tải lại và thử lại";
    DbError = "db_error", Internal, INTERNAL_MESSAGE;
    DbOutcomeUnknown = "db_outcome_unknown", Unavailable, "cơ sở dữ liệu mất kết nối đúng lúc lưu và chưa cho biết thao tác đã được lưu hay chưa; hãy kiểm tra (tìm hồ sơ) trước khi làm lại, hoặc gửi lại với cùng Idempotency-Key";
    DbUnavailable = "db_unavailable", Unavailable, "cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau ít phút";
    DirectiveNotFound = "directive_not_found", NotFound, "không có nhiệm vụ số …";
    DossierNotFound = "dossier_not_found", NotFound, "không tìm thấy hồ sơ với mã và mã tra cứu này";
    DueInPast = "due_in_past", Invalid, "hạn hoàn thành đã qua";
    Export = "export", Internal, INTERNAL_MESSAGE;
    FileTooLarge = "file_too_large", TooLarge, "tệp \"…\" lớn hơn 10 MB";
    FileType = "file_type", Invalid, "tệp \"…\" không phải PDF, JPEG hay PNG";
    FilesTooLarge = "files_too_large", TooLarge, "tổng dung lượng tệp vượt 25 MB";
    Forbidden = "forbidden", Forbidden, "tài khoản không có quyền thực hiện việc này";
    HandoffNotFound = "handoff_not_found", NotFound, "không có câu hỏi nào với mã này";
    InputNotFound = "input_not_found", Invalid, "không mở được tệp '…': …";
    Internal = "internal", Internal, INTERNAL_MESSAGE;
    InvalidAction = "invalid_action", Invalid, "thao tác \"…\" không có; dùng answer, request_info, supplement, forward, escalate, to_central, reopen, close";
    InvalidAddress = "invalid_address", Invalid, "địa chỉ không hợp lệ";
    InvalidAmount = "invalid_amount", Invalid, "cần số tiền phải nộp (amount_vnd, đồng, lớn hơn 0)";
    InvalidAnswer = "invalid_answer", Invalid, "câu trả lời trống hoặc quá dài";
    InvalidArticle = "invalid_article", Invalid, "bài viết trống hoặc quá dài";
    InvalidBody = "invalid_body", Invalid, "nội dung trống hoặc quá dài";
    InvalidCalendarData = "invalid_calendar_data", Invalid, "dòng …: …";
    InvalidCatalog = "invalid_catalog", Invalid, "không nạp được danh mục thủ tục";
    InvalidCategory = "invalid_category", Invalid, "nhóm kiến nghị không có";
    InvalidCode = "invalid_code", Invalid, "mã đơn vị '…' không hợp lệ: mã chỉ gồm chữ số";
    InvalidCodePattern = "invalid_code_pattern", Invalid, "mẫu mã hồ sơ không hợp lệ";
    InvalidCredentials = "invalid_credentials", Unauthorized, "sai tên đăng nhập hoặc mật khẩu";
    InvalidCsv = "invalid_csv", Invalid, "tệp CSV không đọc được: …";
    InvalidDate = "invalid_date", Invalid, "ngày \"…\" không hợp lệ: viết dd/mm/yyyy, ví dụ 31/12/2026";
    InvalidDatetime = "invalid_datetime", Invalid, "thời điểm '…' không hợp lệ (dùng RFC3339, ví dụ 2026-05-11T09:00:00+07:00)";
    InvalidEmail = "invalid_email", Invalid, "địa chỉ thư \"…\" không hợp lệ";
    InvalidExtension = "invalid_extension", Invalid, "cần số ngày làm việc gia hạn (extra_days, 1 đến 60)";
    InvalidFee = "invalid_fee", Invalid, "mức phí phải từ 0 đến 1.000.000.000.000 đồng";
    InvalidFeedback = "invalid_feedback", Invalid, "cần đánh giá câu trả lời hoặc nhập góp ý";
    InvalidField = "invalid_field", Invalid, "dữ liệu không hợp lệ: …";
    InvalidForm = "invalid_form", Invalid, "biểu mẫu không hợp lệ: …";
    InvalidHours = "invalid_hours", Invalid, "giờ làm việc không hợp lệ: …";
    InvalidIdNumber = "invalid_id_number", Invalid, "số định danh \"…\" không hợp lệ (CCCD 12 chữ số hoặc CMND 9 chữ số)";
    InvalidJson = "invalid_json", Invalid, "nội dung gửi lên không phải JSON hợp lệ";
    InvalidLimit = "invalid_limit", Invalid, "thời hạn '…' không hợp lệ: dùng \"N working days\", \"N days\", \"N working hours\" \
                     hoặc \"same day\" (hay \"N ngày làm việc\", \"N ngày\", \"N giờ làm việc\", \"trong ngày\")";
    InvalidIntakeKey = "invalid_intake_key", Invalid, "khoá chống gửi trùng (Idempotency-Key) phải gồm 8 đến 128 ký tự chữ, số, '-', '_', ':' hoặc '.'";
    InvalidName = "invalid_name", Invalid, "họ tên không hợp lệ";
    InvalidNote = "invalid_note", Invalid, "ghi chú dài quá 2000 ký tự";
    InvalidNumber = "invalid_number", Invalid, "biên chế, dân số phải là số không âm hợp lý";
    InvalidPage = "invalid_page", Invalid, "page từ 1 trở lên, per_page từ 1 đến 500";
    InvalidPassword = "invalid_password", Invalid, "không băm được mật khẩu: …";
    InvalidPause = "invalid_pause", Invalid, "khoảng tạm dừng từ … đến … không hợp lệ";
    InvalidPeriod = "invalid_period", Invalid, "ngày kết thúc nghỉ trước ngày bắt đầu";
    InvalidPhone = "invalid_phone", Invalid, "số điện thoại \"…\" không hợp lệ";
    InvalidProcedure = "invalid_procedure", Invalid, "thủ tục trong danh mục thiếu hoặc sai thông tin";
    InvalidQuery = "invalid_query", Invalid, "tham số không hợp lệ: …";
    InvalidQuestion = "invalid_question", Invalid, "câu hỏi trống hoặc quá dài";
    InvalidQuestions = "invalid_questions", Invalid, "dòng … của … không hợp lệ: …";
    InvalidReason = "invalid_reason", Invalid, "lý do trống hoặc quá dài";
    InvalidReportStatus = "invalid_report_status", Invalid, "trạng thái báo cáo nhiệm vụ không có";
    InvalidRetention = "invalid_retention", Invalid, "thời hạn lưu trữ tối thiểu 1 ngày";
    InvalidScore = "invalid_score", Invalid, "mức hài lòng từ 1 đến 5";
    InvalidStatus = "invalid_status", Invalid, "trạng thái \"…\" không có; dùng …";
    InvalidTime = "invalid_time", Invalid, "giờ chốt '…' không hợp lệ (HH:MM)";
    InvalidTitle = "invalid_title", Invalid, "tiêu đề trống hoặc quá dài";
    InvalidTransition = "invalid_transition", Conflict, "thao tác không thực hiện được ở trạng thái hiện tại của hồ sơ";
    InvalidUsername = "invalid_username", Invalid, "tên đăng nhập gồm 3 đến 32 ký tự: chữ không dấu, số, dấu chấm, gạch nối, gạch dưới";
    InvalidVerdict = "invalid_verdict", Invalid, "cần kết quả đề xuất (verdict): \"approve\" (giải quyết) hoặc \"deny\" (không giải quyết)";
    InvalidYear = "invalid_year", Invalid, "năm '…' không hợp lệ";
    IoError = "io_error", Internal, "lỗi đọc/ghi tệp";
    ListenFailed = "listen_failed", Internal, "không mở được cổng phục vụ";
    MissingApplicant = "missing_applicant", Invalid, "cần thông tin người nộp đã điều chỉnh (applicant)";
    MissingAssignee = "missing_assignee", Invalid, "cần ghi người được phân công (to)";
    MissingCommune = "missing_commune", Invalid, "thiếu mã xã, phường tiếp nhận hồ sơ";
    MissingDepartment = "missing_department", Invalid, "cần chọn sở, ngành nhận kiến nghị (to)";
    MissingName = "missing_name", Invalid, "thiếu họ tên người nộp hồ sơ";
    MissingPin = "missing_pin", Invalid, "cần mã PIN của thiết bị ký số";
    MissingQuery = "missing_query", Invalid, "thiếu địa chỉ cần chuyển đổi (q)";
    MissingReason = "missing_reason", Invalid, "cần ghi rõ … (note)";
    NegativeCount = "negative_count", Invalid, "thời hạn không thể âm (…)";
    NoCommunes = "no_communes", Invalid, "cần chọn ít nhất một xã, phường (commune_codes)";
    NoData = "no_data", Invalid, "chưa có hồ sơ nào của tỉnh …: chạy haicap simulate trước";
    NoIndexRules = "no_index_rules", Invalid, "chưa có bộ chỉ số cho thời gian này (Quyết định 766/QĐ-TTg có hiệu lực từ 23/6/2022)";
    NoRandomness = "no_randomness", Internal, INTERNAL_MESSAGE;
    NoSignedResult = "no_signed_result", NotFound, "hồ sơ chưa có kết quả được ký số";
    NoSigningKey = "no_signing_key", Conflict, "tài khoản chưa được đăng ký khoá ký số";
    NoSuchForm = "no_such_form", NotFound, "hồ sơ chưa có yêu cầu bổ sung";
    NodeBehind = "node_behind", Conflict, "máy trạm được khôi phục từ bản sao lưu cũ, đi sau tỉnh: ngừng ghi";
    NodeDatabase = "node_database", Invalid, "máy trạm của xã dùng cơ sở dữ liệu SQLite (--db sqlite://…)";
    NodeExists = "node_exists", Conflict, "xã, phường … đã có máy trạm đang hoạt động";
    NodeRevoked = "node_revoked", Unauthorized, "máy trạm của xã, phường … đã bị thu hồi";
    NotADossierList = "not_a_dossier_list", Invalid, "thủ tục chưa công khai đầy đủ xem ở danh mục thủ tục, không phải danh sách hồ sơ";
    NotAllowed = "not_allowed", Forbidden, "tài khoản này không được báo cáo nhiệm vụ";
    NotANode = "not_a_node", Conflict, "máy này chưa gắn với máy chủ của tỉnh (haicap serve --upstream …)";
    NotCompetent = "not_competent", Conflict, "đơn vị không có thẩm quyền giải quyết thủ tục này";
    NotDepartmentStaff = "not_department_staff", Invalid, "chỉ tài khoản cán bộ sở, ngành mới thuộc một sở";
    NotErasable = "not_erasable", Invalid, "hồ sơ chưa kết thúc hoặc đã được xoá dữ liệu cá nhân";
    NotFound = "not_found", NotFound, "không có đường dẫn này";
    NotNational = "not_national", NotFound, "máy chủ này không phải máy chủ quốc gia (haicap serve --national)";
    NotOverdue = "not_overdue", Invalid, "kiến nghị chưa quá hạn hoặc đã được báo";
    NotReturnedYet = "not_returned_yet", Conflict, "chỉ đánh giá được khi đã nhận kết quả";
    NotSealed = "not_sealed", Invalid, "ngày … chưa được niêm phong hoặc không có hồ sơ nào";
    NothingToSign = "nothing_to_sign", Conflict, "hồ sơ không được phê duyệt: không có kết quả để ký số";
    OtherProvince = "other_province", Invalid, "chỉ chuyển hồ sơ trong cùng tỉnh, thành phố";
    OutOfScope = "out_of_scope", Forbidden, "tài khoản không xem được đơn vị này";
    OutputFailed = "output_failed", Internal, "không tạo được tệp kết quả";
    OutputRequired = "output_required", Invalid, "tệp Excel cần --output TỆP (không in ra màn hình)";
    PdfRender = "pdf_render", Internal, INTERNAL_MESSAGE;
    PdfUnreadable = "pdf_unreadable", Invalid, "tệp không phải PDF đọc được";
    PeriodTooLong = "period_too_long", Invalid, "mỗi lần xem tối đa … ngày; hãy chia thành từng năm";
    PersonalDataErased = "personal_data_erased", Invalid, "dữ liệu cá nhân của hồ sơ đã được xoá khi hết thời hạn lưu trữ";
    PersonalDataRestricted = "personal_data_restricted", Forbidden, "giấy tờ của người nộp chỉ dành cho cán bộ một cửa nơi tiếp nhận, người xử lý và lãnh đạo đơn vị xử lý hồ sơ";
    ProposalNotFound = "proposal_not_found", NotFound, "không có kiến nghị số …";
    ProvinceLeaderOnly = "province_leader_only", Forbidden, "chỉ lãnh đạo UBND cấp tỉnh giao nhiệm vụ cho các xã";
    QueryTooLong = "query_too_long", Invalid, "địa chỉ dài quá 1000 ký tự";
    RateLimited = "rate_limited", TooManyRequests, "quá nhiều yêu cầu từ địa chỉ này; hãy thử lại sau ít phút";
    RegisterTooLong = "register_too_long", Invalid, "sổ theo dõi có … hồ sơ, quá dài cho một tệp PDF (tối đa …): dùng xlsx hoặc csv, hoặc chọn kỳ ngắn hơn";
    ReplicationDocuments = "replication_documents", Conflict, "hồ sơ …: chưa nhận được giấy tờ đã nộp; máy trạm gửi giấy tờ trước";
    ReplicationFork = "replication_fork", Conflict, "lịch sử hồ sơ … bị rẽ nhánh: sự kiện số … khác sự kiện đã nhận";
    ReplicationGap = "replication_gap", Conflict, "hồ sơ …: thiếu các sự kiện trước sự kiện số …";
    ReplicationOrder = "replication_order", Invalid, "hồ sơ …: các sự kiện gửi lên không liên tiếp";
    ReplicationTampered = "replication_tampered", Invalid, "hồ sơ …: sự kiện số … không khớp mã băm của chuỗi";
    ReplicationWriter = "replication_writer", Conflict, "hồ sơ … không do máy trạm này ghi: không nhận sự kiện của nó từ máy trạm";
    RestoreRefused = "restore_refused", Invalid, "không khôi phục được: cơ sở dữ liệu đích không trống hoặc bản sao lưu không hợp lệ";
    RoleUnitMismatch = "role_unit_mismatch", Invalid, "vai trò … (…) không thuộc đơn vị mã …";
    Runtime = "runtime", Internal, "không khởi động được";
    SameDepartment = "same_department", Invalid, "kiến nghị đang do … xử lý";
    SameUnit = "same_unit", Invalid, "hồ sơ đang ở chính đơn vị này";
    SignWithToken = "sign_with_token", Invalid, "kết quả được ký số bằng thiết bị ký số của lãnh đạo: dùng chức năng Ký số kết quả";
    Signing = "signing", Internal, INTERNAL_MESSAGE;
    SigningNotConfigured = "signing_not_configured", Conflict, "máy chủ chưa được cấu hình thiết bị ký số cho đơn vị này";
    SigningToken = "signing_token", Unavailable, "thiết bị ký số không dùng được; hãy kiểm tra thiết bị và mã PIN";
    SuggestionNotFound = "suggestion_not_found", NotFound, "không có góp ý đang chờ duyệt với mã này";
    TaskDone = "task_done", Conflict, "xã đã báo cáo hoàn thành nhiệm vụ này";
    TimeLimitUnknown = "time_limit_unknown", Invalid, "thủ tục \"…\" chưa có thời hạn giải quyết rõ đơn vị (ghi \"…\"); quản trị cần bổ sung danh mục trước khi tiếp nhận";
    TooManyAttempts = "too_many_attempts", TooManyRequests, "nhập sai mã tra cứu quá nhiều lần; hãy thử lại sau … phút";
    TooManyFiles = "too_many_files", Invalid, "tối đa … tệp cho một hồ sơ";
    TooManyStreams = "too_many_streams", TooManyRequests, "tài khoản đang mở quá … trang theo dõi trực tiếp";
    Unauthenticated = "unauthenticated", Unauthorized, "cần đăng nhập (Authorization: Bearer <token>)";
    UnknownAction = "unknown_action", Invalid, "thao tác \"…\" không có; được phép lúc này: …";
    UnknownAssignee = "unknown_assignee", Invalid, "không có tài khoản \"…\" đang hoạt động để phân công";
    UnknownBehind = "unknown_behind", Invalid, "không có danh sách \"…\"";
    UnknownCommune = "unknown_commune", Invalid, "không có xã, phường mã \"…\" trong tỉnh";
    UnknownDepartment = "unknown_department", Invalid, "không có sở, ngành mã \"…\"";
    UnknownFormat = "unknown_format", Invalid, "định dạng \"…\" không có; dùng xlsx, csv, json hoặc pdf";
    UnknownIndexVersion = "unknown_index_version", Invalid, "không có phiên bản cách tính \"…\"";
    UnknownNode = "unknown_node", NotFound, "xã, phường … không có máy trạm đang hoạt động";
    UnknownProcedure = "unknown_procedure", Invalid, "không có thủ tục mã \"…\"";
    UnknownProvince = "unknown_province", Invalid, "không có tỉnh, thành phố mã \"…\"";
    UnknownQuestion = "unknown_question", Invalid, "không có câu hỏi này";
    UnknownReportKind = "unknown_report_kind", Invalid, "loại báo cáo \"…\" không có; dùng summary (báo cáo kỳ) hoặc register (sổ theo dõi)";
    UnknownRole = "unknown_role", Invalid, "vai trò không có";
    UnknownStatus = "unknown_status", Invalid, "trạng thái \"…\" không có; dùng: …";
    UnknownUnit = "unknown_unit", Invalid, "không có xã, phường hay tỉnh mã \"…\"";
    UnknownUser = "unknown_user", Invalid, "không có tài khoản \"…\" đang hoạt động";
    UnsupportedCopy = "unsupported_copy", Invalid, "nguồn phải là một tệp SQLite (--db sqlite://…)";
    UnsupportedMediaType = "unsupported_media_type", Invalid, "cần Content-Type: application/json";
    UpstreamUnavailable = "upstream_unavailable", Unavailable, "không kết nối được máy chủ của tỉnh";
    UserExists = "user_exists", Conflict, "tên đăng nhập \"…\" đã có";
    UserNotFound = "user_not_found", NotFound, "không có tài khoản \"…\"";
    WeakPassword = "weak_password", Invalid, "mật khẩu cần từ 8 ký tự trở lên";
    WriteFailed = "write_failed", Internal, INTERNAL_MESSAGE;
    WrittenElsewhere = "written_elsewhere", Conflict, "hồ sơ … đang được ghi tại nơi khác (máy trạm của xã hoặc máy chủ của tỉnh): chỉ nơi đó được cập nhật";
    YearOutOfRange = "year_out_of_range", Invalid, "năm … nằm ngoài phạm vi lịch hỗ trợ (…–…)";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// In the API description, a code is one of the catalogue's, so that a client can rely on the
/// list (and a code answered but not catalogued cannot exist).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Code {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("Mã lỗi ổn định (docs/errors.md)"))
            .enum_values(Some(Code::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Code {
    fn name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }
}

/// The catalogue as Markdown: `docs/errors.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Error codes\n\nGenerated from `crates/errors/src/lib.rs` by `haicap errors` (a test fails when this file\n\
         is out of date). Every error answer is `{\"error\": {\"code\", \"message\", \"request_id\"}}`; the\n\
         message below is the default, a call site may say more precisely what is wrong. A code\n\
         naming a thing that does not exist (`unknown_…`) answers 404 when the thing is named in the\n\
         URL and 400 when it is named in the request's body or query.\n\n\
         | code | HTTP | default message |\n| --- | --- | --- |\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.as_str(),
            c.kind().status(),
            c.message().replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_errors_md_is_the_catalogue() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            doc == markdown(),
            "docs/errors.md is out of date: `cargo run -q -p haicap -- errors > docs/errors.md`"
        );
    }

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{s}");
            assert!(!c.message().is_empty(), "{s} has a message");
        }
    }
}
