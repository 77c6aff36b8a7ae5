//! Rust results into owned C structs, and their release.

use super::strings::{free_string, opt_string_out, string_out};
use super::types::*;
use crate::model::{CreatedRequest, NameMatch, ReversalStatus, Status, VerificationStatus};
use crate::webhook::WebhookEvent;

pub(crate) fn request_out(r: &CreatedRequest) -> Box<cfrpd_request> {
    let (qr_png, qr_png_len) = match r.qr_png() {
        Some(bytes) => {
            let len = bytes.len();
            (Box::into_raw(bytes.into_boxed_slice()) as *mut u8, len)
        }
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
    let b = unsafe { Box::from_raw(r) };
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
        if !b.qr_png.is_null() {
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                b.qr_png,
                b.qr_png_len,
            )));
        }
    }
}

pub(crate) fn status_out(s: &Status) -> Box<cfrpd_status> {
    let state = match s.status {
        VerificationStatus::Created => CFRPD_STATE_CREATED,
        VerificationStatus::Success => CFRPD_STATE_SUCCESS,
        VerificationStatus::Failure => CFRPD_STATE_FAILURE,
        VerificationStatus::Expired => CFRPD_STATE_EXPIRED,
        _ => CFRPD_STATE_UNKNOWN,
    };
    let name_match = match s.name_match {
        NameMatch::Direct => CFRPD_MATCH_DIRECT,
        NameMatch::GoodPartial => CFRPD_MATCH_GOOD_PARTIAL,
        NameMatch::ModeratePartial => CFRPD_MATCH_MODERATE_PARTIAL,
        NameMatch::PoorPartial => CFRPD_MATCH_POOR_PARTIAL,
        NameMatch::NoMatch => CFRPD_MATCH_NO_MATCH,
        _ => CFRPD_MATCH_UNKNOWN,
    };
    let reversal = match s.reversal {
        ReversalStatus::Pending => CFRPD_REVERSAL_PENDING,
        ReversalStatus::TransferInitiated => CFRPD_REVERSAL_TRANSFER_INITIATED,
        ReversalStatus::TransferSuccess => CFRPD_REVERSAL_TRANSFER_SUCCESS,
        ReversalStatus::Failed => CFRPD_REVERSAL_FAILED,
        _ => CFRPD_REVERSAL_UNKNOWN,
    };
    let o = |v: &Option<String>| opt_string_out(v.as_deref());
    Box::new(cfrpd_status {
        state,
        is_final: s.is_final(),
        status: o(&s.status_raw),
        verification_id: o(&s.verification_id),
        ref_id: o(&s.ref_id),
        bank_account: o(&s.bank_account),
        ifsc: o(&s.ifsc),
        upi: o(&s.upi),
        name_at_bank: o(&s.name_at_bank),
        utr: o(&s.utr),
        name_match_score: o(&s.name_match_score),
        name_match_result: o(&s.name_match_result),
        name_match,
        added_on: o(&s.added_on),
        processed_on: o(&s.processed_on),
        penny_collected_on: o(&s.penny_collected_on),
        reversal_status: o(&s.reversal_status),
        account_type: o(&s.account_type),
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
    let b = unsafe { Box::from_raw(s) };
    for p in [
        b.status,
        b.verification_id,
        b.ref_id,
        b.bank_account,
        b.ifsc,
        b.upi,
        b.name_at_bank,
        b.utr,
        b.name_match_score,
        b.name_match_result,
        b.added_on,
        b.processed_on,
        b.penny_collected_on,
        b.reversal_status,
        b.account_type,
        b.raw_json,
    ] {
        unsafe { free_string(p) };
    }
}

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
    let b = unsafe { Box::from_raw(w) };
    unsafe {
        free_string(b.event_type);
        free_string(b.event_time);
        free_string(b.version);
        free_status(b.data);
    }
}
