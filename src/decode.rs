//! Decoding Cashfree's answers, leniently.
//!
//! Rules (the same for Rust and C): an absent or `null` field is `None`; an empty
//! string stays `Some("")`; a number or boolean where text is expected becomes its JSON
//! text; an object or array there, or a `\u0000` inside any text, makes the whole
//! answer an [`ErrorKind::UnexpectedResponse`](crate::ErrorKind::UnexpectedResponse).
//! Unknown fields are ignored, unknown status values are kept.
//!
//! A status answer is read straight into its fields (`decode_status_direct…`); anything
//! unusual goes through a `serde_json::Value` map, which gives the same answer and the
//! precise error.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::{unexpected, CreatedRequest, Status};
use crate::redact::Redactor;
use crate::sniff::looks_like_html;
use crate::status_fields::{with_status_fields, STATUS_FIELD_COUNT, STATUS_KEYS};

/// Decodes a `200` of `POST /reverse-penny-drop`, checking it answers `sent_id`.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn decode_created(body: &[u8], sent_id: &str) -> Result<CreatedRequest> {
    decode_created_detailed(body, sent_id).map(|d| d.created)
}

/// A decoded create answer, and whether every text in it is a verbatim slice of the
/// body (see [`DecodedStatus`]).
pub(crate) struct DecodedCreated {
    pub(crate) created: CreatedRequest,
    verbatim: bool,
}

impl DecodedCreated {
    /// [`CreatedRequest::scrubbed`], scanning only the body when that is enough (the
    /// same rule as [`DecodedStatus::scrubbed`]): the ~5 KB base64 QR code is then not
    /// scanned a second time.
    pub(crate) fn scrubbed(self, r: &Redactor) -> CreatedRequest {
        if self.verbatim && r.plainly_absent_from_json(&self.created.raw_json) {
            return self.created;
        }
        self.created.scrubbed(r)
    }
}

/// [`decode_created`], saying whether the fields are verbatim slices of the body.
pub(crate) fn decode_created_detailed(body: &[u8], sent_id: &str) -> Result<DecodedCreated> {
    // Fast path, as for status answers: straight into the fields; anything unusual (or
    // wrong) goes through the `Value` path, which gives the same answer or the precise
    // error.
    if let Some(decoded) = decode_created_direct(body, sent_id) {
        return Ok(decoded);
    }
    decode_created_via_value(body, sent_id).map(|created| DecodedCreated {
        created,
        verbatim: false,
    })
}

/// The create answer's keys read by [`decode_created_direct`], in its slots' order.
const CREATE_KEYS: [&str; 9] = [
    "verification_id",
    "ref_id",
    "valid_upto",
    "upi_link",
    "gpay",
    "bhim",
    "paytm",
    "phonepe",
    "qr_code",
];

/// The create answer's fields as text (in [`CREATE_KEYS`] order).
struct CreateText {
    verbatim: bool,
    texts: [Option<String>; 9],
}

/// A key's position in [`CREATE_KEYS`], read without allocating.
struct CreateKey(Option<usize>);

