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
/// All kinds except [`FaultKind::Delay`], [`FaultKind::ExtraFields`],
/// [`FaultKind::RateLimitHeaders`] and [`FaultKind::OtherRequest`] answer in place of the
/// real processing (nothing is created or looked up; the request is still counted in
/// [`crate::Stats`]). The JSON form of each kind (for `POST /__emulator/fault`) is in
/// `emulator/README.md`.
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
    /// 429 as Cashfree's rate limiter sends it without `Retry-After`:
    /// `X-RateLimit-Limit: limit`, `X-RateLimit-Remaining: 0`,
    /// `X-RateLimit-Reset: reset_secs` and the documented 429 body.
    RateLimited {
        /// `X-RateLimit-Limit`.
        limit: u32,
        /// `X-RateLimit-Reset`: seconds until the window resets.
        reset_secs: u64,
    },
    /// 429 with `x-ratelimit-retry: retry_secs` (and the X-RateLimit-* headers with
    /// `X-RateLimit-Reset: reset_secs`), no `Retry-After`.
    RateLimitRetry {
        /// `X-RateLimit-Limit`.
        limit: u32,
        /// `x-ratelimit-retry`: seconds to wait.
        retry_secs: u64,
        /// `X-RateLimit-Reset`.
        reset_secs: u64,
    },
    /// The normal answer (processed as usual) plus `X-RateLimit-Limit: limit`,
    /// `X-RateLimit-Remaining: remaining`, `X-RateLimit-Reset: reset_secs`: e.g. a
    /// success that says the window is used up.
    RateLimitHeaders {
        /// `X-RateLimit-Limit`.
        limit: u32,
        /// `X-RateLimit-Remaining`.
        remaining: u32,
        /// `X-RateLimit-Reset`.
        reset_secs: u64,
    },
    /// HTTP 200 whose body is a Cashfree error object `{"code","message","type"}` (as
    /// Cashfree's older reference documents some errors); not processed.
    ErrorBody200 {
        /// `code`, e.g. `verification_id_already_exists`.
        code: String,
        /// `message`, e.g. `verification_id already exists`.
        message: String,
        /// `type`, e.g. `validation_error`.
        error_type: String,
    },
    /// An answer about another request. Status: the status of another stored request
    /// (the one named here, or else the most recently created other one), or, when
    /// there is none, a made-up SUCCESS for `verification_id` (default
    /// `emu-other-request`) with ref_id `"999999"`; either way its `verification_id`
    /// and `ref_id` differ from the ones asked about. Create: the create is processed
    /// and stored normally, but the answer names another request (`verification_id`
    /// = the one given here or `<sent id>-other`, and a different `ref_id`).
    OtherRequest {
        /// The other request's verification_id (None = pick one as described).
        verification_id: Option<String>,
    },
}

impl FaultKind {
    /// The error body of [`FaultKind::ErrorBody200`] for a duplicate verification_id.
    pub fn duplicate_under_200() -> FaultKind {
        FaultKind::ErrorBody200 {
            code: "verification_id_already_exists".into(),
            message: "verification_id already exists".into(),
            error_type: "validation_error".into(),
        }
    }
}

/// Every fault kind of the JSON form with its own fields (besides `endpoint`, `kind`,
/// `times`); the first name of each entry is the canonical one.
pub(crate) const KINDS: &[(&[&str], &[&str])] = &[
    (&["delay"], &["ms"]),
    (
        &["status"],
        &["code", "body", "content_type", "retry_after", "location"],
    ),
    (&["documented"], &["code"]),
    (&["retry_after"], &["secs"]),
    (&["rate_limited"], &["reset_secs", "limit"]),
    (&["ratelimit_retry"], &["secs", "reset_secs", "limit"]),
    (
        &["rate_limit_headers"],
        &["remaining", "reset_secs", "limit"],
    ),
    (&["error_200"], &["code", "message", "type"]),
    (&["other_request"], &["verification_id"]),
    (&["reset_before_response"], &[]),
    (&["reset_after_headers"], &[]),
    (&["truncated_body"], &[]),
    (&["html502", "html_502"], &[]),
    (&["huge_body"], &["bytes"]),
    (&["invalid_json"], &[]),
    (&["wrong_types"], &[]),
    (&["nulls_everywhere"], &[]),
    (&["extra_fields"], &[]),
    (&["nul_in_strings"], &[]),
    (&["invalid_utf8"], &[]),
    (&["wrong_content_type"], &[]),
    (&["empty_body_200", "empty_body200"], &[]),
];

