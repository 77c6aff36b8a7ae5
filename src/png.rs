//! The QR code's PNG, sent as base64 text: decoded leniently and only when asked
//! ([`CreatedRequest::qr_png`](crate::CreatedRequest::qr_png)), never on the status path.

use base64::Engine;

/// Decodes a base64 PNG leniently; `None` unless it really is a PNG.
pub(crate) fn decode_png_base64(text: &str) -> Option<Vec<u8>> {
    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let text = text.trim();
    let text = text
        .get(..22)
        .filter(|p| p.eq_ignore_ascii_case("data:image/png;base64,"))
        .map_or(text, |_| &text[22..]);
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    bytes.starts_with(PNG_SIGNATURE).then_some(bytes)
}
