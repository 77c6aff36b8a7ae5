//! QR codes for screens and printers without a PNG decoder: a thin shell over
//! [`crate::qr`].
#![allow(non_camel_case_types)]

use std::os::raw::c_char;

use super::bytes::{bytes_out, free_bytes};
use super::panic::{call_infallible, call_with_out, call_with_string_out};
use super::strings::{free_string, str_in};
use super::types::{cfrpd_error, cfrpd_result};
use crate::error::Error;
use crate::qr::{check_size, QrCode};

/// Smallest `cfrpd_qr.size` (version 1).
pub const CFRPD_QR_MIN_SIZE: u32 = 21;
const _: () = assert!(CFRPD_QR_MIN_SIZE == crate::qr::MIN_SIZE);
/// Largest `cfrpd_qr.size` (version 40).
pub const CFRPD_QR_MAX_SIZE: u32 = 177;
const _: () = assert!(CFRPD_QR_MAX_SIZE == crate::qr::MAX_SIZE);
/// Largest `scale` of `cfrpd_qr_bitmap` (the smallest is 1).
pub const CFRPD_QR_MAX_SCALE: u32 = 64;
const _: () = assert!(CFRPD_QR_MAX_SCALE == crate::qr::MAX_SCALE);
/// Largest `quiet_zone` of `cfrpd_qr_bitmap`, in modules (the smallest is 0).
pub const CFRPD_QR_MAX_QUIET_ZONE: u32 = 16;
const _: () = assert!(CFRPD_QR_MAX_QUIET_ZONE == crate::qr::MAX_QUIET_ZONE);
/// The quiet zone the QR standard asks for, in modules.
pub const CFRPD_QR_STANDARD_QUIET_ZONE: u32 = 4;
const _: () = assert!(CFRPD_QR_STANDARD_QUIET_ZONE == crate::qr::STANDARD_QUIET_ZONE);

/// A QR code's module matrix (no quiet zone). Owned by the caller: release with
/// `cfrpd_qr_free`. A matrix built by the caller (not by `cfrpd_qr_encode`) may be passed
/// to `cfrpd_qr_bitmap` too.
#[repr(C)]
pub struct cfrpd_qr {
    /// Modules per side: 21, 25, ..., 177 (17 + 4 * version).
    pub size: u32,
    /// `size * size` bytes, row-major (top row first), 1 = dark, 0 = light.
    pub modules: *mut u8,
}

/// A 1-bit image. Owned by the caller: release with `cfrpd_bitmap_free`.
#[repr(C)]
pub struct cfrpd_bitmap {
    /// Pixels: `(size + 2 * quiet_zone) * scale`.
    pub width: u32,
    /// Pixels: equal to `width`.
    pub height: u32,
    /// Bytes per row: `(width + 7) / 8`.
    pub stride: u32,
    /// `height * stride` bytes, top row first; most significant bit first = leftmost
    /// pixel; 1 = black; padding bits at the end of a row are 0. This is the row layout
    /// of ESC/POS "GS v 0" raster images (`1D 76 30 00 xL xH yL yH`, x = stride,
    /// y = height, then these bytes) and of PBM P4 (`P4\n<width> <height>\n`, then
    /// these bytes).
    pub bits: *mut u8,
}

/// What `cfrpd_qr_encode` allocates: the public struct first, then the modules' pointer
/// again, out of the caller's reach (changing `size` or `modules` cannot make the free
/// release the wrong memory). The modules are a `bytes_out` array: their length is kept
/// the library's one way (`bytes.rs`).
#[repr(C)]
struct QrAlloc {
    public: cfrpd_qr,
    modules: *mut u8,
}

/// The same for a bitmap.
#[repr(C)]
struct BitmapAlloc {
    public: cfrpd_bitmap,
    bits: *mut u8,
}

