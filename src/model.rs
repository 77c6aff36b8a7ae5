//! What Cashfree answers, decoded leniently.
//!
//! Rules (the same for Rust and C): an absent or `null` field is `None`; an empty
//! string stays `Some("")`; a number or boolean where text is expected becomes its JSON
//! text; an object or array there, or a `\u0000` inside any text, makes the whole
//! answer an [`ErrorKind::UnexpectedResponse`]. Unknown fields are ignored, unknown
//! status values are kept.

use base64::Engine;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::redact::Redactor;

/// A created verification request: the links the customer pays ₹1 with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedRequest {
    /// The merchant's id, as sent.
    pub verification_id: String,
    /// Cashfree's id for the request.
    pub ref_id: i64,
    /// When the links stop working (ISO-8601, kept as sent).
    pub valid_upto: Option<String>,
    /// `upi://pay?...` intent link.
    pub upi_link: String,
    /// Google Pay deep link.
    pub gpay: Option<String>,
    /// BHIM deep link.
    pub bhim: Option<String>,
    /// Paytm deep link.
    pub paytm: Option<String>,
    /// PhonePe deep link.
    pub phonepe: Option<String>,
    /// Base64 PNG of a QR code encoding the UPI link, as sent.
    pub qr_code: Option<String>,
    /// The whole response body.
    pub raw_json: String,
    /// True when this is the copy a create journal recorded (a create of an id whose
    /// request was already made: nothing was sent); false for a fresh answer.
    pub replayed: bool,
    /// The PNG decoded from `qr_code` as received, kept only when scrubbing changed
    /// `qr_code` (else [`qr_png`](Self::qr_png) decodes `qr_code` when asked).
    qr_png_as_received: Option<Option<Vec<u8>>>,
}

impl CreatedRequest {
    /// The decoded PNG bytes of [`qr_code`](Self::qr_code), or `None` when it is absent,
    /// not valid base64, or not a PNG. Whitespace and a `data:image/png;base64,` prefix
    /// are tolerated.
    pub fn qr_png(&self) -> Option<Vec<u8>> {
        match &self.qr_png_as_received {
            Some(png) => png.clone(),
            None => decode_png_base64(self.qr_code.as_deref()?),
        }
    }

    /// A request as a create journal recorded it (the PNG is decoded from `qr_code`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_journal(
        verification_id: String,
        ref_id: i64,
        valid_upto: Option<String>,
        upi_link: String,
        [gpay, bhim, paytm, phonepe]: [Option<String>; 4],
        qr_code: Option<String>,
        raw_json: String,
    ) -> CreatedRequest {
        CreatedRequest {
            verification_id,
            ref_id,
            valid_upto,
            upi_link,
            gpay,
            bhim,
            paytm,
            phonepe,
            qr_code,
            raw_json,
            replayed: false,
            qr_png_as_received: None,
        }
    }

    /// The same request with the secrets scrubbed out of every string.
    pub(crate) fn scrubbed(mut self, r: &Redactor) -> CreatedRequest {
        r.scrub_in_place(&mut self.verification_id);
        r.scrub_in_place(&mut self.upi_link);
        for f in [
            &mut self.valid_upto,
            &mut self.gpay,
            &mut self.bhim,
            &mut self.paytm,
            &mut self.phonepe,
        ] {
            r.scrub_opt(f);
        }
        if let Some(qr) = &mut self.qr_code {
            // The PNG comes from the text as received, never from the scrubbed one.
            if let std::borrow::Cow::Owned(clean) = r.scrub(qr.as_bytes()) {
                self.qr_png_as_received = Some(decode_png_base64(qr));
                *qr = String::from_utf8_lossy(&clean).into_owned();
            }
        }
        r.scrub_json_in_place(&mut self.raw_json);
        self
    }
}

