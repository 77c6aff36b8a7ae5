//! Byte buffers handed to C (`cfrpd_request.qr_png`) whose real length the library
//! keeps where the caller cannot change it: in a header just before the bytes. The
//! struct's length field is for the caller to read; the free never trusts it.

use std::mem::size_of;

/// Bytes before the data: the data's length as a `usize`, native-endian, unaligned.
const HEADER: usize = size_of::<usize>();

/// An owned copy of `data` for C; NULL when `data` is empty. Release with [`free_bytes`].
pub(crate) fn bytes_out(data: &[u8]) -> *mut u8 {
    if data.is_empty() {
        return std::ptr::null_mut();
    }
    let mut buf = Vec::with_capacity(HEADER + data.len());
    buf.extend_from_slice(&data.len().to_ne_bytes());
    buf.extend_from_slice(data);
    let whole = Box::into_raw(buf.into_boxed_slice()).cast::<u8>();
    // SAFETY: the allocation holds HEADER + data.len() bytes, so HEADER is in bounds.
    unsafe { whole.add(HEADER) }
}

/// Frees a buffer made by [`bytes_out`]; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from [`bytes_out`] and is not used again.
pub(crate) unsafe fn free_bytes(p: *mut u8) {
    if p.is_null() {
        return;
    }
    // SAFETY: bytes_out returned the allocation's start + HEADER, so stepping back stays
    // inside the same allocation.
    let whole = unsafe { p.sub(HEADER) };
    // SAFETY: the first HEADER bytes of the allocation are the length bytes_out wrote;
    // read unaligned because a byte allocation has no usize alignment.
    let len = unsafe { whole.cast::<usize>().read_unaligned() };
    // SAFETY: `whole` is the pointer Box::into_raw gave for a boxed slice of exactly
    // HEADER + len bytes, freed once (the caller's promise).
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(whole, HEADER + len)) });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_uses_the_hidden_length_not_the_callers() {
        let data: Vec<u8> = (0..=255).collect();
        let p = bytes_out(&data);
        // SAFETY: p holds data.len() bytes.
        assert_eq!(
            // SAFETY: p holds data.len() readable bytes (bytes_out copied them).
            unsafe { std::slice::from_raw_parts(p, data.len()) },
            &data[..]
        );
        // SAFETY: p came from bytes_out (Miri/ASan would flag a wrong layout).
        unsafe { free_bytes(p) };
        assert!(bytes_out(&[]).is_null());
        // SAFETY: NULL is a no-op.
        unsafe { free_bytes(std::ptr::null_mut()) };
    }
}
