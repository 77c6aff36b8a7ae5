//! Canned answers: Cashfree's documented errors, the rate-limit headers, sample bodies,
//! and what each fault kind turns an answer into ([`render`]).

use serde_json::{json, Map, Value};

use crate::faults::{Action, Endpoint, FaultKind};
use crate::http::Response;

/// Error body in Cashfree's shape.
pub(crate) fn error_body(code: &str, message: &str, kind: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"code": code, "message": message, "type": kind})).unwrap_or_default()
}

/// Error response in Cashfree's shape.
pub(crate) fn error(status: u16, code: &str, message: &str, kind: &str) -> Response {
    Response::json(status, error_body(code, message, kind))
}

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The documented answer for an HTTP status (the body of `samples/errors.json`).
pub(crate) fn documented(status: u16) -> Response {
    match status {
        400 => error(
            400,
            "verification_id_already_exists",
            "verification_id already exists",
            "validation_error",
        ),
        401 => error(
            401,
            "authentication_failed",
            "Invalid clientId and clientSecret combination",
            "authentication_error",
        ),
        403 => error(
            403,
            "ip_not_whitelisted",
            "IP not whitelisted",
            "authentication_error",
        ),
        404 => error(
            404,
            "verification_id_not_found",
            "verification_id does not exist",
            "validation_error",
        ),
        422 => error(
            422,
            "insufficient_balance",
            "Insufficient balance to process this request",
            "validation_error",
        ),
        429 => error(
            429,
            "rate_limit_exceeded",
            "Too many requests, please retry later",
            "rate_limit_error",
        ),
        500 => error(
            500,
            "internal_error",
            "Unable to validate, please retry later",
            "internal_error",
        ),
        502 => Response::with_type(502, "text/html", HTML_502.as_bytes().to_vec()),
        503 => error(
            503,
            "service_unavailable",
            "Service temporarily unavailable, please retry later",
            "internal_error",
        ),
        504 => error(
            504,
            "gateway_timeout",
            "Upstream timed out, please retry later",
            "internal_error",
        ),
        other => error(
            other,
            "emulated_error",
            crate::http::reason(other),
            "api_error",
        ),
    }
}

/// Adds Cashfree's rate-limit headers.
pub(crate) fn rate_limit_headers(r: Response, limit: u32, remaining: u32, reset: u64) -> Response {
    r.header("X-RateLimit-Limit", &limit.to_string())
        .header("X-RateLimit-Remaining", &remaining.to_string())
        .header("X-RateLimit-Reset", &reset.to_string())
}

/// A plausible create answer, used as the base of the body-mangling faults.
pub(crate) fn canned_create(verification_id: &str) -> Map<String, Value> {
    let link = |scheme: &str| {
        format!("{scheme}pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=999999")
    };
    let v = json!({
        "verification_id": verification_id,
        "ref_id": 999_999,
        "valid_upto": "2030-01-01T00:00:00.000Z",
        "upi_link": link("upi://"),
        "gpay": link("tez://upi/"),
        "bhim": link("bhim://upi://"),
        "paytm": link("paytmmp://"),
        "phonepe": link("phonepe://"),
        "qr_code": "iVBORw0KGgo=",
    });
    v.as_object().cloned().unwrap_or_default()
}

/// A plausible status answer (like `samples/status_success.json`).
pub(crate) fn canned_status(verification_id: &str) -> Map<String, Value> {
    let v = json!({
        "bank_account": "026291800001191",
        "ifsc": "YESB0000262",
        "upi": "success@upi",
        "name_at_bank": "JOHN DOE",
        "verification_id": verification_id,
        "ref_id": "999999",
        "utr": "400000999999",
        "status": "SUCCESS",
        "name_match_score": "100.00",
        "name_match_result": "DIRECT_MATCH",
        "added_on": "2024-02-13T18:21:44+05:30",
        "processed_on": "2024-02-13T18:23:02+05:30",
        "penny_collected_on": "2024-02-13T18:23:01+05:30",
        "reversal_status": "PENDING",
        "account_type": "SAVINGS",
    });
    v.as_object().cloned().unwrap_or_default()
}

/// Unknown fields added by [`FaultKind::ExtraFields`].
pub(crate) fn add_extra_fields(obj: &mut Map<String, Value>) {
    obj.insert(
        "emulator_extra".into(),
        json!({"nested": [1, 2, {"deep": true}], "note": "unknown field"}),
    );
    obj.insert("unknown_number".into(), json!(42.5));
    obj.insert("unknown_null".into(), Value::Null);
    obj.insert("future_field".into(), json!("x"));
}

/// Placeholder replaced by raw invalid UTF-8 bytes.
const BAD_UTF8_MARK: &str = "__EMU_INVALID_UTF8__";

