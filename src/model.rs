//! The result types: a created request, a status, and the enums parsed from them.
//!
//! Decoding lives in [`crate::decode`], the status fields' list in
//! [`crate::status_fields`], the QR PNG's base64 in [`crate::png`].

use crate::error::{Error, ErrorKind, Result};
use crate::png::decode_png_base64;
use crate::redact::Redactor;
use crate::status_fields::{with_status_fields, STATUS_FIELD_COUNT};

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
    pub(crate) qr_png_as_received: Option<Option<Vec<u8>>>,
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

/// Cashfree's text for the value (as [`VerificationStatus::as_str`]), e.g. `VerificationStatus::Success` prints
/// "SUCCESS"; an unknown value prints the text that was sent.
///
/// ```
/// use cashfree_rpd::VerificationStatus;
/// assert_eq!(VerificationStatus::Success.to_string(), "SUCCESS");
/// ```
impl std::fmt::Display for VerificationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

/// Cashfree's text for the value (as [`ReversalStatus::as_str`]), e.g. `ReversalStatus::TransferSuccess` prints
/// "TRANSFER_SUCCESS"; an unknown value prints the text that was sent.
///
/// ```
/// use cashfree_rpd::ReversalStatus;
/// assert_eq!(ReversalStatus::TransferSuccess.to_string(), "TRANSFER_SUCCESS");
/// ```
impl std::fmt::Display for ReversalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

/// Cashfree's text for the value (as [`NameMatch::as_str`]), e.g. `NameMatch::Direct` prints
/// "DIRECT_MATCH"; an unknown value prints the text that was sent.
///
/// ```
/// use cashfree_rpd::NameMatch;
/// assert_eq!(NameMatch::Direct.to_string(), "DIRECT_MATCH");
/// ```
impl std::fmt::Display for NameMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

macro_rules! status_struct {
    ($( $(#[doc = $doc:literal])* $field:ident = $key:ident, )*) => {
        /// The result of a verification request, every documented field kept as text.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Status {
            /// The parsed state; the raw text is in [`status_raw`](Self::status_raw).
            pub status: VerificationStatus,
            $( $(#[doc = $doc])* pub $field: Option<String>, )*
            /// The parsed name match.
            pub name_match: NameMatch,
            /// The whole response body.
            pub raw_json: String,
            /// The parsed refund state.
            pub reversal: ReversalStatus,
        }

        impl Status {
            /// Every text field with Cashfree's JSON name for it (`"status"` for
            /// [`status_raw`](Self::status_raw)), in the order of Cashfree's documentation.
            pub fn text_fields(&self) -> [(&'static str, Option<&str>); STATUS_FIELD_COUNT] {
                [$( (stringify!($key), self.$field.as_deref()), )*]
            }

            fn text_fields_mut(&mut self) -> [&mut Option<String>; STATUS_FIELD_COUNT] {
                [$( &mut self.$field, )*]
            }

            /// A status from its text fields in the list's order; the enums are parsed
            /// from them.
            pub(crate) fn from_texts(
                texts: [Option<String>; STATUS_FIELD_COUNT],
                raw_json: String,
            ) -> Status {
                let [$($field),*] = texts;
                let mut s = Status {
                    status: VerificationStatus::Unknown(String::new()),
                    $($field,)*
                    name_match: NameMatch::Unknown(String::new()),
                    raw_json,
                    reversal: ReversalStatus::Unknown(String::new()),
                };
                s.status = VerificationStatus::parse(s.status_raw.as_deref().unwrap_or(""));
                s.name_match = NameMatch::parse(s.name_match_result.as_deref().unwrap_or(""));
                s.reversal = ReversalStatus::parse(s.reversal_status.as_deref().unwrap_or(""));
                s
            }
        }
    };
}
with_status_fields!(status_struct);

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

/// The request a status call asks about (by the merchant's id or Cashfree's), which
/// its answer must be about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Identity<'a> {
    VerificationId(&'a str),
    RefId(i64),
}

pub(crate) fn unexpected(what: String) -> Error {
    Error::new(
        ErrorKind::UnexpectedResponse,
        format!("unexpected response: {what}"),
    )
}
