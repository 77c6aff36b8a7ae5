//! The C ABI: a thin shell over the Rust API (see `include/cashfree_rpd.h`).
//!
//! Conventions (also in the README's "API conventions"):
//! - fallible functions return `cfrpd_result` and write results through out-pointers,
//!   set to NULL first; `cfrpd_error **err` may be NULL;
//! - strings in are copied; everything returned is owned by the caller and released
//!   with the matching `cfrpd_*_free`, which accepts NULL;
//! - no panic crosses the boundary (`CFRPD_ERR_PANIC`).

mod calls;
mod config;
mod convert;
mod error;
mod journal;
mod panic;
mod qr;
mod strings;
mod types;
mod webhook;

pub use calls::*;
pub use config::*;
pub use journal::*;
pub use qr::*;
pub use types::*;
pub use webhook::*;

use crate::error::Error;

/// Borrows a C object; NULL is an invalid-argument error.
///
/// # Safety
/// `p` is NULL or valid for the borrow.
unsafe fn ref_in<'a, T>(p: *const T, what: &str) -> Result<&'a T, Error> {
    unsafe { p.as_ref() }.ok_or_else(|| Error::invalid(format!("{what} is NULL")))
}
