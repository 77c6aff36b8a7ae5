//! Cashfree's status fields, declared once.
//!
//! [`with_status_fields!`] hands the list to a macro: `rust_name = json_key`, with the
//! field's documentation. The JSON key is also the field's name in the C struct
//! `cfrpd_status` and in the C++ `cashfree::Status`. Derived from this one list:
//! the text fields of [`Status`](crate::Status) and their order
//! ([`Status::text_fields`](crate::Status::text_fields)), both decoders
//! (`crate::decode`), scrubbing, `Serialize` (`crate::serialize`), the C struct
//! conversion and its release (`crate::ffi::convert`), and the CLI's output (through
//! `Status::text_fields`).
//!
//! Adding a field is one line here plus, for C, the literal `#[repr(C)]` struct
//! `cfrpd_status` (cbindgen reads it; the conversion does not compile until it has the
//! field, and `tests::c_struct_matches_the_list` checks the header), the C++ copy in
//! `include/cashfree_rpd.hpp` (`tests/it/header_fields.rs`) and the ABI baseline
//! (`make abi`, `tests/it/abi.rs`).

/// Calls `$callback! { $( $(#[doc = ...])* rust_name = json_key, )* }` with every
/// status field that Cashfree sends as text, in the order of its documentation.
macro_rules! with_status_fields {
    ($callback:ident) => {
        $callback! {
            /// The raw `status` string, `None` if absent.
            status_raw = status,
            /// The merchant's id.
            verification_id = verification_id,
            /// Cashfree's id, as text whatever JSON type arrived.
            ref_id = ref_id,
            /// Payer's account number.
            bank_account = bank_account,
            /// Payer's bank branch code.
            ifsc = ifsc,
            /// Payer's UPI id (VPA).
            upi = upi,
            /// Account holder name as the bank has it.
            name_at_bank = name_at_bank,
            /// Bank transaction reference of the ₹1 payment.
            utr = utr,
            /// A number as text, e.g. `"90.00"`; may be `""`.
            name_match_score = name_match_score,
            /// The raw `name_match_result`; parsed in [`name_match`](Self::name_match).
            name_match_result = name_match_result,
            /// When the request was created (format varies; kept as sent).
            added_on = added_on,
            /// When it was processed.
            processed_on = processed_on,
            /// When the rupee arrived.
            penny_collected_on = penny_collected_on,
            /// Refund of the rupee as sent: `PENDING`, `TRANSFER_INITIATED`,
            /// `TRANSFER_SUCCESS`, `FAILED`; empty before payment. Parsed in
            /// [`reversal`](Self::reversal).
            reversal_status = reversal_status,
            /// e.g. `SAVINGS`, `CURRENT`.
            account_type = account_type,
        }
    };
}
pub(crate) use with_status_fields;

macro_rules! json_keys {
    ($( $(#[doc = $doc:literal])* $field:ident = $key:ident, )*) => {
        /// The JSON keys of the text fields, in the list's order.
        pub(crate) const STATUS_KEYS: &[&str] = &[$(stringify!($key)),*];
    };
}
with_status_fields!(json_keys);

/// How many text fields a status has.
pub(crate) const STATUS_FIELD_COUNT: usize = STATUS_KEYS.len();

/// The fields of `cfrpd_status` that are not text fields of the list.
#[cfg(test)]
const C_STATUS_EXTRAS: &[&str] = &["state", "is_final", "name_match", "raw_json", "reversal"];

/// The Rust tests' one reader of the C header.
#[cfg(test)]
#[path = "../tests/common/cheader.rs"]
mod cheader;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_struct_matches_the_list() {
        let header = cheader::parse(include_str!("../include/cashfree_rpd.h"));
        let mut c = header.struct_fields("cfrpd_status");
        c.retain(|f| !C_STATUS_EXTRAS.contains(&f.as_str()));
        assert_eq!(
            c, STATUS_KEYS,
            "cfrpd_status's text fields (include/cashfree_rpd.h) and the list in \
             src/status_fields.rs disagree"
        );
        assert_eq!(STATUS_FIELD_COUNT, 15);
    }
}
