//! The C ABI: a thin shell over the Rust API (see `include/cashfree_rpd.h`).
//!
//! Conventions (also in the README's "API conventions"):
//! - fallible functions return `cfrpd_result` and write results through out-pointers,
//!   set to NULL first; `cfrpd_error **err` may be NULL;
//! - strings in are copied; everything returned is owned by the caller and released
//!   with the matching `cfrpd_*_free`, which accepts NULL;
//! - no panic crosses the boundary (`CFRPD_ERR_PANIC`).

// The header lists functions in the order cbindgen meets them: these modules' order,
// then source order within each (version, names, errors, configuration and client,
// calls, QR, webhooks; each free beside what it frees).
mod calls;
mod config;
mod error;
mod names;
mod qr;
mod version;
mod webhook;
// No exported functions below.
mod convert;
mod panic;
mod strings;
mod types;

pub use calls::*;
pub use config::*;
pub use error::cfrpd_error_free;
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
    unsafe { p.as_ref() }.ok_or_else(|| Error::invalid(format!("{what} is NULL")))
}
