//! QR codes for screens and printers that cannot decode a PNG.
//!
//! [`QrCode::encode`] turns text (normally [`CreatedRequest::upi_link`]) into a module
//! matrix at error correction level M. From the matrix:
//! - [`QrCode::to_bitmap`] draws a 1-bit [`Bitmap`] with a chosen scale and quiet zone,
//!   whose rows are laid out exactly as ESC/POS `GS v 0` raster data and PBM (P4)
//!   expect: most significant bit first = leftmost pixel, 1 = black,
//!   `stride = (width + 7) / 8` bytes per row, padding bits 0 (white);
//! - [`Bitmap::to_pbm`] and [`Bitmap::to_escpos_raster`] wrap those rows for a file or
//!   a receipt printer;
//! - [`QrCode::to_unicode`] draws it with Unicode half blocks for a terminal.
//!
//! ```
//! use cashfree_rpd::qr::QrCode;
//!
//! let qr = QrCode::encode("upi://pay?pa=merchant@upi&pn=Shop&am=1.00&cu=INR").unwrap();
//! let bitmap = qr.to_bitmap(4, 4).unwrap(); // 4 dots per module, 4-module quiet zone
//! assert_eq!(bitmap.width(), (qr.size() + 2 * 4) * 4);
//! let pbm = bitmap.to_pbm(); // a file `zbarimg` can read
//! assert!(pbm.starts_with(b"P4\n"));
//! let _printer_bytes = bitmap.to_escpos_raster(); // write these to /dev/usb/lp0
//! ```
//!
//! [`CreatedRequest::upi_link`]: crate::CreatedRequest::upi_link

use crate::error::{Error, Result};

/// Smallest symbol: version 1, 21 modules per side.
pub const MIN_SIZE: u32 = 21;
/// Largest symbol: version 40, 177 modules per side.
pub const MAX_SIZE: u32 = 177;
/// Largest pixels-per-module [`QrCode::to_bitmap`] accepts (1 is the smallest).
pub const MAX_SCALE: u32 = 64;
/// Widest quiet zone, in modules, [`QrCode::to_bitmap`] accepts (0 is the narrowest).
pub const MAX_QUIET_ZONE: u32 = 16;
/// The quiet zone the QR standard asks for, in modules (use it unless the code is
/// surrounded by white anyway).
pub const STANDARD_QUIET_ZONE: u32 = 4;
/// The quiet zone of [`QrCode::to_unicode`] (and of C's `cfrpd_qr_to_text`), in modules:
/// the standard's 4, so a phone finds the code next to other text on screen.
pub const TERMINAL_QUIET_ZONE: u32 = 4;

/// A QR code's module matrix, without quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    size: u32,
    /// `size * size` bytes, row-major, 1 = dark, 0 = light.
    modules: Vec<u8>,
}

/// Checks that `size` is a QR code's modules per side: 21..=177 and `17 + 4 * version`.
pub fn check_size(size: u32) -> Result<()> {
    if !(MIN_SIZE..=MAX_SIZE).contains(&size) || !(size - 17).is_multiple_of(4) {
        return Err(Error::invalid(format!(
            "QR size {size} is not a QR code's modules per side (21, 25, ..., 177)"
        )));
    }
    Ok(())
}