/// Decodes a base64 PNG leniently; `None` unless it really is a PNG.
pub(crate) fn decode_png_base64(text: &str) -> Option<Vec<u8>> {
    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let text = text.trim();
    let text = text
        .get(..22)
        .filter(|p| p.eq_ignore_ascii_case("data:image/png;base64,"))
        .map_or(text, |_| &text[22..]);
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    bytes.starts_with(PNG_SIGNATURE).then_some(bytes)
}

/// The state of a verification request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerificationStatus {
    /// Cashfree's `CREATED`: the request is made and the customer has not paid yet.
    Created,
    /// Paid: the bank account fields are filled.
    Success,
    /// The payment failed.
    Failure,
    /// Nobody paid within the validity window.
    Expired,
    /// A value this library does not know (kept as sent), or no status at all (`""`).
    /// Not final: a wait goes on polling. (`PENDING` is not a documented status and
    /// lands here too.)
    Unknown(String),
}

impl VerificationStatus {
    /// Parses case-insensitively; anything else is `Unknown` with the raw text.
    pub fn parse(s: &str) -> VerificationStatus {
        match s.trim().to_ascii_uppercase().as_str() {
            "CREATED" => VerificationStatus::Created,
            "SUCCESS" => VerificationStatus::Success,
            "FAILURE" => VerificationStatus::Failure,
            "EXPIRED" => VerificationStatus::Expired,
            _ => VerificationStatus::Unknown(s.to_owned()),
        }
    }

    /// `CREATED`, `SUCCESS`, `FAILURE`, `EXPIRED`, or the raw text of an unknown status.
    pub fn as_str(&self) -> &str {
        match self {
            VerificationStatus::Created => "CREATED",
            VerificationStatus::Success => "SUCCESS",
            VerificationStatus::Failure => "FAILURE",
            VerificationStatus::Expired => "EXPIRED",
            VerificationStatus::Unknown(raw) => raw,
        }
    }

    /// SUCCESS, FAILURE or EXPIRED: polling further will not change it.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            VerificationStatus::Success | VerificationStatus::Failure | VerificationStatus::Expired
        )
    }
}

/// The refund of the rupee, from `reversal_status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReversalStatus {
    /// `PENDING`: the refund has not started.
    Pending,
    /// `TRANSFER_INITIATED`: the refund is on its way.
    TransferInitiated,
    /// `TRANSFER_SUCCESS`: the rupee is back with the payer.
    TransferSuccess,
    /// `FAILED`: the refund failed.
    Failed,
    /// Absent, empty (before payment) or a value this library does not know (kept as sent).
    Unknown(String),
}

impl ReversalStatus {
    /// Parses case-insensitively; anything else is `Unknown` with the raw text.
    pub fn parse(s: &str) -> ReversalStatus {
        match s.trim().to_ascii_uppercase().as_str() {
            "PENDING" => ReversalStatus::Pending,
            "TRANSFER_INITIATED" => ReversalStatus::TransferInitiated,
            "TRANSFER_SUCCESS" => ReversalStatus::TransferSuccess,
            "FAILED" => ReversalStatus::Failed,
            _ => ReversalStatus::Unknown(s.to_owned()),
        }
    }

    /// The documented name, or the raw text of an unknown value.
    pub fn as_str(&self) -> &str {
        match self {
            ReversalStatus::Pending => "PENDING",
            ReversalStatus::TransferInitiated => "TRANSFER_INITIATED",
            ReversalStatus::TransferSuccess => "TRANSFER_SUCCESS",
            ReversalStatus::Failed => "FAILED",
            ReversalStatus::Unknown(raw) => raw,
        }
    }
}

/// How well the name at the bank matches the name given at create.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameMatch {
    /// `DIRECT_MATCH`
    Direct,
    /// `GOOD_PARTIAL_MATCH`
    GoodPartial,
    /// `MODERATE_PARTIAL_MATCH`
    ModeratePartial,
    /// `POOR_PARTIAL_MATCH`
    PoorPartial,
    /// `NO_MATCH`
    NoMatch,
    /// Absent, empty, or a value this library does not know (kept as sent).
    Unknown(String),
}

