//! Text and JSON renderings of results, and writing them without ever panicking.

use std::io::Write;

use cashfree_rpd::{CreatedRequest, NameMatch, Status, VerificationStatus};
use serde_json::{json, Value};

/// `CREATED`, `SUCCESS`, `FAILURE`, `EXPIRED`, or the raw text of an unknown status
/// (`""` when there was none).
pub fn status_name(s: &VerificationStatus) -> &str {
    s.as_str()
}

/// `DIRECT_MATCH`, ... or the raw text of an unknown value.
pub fn name_match_name(m: &NameMatch) -> &str {
    m.as_str()
}

/// The created request as a JSON object (every field; absent ones are `null`).
pub fn created_json(c: &CreatedRequest) -> Value {
    json!({
        "verification_id": c.verification_id,
        "ref_id": c.ref_id,
        "valid_upto": c.valid_upto,
        "upi_link": c.upi_link,
        "gpay": c.gpay,
        "bhim": c.bhim,
        "paytm": c.paytm,
        "phonepe": c.phonepe,
        "qr_code": c.qr_code,
    })
}

/// A status as a JSON object. `status` and `name_match` are normalised (e.g. `FAILED`
/// becomes `FAILURE`); `status_raw` and `name_match_result` are as sent. `ref_id` is a
/// number when it is one, else the text as sent.
pub fn status_json(s: &Status) -> Value {
    let mut m = serde_json::Map::new();
    for (key, value) in s.text_fields() {
        // `status` is the normalised state below; the text as sent is `status_raw`.
        let key = if key == "status" { "status_raw" } else { key };
        m.insert(key.into(), value.map_or(Value::Null, Value::from));
    }
    let ref_id = match &s.ref_id {
        None => Value::Null,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.clone()), Value::from),
    };
    m.insert("ref_id".into(), ref_id);
    m.insert("status".into(), status_name(&s.status).into());
    m.insert("final".into(), s.is_final().into());
    m.insert("name_match".into(), name_match_name(&s.name_match).into());
    Value::Object(m)
}

/// Escapes control characters (ANSI escapes included) so server text cannot drive
/// the terminal.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `key: value` lines with aligned values. One rule for every field: `-` when there is
/// no value — absent, JSON null, empty or only spaces (`--json` keeps null and `""`
/// apart).
fn table(rows: &[(&str, Option<&str>)]) -> String {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 2;
    let mut out = String::new();
    for (key, value) in rows {
        let label = format!("{key}:");
        let value = match value {
            Some(v) if !v.trim().is_empty() => sanitize(v),
            _ => "-".to_string(),
        };
        out.push_str(&format!("{label:<width$}{value}\n"));
    }
    out
}

/// The created request as aligned text.
pub fn created_text(c: &CreatedRequest) -> String {
    let ref_id = c.ref_id.to_string();
    table(&[
        ("verification_id", Some(&c.verification_id)),
        ("ref_id", Some(&ref_id)),
        ("valid_upto", c.valid_upto.as_deref()),
        ("upi_link", Some(&c.upi_link)),
        ("gpay", c.gpay.as_deref()),
        ("bhim", c.bhim.as_deref()),
        ("paytm", c.paytm.as_deref()),
        ("phonepe", c.phonepe.as_deref()),
    ])
}

/// Every field of a status as aligned text.
pub fn status_text(s: &Status) -> String {
    let rows: Vec<(&str, Option<&str>)> = s
        .text_fields()
        .into_iter()
        .map(|(key, value)| match key {
            // The normalised state, e.g. `FAILED` shown as `FAILURE`.
            "status" => (key, Some(status_name(&s.status))),
            _ => (key, value),
        })
        .collect();
    table(&rows)
}

/// Writes to stdout; a closed pipe (`cfrpd ... | head -1`) is not an error worth a panic.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes one JSON value and a newline to stdout.
pub fn out_json(v: &Value) {
    out(&format!("{v}\n"));
}

/// Writes to stderr, ignoring failures.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(sanitize("plain ₹1"), "plain ₹1");
        assert_eq!(sanitize("a\x1b[2Jb\n"), "a\\u{1b}[2Jb\\n");
    }

    #[test]
    fn table_aligns_and_marks_absent_values() {
        let t = table(&[("a", Some("1")), ("long_key", None)]);
        assert_eq!(t, "a:        1\nlong_key: -\n");
        // Empty and blank values follow the same rule as absent ones.
        let t = table(&[("a", Some("")), ("b", Some("  ")), ("c", Some(" x"))]);
        assert_eq!(t, "a: -\nb: -\nc:  x\n");
    }

    #[test]
    fn names() {
        assert_eq!(
            status_name(&VerificationStatus::parse("failure")),
            "FAILURE"
        );
        assert_eq!(
            status_name(&VerificationStatus::Unknown("ODD".into())),
            "ODD"
        );
        assert_eq!(name_match_name(&NameMatch::parse("no_match")), "NO_MATCH");
    }
}