impl QrCode {
    /// Encodes `text` (as UTF-8 bytes; digits-only or upper-case alphanumeric text
    /// gets the compact modes) at error correction level M, in the smallest version
    /// that holds it, with the mask of lowest penalty.
    ///
    /// Empty text, or text too long for a version-40 symbol (2,331 bytes of arbitrary
    /// text at level M), is an [`ErrorKind::InvalidInput`](crate::ErrorKind) error.
    pub fn encode(text: &str) -> Result<QrCode> {
        if text.is_empty() {
            return Err(Error::invalid("the QR text is empty"));
        }
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| match e {
                qrcode::types::QrError::DataTooLong => Error::invalid(format!(
                    "the QR text is too long: {} bytes do not fit in a QR code at error \
                     correction level M (at most 2331 bytes of arbitrary text)",
                    text.len()
                )),
                other => Error::invalid(format!("cannot encode the QR text: {other}")),
            })?;
        let size = u32::try_from(code.width()).expect("QR width is at most 177");
        let modules = code
            .to_colors()
            .into_iter()
            .map(|c| u8::from(c == qrcode::Color::Dark))
            .collect();
        Ok(QrCode { size, modules })
    }

    /// A matrix from `size * size` module bytes (row-major; any non-zero byte is dark),
    /// e.g. one kept from an earlier [`encode`](Self::encode). `size` must pass
    /// [`check_size`]; the length must be `size * size`. The pattern itself is not
    /// checked: a wrong matrix draws a code nobody can scan.
    pub fn from_modules(size: u32, modules: &[u8]) -> Result<QrCode> {
        check_size(size)?;
        let n = (size * size) as usize;
        if modules.len() != n {
            return Err(Error::invalid(format!(
                "a {size}x{size} QR code has {n} modules, not {}",
                modules.len()
            )));
        }
        Ok(QrCode {
            size,
            modules: modules.iter().map(|&m| u8::from(m != 0)).collect(),
        })
    }

    /// Modules per side (21..=177), without quiet zone.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// `size * size` bytes, row-major (top row first, left to right), 1 = dark,
    /// 0 = light.
    pub fn modules(&self) -> &[u8] {
        &self.modules
    }

    /// Whether the module in column `x`, row `y` is dark; outside the symbol (the quiet
    /// zone and beyond) everything is light.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        x < self.size && y < self.size && self.modules[(y * self.size + x) as usize] != 0
    }

    /// Draws the code as a 1-bit bitmap: `scale` pixels (printer dots) per module,
    /// 1..=[`MAX_SCALE`], and a light border of `quiet_zone` modules,
    /// 0..=[`MAX_QUIET_ZONE`] ([`STANDARD_QUIET_ZONE`] is the standard's 4).
    /// Width and height are `(size + 2 * quiet_zone) * scale`.
    ///
    /// Out-of-range arguments are [`ErrorKind::InvalidInput`](crate::ErrorKind) errors.
    /// Readers (zbar, phone cameras) need about 2 pixels per module; a 58 mm receipt
    /// printer is 384 dots wide, an 80 mm one 576.
    pub fn to_bitmap(&self, scale: u32, quiet_zone: u32) -> Result<Bitmap> {
        if !(1..=MAX_SCALE).contains(&scale) {
            return Err(Error::invalid(format!(
                "QR scale {scale} is out of range: 1 to {MAX_SCALE} pixels per module"
            )));
        }
        if quiet_zone > MAX_QUIET_ZONE {
            return Err(Error::invalid(format!(
                "QR quiet zone {quiet_zone} is out of range: 0 to {MAX_QUIET_ZONE} modules"
            )));
        }
        let side = (self.size + 2 * quiet_zone) * scale;
        let stride = side.div_ceil(8);
        let (stride_us, scale_us) = (stride as usize, scale as usize);
        let mut bits = Vec::with_capacity(stride_us * side as usize);
        let mut row = vec![0u8; stride_us];
        for my in 0..self.size + 2 * quiet_zone {
            // One pixel row per module row, repeated `scale` times.
            row.fill(0);
            if (quiet_zone..quiet_zone + self.size).contains(&my) {
                for mx in 0..self.size {
                    if self.is_dark(mx, my - quiet_zone) {
                        let x0 = ((quiet_zone + mx) * scale) as usize;
                        for x in x0..x0 + scale_us {
                            row[x / 8] |= 0x80 >> (x % 8);
                        }
                    }
                }
            }
            for _ in 0..scale {
                bits.extend_from_slice(&row);
            }
        }
        Ok(Bitmap {
            width: side,
            height: side,
            stride,
            bits,
        })
    }

    /// Draws the code with Unicode half blocks (`▀ ▄ █` and spaces: two module rows per
    /// text line, one module per column) and a [`TERMINAL_QUIET_ZONE`]; each line ends
    /// with `\n`. Dark modules are the *foreground* colour: on a terminal with a dark
    /// background use [`to_unicode_ansi`](Self::to_unicode_ansi); plain text suits a
    /// file, a pipe or a light background.
    pub fn to_unicode(&self) -> String {
        self.unicode_lines("", "")
    }

    /// [`to_unicode`](Self::to_unicode) with each line wrapped in ANSI colours (black on
    /// bright white, then reset), so the code reads the same on dark and light
    /// terminals. Only for a terminal: elsewhere the escape codes are noise.
    pub fn to_unicode_ansi(&self) -> String {
        self.unicode_lines("\x1b[30;107m", "\x1b[0m")
    }

    fn unicode_lines(&self, before: &str, after: &str) -> String {
        let q = TERMINAL_QUIET_ZONE;
        let side = self.size + 2 * q;
        // Module at (x, y) counting the quiet zone.
        let at = |x: u32, y: u32| x >= q && y >= q && self.is_dark(x - q, y - q);
        let mut out = String::with_capacity((side as usize * 3 + 16) * side.div_ceil(2) as usize);
        for y in (0..side).step_by(2) {
            out.push_str(before);
            for x in 0..side {
                out.push(match (at(x, y), at(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push_str(after);
            out.push('\n');
        }
        out
    }
}

/// A 1-bit image: rows of `stride` bytes, most significant bit first = leftmost pixel,
/// 1 = black, padding bits at the end of a row 0 (white). That is the row layout of
/// ESC/POS `GS v 0` raster images and of PBM P4, and what most monochrome LCD
/// controllers take in horizontal addressing (some want 1 = lit pixel: invert then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: u32,
    height: u32,
    stride: u32,
    bits: Vec<u8>,
}

impl Bitmap {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per row: `(width + 7) / 8`.
    pub fn stride(&self) -> u32 {
        self.stride
    }

    /// `height * stride` bytes, top row first.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    /// The bytes, for handing over without a copy.
    pub fn into_bits(self) -> Vec<u8> {
        self.bits
    }

    /// Whether pixel (`x`, `y`) is black; outside the image: false.
    pub fn is_black(&self, x: u32, y: u32) -> bool {
        x < self.width
            && y < self.height
            && self.bits[(y * self.stride + x / 8) as usize] & (0x80 >> (x % 8)) != 0
    }

    /// The image as a binary PBM (P4) file: `P4\n<width> <height>\n` and the rows.
    /// `zbarimg file.pbm` reads it, and so do most image tools.
    pub fn to_pbm(&self) -> Vec<u8> {
        let mut out = format!("P4\n{} {}\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.bits);
        out
    }

    /// The image as one ESC/POS "print raster bit image" command, `GS v 0`:
    /// `1D 76 30 00 xL xH yL yH` (mode 0 = normal density; x = bytes per row, y = rows,
    /// little-endian) followed by the rows. Send it to the printer as is (after an
    /// `ESC @` reset if you like, before a few line feeds or a cut). A printer prints
    /// at most its width (384 dots on 58 mm paper, 576 on 80 mm) and some models limit
    /// one command's height: pick the scale accordingly. Always representable: the
    /// largest bitmap is 1,672 bytes by 13,376 rows.
    pub fn to_escpos_raster(&self) -> Vec<u8> {
        let x = u16::try_from(self.stride).expect("stride <= 1672");
        let y = u16::try_from(self.height).expect("height <= 13376");
        let mut out = Vec::with_capacity(8 + self.bits.len());
        out.extend_from_slice(&[0x1D, 0x76, 0x30, 0x00]);
        out.extend_from_slice(&x.to_le_bytes());
        out.extend_from_slice(&y.to_le_bytes());
        out.extend_from_slice(&self.bits);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const UPI: &str = "upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=1000";

    #[test]
    fn encodes_at_level_m_in_the_smallest_version() {
        let qr = QrCode::encode("hello").unwrap();
        assert_eq!(qr.size(), 21);
        assert_eq!(qr.modules().len(), 21 * 21);
        assert!(qr.modules().iter().all(|&m| m <= 1));
        let reference =
            qrcode::QrCode::with_error_correction_level(UPI, qrcode::EcLevel::M).unwrap();
        let qr = QrCode::encode(UPI).unwrap();
        assert_eq!(qr.size() as usize, reference.width());
        for (i, c) in reference.to_colors().iter().enumerate() {
            let (x, y) = (i as u32 % qr.size(), i as u32 / qr.size());
            assert_eq!(qr.is_dark(x, y), *c == qrcode::Color::Dark);
        }
        // Finder pattern corners: dark; just outside: light.
        assert!(qr.is_dark(0, 0) && qr.is_dark(qr.size() - 1, 0) && qr.is_dark(0, qr.size() - 1));
        assert!(!qr.is_dark(qr.size(), 0) && !qr.is_dark(0, qr.size()));
    }

    #[test]
    fn empty_and_too_long_text_are_refused() {
        let e = QrCode::encode("").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("empty"), "{e}");
        let long = "x".repeat(2332);
        let e = QrCode::encode(&long).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("too long"), "{e}");
        let fits = QrCode::encode(&"x".repeat(2331)).unwrap();
        assert_eq!(fits.size(), MAX_SIZE);
    }

    #[test]
    fn bitmap_geometry_and_module_mapping() {
        let qr = QrCode::encode(UPI).unwrap();
        for (scale, qz) in [(1, 0), (1, 4), (2, 4), (3, 1), (4, 4), (5, 16)] {
            let b = qr.to_bitmap(scale, qz).unwrap();
            let side = (qr.size() + 2 * qz) * scale;
            assert_eq!((b.width(), b.height()), (side, side));
            assert_eq!(b.stride(), side.div_ceil(8));
            assert_eq!(b.bits().len(), (b.stride() * b.height()) as usize);
            for y in 0..side {
                for x in 0..b.stride() * 8 {
                    let black =
                        b.bits()[(y * b.stride() + x / 8) as usize] & (0x80 >> (x % 8)) != 0;
                    let expect = x < side
                        && (x / scale)
                            .checked_sub(qz)
                            .zip((y / scale).checked_sub(qz))
                            .is_some_and(|(mx, my)| qr.is_dark(mx, my));
                    assert_eq!(black, expect, "scale {scale} qz {qz} pixel ({x}, {y})");
                    if x < side {
                        assert_eq!(b.is_black(x, y), expect);
                    }
                }
            }
        }
    }

    #[test]
    fn scale_and_quiet_zone_limits() {
        let qr = QrCode::encode("hello").unwrap();
        for (scale, qz) in [(0, 4), (65, 4), (4, 17), (u32::MAX, u32::MAX)] {
            let e = qr.to_bitmap(scale, qz).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{scale} {qz}");
        }
        assert!(qr.to_bitmap(0, 4).unwrap_err().message().contains("scale"));
        assert!(qr
            .to_bitmap(4, 17)
            .unwrap_err()
            .message()
            .contains("quiet zone"));
        qr.to_bitmap(64, 16).unwrap();
        qr.to_bitmap(1, 0).unwrap();
    }

    #[test]
    fn largest_bitmap_fits_escpos_header() {
        let qr = QrCode::encode(&"x".repeat(2331)).unwrap();
        let b = qr.to_bitmap(MAX_SCALE, MAX_QUIET_ZONE).unwrap();
        assert_eq!(b.width(), 13376);
        let raster = b.to_escpos_raster();
        assert_eq!(&raster[..8], &[0x1D, 0x76, 0x30, 0, 0x88, 0x06, 0x40, 0x34]);
        assert_eq!(raster.len(), 8 + b.bits().len());
    }

    #[test]
    fn pbm_and_escpos_wrap_the_same_rows() {
        let b = QrCode::encode("hello").unwrap().to_bitmap(3, 4).unwrap();
        // (21 + 8) * 3 = 87 pixels: 11 bytes per row.
        assert_eq!(b.stride(), 11);
        let pbm = b.to_pbm();
        assert!(pbm.starts_with(b"P4\n87 87\n"));
        assert_eq!(&pbm[9..], b.bits());
        let esc = b.to_escpos_raster();
        assert_eq!(&esc[..8], &[0x1D, 0x76, 0x30, 0x00, 11, 0, 87, 0]);
        assert_eq!(&esc[8..], b.bits());
        // The quiet zone is white, padding bits too.
        assert!(b.bits()[..(11 * 12) as usize].iter().all(|&byte| byte == 0));
        assert!(b.bits().chunks(11).all(|row| row[10] & 0x01 == 0));
    }

    #[test]
    fn from_modules_checks_its_input() {
        let qr = QrCode::encode(UPI).unwrap();
        let again = QrCode::from_modules(qr.size(), qr.modules()).unwrap();
        assert_eq!(again, qr);
        let ones: Vec<u8> = qr.modules().iter().map(|&m| m * 255).collect();
        assert_eq!(QrCode::from_modules(qr.size(), &ones).unwrap(), qr);
        for size in [0, 20, 22, 24, 178, 181, u32::MAX] {
            assert!(check_size(size).is_err(), "{size}");
        }
        for size in [21, 25, 177] {
            check_size(size).unwrap();
        }
        assert!(QrCode::from_modules(21, &[0; 440]).is_err());
    }

    #[test]
    fn unicode_rendering() {
        let qr = QrCode::encode("hello").unwrap();
        let plain = qr.to_unicode();
        let lines: Vec<&str> = plain.lines().collect();
        // 21 modules + 2 * 4 quiet = 29 rows -> 15 lines of 29 cells.
        assert_eq!(lines.len(), 15);
        assert!(lines.iter().all(|l| l.chars().count() == 29));
        assert!(plain.ends_with('\n') && plain.matches('\n').count() == 15);
        assert!(!plain.contains('\x1b'));
        assert!(lines[..2].iter().all(|l| l.chars().all(|c| c == ' ')));
        // Rows 4 and 5 hold the finder's top edge and its first ring row.
        assert_eq!(lines[2].chars().nth(3), Some(' '));
        assert_eq!(lines[2].chars().nth(4), Some('█'));
        assert_eq!(lines[2].chars().nth(5), Some('▀'));
        // The last line: the bottom row (28, quiet) beside row 27 (quiet) -> blank,
        // line 14 holds rows 28 and 29 (outside): blank too.
        assert!(lines[14].chars().all(|c| c == ' '));
        let ansi = qr.to_unicode_ansi();
        assert!(ansi
            .lines()
            .all(|l| l.starts_with("\x1b[30;107m") && l.ends_with("\x1b[0m")));
        assert_eq!(
            ansi.replace("\x1b[30;107m", "").replace("\x1b[0m", ""),
            plain
        );
    }
}