/// Encodes `text` (NUL-terminated UTF-8, e.g. a request's `upi_link`) as a QR code at
/// error correction level M, in the smallest version that holds it.
///
/// Release `*out` with `cfrpd_qr_free`.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: NULL, invalid UTF-8, empty text or text too long for a
///   QR code (more than 2331 bytes of arbitrary text); the message says which.
///
/// Example:
/// ```c
/// cfrpd_qr *qr = NULL;
/// cfrpd_bitmap *bmp = NULL;
/// if (cfrpd_qr_encode(req->upi_link, &qr, NULL) == CFRPD_OK &&
///     cfrpd_qr_bitmap(qr, 4, CFRPD_QR_STANDARD_QUIET_ZONE, &bmp, NULL) == CFRPD_OK) {
///     FILE *f = fopen("upi.pbm", "wb");
///     fprintf(f, "P4\n%u %u\n", bmp->width, bmp->height);
///     fwrite(bmp->bits, bmp->stride, bmp->height, f);
///     fclose(f);
/// }
/// cfrpd_bitmap_free(bmp);
/// cfrpd_qr_free(qr);
/// ```
///
/// Requirements: `text` is NULL or NUL-terminated; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_qr_encode(
    text: *const c_char,
    out: *mut *mut cfrpd_qr,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `text` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let text = unsafe { str_in(text, "text") }?;
        let qr = QrCode::encode(text)?;
        let modules = bytes_out(qr.modules());
        Ok(Box::new(QrAlloc {
            public: cfrpd_qr {
                size: qr.size(),
                modules,
            },
            modules,
        }))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out.cast::<*mut QrAlloc>(), err, run) }
}

/// Frees a QR code from `cfrpd_qr_encode`. NULL is a no-op.
///
/// Requirements: `qr` is NULL or came from `cfrpd_qr_encode` and is not freed before. (Not for a
/// `cfrpd_qr` the caller built itself.)
#[no_mangle]
pub unsafe extern "C" fn cfrpd_qr_free(qr: *mut cfrpd_qr) {
    call_infallible((), || {
        if qr.is_null() {
            return;
        }
        // SAFETY: made by cfrpd_qr_encode as a QrAlloc whose first field is `public`.
        let alloc = unsafe { Box::from_raw(qr.cast::<QrAlloc>()) };
        // SAFETY: `alloc.modules` is the bytes_out array cfrpd_qr_encode made for this
        // code, kept where the caller cannot change it, and freed once, here.
        unsafe { free_bytes(alloc.modules) };
    })
}

/// Draws a QR code as a 1-bit bitmap: `scale` pixels (printer dots) per module,
/// 1..CFRPD_QR_MAX_SCALE (64), and a white border of `quiet_zone` modules,
/// 0..CFRPD_QR_MAX_QUIET_ZONE (16; the QR standard asks for 4).
/// Width and height are `(qr->size + 2 * quiet_zone) * scale`; see `cfrpd_bitmap` for
/// the row layout (ESC/POS "GS v 0" and PBM P4 take the rows as they are).
///
/// Scanners need about 2 pixels per module; a 58 mm receipt printer is 384 dots wide,
/// an 80 mm one 576: pick the largest scale that fits.
///
/// Module bytes other than 0 count as dark. Release `*out` with `cfrpd_bitmap_free`.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL `qr` or `qr->modules`, a `qr->size` that is not
///   a QR size (21, 25, ..., 177), or `scale` / `quiet_zone` out of range; the message
///   says which.
///
/// Requirements: `qr` is NULL or readable, and `qr->modules` NULL or readable for `size * size` bytes;
/// `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_qr_bitmap(
    qr: *const cfrpd_qr,
    scale: u32,
    quiet_zone: u32,
    out: *mut *mut cfrpd_bitmap,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `qr` and its modules are NULL or readable (this function's requirements).
        let bitmap = unsafe { qr_in(qr) }?.to_bitmap(scale, quiet_zone)?;
        let (width, height, stride) = (bitmap.width(), bitmap.height(), bitmap.stride());
        let bits = bytes_out(&bitmap.into_bits());
        Ok(Box::new(BitmapAlloc {
            public: cfrpd_bitmap {
                width,
                height,
                stride,
                bits,
            },
            bits,
        }))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out.cast::<*mut BitmapAlloc>(), err, run) }
}

