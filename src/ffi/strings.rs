//! Strings across the boundary: borrowed `const char *` in, owned `char *` out.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use crate::error::Error;

/// Borrows a NUL-terminated UTF-8 string from C.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the borrow.
pub(crate) unsafe fn str_in<'a>(p: *const c_char, what: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    // SAFETY: `p` is not NULL (checked above), so this function's requirement makes it a
    // NUL-terminated string that outlives the borrow, which is what CStr::from_ptr needs.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str()
        .map_err(|_| Error::invalid(format!("{what} is not valid UTF-8")))
}

/// [`str_in`] where NULL means "not given".
///
/// # Safety
/// As for [`str_in`].
pub(crate) unsafe fn opt_str_in<'a>(
    p: *const c_char,
    what: &str,
) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: `p` is not NULL here, so this function's requirement (NUL-terminated,
        // outliving the borrow) is str_in's.
        unsafe { str_in(p, what) }.map(Some)
    }
}

/// An owned C string. Text from the core never holds NUL (the decoder refuses it);
/// should one slip through, it becomes U+FFFD rather than a truncation or a panic.
pub(crate) fn string_out(s: &str) -> *mut c_char {
    match CString::new(s) {
        Ok(c) => c.into_raw(),
        Err(_) => CString::new(s.replace('\0', "\u{FFFD}"))
            .map(CString::into_raw)
            .unwrap_or(std::ptr::null_mut()),
    }
}

/// `None` becomes NULL.
pub(crate) fn opt_string_out(s: Option<&str>) -> *mut c_char {
    s.map_or(std::ptr::null_mut(), string_out)
}

/// Frees a string made by [`string_out`]; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from [`string_out`] and is not used again.
pub(crate) unsafe fn free_string(p: *mut c_char) {
    if !p.is_null() {
        // SAFETY: `p` came from CString::into_raw in string_out and is not used again (this
        // function's requirement), so from_raw takes back the only owner once.
        drop(unsafe { CString::from_raw(p) });
    }
}
