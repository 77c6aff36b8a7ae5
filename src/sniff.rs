//! Recognising what is not an answer: Cashfree's error object sent with a 2xx status,
//! and an HTML page where JSON was expected.

use serde_json::{Map, Value};

/// True when a 2xx body is Cashfree's error object rather than an answer: a JSON
/// object with none of the success ids (`verification_id`, `ref_id`) and at least one
/// of the error fields `code`, `message`, `type` (top-level or under `error`).
pub(crate) fn is_error_object(body: &[u8]) -> bool {
    let Ok(Value::Object(top)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let present = |m: &Map<String, Value>, k: &str| m.get(k).is_some_and(|v| !v.is_null());
    if present(&top, "verification_id") || present(&top, "ref_id") {
        return false;
    }
    let has_error_field = |m: &Map<String, Value>| {
        ["code", "message", "type"]
            .iter()
            .any(|k| matches!(m.get(*k), Some(Value::String(_))))
    };
    has_error_field(&top)
        || matches!(top.get("error"), Some(Value::Object(e)) if has_error_field(e))
}

pub(crate) fn looks_like_html(text: &str) -> bool {
    let head = text
        .trim_start()
        .get(..15.min(text.trim_start().len()))
        .unwrap_or("")
        .to_ascii_lowercase();
    head.starts_with("<!doctype") || head.starts_with("<html") || head.starts_with('<')
}