impl<'de> serde::Deserialize<'de> for CreateKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = CreateKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, k: &str) -> std::result::Result<CreateKey, E> {
                Ok(CreateKey(CREATE_KEYS.iter().position(|c| *c == k)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for CreateText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
            type Value = CreateText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<CreateText, A::Error> {
                let mut out = CreateText {
                    verbatim: true,
                    texts: Default::default(),
                };
                while let Some(CreateKey(i)) = map.next_key()? {
                    match i {
                        Some(i) => {
                            let text = map.next_value::<Text>()?;
                            out.verbatim &= text.verbatim;
                            out.texts[i] = text.value;
                        }
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

/// [`decode_created`] without a `serde_json::Value` map (which cost ~27k instructions
/// per create, plus a second copy of the QR code's text). `None` unless the body is a
/// plain, correct answer for `sent_id`.
fn decode_created_direct(body: &[u8], sent_id: &str) -> Option<DecodedCreated> {
    let text = std::str::from_utf8(body).ok()?;
    let CreateText { verbatim, texts } = serde_json::from_str(text).ok()?;
    let [verification_id, ref_id, valid_upto, upi_link, gpay, bhim, paytm, phonepe, qr_code] =
        texts;
    let verification_id = verification_id.filter(|v| v == sent_id)?;
    // As the `Value` path: an integer (i64) or a string of digits, then > 0. A number
    // arrives here as its JSON text, which is digits only for a non-negative integer.
    let ref_id = ref_id
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<i64>().ok())
        .filter(|n| *n > 0)?;
    Some(DecodedCreated {
        created: CreatedRequest {
            verification_id,
            ref_id,
            valid_upto,
            upi_link: upi_link?,
            gpay,
            bhim,
            paytm,
            phonepe,
            qr_code,
            raw_json: text.to_owned(),
            replayed: false,
            qr_png_as_received: None,
        },
        verbatim,
    })
}

/// [`decode_created`] through a `serde_json::Value` map: the reference behaviour, and
/// the path that gives precise errors.
pub(crate) fn decode_created_via_value(body: &[u8], sent_id: &str) -> Result<CreatedRequest> {
    let (obj, raw) = parse_object(body)?;
    let f = Fields(&obj);
    let verification_id = f
        .text("verification_id")?
        .ok_or_else(|| missing("verification_id"))?;
    if verification_id != sent_id {
        return Err(unexpected(format!(
            "the answer is for verification_id {verification_id:?}, not {sent_id:?}"
        )));
    }
    let ref_id = match obj.get("ref_id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        None | Some(Value::Null) => return Err(missing("ref_id")),
        _ => None,
    }
    .filter(|n| *n > 0)
    .ok_or_else(|| unexpected("ref_id is not a positive integer".into()))?;
    Ok(CreatedRequest {
        verification_id,
        ref_id,
        valid_upto: f.text("valid_upto")?,
        upi_link: f.text("upi_link")?.ok_or_else(|| missing("upi_link"))?,
        gpay: f.text("gpay")?,
        bhim: f.text("bhim")?,
        paytm: f.text("paytm")?,
        phonepe: f.text("phonepe")?,
        qr_png_as_received: None,
        qr_code: f.text("qr_code")?,
        raw_json: raw,
        replayed: false,
    })
}

/// Decodes a `200` of `GET /remitter/status`.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn decode_status(body: &[u8]) -> Result<Status> {
    decode_status_detailed(body).map(|d| d.status)
}

/// A decoded status answer, and whether every text in it is a verbatim slice of the
/// body (no JSON escapes, no number written out again): then the body alone says
/// whether a secret can be in any field, and scrubbing scans the body once instead of
/// every field (see [`DecodedStatus::scrubbed`]).
pub(crate) struct DecodedStatus {
    pub(crate) status: Status,
    verbatim: bool,
}

impl DecodedStatus {
    /// [`Status::scrubbed`], scanning only the body when that is enough: when every
    /// field and every kept unknown value is a slice of the body, and the body holds
    /// neither a secret nor a `\u` escape, nothing anywhere can hold a secret.
    pub(crate) fn scrubbed(self, r: &Redactor) -> Status {
        if self.verbatim && r.plainly_absent_from_json(&self.status.raw_json) {
            return self.status;
        }
        self.status.scrubbed(r)
    }
}

/// [`decode_status`], saying whether the fields are verbatim slices of the body.
pub(crate) fn decode_status_detailed(body: &[u8]) -> Result<DecodedStatus> {
    // Fast path: straight from the text into the fields. Anything it does not accept
    // (not an object, a bad field, no id, ...) goes through the `Value` path below,
    // which gives the same answer and the precise error.
    if let Some(decoded) = decode_status_direct_detailed(body) {
        return Ok(decoded);
    }
    decode_status_via_value(body).map(|status| DecodedStatus {
        status,
        verbatim: false,
    })
}

/// [`decode_status`] through a `serde_json::Value` map: the reference behaviour, and
/// the path that gives precise errors.
pub(crate) fn decode_status_via_value(body: &[u8]) -> Result<Status> {
    let (obj, raw) = parse_object(body)?;
    let status = status_from_object(&obj, raw)?;
    if status.verification_id.is_none() && status.ref_id.is_none() {
        return Err(unexpected(
            "the answer has neither verification_id nor ref_id".into(),
        ));
    }
    Ok(status)
}

/// [`decode_status`] without building a `serde_json::Value` map first: a third of the
/// client's CPU per status call went to that map (see BENCHMARKS.md). `None` when the
/// body is not a plain success.
#[cfg(test)]
fn decode_status_direct(body: &[u8]) -> Option<Status> {
    decode_status_direct_detailed(body).map(|d| d.status)
}

fn decode_status_direct_detailed(body: &[u8]) -> Option<DecodedStatus> {
    let text = std::str::from_utf8(body).ok()?;
    let fields: StatusText = serde_json::from_str(text).ok()?;
    let status = Status::from_texts(fields.texts, text.to_owned());
    if status.verification_id.is_none() && status.ref_id.is_none() {
        return None;
    }
    Some(DecodedStatus {
        status,
        verbatim: fields.verbatim,
    })
}

/// The status fields of a JSON object (a status answer, or a webhook's `data`).
pub(crate) fn status_from_object(obj: &Map<String, Value>, raw_json: String) -> Result<Status> {
    let f = Fields(obj);
    let mut texts: [Option<String>; STATUS_FIELD_COUNT] = Default::default();
    for (slot, key) in texts.iter_mut().zip(STATUS_KEYS) {
        *slot = f.text(key)?;
    }
    Ok(Status::from_texts(texts, raw_json))
}

/// The status fields as text (in [`STATUS_KEYS`] order), under the rules of this module.
struct StatusText {
    /// Every field read so far is a verbatim slice of the body ([`Text::verbatim`]).
    verbatim: bool,
    texts: [Option<String>; STATUS_FIELD_COUNT],
}

impl Default for StatusText {
    fn default() -> StatusText {
        StatusText {
            verbatim: true,
            texts: Default::default(),
        }
    }
}

/// Reads a JSON object into [`StatusText`]: known keys as [`Text`] (the last of
/// duplicates wins, as in a `Value` map), other keys skipped.
impl<'de> serde::Deserialize<'de> for StatusText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
            type Value = StatusText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<StatusText, A::Error> {
                let mut out = StatusText::default();
                while let Some(FieldIndex(i)) = map.next_key()? {
                    match i {
                        Some(i) => {
                            let text = map.next_value::<Text>()?;
                            out.verbatim &= text.verbatim;
                            out.texts[i] = text.value;
                        }
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

macro_rules! status_key_index {
    ($( $(#[doc = $doc:literal])* $field:ident = $key:ident, )*) => {
        /// The positions of the text fields in the list.
        #[allow(non_camel_case_types, dead_code)]
        #[repr(usize)]
        enum StatusKey { $($field),* }

        /// A key's position in [`STATUS_KEYS`] (one `match`: the compiler compares
        /// lengths first, then bytes).
        fn status_key_index(key: &str) -> Option<usize> {
            match key {
                $( stringify!($key) => Some(StatusKey::$field as usize), )*
                _ => None,
            }
        }
    };
}
with_status_fields!(status_key_index);

/// A key's position in [`STATUS_KEYS`], read without allocating.
struct FieldIndex(Option<usize>);

impl<'de> serde::Deserialize<'de> for FieldIndex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = FieldIndex;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, k: &str) -> std::result::Result<FieldIndex, E> {
                Ok(FieldIndex(status_key_index(k)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// One field under [`Fields::text`]'s rules: null → `None`, text → itself, number or
/// boolean → its JSON text; an object, an array or a NUL character is an error.
struct Text {
    value: Option<String>,
    /// The text is a slice of the body as sent: a string without escapes, an integer
    /// (serde_json reads integers only from their canonical digits), a boolean, or
    /// null. A string with escapes or a float written out again is not.
    verbatim: bool,
}

impl Text {
    fn verbatim(value: Option<String>) -> Text {
        Text {
            value,
            verbatim: true,
        }
    }

    fn rewritten(value: String) -> Text {
        Text {
            value: Some(value),
            verbatim: false,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text, a number, a boolean or null")
            }
            fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Text, E> {
                Ok(Text::verbatim(None))
            }
            fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Text, E> {
                Ok(Text::verbatim(None))
            }
            /// A string without escapes, borrowed from the body.
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<Text, E> {
                if v.contains('\0') {
                    return Err(E::custom("NUL character"));
                }
                Ok(Text::verbatim(Some(v.to_owned())))
            }
            /// A string the deserializer had to unescape.
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Text, E> {
                if v.contains('\0') {
                    return Err(E::custom("NUL character"));
                }
                Ok(Text::rewritten(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Text, E> {
                if v.contains('\0') {
                    return Err(E::custom("NUL character"));
                }
                Ok(Text::rewritten(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Text, E> {
                Ok(Text::verbatim(Some(Value::Bool(v).to_string())))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Text, E> {
                Ok(Text::verbatim(Some(Value::from(v).to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Text, E> {
                Ok(Text::verbatim(Some(Value::from(v).to_string())))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Text, E> {
                match serde_json::Number::from_f64(v) {
                    Some(n) => Ok(Text::rewritten(Value::Number(n).to_string())),
                    None => Err(E::custom("not a finite number")),
                }
            }
        }
        d.deserialize_any(TextVisitor)
    }
}

/// Parses a body that must be one JSON object; returns it with its text.
pub(crate) fn parse_object(body: &[u8]) -> Result<(Map<String, Value>, String)> {
    let text =
        std::str::from_utf8(body).map_err(|_| unexpected("the body is not valid UTF-8".into()))?;
    if text.trim().is_empty() {
        return Err(unexpected("the body is empty".into()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok((map, text.to_owned())),
        Ok(_) => Err(unexpected("the body is JSON but not an object".into())),
        Err(_) if looks_like_html(text) => {
            Err(unexpected("the body is an HTML page, not JSON".into()))
        }
        Err(e) => Err(unexpected(format!("the body is not valid JSON ({e})"))),
    }
}

/// Field access with the text rules of this module.
pub(crate) struct Fields<'a>(pub(crate) &'a Map<String, Value>);

impl Fields<'_> {
    pub(crate) fn text(&self, key: &str) -> Result<Option<String>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.contains('\0') => Err(unexpected(format!(
                "field {key:?} contains a NUL character"
            ))),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
            Some(Value::Object(_) | Value::Array(_)) => Err(unexpected(format!(
                "field {key:?} is an object or array, not text"
            ))),
        }
    }
}

fn missing(field: &str) -> Error {
    unexpected(format!("the answer has no {field}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::model::{Identity, NameMatch, ReversalStatus, VerificationStatus};
    use crate::png::decode_png_base64;
    use crate::sniff::is_error_object;

    const CREATE: &str = include_str!("../tests/data/samples/create_response.json");
    const SUCCESS: &str = include_str!("../tests/data/samples/status_success.json");
    const EXPIRED: &str = include_str!("../tests/data/samples/status_expired.json");
    const CREATED: &str = include_str!("../tests/data/samples/status_created.json");

    #[test]
    fn created_sample_decodes_to_the_created_state() {
        let s = decode_status(CREATED.as_bytes()).unwrap();
        assert_eq!(s.status, VerificationStatus::Created);
        assert!(!s.is_final());
        assert_eq!(s.reversal, ReversalStatus::Unknown(String::new()));
        assert_eq!(s.verification_id.as_deref(), Some("92"));
        assert_eq!(s, decode_status_via_value(CREATED.as_bytes()).unwrap());
    }

    #[test]
    fn reversal_states() {
        for (text, want) in [
            ("PENDING", ReversalStatus::Pending),
            ("transfer_initiated", ReversalStatus::TransferInitiated),
            ("TRANSFER_SUCCESS", ReversalStatus::TransferSuccess),
            ("FAILED", ReversalStatus::Failed),
            ("SUCCESS", ReversalStatus::Unknown("SUCCESS".into())),
        ] {
            assert_eq!(ReversalStatus::parse(text), want, "{text}");
        }
        let s = decode_status(SUCCESS.as_bytes()).unwrap();
        assert_eq!(s.reversal, ReversalStatus::Pending);
    }

    #[test]
    fn identity_is_checked() {
        let s = decode_status(SUCCESS.as_bytes()).unwrap();
        assert!(s
            .check_identity(Identity::VerificationId("3890AAB000"))
            .is_ok());
        assert!(s.check_identity(Identity::RefId(123)).is_ok());
        let e = s
            .check_identity(Identity::VerificationId("other"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
        assert!(e.message().contains("another request"), "{e}");
        assert!(s.check_identity(Identity::RefId(124)).is_err());
        // An answer without the id asked by cannot be checked on it and is kept.
        let e = decode_status(EXPIRED.as_bytes()).unwrap();
        assert!(e.check_identity(Identity::RefId(49)).is_ok());
    }

    #[test]
    fn error_objects_under_2xx_are_recognised() {
        assert!(is_error_object(
            br#"{"code":"verification_id_already_exists","message":"verification_id already exists","type":"validation_error"}"#
        ));
        assert!(is_error_object(br#"{"error":{"message":"x"}}"#));
        assert!(!is_error_object(SUCCESS.as_bytes()));
        assert!(!is_error_object(br#"{"ref_id":"1","message":"ok"}"#));
        assert!(!is_error_object(br#"{"code":1}"#));
        assert!(!is_error_object(b"<html>"));
    }

    #[test]
    fn create_sample_decodes_with_a_real_png() {
        let c = decode_created(CREATE.as_bytes(), "90909710").unwrap();
        assert_eq!(c.ref_id, 3905);
        assert!(c.upi_link.starts_with("upi://pay?"));
        assert_eq!(c.qr_png().unwrap().len(), 676);
        assert_eq!(c.raw_json, CREATE);
    }

    #[test]
    fn create_for_another_id_is_refused() {
        let e = decode_created(CREATE.as_bytes(), "other").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
    }

    #[test]
    fn status_samples_decode() {
        let s = decode_status(SUCCESS.as_bytes()).unwrap();
        assert_eq!(s.status, VerificationStatus::Success);
        assert_eq!(s.name_match, NameMatch::PoorPartial);
        assert_eq!(s.ref_id.as_deref(), Some("123"));
        assert_eq!(s.account_type.as_deref(), Some("SAVINGS"));
        let e = decode_status(EXPIRED.as_bytes()).unwrap();
        assert_eq!(e.status, VerificationStatus::Expired);
        assert!(e.is_final());
        assert_eq!(e.bank_account.as_deref(), Some(""));
        assert_eq!(e.reversal_status, None);
        assert_eq!(e.name_match, NameMatch::Unknown(String::new()));
    }

    #[test]
    fn text_rules() {
        let s = decode_status(
            br#"{"ref_id": 49, "status": "weird", "utr": true, "ifsc": null, "x": {"a":1}}"#,
        )
        .unwrap();
        assert_eq!(s.ref_id.as_deref(), Some("49"));
        assert_eq!(s.status, VerificationStatus::Unknown("weird".into()));
        assert_eq!(s.utr.as_deref(), Some("true"));
        assert_eq!(s.ifsc, None);
        for bad in [
            &br#"{"ref_id": "1", "utr": {"a": 1}}"#[..],
            br#"{"ref_id": "1", "utr": [1]}"#,
            br#"{"ref_id": "1", "utr": "a\u0000b"}"#,
            br#"{}"#,
            b"<html>502</html>",
            b"",
            b"[1]",
            b"{\"ref_id\": \"\xff\"}",
        ] {
            let e = decode_status(bad).unwrap_err();
            assert_eq!(
                e.kind(),
                ErrorKind::UnexpectedResponse,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn direct_and_value_paths_agree() {
        let bodies: &[&[u8]] = &[
            SUCCESS.as_bytes(),
            EXPIRED.as_bytes(),
            br#"{"ref_id": 49, "status": "weird", "utr": true, "ifsc": null, "x": {"a":1}}"#,
            br#"{"ref_id": -7, "name_match_score": 90.50, "upi": false, "bank_account": 1e3}"#,
            br#"{"verification_id": "a", "verification_id": "b", "status": "success"}"#,
            br#"{"verification_id": "a", "utr": {"x": 1}, "utr": "fine"}"#,
            br#"{"verification_id": "a", "utr": "fine", "utr": [1]}"#,
            br#"{"ver\u0069fication_id": "esc\u00e9", "status": "P\u0045NDING"}"#,
            br#"{"verification_id": null, "ref_id": null}"#,
            br#"{"ref_id": 18446744073709551615, "added_on": 123456789012345678901234}"#,
            br#"{"ref_id": "1", "utr": "a\u0000b"}"#,
            br#"{"ref_id": "1"} trailing"#,
            br#"{"ref_id": "1",}"#,
            b"  {\"ref_id\":\"1\"}\n",
            b"[1]",
            b"",
            b"<html>",
        ];
        for body in bodies {
            let slow = parse_object(body).and_then(|(obj, raw)| {
                let s = status_from_object(&obj, raw)?;
                if s.verification_id.is_none() && s.ref_id.is_none() {
                    Err(missing("id"))
                } else {
                    Ok(s)
                }
            });
            let shown = String::from_utf8_lossy(body);
            // The direct path may refuse what the Value path accepts (decode_status then
            // falls back), never the other way round, and never answers differently.
            match (&slow, decode_status_direct(body)) {
                (Ok(a), Some(b)) => assert_eq!(*a, b, "{shown}"),
                (Err(_), Some(_)) => panic!("direct path accepted {shown}"),
                (_, None) => {}
            }
            match (slow, decode_status(body)) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{shown}"),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{shown}: {a:?} vs {b:?}"),
            }
        }
        // Ordinary answers take the direct path.
        for ok in [SUCCESS, EXPIRED] {
            assert!(decode_status_direct(ok.as_bytes()).is_some());
        }
    }

    #[test]
    fn scrubbing_the_body_once_equals_scrubbing_every_field() {
        let bodies: &[&[u8]] = &[
            SUCCESS.as_bytes(),
            EXPIRED.as_bytes(),
            br#"{"ref_id": 49, "status": "s3cret", "utr": true, "ifsc": null}"#,
            br#"{"ref_id": 1, "utr": "x s3cret y", "name_match_result": "s3cret"}"#,
            br#"{"ref_id": 1, "utr": "s3cr\u0065t", "other": "plain"}"#,
            br#"{"ref_id": 1, "utr": "s\/3", "k\u0041": "s3cret"}"#,
            br#"{"ref_id": 1000, "name_match_score": 1e3, "upi": 10.5}"#,
            br#"{"ref_id": 1, "ignored": "1000.0", "added_on": 1e3}"#,
            br#"{"verification_id": "a", "x": {"y": "s3cret"}}"#,
            br#"{"verification_id": "a\"b", "reversal_status": "s3cretX"}"#,
        ];
        for secret in ["s3cret", "1000", "true", "a\"b", "e", "ref_id"] {
            let r = Redactor::new(secret);
            for body in bodies {
                let shown = String::from_utf8_lossy(body);
                let Ok(full) = decode_status(body) else {
                    continue;
                };
                let once = decode_status_detailed(body).unwrap().scrubbed(&r);
                assert_eq!(once, full.scrubbed(&r), "{secret:?} in {shown}");
            }
        }
        // Escapes and floats are not verbatim; plain text and integers are.
        let verbatim = |b: &[u8]| decode_status_detailed(b).unwrap().verbatim;
        assert!(verbatim(SUCCESS.as_bytes()));
        assert!(verbatim(br#"{"ref_id": -3, "utr": true, "upi": null}"#));
        assert!(!verbatim(br#"{"ref_id": 1, "utr": "\u0041"}"#));
        assert!(!verbatim(br#"{"ref_id": 1, "utr": 1.5}"#));
        assert!(!verbatim(br#"{"ref_id": 1, "utr": -0}"#));
        assert!(!verbatim(br#"{"ref_id": 99999999999999999999999}"#));
    }

    #[test]
    fn create_direct_and_value_paths_agree_and_scrub_alike() {
        let bodies: Vec<String> = [
            CREATE.to_string(),
            r#"{"verification_id":"a","ref_id":12,"upi_link":"u"}"#.into(),
            r#"{"verification_id":"a","ref_id":"12","upi_link":"u","gpay":7,"bhim":true}"#.into(),
            r#"{"verification_id":"a","ref_id":"0012","upi_link":"u\u0041","paytm":1.5}"#.into(),
            r#"{"verification_id":"a","ref_id":12.0,"upi_link":"u"}"#.into(),
            r#"{"verification_id":"a","ref_id":-1,"upi_link":"u"}"#.into(),
            r#"{"verification_id":"a","ref_id":true,"upi_link":"u"}"#.into(),
            r#"{"verification_id":"a","ref_id":99999999999999999999,"upi_link":"u"}"#.into(),
            r#"{"verification_id":"a","ref_id":null,"upi_link":"u"}"#.into(),
            r#"{"verification_id":"a","ref_id":1}"#.into(),
            r#"{"verification_id":"b","ref_id":1,"upi_link":"u"}"#.into(),
            r#"{"verification_id":"a","ref_id":1,"upi_link":"u","qr_code":{"x":1},"qr_code":"q"}"#
                .into(),
            r#"{"verification_id":"a","ref_id":1,"upi_link":"u","gpay":"x\u0000"}"#.into(),
            r#"{"verification_id":"a","ref_id":1,"upi_link":"s3cret","qr_code":"s3cret"}"#.into(),
            r#"{"verification_id":"a","ref_id":1,"upi_link":"u","x":"s3cr\u0065t"}"#.into(),
            r#"{"verification_id":"a","ref_id":1,"upi_link":"u","valid_upto":1e3}"#.into(),
            r#"{"verific\u0061tion_id":"a","ref_id":1,"upi_link":"u"}"#.into(),
            "[1]".into(),
            "<html>".into(),
        ]
        .into();
        for body in &bodies {
            let id = if body.contains("90909710") {
                "90909710"
            } else {
                "a"
            };
            let slow = decode_created_via_value(body.as_bytes(), id);
            match (&slow, decode_created_direct(body.as_bytes(), id)) {
                (Ok(a), Some(b)) => assert_eq!(*a, b.created, "{body}"),
                (Err(_), Some(_)) => panic!("direct path accepted {body}"),
                (_, None) => {}
            }
            match (&slow, decode_created(body.as_bytes(), id)) {
                (Ok(a), Ok(b)) => assert_eq!(*a, b, "{body}"),
                (Err(a), Err(b)) => assert_eq!(a.message(), b.message(), "{body}"),
                (a, b) => panic!("{body}: {a:?} vs {b:?}"),
            }
            for secret in ["s3cret", "1000", "u", "e", "12"] {
                let r = Redactor::new(secret);
                if let Ok(full) = &slow {
                    let once = decode_created_detailed(body.as_bytes(), id)
                        .unwrap()
                        .scrubbed(&r);
                    let full = full.clone().scrubbed(&r);
                    assert_eq!(once, full, "{secret:?} in {body}");
                    assert_eq!(once.qr_png(), full.qr_png(), "{secret:?} in {body}");
                }
            }
        }
        assert!(decode_created_direct(CREATE.as_bytes(), "90909710").is_some());
    }

    #[test]
    fn ref_id_forms() {
        let ok = |r: &str| {
            decode_created(
                format!(r#"{{"verification_id":"a","ref_id":{r},"upi_link":"u"}}"#).as_bytes(),
                "a",
            )
        };
        assert_eq!(ok("12").unwrap().ref_id, 12);
        assert_eq!(ok("\"12\"").unwrap().ref_id, 12);
        for bad in [
            "0",
            "-1",
            "1.5",
            "\"1a\"",
            "\"\"",
            "null",
            "{}",
            "99999999999999999999",
        ] {
            assert!(ok(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn enums_are_case_insensitive_and_unknown_values_are_kept() {
        assert_eq!(
            VerificationStatus::parse("FAILED"),
            VerificationStatus::Unknown("FAILED".into())
        );
        assert_eq!(
            NameMatch::parse("PARTIAL"),
            NameMatch::Unknown("PARTIAL".into())
        );
        assert_eq!(
            VerificationStatus::parse("PENDING"),
            VerificationStatus::Unknown("PENDING".into())
        );
        assert!(!VerificationStatus::parse("PENDING").is_final());
        assert_eq!(
            VerificationStatus::parse("created"),
            VerificationStatus::Created
        );
        assert_eq!(
            VerificationStatus::parse("success"),
            VerificationStatus::Success
        );
        assert_eq!(NameMatch::parse("direct_match"), NameMatch::Direct);
    }

    #[test]
    fn png_prefix_and_whitespace() {
        let c = decode_created(CREATE.as_bytes(), "90909710").unwrap();
        let b64 = c.qr_code.clone().unwrap();
        let with_prefix = format!("data:image/png;base64,{}\n{}", &b64[..10], &b64[10..]);
        assert_eq!(decode_png_base64(&with_prefix).unwrap().len(), 676);
        assert!(decode_png_base64("aGVsbG8=").is_none()); // valid base64, not a PNG
        assert!(decode_png_base64("***").is_none());
    }
}
