//! The PNG QR code sent as `qr_code`. The matrix and the bitmap come from the library
//! (`cashfree_rpd::qr`), so the emulator's PNG and what C callers draw are one code.

use base64::Engine as _;
use cashfree_rpd::qr::QrCode;

/// Pixels per QR module in the PNG.
const SCALE: u32 = 4;
/// Quiet zone around the symbol in the PNG, in modules (the standard asks for 4).
const PNG_QUIET: u32 = cashfree_rpd::qr::STANDARD_QUIET_ZONE;

/// PNG of a QR code encoding `data` (4 px per module, 4-module quiet zone); a 1x1
/// white PNG when `data` cannot be encoded (empty or too long).
pub(crate) fn png(data: &str) -> Vec<u8> {
    let Ok(bitmap) = QrCode::encode(data).and_then(|qr| qr.to_bitmap(SCALE, PNG_QUIET)) else {
        return crate::png::encode_bilevel(1, 1, |_, _| false);
    };
    // The bitmap rows are 1 = black; a 1-bit grey PNG is 0 = black. Invert each row,
    // keeping the padding bits after the last pixel 0.
    let stride = bitmap.stride() as usize;
    let tail = bitmap.width() % 8;
    let last_mask = if tail == 0 {
        0xFF
    } else {
        0xFFu8 << (8 - tail)
    };
    let mut raw = Vec::with_capacity((stride + 1) * bitmap.height() as usize);
    for row in bitmap.bits().chunks(stride) {
        raw.push(0); // filter type: none
        raw.extend(row.iter().map(|b| !b));
        *raw.last_mut().expect("rows are not empty") &= last_mask;
    }
    crate::png::encode_raw(bitmap.width(), bitmap.height(), &raw)
}

/// Standard base64 of [`png`], as in the create response's `qr_code`.
pub(crate) fn png_base64(data: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(png(data))
}

/// The terminal rendering now lives in the library: this is
/// [`QrCode::to_unicode_ansi`] (black on bright white, Unicode half blocks), kept for
/// existing callers. Returns an explanatory line if `data` cannot be encoded.
pub fn render_unicode(data: &str) -> String {
    match QrCode::encode(data) {
        Ok(qr) => qr.to_unicode_ansi(),
        Err(e) => format!("({e})\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPI: &str = "upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=1000";

    #[test]
    fn png_matches_the_generic_encoder() {
        let qr = QrCode::encode(UPI).unwrap();
        let side = (qr.size() + 2 * PNG_QUIET) * SCALE;
        let generic = crate::png::encode_bilevel(side, side, |x, y| {
            let (mx, my) = (x / SCALE, y / SCALE);
            mx >= PNG_QUIET && my >= PNG_QUIET && qr.is_dark(mx - PNG_QUIET, my - PNG_QUIET)
        });
        assert!(png(UPI) == generic, "fast and generic PNG encoders differ");
    }

    #[test]
    fn png_has_expected_size() {
        let png = png(UPI);
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(w % SCALE, 0);
        assert!(w >= (21 + 8) * SCALE);
    }
}
