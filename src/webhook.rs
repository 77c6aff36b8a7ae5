//! Verifying and parsing RPD webhook deliveries.
//!
//! Two signature schemes exist (Cashfree's webhook documentation; README.md, "Webhooks"):
//!
//! - **Header scheme** (what Cashfree's current webhooks send, and what we recommend):
//!   `x-webhook-signature` = base64(HMAC-SHA256(key = client secret,
//!   message = `x-webhook-timestamp` text followed directly by the raw body)). It covers
//!   the whole body and carries a timestamp, so stale or replayed deliveries can be
//!   refused with `max_age`.
//! - **Body v1 scheme** (documented for the older RPD payload): the body's own
//!   `signature` field = base64(HMAC-SHA256(client secret, the `data` values
//!   concatenated in key-sorted order)). It signs only `data` and has no timestamp: no
//!   replay protection. Take the outcome from `data.status`, never from `event_type`.
//!
//! Signatures are compared in constant time (ring's HMAC verify). Deliveries can repeat:
//! handlers must be idempotent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use ring::hmac;
use serde_json::Value;

use crate::decode::{parse_object, status_from_object, Fields};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Status;
use crate::redact::Redactor;

/// The `max_age` we recommend for the header scheme (what the C++ wrapper uses when
/// given none): wide enough for Cashfree's retries and clock skew, narrow enough to
/// refuse an old delivery replayed. `None` (C: 0) checks no age.
pub const RECOMMENDED_MAX_AGE: Duration = Duration::from_secs(300);

/// A verified webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// e.g. `RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS`; `None` if absent.
    pub event_type: Option<String>,
    /// When Cashfree sent it (kept as text).
    pub event_time: Option<String>,
    /// Payload version, e.g. `v1`.
    pub version: Option<String>,
    /// The same fields as a status answer (`raw_json` is the `data` object's JSON).
    pub data: Status,
}

/// Verifies, then parses, one delivery.
///
/// `signature` and `timestamp` are the `x-webhook-signature` / `x-webhook-timestamp`
/// header values; when both are `None`, the body's own `signature` (v1 scheme) is
/// verified instead. `max_age`: refuse a timestamp older (or further in the future)
/// than this ([`RECOMMENDED_MAX_AGE`] suits the header scheme); with `max_age` set and neither header given, the delivery is refused
/// (the v1 body scheme has no timestamp: a stripped-header replay would pass the age
/// check). A wrong, missing or stale signature is [`ErrorKind::WebhookSignature`]
/// and nothing is parsed; a verified body that is not a webhook is
/// [`ErrorKind::UnexpectedResponse`].
pub fn verify(
    client_secret: &str,
    raw_body: &[u8],
    signature: Option<&str>,
    timestamp: Option<&str>,
    max_age: Option<Duration>,
) -> Result<WebhookEvent> {
    if client_secret.is_empty() {
        return Err(Error::invalid("client secret is empty"));
    }
    match (signature, timestamp) {
        (Some(sig), Some(ts)) => verify_header(client_secret, raw_body, sig, ts, max_age)?,
        (None, None) if max_age.is_some_and(|a| !a.is_zero()) => {
            return Err(sig_error(
                "a maximum age was asked for but the delivery has no x-webhook-timestamp: \
                 the v1 body signature carries no time, so a replayed body would pass (pass \
                 the x-webhook-signature and x-webhook-timestamp headers, or no maximum age)",
            ))
        }
        (None, None) => verify_body_v1(client_secret, raw_body)?,
        _ => {
            return Err(sig_error(
                "give both x-webhook-signature and x-webhook-timestamp, or neither",
            ))
        }
    }
    parse(client_secret, raw_body)
}

/// Checks the header scheme only (no parsing).
pub fn verify_header(
    client_secret: &str,
    raw_body: &[u8],
    signature: &str,
    timestamp: &str,
    max_age: Option<Duration>,
) -> Result<()> {
    let ts = timestamp.trim();
    if ts.is_empty() || ts.len() > 13 || !ts.bytes().all(|b| b.is_ascii_digit()) {
        return Err(sig_error(
            "x-webhook-timestamp is not a Unix time in digits",
        ));
    }
    let given = decode_signature(signature)?;
    let mut message = Vec::with_capacity(ts.len() + raw_body.len());
    message.extend_from_slice(ts.as_bytes());
    message.extend_from_slice(raw_body);
    let key = hmac::Key::new(hmac::HMAC_SHA256, client_secret.as_bytes());
    hmac::verify(&key, &message, &given)
        .map_err(|_| sig_error("x-webhook-signature does not match the body"))?;
    if let Some(max_age) = max_age.filter(|d| !d.is_zero()) {
        let value: u64 = ts
            .parse()
            .map_err(|_| sig_error("x-webhook-timestamp is out of range"))?;
        let sent_ms = if ts.len() == 13 {
            value
        } else {
            value.saturating_mul(1000)
        };
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        if now_ms.abs_diff(sent_ms) > max_age.as_millis() as u64 {
            return Err(sig_error(&format!(
                "x-webhook-timestamp is more than {} s away from now: stale or replayed delivery",
                max_age.as_secs()
            )));
        }
    }
    Ok(())
}

