//! Fault injection: what can go wrong and which requests it hits (the types and the
//! queue). Their JSON form is parsed in [`crate::fault_json`]; the answers they produce
//! are in [`crate::canned`] (re-exported here for the server).

use std::collections::VecDeque;
use std::time::Duration;

use crate::http::Response;

pub(crate) use crate::canned::{
    add_extra_fields, canned_status, documented, error, rate_limit_headers, render,
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canned::*;
    use serde_json::{json, Value};

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