impl NameMatch {
    /// Parses case-insensitively; anything else is `Unknown` with the raw text.
    pub fn parse(s: &str) -> NameMatch {
        match s.trim().to_ascii_uppercase().as_str() {
            "DIRECT_MATCH" => NameMatch::Direct,
            "GOOD_PARTIAL_MATCH" => NameMatch::GoodPartial,
            "MODERATE_PARTIAL_MATCH" => NameMatch::ModeratePartial,
            "POOR_PARTIAL_MATCH" => NameMatch::PoorPartial,
            "NO_MATCH" => NameMatch::NoMatch,
            _ => NameMatch::Unknown(s.to_owned()),
        }
    }

    /// `DIRECT_MATCH`, ... or the raw text of an unknown value.
    pub fn as_str(&self) -> &str {
        match self {
            NameMatch::Direct => "DIRECT_MATCH",
            NameMatch::GoodPartial => "GOOD_PARTIAL_MATCH",
            NameMatch::ModeratePartial => "MODERATE_PARTIAL_MATCH",
            NameMatch::PoorPartial => "POOR_PARTIAL_MATCH",
            NameMatch::NoMatch => "NO_MATCH",
            NameMatch::Unknown(raw) => raw,
        }
    }
}

/// The result of a verification request, every documented field kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// The parsed state; the raw text is in [`status_raw`](Self::status_raw).
    pub status: VerificationStatus,
    /// The raw `status` string, `None` if absent.
    pub status_raw: Option<String>,
    /// The merchant's id.
    pub verification_id: Option<String>,
    /// Cashfree's id, as text whatever JSON type arrived.
    pub ref_id: Option<String>,
    /// Payer's account number.
    pub bank_account: Option<String>,
    /// Payer's bank branch code.
    pub ifsc: Option<String>,
    /// Payer's UPI id (VPA).
    pub upi: Option<String>,
    /// Account holder name as the bank has it.
    pub name_at_bank: Option<String>,
    /// Bank transaction reference of the ₹1 payment.
    pub utr: Option<String>,
    /// A number as text, e.g. `"90.00"`; may be `""`.
    pub name_match_score: Option<String>,
    /// The raw `name_match_result`; parsed in [`name_match`](Self::name_match).
    pub name_match_result: Option<String>,
    /// The parsed name match.
    pub name_match: NameMatch,
    /// When the request was created (format varies; kept as sent).
    pub added_on: Option<String>,
    /// When it was processed.
    pub processed_on: Option<String>,
    /// When the rupee arrived.
    pub penny_collected_on: Option<String>,
    /// Refund of the rupee as sent: `PENDING`, `TRANSFER_INITIATED`,
    /// `TRANSFER_SUCCESS`, `FAILED`; empty before payment. Parsed in
    /// [`reversal`](Self::reversal).
    pub reversal_status: Option<String>,
    /// e.g. `SAVINGS`, `CURRENT`.
    pub account_type: Option<String>,
    /// The whole response body.
    pub raw_json: String,
    /// The parsed refund state.
    pub reversal: ReversalStatus,
}

impl Status {
    /// SUCCESS, FAILURE or EXPIRED.
    pub fn is_final(&self) -> bool {
        self.status.is_final()
    }

    /// The same status with the secrets scrubbed out of every string (the enums were
    /// parsed from the text as received).
    pub(crate) fn scrubbed(mut self, r: &Redactor) -> Status {
        for f in self.text_fields_mut() {
            r.scrub_opt(f);
        }
        if let ReversalStatus::Unknown(t) = &mut self.reversal {
            r.scrub_in_place(t);
        }
        if let VerificationStatus::Unknown(t) = &mut self.status {
            r.scrub_in_place(t);
        }
        if let NameMatch::Unknown(t) = &mut self.name_match {
            r.scrub_in_place(t);
        }
        r.scrub_json_in_place(&mut self.raw_json);
        self
    }