/// Checks the body `signature` (v1 scheme) only (no parsing).
pub fn verify_body_v1(client_secret: &str, raw_body: &[u8]) -> Result<()> {
    let (obj, _) = parse_object(raw_body)
        .map_err(|_| sig_error("the body is not a JSON object, so it carries no signature"))?;
    let Some(Value::String(sig)) = obj.get("signature") else {
        return Err(sig_error(
            "the body has no \"signature\" field and no x-webhook-signature header was given",
        ));
    };
    let Some(Value::Object(data)) = obj.get("data") else {
        return Err(sig_error(
            "the body has no \"data\" object to check the signature against",
        ));
    };
    let given = decode_signature(sig)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, client_secret.as_bytes());
    hmac::verify(&key, &v1_message(data), &given)
        .map_err(|_| sig_error("the body signature does not match its data"))
}

/// The v1 signed message: `data` values in key-sorted order, concatenated.
/// Strings as they are, numbers and booleans as JSON text, null as nothing.
pub fn v1_message(data: &serde_json::Map<String, Value>) -> Vec<u8> {
    let mut keys: Vec<&String> = data.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for k in keys {
        match &data[k] {
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            Value::Null => {}
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
    }
    out
}

/// base64(HMAC-SHA256(secret, message)): what a sender computes. For tests and for
/// servers that forward deliveries.
pub fn sign(client_secret: &str, message: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, client_secret.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, message).as_ref())
}

fn decode_signature(sig: &str) -> Result<Vec<u8>> {
    let sig = sig.trim();
    if sig.is_empty() {
        return Err(sig_error("the signature is empty"));
    }
    base64::engine::general_purpose::STANDARD
        .decode(sig)
        .map_err(|_| sig_error("the signature is not standard base64"))
}

/// Decodes the body as received, then scrubs the secret out of every string.
fn parse(client_secret: &str, raw_body: &[u8]) -> Result<WebhookEvent> {
    let redactor = Redactor::new(client_secret);
    let scrub = |e: Error| e.scrubbed(&redactor);
    let (obj, _) = parse_object(raw_body).map_err(|e| scrub(not_a_webhook(e.message())))?;
    let Some(Value::Object(data)) = obj.get("data") else {
        return Err(not_a_webhook("it has no \"data\" object"));
    };
    let data_json = serde_json::to_string(data).unwrap_or_default();
    let f = Fields(&obj);
    let mut event = WebhookEvent {
        event_type: f.text("event_type").map_err(scrub)?,
        event_time: f.text("event_time").map_err(scrub)?,
        version: f.text("version").map_err(scrub)?,
        data: status_from_object(data, data_json)
            .map_err(scrub)?
            .scrubbed(&redactor),
    };
    for field in [
        &mut event.event_type,
        &mut event.event_time,
        &mut event.version,
    ] {
        redactor.scrub_opt(field);
    }
    Ok(event)
}

fn sig_error(why: &str) -> Error {
    Error::new(
        ErrorKind::WebhookSignature,
        format!("webhook refused: {why}"),
    )
}

