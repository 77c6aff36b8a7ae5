//! The C ABI: a thin shell over the Rust API (see `include/cashfree_rpd.h`).
//!
//! Conventions (also in the README's "API conventions"):
//! - fallible functions return `cfrpd_result` and write results through out-pointers,
//!   set to NULL first; `cfrpd_error **err` may be NULL;
//! - strings in are copied; everything returned is owned by the caller and released
//!   with the matching `cfrpd_*_free`, which accepts NULL;
//! - no panic crosses the boundary (`CFRPD_ERR_PANIC`).
//!
//! The doc comments of the exported functions are the C manual (cbindgen copies them
//! into the header, `scripts/gen-man.py` makes the man pages): they are written for C
//! programmers, so a function's obligations are a "Requirements:" paragraph, not a
//! Rust `# Safety` heading. Crate-internal `unsafe fn`s keep `# Safety`.
#![allow(
    clippy::missing_safety_doc,
    reason = "exported functions state their contract in a C-worded \"Requirements:\" paragraph"
)]

// The header lists functions in the order cbindgen meets them: the order of these
// modules, then source order within each. The blank lines keep rustfmt from sorting
// them. Each free function sits right after what makes the object it frees.

// The version, as text and as a number.
mod version;

// Names of result codes and enum values.
mod names;

// cfrpd_error_free.
mod error;

// Configuration.
mod config;

// The client (made from a configuration).
mod client;

// Create, status, wait.
mod calls;

// The create journal.
mod journal;

// QR codes and bitmaps.
mod qr;

// Webhooks.
mod webhook;

// No exported functions below.
mod bytes;
mod convert;
mod panic;
mod strings;
mod types;

pub use calls::*;
pub use client::*;
pub use config::*;
pub use error::cfrpd_error_free;
pub use journal::*;
pub use names::*;
pub use qr::*;
pub use types::*;
pub use version::*;
pub use webhook::*;

use crate::error::Error;

/// Borrows a C object; NULL is an invalid-argument error.
///
/// # Safety
/// `p` is NULL or valid for the borrow.
unsafe fn ref_in<'a, T>(p: *const T, what: &str) -> Result<&'a T, Error> {
    // SAFETY: `p` is NULL (as_ref gives None) or valid for the borrow (this function's requirements).
    unsafe { p.as_ref() }.ok_or_else(|| Error::invalid(format!("{what} is NULL")))
}
