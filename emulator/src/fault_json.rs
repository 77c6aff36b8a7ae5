//! The JSON form of a fault (`POST /__emulator/fault`): parsing, and refusals that
//! list the valid kinds and fields.

use std::time::Duration;

use serde_json::Value;

use crate::faults::{Endpoint, Fault, FaultKind, KINDS};

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

impl Fault {
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