fn not_a_webhook(why: &str) -> Error {
    Error::new(
        ErrorKind::UnexpectedResponse,
        format!("verified body is not an RPD webhook: {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VerificationStatus;

    const SAMPLE: &str = include_str!("../tests/data/samples/webhook_success.json");
    const SECRET: &str = "webhook-test-secret";

    fn now_s() -> String {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string()
    }

    #[test]
    fn header_scheme_accepts_and_parses_the_sample() {
        let ts = now_s();
        let sig = sign(SECRET, format!("{ts}{SAMPLE}").as_bytes());
        let ev = verify(
            SECRET,
            SAMPLE.as_bytes(),
            Some(&format!(" {sig} ")),
            Some(&ts),
            Some(Duration::from_secs(300)),
        )
        .unwrap();
        assert_eq!(
            ev.event_type.as_deref(),
            Some("RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS")
        );
        assert_eq!(ev.data.ref_id.as_deref(), Some("33"));
        assert_eq!(ev.data.status, VerificationStatus::Success);
    }

    #[test]
    fn one_byte_change_is_refused() {
        let ts = now_s();
        let sig = sign(SECRET, format!("{ts}{SAMPLE}").as_bytes());
        let mut body = SAMPLE.as_bytes().to_vec();
        let i = body.iter().position(|&b| b == b'1').unwrap();
        body[i] = b'2';
        let err = verify(SECRET, &body, Some(&sig), Some(&ts), None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WebhookSignature);
    }

    #[test]
    fn stale_and_malformed_timestamps_are_refused() {
        let ts = "1700000000";
        let sig = sign(SECRET, format!("{ts}{SAMPLE}").as_bytes());
        let err = verify(
            SECRET,
            SAMPLE.as_bytes(),
            Some(&sig),
            Some(ts),
            Some(Duration::from_secs(300)),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WebhookSignature);
        assert!(verify(SECRET, SAMPLE.as_bytes(), Some(&sig), Some(ts), None).is_ok());
        for bad_ts in ["", "12a", "-1", "12345678901234"] {
            let err =
                verify(SECRET, SAMPLE.as_bytes(), Some(&sig), Some(bad_ts), None).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::WebhookSignature, "{bad_ts:?}");
        }
        assert_eq!(
            verify(SECRET, SAMPLE.as_bytes(), Some(&sig), None, None)
                .unwrap_err()
                .kind(),
            ErrorKind::WebhookSignature
        );
    }

    #[test]
    fn millisecond_timestamps() {
        let ms = (SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis())
        .to_string();
        let sig = sign(SECRET, format!("{ms}{SAMPLE}").as_bytes());
        assert!(verify(
            SECRET,
            SAMPLE.as_bytes(),
            Some(&sig),
            Some(&ms),
            Some(Duration::from_secs(60))
        )
        .is_ok());
    }

    #[test]
    fn body_v1_scheme_round_trip() {
        let mut v: Value = serde_json::from_str(SAMPLE).unwrap();
        let data = v["data"].as_object().unwrap().clone();
        v["signature"] = Value::String(sign(SECRET, &v1_message(&data)));
        let body = serde_json::to_vec(&v).unwrap();
        let ev = verify(SECRET, &body, None, None, None).unwrap();
        assert_eq!(ev.data.verification_id.as_deref(), Some("32"));
        // The published sample's signature was made with a secret we do not have.
        assert_eq!(
            verify(SECRET, SAMPLE.as_bytes(), None, None, None)
                .unwrap_err()
                .kind(),
            ErrorKind::WebhookSignature
        );
        v["data"]["status"] = Value::String("FAILURE".into());
        let tampered = serde_json::to_vec(&v).unwrap();
        assert_eq!(
            verify(SECRET, &tampered, None, None, None)
                .unwrap_err()
                .kind(),
            ErrorKind::WebhookSignature
        );
    }

    /// Vectors computed independently with
    /// `printf '...' | openssl dgst -sha256 -hmac KEY -binary | base64`.
    #[test]
    fn hmac_test_vectors_match_openssl() {
        assert_eq!(
            sign("key", b"abc"),
            "nBluMtwBdfhvSxy4konWYZ3mvuaZ5MN45oMJ7Zehpqs="
        );
        let body = br#"{"data":{"status":"SUCCESS"}}"#;
        let sig = "hN5T0nmWHG18iR8A57rLztYYu4i4AAujcP+pXob9y4I=";
        assert!(verify_header("test-secret", body, sig, "1700000000", None).is_ok());
        let ev = verify("test-secret", body, Some(sig), Some("1700000000"), None).unwrap();
        assert_eq!(ev.data.status, VerificationStatus::Success);
        assert_eq!(ev.event_type, None);
    }

    #[test]
    fn v1_message_is_key_sorted() {
        let data: Value = serde_json::json!({"b": "2", "a": "1", "c": 3, "d": null});
        assert_eq!(v1_message(data.as_object().unwrap()), b"123");
    }

    #[test]
    fn verified_non_webhook_is_unexpected_response() {
        let body = br#"{"hello": 1}"#;
        let ts = now_s();
        let sig = sign(SECRET, &[ts.as_bytes(), body].concat());
        assert_eq!(
            verify(SECRET, body, Some(&sig), Some(&ts), None)
                .unwrap_err()
                .kind(),
            ErrorKind::UnexpectedResponse
        );
    }
}