/// The answer of a fault that replaces processing (`Delay` and `ExtraFields` excluded).
pub(crate) fn render(kind: &FaultKind, hit: Endpoint, verification_id: &str) -> Action {
    let base = || match hit {
        Endpoint::Status => canned_status(verification_id),
        _ => canned_create(verification_id),
    };
    let json200 = |obj: Map<String, Value>| {
        Response::json(
            200,
            serde_json::to_vec(&Value::Object(obj)).unwrap_or_default(),
        )
    };
    let resp = match kind {
        FaultKind::Delay(_)
        | FaultKind::ExtraFields
        | FaultKind::RateLimitHeaders { .. }
        | FaultKind::OtherRequest { .. } => json200(base()),
        FaultKind::RateLimited { limit, reset_secs } => {
            rate_limit_headers(documented(429), *limit, 0, *reset_secs)
        }
        FaultKind::RateLimitRetry {
            limit,
            retry_secs,
            reset_secs,
        } => rate_limit_headers(documented(429), *limit, 0, *reset_secs)
            .header("x-ratelimit-retry", &retry_secs.to_string()),
        FaultKind::ErrorBody200 {
            code,
            message,
            error_type,
        } => error(200, code, message, error_type),
        FaultKind::Status {
            code,
            body,
            content_type,
            retry_after,
            location,
        } => {
            let mut r = Response::with_type(*code, content_type, body.as_bytes().to_vec());
            if let Some(ra) = retry_after {
                r = r.header("Retry-After", ra);
            }
            if let Some(loc) = location {
                r = r.header("Location", loc);
            }
            r
        }
        FaultKind::Documented(code) => documented(*code),
        FaultKind::RetryAfter(secs) => documented(429).header("Retry-After", &secs.to_string()),
        FaultKind::ResetBeforeResponse => return Action::ResetBeforeResponse,
        FaultKind::ResetAfterHeaders => return Action::ResetAfterHeaders(json200(base())),
        FaultKind::TruncatedBody => {
            let mut r = json200(base());
            r.close = true;
            return Action::Truncated(r);
        }
        FaultKind::Html502 => documented(502),
        FaultKind::HugeBody(n) => Response::json(200, huge_body(*n)),
        FaultKind::InvalidJson => Response::json(
            200,
            format!(
                "{{\"verification_id\": \"{verification_id}\", \"ref_id\": 12, \"status\": SUCC"
            )
            .into_bytes(),
        ),
        FaultKind::WrongTypes => {
            let mut obj = base();
            if hit == Endpoint::Status {
                obj.insert("ref_id".into(), json!(999_999));
                obj.insert("bank_account".into(), json!(26_291_800_001_191u64));
                obj.insert("name_match_score".into(), json!(100.0));
                obj.insert("utr".into(), json!({"value": "400000999999"}));
                obj.insert("account_type".into(), json!(["SAVINGS"]));
                obj.insert("status".into(), json!(1));
            } else {
                obj.insert("ref_id".into(), json!("999999"));
                obj.insert("valid_upto".into(), json!(1_893_456_000));
                obj.insert("qr_code".into(), json!({"png": true}));
                obj.insert("upi_link".into(), json!(["upi://pay"]));
                obj.insert("verification_id".into(), json!(12345));
            }
            json200(obj)
        }
        FaultKind::NullsEverywhere => {
            let obj = base().into_iter().map(|(k, _)| (k, Value::Null)).collect();
            json200(obj)
        }
        FaultKind::NulInStrings => {
            let obj = base()
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => {
                        let mid = s.len() / 2;
                        let cut = (0..=mid)
                            .rev()
                            .find(|i| s.is_char_boundary(*i))
                            .unwrap_or(0);
                        (k, Value::String(format!("{}\0{}", &s[..cut], &s[cut..])))
                    }
                    other => (k, other),
                })
                .collect();
            json200(obj)
        }
        FaultKind::InvalidUtf8 => {
            let mut obj = base();
            let field = if hit == Endpoint::Status {
                "name_at_bank"
            } else {
                "verification_id"
            };
            obj.insert(field.into(), json!(format!("AB{BAD_UTF8_MARK}CD")));
            let text = serde_json::to_string(&Value::Object(obj)).unwrap_or_default();
            let mut bytes = Vec::with_capacity(text.len());
            let mut parts = text.split(BAD_UTF8_MARK);
            if let Some(first) = parts.next() {
                bytes.extend_from_slice(first.as_bytes());
            }
            for part in parts {
                bytes.extend_from_slice(&[0xFF, 0xFE, 0xFF]);
                bytes.extend_from_slice(part.as_bytes());
            }
            Response::json(200, bytes)
        }
        FaultKind::WrongContentType => {
            let mut r = json200(base());
            r.content_type = Some("text/plain".to_string());
            r
        }
        FaultKind::EmptyBody200 => Response::json(200, Vec::new()),
    };
    Action::Respond(resp)
}

/// A JSON-looking body of exactly `n` bytes (when `n` >= 14).
pub(crate) fn huge_body(n: usize) -> Vec<u8> {
    const HEAD: &[u8] = b"{\"padding\":\"";
    const TAIL: &[u8] = b"\"}";
    if n < HEAD.len() + TAIL.len() {
        return vec![b' '; n];
    }
    let mut v = Vec::with_capacity(n);
    v.extend_from_slice(HEAD);
    v.resize(n - TAIL.len(), b'a');
    v.extend_from_slice(TAIL);
    v
}