/// Fields every fault accepts.
const COMMON_FIELDS: &[&str] = &["endpoint", "kind", "times"];

/// Default `X-RateLimit-Limit` of the rate-limit faults.
const DEFAULT_LIMIT: u64 = 60;

fn kind_names() -> String {
    KINDS
        .iter()
        .map(|(names, _)| names[0])
        .collect::<Vec<_>>()
        .join(", ")
}

fn fields_text(fields: &[&str]) -> String {
    if fields.is_empty() {
        "none".to_string()
    } else {
        fields.join(", ")
    }
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
        let obj = v.as_object().ok_or_else(|| {
            format!(
                "the fault must be a JSON object with \"kind\" (one of: {})",
                kind_names()
            )
        })?;
        let kind_name = match obj.get("kind") {
            Some(Value::String(k)) => k.as_str(),
            Some(_) => {
                return Err(format!(
                    "\"kind\" must be a string, one of: {}",
                    kind_names()
                ))
            }
            None => return Err(format!("missing \"kind\"; valid kinds: {}", kind_names())),
        };
        let Some((names, fields)) = KINDS.iter().find(|(names, _)| names.contains(&kind_name))
        else {
            return Err(format!(
                "unknown fault kind {kind_name:?}; valid kinds: {}",
                kind_names()
            ));
        };
        let canonical = names[0];
        for key in obj.keys() {
            if !COMMON_FIELDS.contains(&key.as_str()) && !fields.contains(&key.as_str()) {
                return Err(format!(
                    "unknown field {key:?} for kind {canonical:?}; valid fields: {} (own: {})",
                    COMMON_FIELDS.join(", "),
                    fields_text(fields)
                ));
            }
        }
        let opt_str = |k: &str| -> Result<Option<&str>, String> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(other) => Err(format!("field {k:?} must be a string, not {other}")),
            }
        };
        let opt_num = |k: &str| -> Result<Option<u64>, String> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| format!("field {k:?} must be a non-negative integer, not {v}")),
            }
        };
        let need = |k: &str| -> Result<u64, String> {
            opt_num(k)?.ok_or_else(|| {
                format!(
                    "kind {canonical:?} needs the numeric field {k:?} (its fields: {})",
                    fields_text(fields)
                )
            })
        };
        let u32_of = |k: &str, n: u64| -> Result<u32, String> {
            u32::try_from(n).map_err(|_| format!("field {k:?} is too large ({n})"))
        };
        let endpoint = match opt_str("endpoint")?.unwrap_or("any") {
            "any" => Endpoint::Any,
            "create" => Endpoint::Create,
            "status" => Endpoint::Status,
            other => {
                return Err(format!(
                    "unknown endpoint {other:?}; valid endpoints: any, create, status"
                ))
            }
        };
        let times = u32_of("times", opt_num("times")?.unwrap_or(1))?;
        let limit = || -> Result<u32, String> {
            u32_of("limit", opt_num("limit")?.unwrap_or(DEFAULT_LIMIT))
        };
        let kind = match canonical {
            "delay" => FaultKind::Delay(Duration::from_millis(need("ms")?)),
            "status" => FaultKind::Status {
                code: status_code(need("code")?)?,
                body: opt_str("body")?.unwrap_or("").to_string(),
                content_type: opt_str("content_type")?
                    .unwrap_or("application/json")
                    .to_string(),
                retry_after: opt_str("retry_after")?.map(str::to_string),
                location: opt_str("location")?.map(str::to_string),
            },
            "documented" => FaultKind::Documented(status_code(need("code")?)?),
            "retry_after" => FaultKind::RetryAfter(need("secs")?),
            "rate_limited" => FaultKind::RateLimited {
                limit: limit()?,
                reset_secs: need("reset_secs")?,
            },
            "ratelimit_retry" => {
                let retry_secs = need("secs")?;
                FaultKind::RateLimitRetry {
                    limit: limit()?,
                    retry_secs,
                    reset_secs: opt_num("reset_secs")?.unwrap_or(retry_secs),
                }
            }
            "rate_limit_headers" => FaultKind::RateLimitHeaders {
                limit: limit()?,
                remaining: u32_of("remaining", need("remaining")?)?,
                reset_secs: need("reset_secs")?,
            },
            "error_200" => FaultKind::ErrorBody200 {
                code: opt_str("code")?
                    .unwrap_or("verification_id_already_exists")
                    .to_string(),
                message: opt_str("message")?
                    .unwrap_or("verification_id already exists")
                    .to_string(),
                error_type: opt_str("type")?.unwrap_or("validation_error").to_string(),
            },
            "other_request" => FaultKind::OtherRequest {
                verification_id: opt_str("verification_id")?.map(str::to_string),
            },
            "reset_before_response" => FaultKind::ResetBeforeResponse,
            "reset_after_headers" => FaultKind::ResetAfterHeaders,
            "truncated_body" => FaultKind::TruncatedBody,
            "html502" => FaultKind::Html502,
            "huge_body" => FaultKind::HugeBody(need("bytes")?.min(1 << 30) as usize),
            "invalid_json" => FaultKind::InvalidJson,
            "wrong_types" => FaultKind::WrongTypes,
            "nulls_everywhere" => FaultKind::NullsEverywhere,
            "extra_fields" => FaultKind::ExtraFields,
            "nul_in_strings" => FaultKind::NulInStrings,
            "invalid_utf8" => FaultKind::InvalidUtf8,
            "wrong_content_type" => FaultKind::WrongContentType,
            "empty_body_200" => FaultKind::EmptyBody200,
            other => unreachable!("kind {other} is listed in KINDS but not parsed"),
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
        Err(format!("invalid HTTP status code {n} (valid: 100..=599)"))
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
    fn json_form_of_the_new_kinds() {
        let kind = |v: Value| Fault::from_json(&v).unwrap().kind;
        assert_eq!(
            kind(json!({"kind":"rate_limited","reset_secs":3})),
            FaultKind::RateLimited {
                limit: 60,
                reset_secs: 3
            }
        );
        assert_eq!(
            kind(json!({"kind":"ratelimit_retry","secs":4})),
            FaultKind::RateLimitRetry {
                limit: 60,
                retry_secs: 4,
                reset_secs: 4
            }
        );
        assert_eq!(
            kind(json!({"kind":"rate_limit_headers","remaining":0,"reset_secs":2,"limit":5})),
            FaultKind::RateLimitHeaders {
                limit: 5,
                remaining: 0,
                reset_secs: 2
            }
        );
        assert_eq!(
            kind(json!({"kind":"error_200"})),
            FaultKind::duplicate_under_200()
        );
        assert_eq!(
            kind(json!({"kind":"error_200","code":"c","message":"m","type":"t"})),
            FaultKind::ErrorBody200 {
                code: "c".into(),
                message: "m".into(),
                error_type: "t".into()
            }
        );
        assert_eq!(
            kind(json!({"kind":"other_request","verification_id":"x"})),
            FaultKind::OtherRequest {
                verification_id: Some("x".into())
            }
        );
        assert_eq!(
            kind(json!({"kind":"empty_body200"})),
            FaultKind::EmptyBody200
        );
        // Every listed kind parses with its fields given.
        for (names, fields) in KINDS {
            for name in names.iter() {
                let mut obj = serde_json::Map::new();
                obj.insert("kind".into(), json!(name));
                for f in fields.iter() {
                    let v = match *f {
                        "code" if *name == "error_200" => json!("c"),
                        "code" => json!(500),
                        "body" | "content_type" | "retry_after" | "location" | "message"
                        | "type" | "verification_id" => json!("x"),
                        _ => json!(1),
                    };
                    obj.insert((*f).into(), v);
                }
                assert!(Fault::from_json(&Value::Object(obj)).is_ok(), "{name}");
            }
        }
    }

    #[test]
    fn readme_documents_every_kind_and_field() {
        let readme = include_str!("../README.md");
        for (names, fields) in KINDS {
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{}`", names[0])))
                .unwrap_or_else(|| panic!("README has no row for fault kind {}", names[0]));
            for name in names.iter() {
                assert!(row.contains(&format!("`{name}`")), "{row} lacks {name}");
            }
            for f in fields.iter() {
                assert!(row.contains(&format!("`{f}`")), "{row} lacks field {f}");
            }
        }
    }

    #[test]
    fn json_refusals_list_the_valid_values() {
        let err = |v: Value| Fault::from_json(&v).unwrap_err();
        let e = err(json!({"kind":"nope"}));
        assert!(e.contains("\"nope\""), "{e}");
        for (names, _) in KINDS {
            assert!(e.contains(names[0]), "{e} lacks {}", names[0]);
        }
        let e = err(json!({"kind":"delay","ms":1,"endpoint":"both"}));
        assert!(e.contains("any, create, status"), "{e}");
        let e = err(json!({"kind":"delay","ms":1,"secs":2}));
        assert!(e.contains("\"secs\"") && e.contains("ms"), "{e}");
        let e = err(json!({"kind":"rate_limited"}));
        assert!(e.contains("reset_secs"), "{e}");
        let e = err(json!({"kind":"delay","ms":"1000"}));
        assert!(e.contains("non-negative integer"), "{e}");
        let e = err(json!({"kind":"delay","ms":1,"times":-1}));
        assert!(e.contains("times"), "{e}");
        let e = err(json!([1]));
        assert!(e.contains("rate_limited"), "{e}");
        let e = err(json!({}));
        assert!(e.contains("missing") && e.contains("error_200"), "{e}");
        let e = err(json!({"kind":"documented","code":99}));
        assert!(e.contains("100..=599"), "{e}");
    }

    #[test]
    fn rate_limit_and_error_200_answers() {
        let resp = |k: FaultKind| match render(&k, Endpoint::Status, "v1") {
            Action::Respond(r) => r,
            other => panic!("{other:?}"),
        };
        let h = |r: &Response, n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
        };
        let r = resp(FaultKind::RateLimited {
            limit: 10,
            reset_secs: 3,
        });
        assert_eq!(r.status, 429);
        assert_eq!(h(&r, "x-ratelimit-limit").as_deref(), Some("10"));
        assert_eq!(h(&r, "x-ratelimit-remaining").as_deref(), Some("0"));
        assert_eq!(h(&r, "x-ratelimit-reset").as_deref(), Some("3"));
        assert_eq!(h(&r, "retry-after"), None);
        assert_eq!(h(&r, "x-ratelimit-retry"), None);
        let r = resp(FaultKind::RateLimitRetry {
            limit: 7,
            retry_secs: 2,
            reset_secs: 9,
        });
        assert_eq!(r.status, 429);
        assert_eq!(h(&r, "x-ratelimit-retry").as_deref(), Some("2"));
        assert_eq!(h(&r, "x-ratelimit-limit").as_deref(), Some("7"));
        assert_eq!(h(&r, "x-ratelimit-reset").as_deref(), Some("9"));
        assert_eq!(h(&r, "retry-after"), None);
        let r = resp(FaultKind::duplicate_under_200());
        assert_eq!(r.status, 200);
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v,
            json!({"code":"verification_id_already_exists","message":"verification_id already exists","type":"validation_error"})
        );
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
