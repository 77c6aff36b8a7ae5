//! The library version, as text and as one number.

use std::os::raw::c_char;

use super::panic::call_infallible;

/// The version text, NUL-terminated.
const VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
) {
    Ok(v) => v,
    Err(_) => panic!("the package version holds a NUL byte"),
};

/// The library version, e.g. "0.1.0". Equals the `CFRPD_VERSION` macro of the header
/// the program was compiled with, unless a different library was linked.
///
/// Returns: a static NUL-terminated string (never NULL; do not free).
#[no_mangle]
pub extern "C" fn cfrpd_version() -> *const c_char {
    call_infallible(VERSION.as_ptr(), || VERSION.as_ptr())
}

/// The version of the library actually linked as one number: MAJOR*10000 +
/// MINOR*100 + PATCH (0.1.0 is 100). Compare with `CFRPD_VERSION_NUMBER` of the header
/// a program was built with to refuse an older library at run time.
///
/// Returns: the version number.
#[no_mangle]
pub extern "C" fn cfrpd_version_number() -> u32 {
    call_infallible(crate::VERSION_NUMBER, || crate::VERSION_NUMBER)
}
