//! Arrays handed to C (`cfrpd_request.qr_png`, `cfrpd_journal_list.entries`, the QR
//! modules and bitmap bits of `cfrpd_qr` / `cfrpd_bitmap`) whose real
//! length the library keeps where the caller cannot change it: in a header just before
//! the first item. The struct's count field is for the caller to read; the free never
//! trusts it. One scheme for every array the library hands out and frees by pointer.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::mem::{align_of, size_of};

/// Bytes from the start of the allocation to the first item: the `usize` length,
/// padded to the items' alignment. Depends on `T` only, so the free finds the header
/// without knowing the length.
const fn offset<T>() -> usize {
    size_of::<usize>().next_multiple_of(align_of::<T>())
}

/// The allocation holding the header and `len` items of `T`.
fn layout<T>(len: usize) -> Layout {
    let size = size_of::<T>()
        .checked_mul(len)
        .and_then(|n| n.checked_add(offset::<T>()));
    let align = align_of::<T>().max(align_of::<usize>());
    match size.map(|s| Layout::from_size_align(s, align)) {
        Some(Ok(layout)) => layout,
        _ => panic!("array too large"),
    }
}

/// Moves `items` into one allocation for C; NULL when empty. Release with
/// [`free_slice`] of the same `T`.
pub(crate) fn slice_out<T>(mut items: Vec<T>) -> *mut T {
    const { assert!(size_of::<T>() > 0) };
    let len = items.len();
    if len == 0 {
        return std::ptr::null_mut();
    }
    let layout = layout::<T>(len);
    // SAFETY: the layout's size is at least offset::<T>() + size_of::<T>() > 0.
    let whole = unsafe { alloc(layout) };
    if whole.is_null() {
        handle_alloc_error(layout);
    }
    // SAFETY: `whole` is aligned for usize (the layout's alignment is at least
    // align_of::<usize>()) and the header's bytes are inside the allocation.
    unsafe { whole.cast::<usize>().write(len) };
    // SAFETY: offset::<T>() + len * size_of::<T>() bytes fit in the layout, and the
    // offset is a multiple of align_of::<T>() from an allocation aligned at least as
    // much, so `data` is in bounds and aligned for T.
    let data = unsafe { whole.add(offset::<T>()) }.cast::<T>();
    // SAFETY: `data` has room for `len` items (above) and cannot overlap `items`' buffer
    // (a fresh allocation); the items are moved: set_len(0) keeps the Vec from dropping them.
    unsafe {
        std::ptr::copy_nonoverlapping(items.as_ptr(), data, len);
        items.set_len(0);
    }
    data
}

/// Runs `release` on each item of an array made by [`slice_out`] (for what an item owns
/// through raw pointers), drops the items and frees the array; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from [`slice_out`] with the same `T`, and is not used again.
pub(crate) unsafe fn free_slice<T>(p: *mut T, release: impl FnMut(&mut T)) {
    if p.is_null() {
        return;
    }
    // SAFETY: slice_out returned the allocation's start + offset::<T>() (the caller's
    // promise), so stepping back stays inside the same allocation and lands on it.
    let whole = unsafe { p.cast::<u8>().sub(offset::<T>()) };
    // SAFETY: the allocation starts with the length slice_out wrote there, aligned for
    // usize; the caller cannot reach it through any field.
    let len = unsafe { whole.cast::<usize>().read() };
    // SAFETY: `p` holds `len` initialized items (slice_out moved them there), not
    // borrowed elsewhere: the caller hands the array back.
    unsafe { &mut *std::ptr::slice_from_raw_parts_mut(p, len) }
        .iter_mut()
        .for_each(release);
    // SAFETY: `p` holds `len` initialized items moved there by slice_out, dropped once
    // (the caller's promise not to use `p` again).
    unsafe { std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(p, len)) };
    // SAFETY: `whole` was allocated by slice_out with exactly layout::<T>(len).
    unsafe { dealloc(whole, layout::<T>(len)) };
}

/// An owned copy of `data` for C; NULL when `data` is empty. Release with [`free_bytes`].
pub(crate) fn bytes_out(data: &[u8]) -> *mut u8 {
    slice_out(data.to_vec())
}

/// Frees a buffer made by [`bytes_out`]; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from [`bytes_out`] and is not used again.
pub(crate) unsafe fn free_bytes(p: *mut u8) {
    // SAFETY: bytes_out is slice_out::<u8>; the rest is the caller's promise.
    unsafe { free_slice(p, |_| {}) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_uses_the_hidden_length_not_the_callers() {
        let data: Vec<u8> = (0..=255).collect();
        let p = bytes_out(&data);
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

    #[test]
    fn items_with_drop_and_wider_alignment_are_moved_and_dropped_once() {
        let items: Vec<(u64, String)> = (0..5).map(|i| (i, format!("item {i}"))).collect();
        let p = slice_out(items.clone());
        assert_eq!(p as usize % align_of::<(u64, String)>(), 0);
        // SAFETY: p holds the 5 items slice_out moved there.
        assert_eq!(unsafe { std::slice::from_raw_parts(p, 5) }, &items[..]);
        let mut seen = 0;
        // SAFETY: p came from slice_out::<(u64, String)> (a leak or double drop would
        // show under Miri/ASan/valgrind).
        unsafe { free_slice(p, |item: &mut (u64, String)| seen += item.0) };
        assert_eq!(seen, 10);
        assert!(slice_out(Vec::<(u64, String)>::new()).is_null());
    }
}
