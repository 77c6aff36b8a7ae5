//! A tiny PNG writer for black-and-white images (1-bit grayscale).
//!
//! Why hand-written: a QR code only needs a bilevel image, and the whole encoder
//! (zlib "stored" blocks + CRC-32 + Adler-32) is ~80 lines, while the `png`/`image`
//! crates would add several dependencies to the emulator for no gain. Stored blocks
//! are uncompressed, which costs a few KB per QR code — irrelevant on loopback.

/// CRC-32 (IEEE) "slicing-by-8" tables, built at compile time: `TABLES[0]` is the
/// classic byte table, `TABLES[k][n]` the CRC of byte `n` followed by `k` zero bytes.
/// Eight bytes per step instead of one: the byte-at-a-time loop was a quarter of the
/// emulator's CPU per create (the QR PNG is ~5 KB of stored deflate).
const TABLES: [[u32; 256]; 8] = {
    let mut t = [[0u32; 256]; 8];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[0][n] = c;
        n += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut n = 0;
        while n < 256 {
            let prev = t[k - 1][n];
            t[k][n] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            n += 1;
        }
        k += 1;
    }
    t
};

/// CRC-32 as used by PNG chunks.
pub(crate) fn crc32(parts: &[&[u8]]) -> u32 {
    let t = &TABLES;
    let mut c = 0xFFFF_FFFFu32;
    for part in parts {
        let mut words = part.chunks_exact(8);
        for w in &mut words {
            let lo = c ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            c = t[7][(lo & 0xFF) as usize]
                ^ t[6][((lo >> 8) & 0xFF) as usize]
                ^ t[5][((lo >> 16) & 0xFF) as usize]
                ^ t[4][(lo >> 24) as usize]
                ^ t[3][w[4] as usize]
                ^ t[2][w[5] as usize]
                ^ t[1][w[6] as usize]
                ^ t[0][w[7] as usize];
        }
        for &b in words.remainder() {
            c = t[0][((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
        }
    }
    c ^ 0xFFFF_FFFF
}

/// Adler-32 as used by zlib streams.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

/// zlib stream of `data` using uncompressed (stored) deflate blocks.
pub(crate) fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65_535 * 5 + 16);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = blocks.peek().is_none();
        out.push(u8::from(last));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// Encodes a bilevel image as PNG. `dark(x, y)` says whether a pixel is black.
pub(crate) fn encode_bilevel(width: u32, height: u32, dark: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let row_bytes = width.div_ceil(8) as usize;
    let mut raw = Vec::with_capacity((row_bytes + 1) * height as usize);
    for y in 0..height {
        raw.push(0); // filter: None
        let start = raw.len();
        raw.resize(start + row_bytes, 0);
        for x in 0..width {
            // Grayscale 1-bit: 1 = white.
            if !dark(x, y) {
                raw[start + (x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
    }
    encode_raw(width, height, &raw)
}

/// Encodes 1-bit grayscale scanlines as PNG. `raw` holds `height` rows, each a
/// filter byte (0) and `ceil(width / 8)` bytes of pixels, MSB first, 1 = white.
pub(crate) fn encode_raw(width: u32, height: u32, raw: &[u8]) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // depth 1, grayscale, deflate, filter 0, no interlace
    let mut out = Vec::with_capacity(raw.len() + 128);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_reference_values() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn sliced_crc_matches_the_bytewise_one() {
        let bytewise = |data: &[u8]| {
            let mut c = 0xFFFF_FFFFu32;
            for &b in data {
                c = TABLES[0][((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
            }
            c ^ 0xFFFF_FFFF
        };
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7919 % 251) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(crc32(&[&data[..len]]), bytewise(&data[..len]), "{len}");
            let (a, b) = data[..len].split_at(len / 3);
            assert_eq!(crc32(&[a, b]), bytewise(&data[..len]), "{len} split");
        }
    }

    #[test]
    fn png_structure() {
        let png = encode_bilevel(10, 3, |x, _| x % 2 == 0);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(&png[16..20], &10u32.to_be_bytes());
        assert!(png.ends_with(&[0xAE, 0x42, 0x60, 0x82]));
        // zlib stream with stored blocks round-trips by hand: header, one final block.
        let z = zlib_stored(&[1, 2, 3]);
        assert_eq!(
            z,
            vec![0x78, 1, 1, 3, 0, 0xFC, 0xFF, 1, 2, 3, 0, 0x0D, 0, 7]
        );
        // Large inputs split into several blocks.
        let big = zlib_stored(&vec![0u8; 70_000]);
        assert_eq!(big.len(), 2 + 5 + 65_535 + 5 + (70_000 - 65_535) + 4);
    }
}
