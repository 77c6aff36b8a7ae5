//! `Serialize` for the result types (feature `serde`), with Cashfree's JSON names, so a
//! program can forward results into its own JSON unchanged.
//!
//! A [`Status`] becomes the status answer's fields (`status` is the raw text as sent;
//! absent fields are left out), a [`CreatedRequest`] the create answer's fields; the
//! enums become their documented names (or the raw text of an unknown value).

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::model::{CreatedRequest, NameMatch, ReversalStatus, Status, VerificationStatus};
use crate::ratelimit::RateLimit;

impl Serialize for VerificationStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for NameMatch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for ReversalStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = self.text_fields();
        let mut map = s.serialize_map(None)?;
        for (k, v) in fields {
            if let Some(v) = v {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl Serialize for CreatedRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("verification_id", &self.verification_id)?;
        map.serialize_entry("ref_id", &self.ref_id)?;
        let optional = [
            ("valid_upto", &self.valid_upto),
            ("upi_link", &Some(self.upi_link.clone())),
            ("gpay", &self.gpay),
            ("bhim", &self.bhim),
            ("paytm", &self.paytm),
            ("phonepe", &self.phonepe),
            ("qr_code", &self.qr_code),
        ];
        for (k, v) in optional {
            if let Some(v) = v {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl Serialize for RateLimit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("limit", &self.limit)?;
        map.serialize_entry("remaining", &self.remaining)?;
        map.serialize_entry("reset_seconds", &self.reset.map(|d| d.as_secs_f64()))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::{decode_created, decode_status};

    const CREATE: &str = include_str!("../tests/data/samples/create_response.json");
    const SUCCESS: &str = include_str!("../tests/data/samples/status_success.json");
    const EXPIRED: &str = include_str!("../tests/data/samples/status_expired.json");

    #[test]
    fn results_serialize_back_to_cashfrees_json() {
        for body in [SUCCESS, EXPIRED] {
            let s = decode_status(body.as_bytes()).unwrap();
            let back = serde_json::to_value(&s).unwrap();
            let original: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(back, original);
        }
        let c = decode_created(CREATE.as_bytes(), "90909710").unwrap();
        let back = serde_json::to_value(&c).unwrap();
        let original: serde_json::Value = serde_json::from_str(CREATE).unwrap();
        assert_eq!(back, original);
        let s = decode_status(SUCCESS.as_bytes()).unwrap();
        assert_eq!(serde_json::to_value(&s.status).unwrap(), "SUCCESS");
        assert_eq!(serde_json::to_value(&s.reversal).unwrap(), "PENDING");
        assert_eq!(
            serde_json::to_value(&s.name_match).unwrap(),
            "POOR_PARTIAL_MATCH"
        );
    }
}
