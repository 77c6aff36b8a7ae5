//! Rust results into owned C structs, and their release.

use super::bytes::{bytes_out, free_bytes};
use super::names::{number_of, NAME_MATCHES, REVERSALS, STATES};
use super::strings::{free_string, opt_string_out, string_out};
use super::types::*;
use crate::model::{CreatedRequest, Status};
use crate::webhook::WebhookEvent;

pub(crate) fn request_out(r: &CreatedRequest) -> Box<cfrpd_request> {
    let (qr_png, qr_png_len) = match r.qr_png() {
        Some(bytes) => (bytes_out(&bytes), bytes.len()),
        None => (std::ptr::null_mut(), 0),
    };
    Box::new(cfrpd_request {
        verification_id: string_out(&r.verification_id),
        ref_id: r.ref_id,
        valid_upto: opt_string_out(r.valid_upto.as_deref()),
        upi_link: string_out(&r.upi_link),
        gpay: opt_string_out(r.gpay.as_deref()),
        bhim: opt_string_out(r.bhim.as_deref()),
        paytm: opt_string_out(r.paytm.as_deref()),
        phonepe: opt_string_out(r.phonepe.as_deref()),
        qr_code: opt_string_out(r.qr_code.as_deref()),
        qr_png,
        qr_png_len,
        raw_json: string_out(&r.raw_json),
        replayed: r.replayed,
    })
}

/// # Safety
/// `r` is NULL or came from [`request_out`] and is not used again.
pub(crate) unsafe fn free_request(r: *mut cfrpd_request) {
    if r.is_null() {
        return;
    }
    // SAFETY: `r` is the Box::into_raw of a request_out box (call_with_out), not freed before (this function's requirements).
    let b = unsafe { Box::from_raw(r) };
    // SAFETY: request_out made every string with string_out and qr_png with bytes_out; each is freed once, here.
    unsafe {
        for s in [
            b.verification_id,
            b.valid_upto,
            b.upi_link,
            b.gpay,
            b.bhim,
            b.paytm,
            b.phonepe,
            b.qr_code,
            b.raw_json,
        ] {
            free_string(s);
        }
        // Not b.qr_png_len: the caller may have changed it.
        free_bytes(b.qr_png);
    }
}

// The status conversion and its release, from the one list of status fields
// (`crate::status_fields`): a field the list has and `cfrpd_status` lacks (or the other
// way round) does not compile.
macro_rules! status_conversion {
    ($( $(#[doc = $doc:literal])* $field:ident = $key:ident, )*) => {
        pub(crate) fn status_out(s: &Status) -> Box<cfrpd_status> {
            let state = number_of(&STATES, &s.status, CFRPD_STATE_UNKNOWN);
            let name_match = number_of(&NAME_MATCHES, &s.name_match, CFRPD_MATCH_UNKNOWN);
            let reversal = number_of(&REVERSALS, &s.reversal, CFRPD_REVERSAL_UNKNOWN);
            Box::new(cfrpd_status {
                state,
                is_final: s.is_final(),
                $( $key: opt_string_out(s.$field.as_deref()), )*
                name_match,
                raw_json: string_out(&s.raw_json),
                reversal,
            })
        }

        /// # Safety
        /// `s` is NULL or came from [`status_out`] and is not used again.
        pub(crate) unsafe fn free_status(s: *mut cfrpd_status) {
            if s.is_null() {
                return;
            }
            // SAFETY: the caller passes a pointer from `status_out` (a leaked Box) that
            // is not used again.
            let b = unsafe { Box::from_raw(s) };
            for p in [$( b.$key, )* b.raw_json] {
                // SAFETY: every string came from `string_out` / `opt_string_out` in
                // `status_out` and is freed once, here.
                unsafe { free_string(p) };
            }
        }
    };
}
crate::status_fields::with_status_fields!(status_conversion);

pub(crate) fn webhook_out(w: &WebhookEvent) -> Box<cfrpd_webhook> {
    Box::new(cfrpd_webhook {
        event_type: opt_string_out(w.event_type.as_deref()),
        event_time: opt_string_out(w.event_time.as_deref()),
        version: opt_string_out(w.version.as_deref()),
        data: Box::into_raw(status_out(&w.data)),
    })
}

/// # Safety
/// `w` is NULL or came from [`webhook_out`] and is not used again.
pub(crate) unsafe fn free_webhook(w: *mut cfrpd_webhook) {
    if w.is_null() {
        return;
    }
    // SAFETY: `w` is the Box::into_raw of a webhook_out box, not freed before (this function's requirements).
    let b = unsafe { Box::from_raw(w) };
    // SAFETY: webhook_out made the strings with opt_string_out and `data` with Box::into_raw(status_out(..)); each is freed once, here.
    unsafe {
        free_string(b.event_type);
        free_string(b.event_time);
        free_string(b.version);
        free_status(b.data);
    }
}