    /// The text fields, in [`STATUS_FIELDS`] order (Cashfree's names), `status` as sent.
    #[cfg(feature = "serde")]
    pub(crate) fn text_fields(&self) -> [(&'static str, &Option<String>); 15] {
        [
            (STATUS_FIELDS[0], &self.status_raw),
            (STATUS_FIELDS[1], &self.verification_id),
            (STATUS_FIELDS[2], &self.ref_id),
            (STATUS_FIELDS[3], &self.bank_account),
            (STATUS_FIELDS[4], &self.ifsc),
            (STATUS_FIELDS[5], &self.upi),
            (STATUS_FIELDS[6], &self.name_at_bank),
            (STATUS_FIELDS[7], &self.utr),
            (STATUS_FIELDS[8], &self.name_match_score),
            (STATUS_FIELDS[9], &self.name_match_result),
            (STATUS_FIELDS[10], &self.added_on),
            (STATUS_FIELDS[11], &self.processed_on),
            (STATUS_FIELDS[12], &self.penny_collected_on),
            (STATUS_FIELDS[13], &self.reversal_status),
            (STATUS_FIELDS[14], &self.account_type),
        ]
    }

    fn text_fields_mut(&mut self) -> [&mut Option<String>; 15] {
        [
            &mut self.status_raw,
            &mut self.verification_id,
            &mut self.ref_id,
            &mut self.bank_account,
            &mut self.ifsc,
            &mut self.upi,
            &mut self.name_at_bank,
            &mut self.utr,
            &mut self.name_match_score,
            &mut self.name_match_result,
            &mut self.added_on,
            &mut self.processed_on,
            &mut self.penny_collected_on,
            &mut self.reversal_status,
            &mut self.account_type,
        ]
    }

    /// `Err` when this answer is about another request than the one asked for.
    pub(crate) fn check_identity(&self, asked: Identity<'_>) -> Result<()> {
        let other = match asked {
            Identity::VerificationId(id) => self
                .verification_id
                .as_deref()
                .filter(|got| *got != id)
                .map(|got| format!("verification_id {got:?}, not {id:?}")),
            Identity::RefId(want) => self
                .ref_id
                .as_deref()
                .filter(|got| got.trim().parse::<i64>().ok() != Some(want))
                .map(|got| format!("ref_id {got:?}, not {want}")),
        };
        match other {
            None => Ok(()),
            Some(what) => Err(unexpected(format!(
                "the answer is about another request ({what}); it was not used"
            ))),
        }
    }
}

/// The request a status call asked about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Identity<'a> {
    VerificationId(&'a str),
    RefId(i64),
}

/// Decodes a `200` of `POST /reverse-penny-drop`, checking it answers `sent_id`.
pub(crate) fn decode_created(body: &[u8], sent_id: &str) -> Result<CreatedRequest> {
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
pub(crate) fn decode_status(body: &[u8]) -> Result<Status> {
    // Fast path: straight from the text into the fields. Anything it does not accept
    // (not an object, a bad field, no id, ...) goes through the `Value` path below,
    // which gives the same answer and the precise error.
    if let Some(status) = decode_status_direct(body) {
        return Ok(status);
    }
    decode_status_via_value(body)
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
fn decode_status_direct(body: &[u8]) -> Option<Status> {
    let text = std::str::from_utf8(body).ok()?;
    let fields: StatusText = serde_json::from_str(text).ok()?;
    if fields.verification_id.is_none() && fields.ref_id.is_none() {
        return None;
    }
    Some(fields.into_status(text.to_owned()))
}

/// The status fields of a JSON object (a status answer, or a webhook's `data`).
pub(crate) fn status_from_object(obj: &Map<String, Value>, raw_json: String) -> Result<Status> {
    let f = Fields(obj);
    let mut out = StatusText::default();
    for (i, slot) in out.slots().into_iter().enumerate() {
        *slot = f.text(STATUS_FIELDS[i])?;
    }
    Ok(out.into_status(raw_json))
}

/// The documented status fields, in the order of [`StatusText::slots`].
const STATUS_FIELDS: [&str; 15] = [
    "status",
    "verification_id",
    "ref_id",
    "bank_account",
    "ifsc",
    "upi",
    "name_at_bank",
    "utr",
    "name_match_score",
    "name_match_result",
    "added_on",
    "processed_on",
    "penny_collected_on",
    "reversal_status",
    "account_type",
];

/// The status fields as text, under the rules of this module.
#[derive(Default)]
struct StatusText {
    status: Option<String>,
    verification_id: Option<String>,
    ref_id: Option<String>,
    bank_account: Option<String>,
    ifsc: Option<String>,
    upi: Option<String>,
    name_at_bank: Option<String>,
    utr: Option<String>,
    name_match_score: Option<String>,
    name_match_result: Option<String>,
    added_on: Option<String>,
    processed_on: Option<String>,
    penny_collected_on: Option<String>,
    reversal_status: Option<String>,
    account_type: Option<String>,
}

impl StatusText {
    fn slots(&mut self) -> [&mut Option<String>; 15] {
        [
            &mut self.status,
            &mut self.verification_id,
            &mut self.ref_id,
            &mut self.bank_account,
            &mut self.ifsc,
            &mut self.upi,
            &mut self.name_at_bank,
            &mut self.utr,
            &mut self.name_match_score,
            &mut self.name_match_result,
            &mut self.added_on,
            &mut self.processed_on,
            &mut self.penny_collected_on,
            &mut self.reversal_status,
            &mut self.account_type,
        ]
    }

    fn into_status(self, raw_json: String) -> Status {
        Status {
            status: VerificationStatus::parse(self.status.as_deref().unwrap_or("")),
            name_match: NameMatch::parse(self.name_match_result.as_deref().unwrap_or("")),
            reversal: ReversalStatus::parse(self.reversal_status.as_deref().unwrap_or("")),
            status_raw: self.status,
            verification_id: self.verification_id,
            ref_id: self.ref_id,
            bank_account: self.bank_account,
            ifsc: self.ifsc,
            upi: self.upi,
            name_at_bank: self.name_at_bank,
            utr: self.utr,
            name_match_score: self.name_match_score,
            name_match_result: self.name_match_result,
            added_on: self.added_on,
            processed_on: self.processed_on,
            penny_collected_on: self.penny_collected_on,
            reversal_status: self.reversal_status,
            account_type: self.account_type,
            raw_json,
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
                        Some(i) => *out.slots()[i] = map.next_value::<Text>()?.0,
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

/// A key's position in [`STATUS_FIELDS`], read without allocating.
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
                Ok(FieldIndex(STATUS_FIELDS.iter().position(|f| *f == k)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// One field under [`Fields::text`]'s rules: null → `None`, text → itself, number or
/// boolean → its JSON text; an object, an array or a NUL character is an error.
struct Text(Option<String>);

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct TextVisitor;
        impl serde::de::Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text, a number, a boolean or null")
            }
            fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Text, E> {
                if v.contains('\0') {
                    return Err(E::custom("NUL character"));
                }
                Ok(Text(Some(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Text, E> {
                if v.contains('\0') {
                    return Err(E::custom("NUL character"));
                }
                Ok(Text(Some(v)))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Text, E> {
                Ok(Text(Some(Value::Bool(v).to_string())))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Text, E> {
                Ok(Text(Some(Value::from(v).to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Text, E> {
                Ok(Text(Some(Value::from(v).to_string())))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Text, E> {
                match serde_json::Number::from_f64(v) {
                    Some(n) => Ok(Text(Some(Value::Number(n).to_string()))),
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

fn unexpected(what: String) -> Error {
    Error::new(
        ErrorKind::UnexpectedResponse,
        format!("unexpected response: {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
