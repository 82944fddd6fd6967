//! The API's description, generated: each route is registered with its description
//! (utoipa-axum's `routes!`), each answer's schema is derived from the type that is serialised,
//! and what a router's guard adds (the bearer token, the rate limit) is added to every operation
//! of that router here. Served at `/api/openapi.json`; `haicap openapi` prints it; a snapshot
//! test pins it (`crates/web/tests/it/snapshots`).

use crate::error::ErrorAnswer;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};
use utoipa::OpenApi as _;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "haicap API",
        description = "API của haicap: danh mục đơn vị hành chính và chuyển đổi địa chỉ, danh mục thủ tục, \
tiếp nhận và xử lý hồ sơ một cửa, tra cứu của công dân, trợ lý số, phối hợp giữa hai cấp, số liệu và cảnh báo. \
Mọi lỗi trả về `{\"error\": {\"code\", \"message\"}}` với mã ổn định (docs/errors.md).",
        license(name = "MIT"),
    ),
    components(schemas(ErrorAnswer)),
    tags(
        (name = "accounts", description = "Đăng nhập"),
        (name = "units", description = "Đơn vị hành chính, chuyển đổi địa chỉ"),
        (name = "catalog", description = "Danh mục thủ tục hành chính"),
        (name = "dossiers", description = "Hồ sơ một cửa"),
        (name = "citizens", description = "Tra cứu và đánh giá của công dân"),
        (name = "assistant", description = "Trợ lý số"),
        (name = "coordination", description = "Kiến nghị, nhiệm vụ, cán bộ"),
        (name = "reports", description = "Số liệu, chỉ số phục vụ, báo cáo"),
        (name = "alerts", description = "Cảnh báo"),
        (name = "nodes", description = "Máy trạm của xã đồng bộ lên tỉnh"),
    )
)]
struct Base;

/// Who may call the operations of a router, as its guard enforces it.
#[derive(Clone, Copy)]
pub(crate) enum Guard {
    /// Anyone, limited per client (guesses a secret or writes).
    Limited,
    /// Anyone, limited per client at a higher rate.
    Open,
    /// A signed-in official (bearer token).
    Staff,
}

const BEARER: &str = "bearer";

fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(Ref::from_schema_name("Error"))))
        .build()
        .into()
}

fn add_response(op: &mut Operation, status: &str, description: &str) {
    op.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(description));
}

/// Says of every object that it has no other field than those it declares, so that a client
/// (and schemathesis in CI) can rely on it: `additionalProperties: false` on a plain object,
/// `unevaluatedProperties: false` on one composed with `allOf` (a flattened struct), whose
/// parts then stay open (each part alone would refuse the other parts' fields). Every request
/// body already refuses unknown fields (`deny_unknown_fields`).
fn closed(doc: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
        return;
    };
    // The parts of compositions, named by their references.
    let mut parts = std::collections::HashSet::new();
    for s in schemas.values() {
        for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = part.get("$ref").and_then(Value::as_str) {
                parts.insert(r.trim_start_matches("#/components/schemas/").to_string());
            }
        }
    }
    fn close(s: &mut Value, open: bool) {
        let Some(o) = s.as_object_mut() else { return };
        if o.contains_key("allOf") {
            o.insert("unevaluatedProperties".into(), Value::Bool(false));
            for part in o.get_mut("allOf").and_then(Value::as_array_mut).into_iter().flatten() {
                close(part, true);
            }
            return;
        }
        for key in ["oneOf", "anyOf"] {
            for v in o.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten() {
                close(v, open);
            }
        }
        if o.contains_key("properties") && !open {
            o.entry("additionalProperties").or_insert(Value::Bool(false));
        }
        for p in
            o.get_mut("properties").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut())
        {
            close(p, false);
        }
        if let Some(items) = o.get_mut("items") {
            close(items, false);
        }
    }
    for (name, s) in schemas.iter_mut() {
        close(s, parts.contains(name));
    }
}

/// Adds to every operation of `part` what its guard answers, then merges it into `doc`.
fn add_part(doc: &mut OpenApi, mut part: OpenApi, guard: Guard) {
    for item in part.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch]
            .into_iter()
            .flatten()
        {
            match guard {
                Guard::Staff => {
                    op.security = Some(vec![SecurityRequirement::new::<_, _, &str>(BEARER, [])]);
                    add_response(op, "401", "Chưa đăng nhập hoặc phiên đã hết hạn (unauthorized)");
                }
                Guard::Limited | Guard::Open => {
                    add_response(op, "429", "Quá nhiều yêu cầu từ một địa chỉ; thử lại sau Retry-After giây");
                }
            }
            // Every other answer is an error of the catalogue.
            add_response(op, "default", "Lỗi: mã ổn định và lời giải thích (docs/errors.md)");
        }
    }
    doc.merge(part);
}

/// The whole description from the routers' own parts, as it is served.
pub(crate) fn describe(parts: [(OpenApi, Guard); 3]) -> serde_json::Value {
    let mut doc = Base::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    for (part, guard) in parts {
        add_part(&mut doc, part, guard);
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("Mã phiên từ POST /api/v1/auth/login"))
                .build(),
        ),
    );
    // utoipa's model has no `unevaluatedProperties`: the closing is done on the JSON.
    let mut value = serde_json::to_value(&doc).expect("the description serialises");
    closed(&mut value);
    formats(&mut value);
    value
}

/// Two formats said as they are, once for the whole API:
/// - times are Vietnam's local time, written without an offset (`2025-07-01T08:00:00`), as
///   the portal's own fields are: not RFC 3339's `date-time`, which requires one;
/// - an unsigned integer takes its type's whole range: utoipa writes `u32` as `u-int32` (its
///   spelling; the fuzzer knows no such format), here its bounds instead.
fn formats(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(o) => {
            let top = match o.get("format").and_then(Value::as_str) {
                Some("date-time") => {
                    o.insert("pattern".into(), Value::String(LOCAL_TIME.into()));
                    o.entry("description").or_insert_with(|| Value::String(LOCAL_TIME_NOTE.into()));
                    None
                }
                Some("u-int8") => Some(u64::from(u8::MAX)),
                Some("u-int16") => Some(u64::from(u16::MAX)),
                Some("u-int32") => Some(u64::from(u32::MAX)),
                Some("u-int64") => Some(u64::MAX),
                _ => return o.values_mut().for_each(formats),
            };
            o.remove("format");
            if let Some(top) = top {
                o.entry("minimum").or_insert(Value::from(0));
                o.entry("maximum").or_insert(Value::from(top));
            }
            o.values_mut().for_each(formats);
        }
        Value::Array(a) => a.iter_mut().for_each(formats),
        _ => {}
    }
}

const LOCAL_TIME: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$";
const LOCAL_TIME_NOTE: &str = "Giờ Việt Nam (UTC+7), không kèm múi giờ: YYYY-MM-DDThh:mm:ss";