/// Reads a `cfrpd_qr` (the library's or the caller's): NULL `qr` or `qr->modules` and a
/// size that is not a QR size are invalid-argument errors.
///
/// # Safety
/// `qr` is NULL or readable, and `qr->modules` NULL or readable for `size * size` bytes.
unsafe fn qr_in(qr: *const cfrpd_qr) -> Result<QrCode, Error> {
    // SAFETY: `qr` is NULL or readable (this function's # Safety).
    let qr = unsafe { super::ref_in(qr, "qr") }?;
    if qr.modules.is_null() {
        return Err(Error::invalid("qr->modules is NULL"));
    }
    // The size first: it decides how many bytes are read.
    check_size(qr.size)?;
    let n = (qr.size * qr.size) as usize;
    // SAFETY: `modules` is not NULL (checked above), and the caller vouches for
    // size * size readable bytes; `check_size` bounds the size at 177.
    let modules = unsafe { std::slice::from_raw_parts(qr.modules, n) };
    QrCode::from_modules(qr.size, modules)
}

/// Frees a bitmap from `cfrpd_qr_bitmap`. NULL is a no-op.
///
/// Requirements: `bitmap` is NULL or came from `cfrpd_qr_bitmap` and is not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_bitmap_free(bitmap: *mut cfrpd_bitmap) {
    call_infallible((), || {
        if bitmap.is_null() {
            return;
        }
        // SAFETY: made by cfrpd_qr_bitmap as a BitmapAlloc whose first field is `public`.
        let alloc = unsafe { Box::from_raw(bitmap.cast::<BitmapAlloc>()) };
        // SAFETY: `alloc.bits` is the bytes_out array cfrpd_qr_bitmap made for this
        // bitmap, kept where the caller cannot change it, and freed once, here.
        unsafe { free_bytes(alloc.bits) };
    })
}

/// The code as UTF-8 text for a terminal: Unicode half blocks (U+2580, U+2584, U+2588,
/// space), two module rows per line, one module per column, a 4-module quiet zone, `\n`
/// after every line. `ansi`: each line wrapped in ANSI colours (black on white, then
/// reset), so it scans on a dark terminal too; without it dark modules are the
/// terminal's foreground colour (for a light background, a file or a pipe).
///
/// Module bytes other than 0 count as dark. Release `*out` with `cfrpd_string_free`.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL `qr`, `qr->modules` or `out`, or a `qr->size`
///   that is not a QR size (21, 25, ..., 177); the message says which.
///
/// Example:
/// ```c
/// cfrpd_qr *qr = NULL;
/// char *text = NULL;
/// if (cfrpd_qr_encode(req->upi_link, &qr, NULL) == CFRPD_OK &&
///     cfrpd_qr_to_text(qr, false, &text, NULL) == CFRPD_OK) {
///     fputs(text, stdout);
/// }
/// cfrpd_string_free(text);
/// cfrpd_qr_free(qr);
/// ```
///
/// Requirements: `qr` is NULL or readable, and `qr->modules` NULL or readable for
/// `size * size` bytes; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_qr_to_text(
    qr: *const cfrpd_qr,
    ansi: bool,
    out: *mut *mut c_char,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `qr` and its modules are NULL or readable (this function's requirements).
        let qr = unsafe { qr_in(qr) }?;
        Ok(if ansi {
            qr.to_unicode_ansi()
        } else {
            qr.to_unicode()
        })
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements),
    // which is all call_with_string_out requires.
    unsafe { call_with_string_out(out, err, run) }
}

/// Frees a string this library returned (`cfrpd_qr_to_text`). NULL is a no-op.
///
/// Requirements: `s` is NULL or came from this library as a string to release with this function,
/// and is not freed before. (Not for strings inside a struct, which their struct's
/// `cfrpd_*_free` releases, nor for libc's strings.)
#[no_mangle]
pub unsafe extern "C" fn cfrpd_string_free(s: *mut c_char) {
    // SAFETY: `s` is NULL or an unfreed string of string_out (this function's requirements).
    call_infallible((), || unsafe { free_string(s) })
}
