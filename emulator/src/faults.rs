//! Fault injection: what can go wrong, which requests it hits, and the canned answers.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::http::Response;

/// Which API call a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Any API call (create, status, or an unknown path under the API).
    Any,
    /// `POST /verification/reverse-penny-drop`.
    Create,
    /// `GET /verification/remitter/status`.
    Status,
}

impl Endpoint {
    fn matches(self, hit: Endpoint) -> bool {
        self == Endpoint::Any || self == hit
    }
}

/// What happens to a request a fault applies to.
///
/// All kinds except [`FaultKind::Delay`] and [`FaultKind::ExtraFields`] answer in place
/// of the real processing (nothing is created or looked up; the request is still
/// counted in [`crate::Stats`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Wait this long, then process the request normally (a delayed create is stored).
    Delay(Duration),
    /// A canned answer: status code, body, content type and optional headers.
    Status {
        /// HTTP status code.
        code: u16,
        /// Response body.
        body: String,
        /// `Content-Type` header value.
        content_type: String,
        /// `Retry-After` header value, if any.
        retry_after: Option<String>,
        /// `Location` header value, if any (for redirects).
        location: Option<String>,
    },
    /// The documented error body for 400 (duplicate id), 401, 403, 404, 422, 429, 500,
    /// 502 (an HTML proxy page), 503 or 504.
    Documented(u16),
    /// 429 with `Retry-After: <secs>`.
    RetryAfter(u64),
    /// Read the request, then reset the connection (RST) without answering.
    ResetBeforeResponse,
    /// Send the status line and headers (with a `Content-Length`), then reset.
    ResetAfterHeaders,
    /// Valid headers announcing more body than is sent, then close.
    TruncatedBody,
    /// 502 with an HTML page, as a proxy or load balancer sends.
    Html502,
    /// 200 with a JSON-looking body of this many bytes.
    HugeBody(usize),
    /// 200 with a body that is not valid JSON.
    InvalidJson,
    /// 200 with numbers where strings belong (and vice versa), objects and arrays.
    WrongTypes,
    /// 200 with every field `null`.
    NullsEverywhere,
    /// The normal answer plus unknown fields (must still decode).
    ExtraFields,
    /// 200 with `\u0000` inside string values.
    NulInStrings,
    /// 200 with raw 0xff bytes inside a string value.
    InvalidUtf8,
    /// A normal-looking JSON body labelled `text/plain`.
    WrongContentType,
    /// 200 with an empty body.
    EmptyBody200,
}

/// A fault queued for the next matching request(s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Which requests it applies to.
    pub endpoint: Endpoint,
    /// What happens to them.
    pub kind: FaultKind,
    /// How many matching requests it applies to (0 = none; the fault is ignored).
    pub times: u32,
}

impl Fault {
    /// A fault for the next matching request only.
    pub fn once(endpoint: Endpoint, kind: FaultKind) -> Fault {
        Fault::times(endpoint, kind, 1)
    }

    /// A fault for the next `n` matching requests.
    pub fn times(endpoint: Endpoint, kind: FaultKind, n: u32) -> Fault {
        Fault {
            endpoint,
            kind,
            times: n,
        }
    }

    /// Parses the JSON form used by `POST /__emulator/fault`, e.g.
    /// `{"endpoint":"status","kind":"status","code":503,"times":1}` or
    /// `{"kind":"delay","ms":2000}`. `endpoint` defaults to `any`, `times` to 1.
    pub fn from_json(v: &Value) -> Result<Fault, String> {
        let obj = v.as_object().ok_or("fault must be a JSON object")?;
        let s = |k: &str| obj.get(k).and_then(Value::as_str);
        let n = |k: &str| obj.get(k).and_then(Value::as_u64);
        let endpoint = match s("endpoint").unwrap_or("any") {
            "any" => Endpoint::Any,
            "create" => Endpoint::Create,
            "status" => Endpoint::Status,
            other => return Err(format!("unknown endpoint {other:?} (any|create|status)")),
        };
        let times = n("times").unwrap_or(1).min(u64::from(u32::MAX)) as u32;
        let need = |k: &str| n(k).ok_or_else(|| format!("missing numeric field {k:?}"));
        let kind_name = s("kind").ok_or("missing \"kind\"")?;
        let kind = match kind_name {
            "delay" => FaultKind::Delay(Duration::from_millis(need("ms")?)),
            "status" => FaultKind::Status {
                code: status_code(need("code")?)?,
                body: s("body").unwrap_or("").to_string(),
                content_type: s("content_type").unwrap_or("application/json").to_string(),
                retry_after: s("retry_after").map(str::to_string),
                location: s("location").map(str::to_string),
            },
            "documented" => FaultKind::Documented(status_code(need("code")?)?),
            "retry_after" => FaultKind::RetryAfter(need("secs")?),
            "reset_before_response" => FaultKind::ResetBeforeResponse,
            "reset_after_headers" => FaultKind::ResetAfterHeaders,
            "truncated_body" => FaultKind::TruncatedBody,
            "html502" | "html_502" => FaultKind::Html502,
            "huge_body" => FaultKind::HugeBody(need("bytes")?.min(1 << 30) as usize),
            "invalid_json" => FaultKind::InvalidJson,
            "wrong_types" => FaultKind::WrongTypes,
            "nulls_everywhere" => FaultKind::NullsEverywhere,
            "extra_fields" => FaultKind::ExtraFields,
            "nul_in_strings" => FaultKind::NulInStrings,
            "invalid_utf8" => FaultKind::InvalidUtf8,
            "wrong_content_type" => FaultKind::WrongContentType,
            "empty_body200" | "empty_body_200" => FaultKind::EmptyBody200,
            other => return Err(format!("unknown fault kind {other:?}")),
        };
        Ok(Fault {
            endpoint,
            kind,
            times,
        })
    }
}

