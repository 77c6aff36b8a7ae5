//! QR codes: the PNG sent as `qr_code` and a terminal rendering for humans.

use base64::Engine as _;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module in the PNG.
const SCALE: u32 = 4;
/// Quiet zone around the symbol in the PNG, in modules (the standard asks for 4).
const PNG_QUIET: u32 = 4;
/// Quiet zone in the terminal rendering, in modules.
const TERM_QUIET: usize = 2;

/// Module matrix (true = dark) and its width, or None if `data` does not fit in a QR code.
/// Picks the mask with the lowest penalty, like any QR encoder (for humans).
fn matrix(data: &str) -> Option<(Vec<bool>, usize)> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    let width = code.width();
    Some((dark_modules(code.to_colors()), width))
}

/// Like [`matrix`] but with a fixed mask pattern. Any mask gives a valid symbol;
/// skipping the 8-way penalty search makes a create ~10x cheaper in debug builds
/// (the search dominated: ~9 ms per QR code unoptimized).
fn matrix_fast(data: &str) -> Option<(Vec<bool>, usize)> {
    matrix_with_mask(data, MaskPattern::Checkerboard)
}

fn matrix_with_mask(data: &str, mask: MaskPattern) -> Option<(Vec<bool>, usize)> {
    let ec_level = EcLevel::M;
    let bits = qrcode::bits::encode_auto(data.as_bytes(), ec_level).ok()?;
    let version = bits.version();
    let (codewords, ec) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec_level).ok()?;
    let mut canvas = Canvas::new(version, ec_level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec);
    canvas.apply_mask(mask);
    Some((dark_modules(canvas.into_colors()), version.width() as usize))
}

fn dark_modules(colors: Vec<Color>) -> Vec<bool> {
    colors.into_iter().map(|c| c == Color::Dark).collect()
}

/// PNG of a QR code encoding `data` (4 px per module, 4-module quiet zone).
pub(crate) fn png(data: &str) -> Vec<u8> {
    let Some((dark, width)) = matrix_fast(data) else {
        return crate::png::encode_bilevel(1, 1, |_, _| false);
    };
    let quiet = PNG_QUIET as usize;
    let scale = SCALE as usize;
    let modules = width + 2 * quiet;
    let side = modules * scale;
    let row_bytes = side.div_ceil(8);
    // Build each module row once and repeat it SCALE times (cheap even unoptimized).
    let mut raw = Vec::with_capacity((row_bytes + 1) * side);
    let mut row = vec![0u8; row_bytes];
    for my in 0..modules {
        row.fill(0xFF);
        if side & 7 != 0 {
            // Padding bits after the last pixel stay 0.
            row[row_bytes - 1] = 0xFF << (8 - (side & 7));
        }
        if (quiet..quiet + width).contains(&my) {
            let line = &dark[(my - quiet) * width..(my - quiet + 1) * width];
            for (i, _) in line.iter().enumerate().filter(|(_, d)| **d) {
                for x in (quiet + i) * scale..(quiet + i + 1) * scale {
                    row[x / 8] &= !(0x80 >> (x % 8));
                }
            }
        }
        for _ in 0..scale {
            raw.push(0);
            raw.extend_from_slice(&row);
        }
    }
    crate::png::encode_raw(side as u32, side as u32, &raw)
}

/// Standard base64 of [`png`], as in the create response's `qr_code`.
pub(crate) fn png_base64(data: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(png(data))
}

/// Renders a QR code encoding `data` with Unicode half blocks (two modules per
/// character cell), with a quiet zone. Each line is wrapped in ANSI colours (black
/// on bright white) so the code reads the same on dark and light terminals.
/// Returns an explanatory line if `data` is too long for a QR code.
pub fn render_unicode(data: &str) -> String {
    let Some((dark, width)) = matrix(data) else {
        return "(data too long for a QR code)\n".to_string();
    };
    let side = width + 2 * TERM_QUIET;
    let at = |x: usize, y: usize| -> bool {
        if x < TERM_QUIET || y < TERM_QUIET || x >= width + TERM_QUIET || y >= width + TERM_QUIET {
            return false;
        }
        dark[(y - TERM_QUIET) * width + (x - TERM_QUIET)]
    };
    let mut out = String::with_capacity(side * side * 2);
    let mut y = 0;
    while y < side {
        out.push_str("\x1b[30;107m");
        for x in 0..side {
            let top = at(x, y);
            let bottom = y + 1 < side && at(x, y + 1);
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push_str("\x1b[0m\n");
        y += 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_matches_the_generic_encoder() {
        let d = "upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=1000";
        let (dark, width) = matrix_fast(d).unwrap();
        let side = (width as u32 + 2 * PNG_QUIET) * SCALE;
        let generic = crate::png::encode_bilevel(side, side, |x, y| {
            let (mx, my) = (x / SCALE, y / SCALE);
            if mx < PNG_QUIET || my < PNG_QUIET {
                return false;
            }
            let (mx, my) = ((mx - PNG_QUIET) as usize, (my - PNG_QUIET) as usize);
            mx < width && my < width && dark[my * width + mx]
        });
        assert!(png(d) == generic, "fast and generic PNG encoders differ");
    }

    #[test]
    fn png_has_expected_size() {
        let png = png("upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=1000");
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(w % SCALE, 0);
        assert!(w >= (21 + 8) * SCALE);
    }

    #[test]
    fn fixed_mask_pipeline_matches_the_library() {
        use MaskPattern::*;
        let d = "upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=1000";
        let (best, w) = matrix(d).unwrap();
        let masks = [
            Checkerboard,
            HorizontalLines,
            VerticalLines,
            DiagonalLines,
            LargeCheckerboard,
            Fields,
            Diamonds,
            Meadow,
        ];
        // The library picked one of the 8 masks: our pipeline with that mask is identical.
        let same = masks
            .iter()
            .filter(|m| matrix_with_mask(d, **m) == Some((best.clone(), w)));
        assert_eq!(same.count(), 1);
        assert_eq!(matrix_fast(d).unwrap().1, w);
    }

    #[test]
    fn unicode_rendering_is_square_ish() {
        let s = render_unicode("hello");
        let lines: Vec<&str> = s.lines().collect();
        // Version 1: 21 modules + 2*2 quiet = 25 rows -> 13 lines of 25 cells.
        assert_eq!(lines.len(), 13);
        assert!(lines.iter().all(|l| l.contains('▀') || l.contains(' ')));
        assert!(s.contains('█'));
    }
}
