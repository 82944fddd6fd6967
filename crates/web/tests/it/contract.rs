//! The API's contract: the description generated from the code is pinned by a snapshot, served
//! as generated, and every answer the API tests receive (`api::call`) is checked against it:
//! its status declared, its body of the declared schema, with no field the schema leaves out.

use serde_json::Value;
use std::sync::LazyLock;

static SPEC: LazyLock<Value> = LazyLock::new(web::api_description);

/// The description, pinned: a change to an answer's type or a route shows in review as a change
/// of `snapshots/it__contract__openapi.snap` (`cargo insta review`, or `INSTA_UPDATE=always`).
#[test]
fn the_description_is_pinned() {
    insta::assert_snapshot!("openapi", serde_json::to_string_pretty(&*SPEC).unwrap());
}

#[test]
fn every_code_of_the_catalogue_is_in_the_error_schema() {
    let codes = &SPEC["components"]["schemas"]["ErrorCode"]["enum"];
    for c in errors::Code::ALL {
        assert!(codes.as_array().unwrap().iter().any(|v| v == c.as_str()), "{}", c.as_str());
    }
}

#[test]
fn every_operation_says_what_its_errors_look_like_and_the_staffs_need_a_token() {
    for (path, ops) in SPEC["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let default = &op["responses"]["default"]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(default, "#/components/schemas/Error", "{method} {path}");
            let public = op.get("security").is_none();
            // Only what anyone may call goes without the bearer token, and it is rate-limited.
            assert_eq!(public, op["responses"].get("429").is_some(), "{method} {path}");
            assert!(public || op["responses"].get("401").is_some(), "{method} {path}");
        }
    }
    let logout = &SPEC["paths"]["/api/v1/auth/logout"]["post"];
    assert!(logout.get("security").is_some());
    let track = &SPEC["paths"]["/api/v1/track/{code}"]["get"];
    assert!(track.get("security").is_none());
}

/// The operation a request reaches: the template with the most literal segments that matches.
fn operation(method: &str, uri: &str) -> Option<(&'static str, &'static Value)> {
    let path = uri.split('?').next().unwrap_or(uri);
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &'static str, &'static Value)> = None;
    for (template, ops) in SPEC["paths"].as_object()? {
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let fits = parts.iter().zip(&segments).all(|(p, s)| p.starts_with('{') || p == s);
        let literal = parts.iter().filter(|p| !p.starts_with('{')).count();
        if let (true, Some(op)) = (fits, ops.get(method.to_lowercase())) {
            if best.is_none_or(|(l, _, _)| literal > l) {
                best = Some((literal, template.as_str(), op));
            }
        }
    }
    best.map(|(_, t, op)| (t, op))
}

/// Checks an answer of the API against the description; `Err` says every way it differs.
pub(crate) fn conforms(method: &str, uri: &str, status: u16, body: &Value) -> Result<(), String> {
    if !uri.starts_with("/api/v1/") {
        return Ok(());
    }
    let Some((template, op)) = operation(method, uri) else {
        // Not an operation of the API: the answer must be the catalogue's not_found.
        return match body["error"]["code"].as_str() {
            Some("not_found") => Ok(()),
            _ => Err(format!("{method} {uri} is no operation of the description: {body}")),
        };
    };
    let responses = &op["responses"];
    let Some(response) = responses.get(status.to_string()).or_else(|| responses.get("default")) else {
        return Err(format!("{method} {template}: status {status} is not declared"));
    };
    let Some(schema) = response["content"]["application/json"].get("schema") else {
        // A file, a stream or an empty answer: nothing to check in JSON.
        return Ok(());
    };
    let mut errors = vec![];
    check(schema, body, "", false, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{method} {template} ({status}): {}\n{body}", errors.join("; ")))
    }
}

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(&SPEC["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]),
        None => schema,
    }
}

/// The fields a schema declares (through its references and compositions).
fn declared(schema: &Value) -> Vec<String> {
    let s = resolve(schema);
    let mut out: Vec<String> = s
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        out.extend(declared(part));
    }
    out
}

fn type_fits(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// JSON Schema as the description uses it: types, enums, required and declared fields,
/// arrays, `allOf` (a flattened struct) and `oneOf` (a tagged enum, an optional reference).
/// `open`: a part of a composition, whose other fields its siblings declare.
fn check(schema: &Value, v: &Value, at: &str, open: bool, errors: &mut Vec<String>) {
    let s = resolve(schema);
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        for part in parts {
            check(part, v, at, true, errors);
        }
        if let (false, Some(o)) = (open, v.as_object()) {
            let known = declared(s);
            for k in o.keys().filter(|k| !known.contains(k)) {
                errors.push(format!("{at}/{k} is not declared"));
            }
        }
    }
    if let Some(variants) = s.get("oneOf").and_then(Value::as_array) {
        let fitting = variants
            .iter()
            .filter(|variant| {
                let mut e = vec![];
                check(variant, v, at, open, &mut e);
                e.is_empty()
            })
            .count();
        if fitting != 1 {
            errors.push(format!("{at}: fits {fitting} of the {} variants", variants.len()));
        }
    }
    if let Some(t) = s.get("type") {
        let fits = match t {
            Value::String(t) => type_fits(t, v),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_fits(t, v)),
            _ => true,
        };
        if !fits {
            errors.push(format!("{at}: {v} is not of type {t}"));
            return;
        }
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        if !values.contains(v) {
            errors.push(format!("{at}: {v} is not one of {values:?}"));
        }
    }
    if let Some(o) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !o.contains_key(r.as_str().unwrap_or_default()) {
                errors.push(format!("{at}/{} is required but missing", r.as_str().unwrap_or_default()));
            }
        }
        for (k, field) in o {
            match props.and_then(|p| p.get(k)) {
                Some(fs) => check(fs, field, &format!("{at}/{k}"), false, errors),
                None if !open && s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{at}/{k} is not declared"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(a)) = (s.get("items"), v.as_array()) {
        for (i, item) in a.iter().enumerate() {
            check(items, item, &format!("{at}/{i}"), false, errors);
        }
    }
}

#[test]
fn the_checker_finds_an_undeclared_field_a_missing_one_and_a_wrong_type() {
    let ok = serde_json::json!({"id": 3, "read": true});
    assert!(conforms("POST", "/api/v1/alerts/3/read", 200, &ok).is_ok());
    let extra = serde_json::json!({"id": 3, "read": true, "head_hash": "ab"});
    assert!(conforms("POST", "/api/v1/alerts/3/read", 200, &extra).unwrap_err().contains("head_hash"));
    let missing = serde_json::json!({"id": 3});
    assert!(conforms("POST", "/api/v1/alerts/3/read", 200, &missing).unwrap_err().contains("read"));
    let wrong = serde_json::json!({"id": "3", "read": true});
    assert!(conforms("POST", "/api/v1/alerts/3/read", 200, &wrong).is_err());
    // A code outside the catalogue.
    let error = serde_json::json!({"error": {"code": "not_found", "message": "không có"}});
    assert!(conforms("GET", "/api/v1/directives/9", 404, &error).is_ok());
    let error = serde_json::json!({"error": {"code": "no_such_code", "message": "không có"}});
    assert!(conforms("GET", "/api/v1/directives/9", 404, &error).is_err());
}