fn status_code(n: u64) -> Result<u16, String> {
    if (100..=599).contains(&n) {
        Ok(n as u16)
    } else {
        Err(format!("invalid status code {n}"))
    }
}

/// FIFO of pending faults.
#[derive(Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.queue.push_back(fault);
        }
    }

    pub fn clear(&mut self) {
        self.queue.clear();
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Takes one use of the first fault matching `hit`.
    pub fn take(&mut self, hit: Endpoint) -> Option<FaultKind> {
        let i = self.queue.iter().position(|f| f.endpoint.matches(hit))?;
        let fault = &mut self.queue[i];
        fault.times -= 1;
        if fault.times == 0 {
            self.queue.remove(i).map(|f| f.kind)
        } else {
            Some(fault.kind.clone())
        }
    }
}

/// How the connection handler must answer.
#[derive(Debug)]
pub(crate) enum Action {
    /// Write this response.
    Respond(Response),
    /// Close with RST, no answer.
    ResetBeforeResponse,
    /// Write the head of this response (announcing its full length), then RST.
    ResetAfterHeaders(Response),
    /// Write the head and half the body of this response, then close.
    Truncated(Response),
}

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
        FaultKind::Delay(_) | FaultKind::ExtraFields => json200(base()),
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
fn huge_body(n: usize) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_fifo_per_endpoint_and_counts_uses() {
        let mut q = FaultQueue::default();
        q.push(Fault::times(
            Endpoint::Status,
            FaultKind::Documented(500),
            2,
        ));
        q.push(Fault::once(Endpoint::Any, FaultKind::InvalidJson));
        q.push(Fault::times(Endpoint::Create, FaultKind::EmptyBody200, 0));
        assert_eq!(q.take(Endpoint::Create), Some(FaultKind::InvalidJson));
        assert_eq!(q.take(Endpoint::Create), None);
        assert_eq!(q.take(Endpoint::Status), Some(FaultKind::Documented(500)));
        assert_eq!(q.take(Endpoint::Status), Some(FaultKind::Documented(500)));
        assert_eq!(q.take(Endpoint::Status), None);
        assert!(q.is_empty());
    }

    #[test]
    fn json_form() {
        let f =
            Fault::from_json(&json!({"endpoint":"status","kind":"status","code":503,"times":2}))
                .unwrap();
        assert_eq!(f.endpoint, Endpoint::Status);
        assert_eq!(f.times, 2);
        assert!(matches!(f.kind, FaultKind::Status { code: 503, .. }));
        let f = Fault::from_json(&json!({"kind":"delay","ms":2000})).unwrap();
        assert_eq!(
            f,
            Fault::once(Endpoint::Any, FaultKind::Delay(Duration::from_secs(2)))
        );
        assert!(Fault::from_json(&json!({"kind":"nope"})).is_err());
        assert!(Fault::from_json(&json!({"kind":"status"})).is_err());
    }

    #[test]
    fn mangled_bodies() {
        let body = |k: FaultKind, hit| match render(&k, hit, "v1") {
            Action::Respond(r) => r.body,
            other => panic!("{other:?}"),
        };
        assert_eq!(huge_body(100).len(), 100);
        assert!(serde_json::from_slice::<Value>(&huge_body(100)).is_ok());
        assert!(
            serde_json::from_slice::<Value>(&body(FaultKind::InvalidJson, Endpoint::Create))
                .is_err()
        );
        let bad = body(FaultKind::InvalidUtf8, Endpoint::Status);
        assert!(std::str::from_utf8(&bad).is_err());
        let nul = body(FaultKind::NulInStrings, Endpoint::Create);
        assert!(String::from_utf8(nul).unwrap().contains("\\u0000"));
        let wt: Value =
            serde_json::from_slice(&body(FaultKind::WrongTypes, Endpoint::Create)).unwrap();
        assert!(wt["ref_id"].is_string());
    }
}
