//! The journal's on-disk format: a binary prefix, then framed, checksummed records.
//!
//! A file of format 2 starts with [`MAGIC`] (8 bytes; `0x89` makes it invalid UTF-8, so no
//! text file is ever taken for a journal) and the format version (u32, little endian).
//! Then records: `len` (u32 LE) + `crc` (CRC-32/IEEE of the payload, u32 LE) + `len` bytes
//! of payload. A payload starts with a JSON object whose `"t"` says what it is:
//!
//! - `{"t":"h","base_url":…,"client_id":…}` — the header, first: which environment and
//!   client id the journal belongs to (never the secret);
//! - `{"t":"i","id":…,"name":…,"at":ms}` — the intent of a create, on disk before it is sent;
//! - `{"t":"c","id":…}` + `0x00` + Cashfree's answer, byte for byte as received (scrubbed
//!   of the secrets) — the request; its fields are decoded from it when read, so each
//!   fact is stored once and the record of any accepted answer (at most 1 MiB) fits;
//! - `{"t":"x","id":…,"why":…}` — the entry is closed.
//!
//! Format 1 (the files of earlier releases) had no prefix, `"v":1` in its header and the
//! answer as fields plus an escaped `raw_json` string; it is read only to be converted.

use serde_json::{json, Map, Value};

/// The first bytes of a journal.
pub(crate) const MAGIC: [u8; 8] = *b"\x89CFRPDJ\n";
/// The format version this library writes.
pub(crate) const FORMAT_VERSION: u32 = 2;
/// Magic + version.
pub(crate) const PREFIX_LEN: usize = MAGIC.len() + 4;
/// Bytes before each payload: length and checksum.
pub(crate) const FRAME: usize = 8;
/// Largest payload written or read. An answer is at most `http::MAX_BODY` (1 MiB), and
/// its record that plus the id: every record the library writes fits.
pub(crate) const MAX_PAYLOAD: usize = 2 * 1024 * 1024;

/// Magic + version, as written at the start of a journal.
pub(crate) fn prefix() -> [u8; PREFIX_LEN] {
    let mut p = [0u8; PREFIX_LEN];
    p[..MAGIC.len()].copy_from_slice(&MAGIC);
    p[MAGIC.len()..].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    p
}

/// One decoded record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Record {
    Header {
        base_url: String,
        client_id: String,
    },
    Intent {
        id: String,
        name: String,
        at_ms: i64,
    },
    Created {
        id: String,
        raw_json: String,
    },
    Closed {
        id: String,
        why: String,
    },
}

/// A record larger than [`MAX_PAYLOAD`]: not written (the reader would refuse it).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooLarge(pub(crate) usize);

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over `data`.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for &b in data {
        crc = TABLE[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

impl Record {
    /// The framed bytes of this record (format 2).
    pub(crate) fn encode(&self) -> Result<Vec<u8>, TooLarge> {
        // `"t"` first (the parser's cheap test); the rest in serde_json's key order.
        let (t, rest, tail): (&str, Value, &[u8]) = match self {
            Record::Header {
                base_url,
                client_id,
            } => (
                "h",
                json!({"base_url": base_url, "client_id": client_id}),
                b"",
            ),
            Record::Intent { id, name, at_ms } => {
                ("i", json!({"id": id, "name": name, "at": at_ms}), b"")
            }
            Record::Created { id, raw_json } => ("c", json!({ "id": id }), raw_json.as_bytes()),
            Record::Closed { id, why } => ("x", json!({"id": id, "why": why}), b""),
        };
        let rest = rest.to_string();
        let mut payload = format!("{{\"t\":\"{t}\",{}", &rest[1..]).into_bytes();
        if !tail.is_empty() {
            payload.push(0);
            payload.extend_from_slice(tail);
        }
        if payload.len() > MAX_PAYLOAD {
            return Err(TooLarge(payload.len()));
        }
        let mut out = Vec::with_capacity(FRAME + payload.len());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Decodes a payload whose checksum matched; `None` when it is not a record.
    fn from_payload(payload: &[u8], version: u32) -> Option<Record> {
        // Format 2: an answer follows its JSON object after a NUL (which JSON text
        // never contains unescaped).
        let (head, tail) = match (version, payload.iter().position(|&b| b == 0)) {
            (FORMAT_VERSION, Some(nul)) => (&payload[..nul], Some(&payload[nul + 1..])),
            _ => (payload, None),
        };
        let v: Value = serde_json::from_slice(head).ok()?;
        let o = v.as_object()?;
        let s = |o: &Map<String, Value>, k: &str| o.get(k)?.as_str().map(str::to_owned);
        Some(match (o.get("t")?.as_str()?, tail) {
            ("h", None) => {
                let v = o.get("v").and_then(Value::as_u64);
                if (version == 1 && v != Some(1)) || (version != 1 && v.is_some()) {
                    return None;
                }
                Record::Header {
                    base_url: s(o, "base_url")?,
                    client_id: s(o, "client_id")?,
                }
            }
            ("i", None) => Record::Intent {
                id: s(o, "id")?,
                name: s(o, "name")?,
                at_ms: o.get("at")?.as_i64()?,
            },
            ("c", Some(raw)) => Record::Created {
                id: s(o, "id")?,
                raw_json: String::from_utf8(raw.to_vec()).ok()?,
            },
            // Format 1 kept the answer's fields and the whole body; the body is enough.
            ("c", None) if version == 1 => Record::Created {
                id: s(o, "id")?,
                raw_json: s(o.get("req")?.as_object()?, "raw_json")?,
            },
            ("x", None) => Record::Closed {
                id: s(o, "id")?,
                why: s(o, "why")?,
            },
            _ => return None,
        })
    }
}

/// The frame starting at `at`: `Some((record, next offset))` when it is whole, its
/// checksum matches and its payload is a record.
fn frame_at(data: &[u8], at: usize, version: u32) -> Option<(Record, usize)> {
    let (len, crc) = frame_head(data, at)?;
    let end = at + FRAME + len;
    let payload = data.get(at + FRAME..end)?;
    // Cheap test first: every payload starts with `{"t":`.
    if !payload.starts_with(b"{\"t\":") || crc32(payload) != crc {
        return None;
    }
    Some((Record::from_payload(payload, version)?, end))
}

/// The length and checksum of the frame at `at`, when its 8 bytes are there and the
/// length is one a record can have.
fn frame_head(data: &[u8], at: usize) -> Option<(usize, u32)> {
    let head = data.get(at..at.checked_add(FRAME)?)?;
    let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    (len != 0 && len <= MAX_PAYLOAD).then_some((len, crc))
}

/// What a file is, judged from its first bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// A journal being created when the power went: 0 bytes, a proper prefix of magic +
    /// version, magic + version and an incomplete header record, or only zero bytes (a
    /// file system that kept the new length but not the data). Initialised at open.
    Unborn,
    /// Format 1 (earlier releases): records from offset 0. Converted at open.
    Format1,
    /// Format 2: records from [`PREFIX_LEN`].
    Current,
}

/// Why a file is not opened as a journal.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not a journal at all.
    Foreign,
    /// A journal of another format version.
    Version(u32),
    /// A complete header record that is damaged, at this offset.
    Damage(usize),
}

/// Classifies a file by its content (see [`Layout`]); reads at most the header record.
pub(crate) fn classify(data: &[u8]) -> Result<Layout, Refused> {
    let prefix = prefix();
    if data.len() < PREFIX_LEN && prefix.starts_with(data) {
        return Ok(Layout::Unborn);
    }
    if data.starts_with(&MAGIC) {
        let Some(v) = data.get(MAGIC.len()..PREFIX_LEN) else {
            return Err(Refused::Foreign); // a torn version that is not ours
        };
        let v = u32::from_le_bytes([v[0], v[1], v[2], v[3]]);
        if v != FORMAT_VERSION {
            return Err(Refused::Version(v));
        }
        return match frame_head(data, PREFIX_LEN) {
            Some((len, _)) if data.len() >= PREFIX_LEN + FRAME + len => {
                match frame_at(data, PREFIX_LEN, FORMAT_VERSION) {
                    Some((Record::Header { .. }, _)) => Ok(Layout::Current),
                    _ => Err(Refused::Damage(PREFIX_LEN)),
                }
            }
            // Cut short (or never written: zeros) while the file was being created.
            _ if data.len() < PREFIX_LEN + FRAME + MAX_PAYLOAD => {
                if frame_head(data, PREFIX_LEN).is_none()
                    && data.len() >= PREFIX_LEN + FRAME
                    && data[PREFIX_LEN..].iter().any(|&b| b != 0)
                {
                    // A length no record has, followed by data: not a torn header.
                    return Err(Refused::Damage(PREFIX_LEN));
                }
                Ok(Layout::Unborn)
            }
            _ => Err(Refused::Damage(PREFIX_LEN)),
        };
    }
    if let Some((Record::Header { .. }, _)) = frame_at(data, 0, 1) {
        return Ok(Layout::Format1);
    }
    if data.iter().all(|&b| b == 0) {
        return Ok(Layout::Unborn);
    }
    Err(Refused::Foreign)
}

/// What a journal file holds.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) records: Vec<Record>,
    /// The bytes each record takes in the file, frame included (`records`' order).
    pub(crate) sizes: Vec<u64>,
    /// The end of the last whole, valid record; anything after is a damaged or torn tail.
    pub(crate) valid_len: usize,
}

/// Damage before the tail: the offset of the first bad record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Damage {
    pub(crate) offset: usize,
}

/// Reads every record from `start` on. A bad record with no valid record after it is a
/// torn tail (ignored: `valid_len` stops before it); one followed by a valid record is
/// damage.
pub(crate) fn parse(data: &[u8], start: usize, version: u32) -> Result<Parsed, Damage> {
    let mut records = Vec::new();
    let mut sizes = Vec::new();
    let mut at = start;
    while at < data.len() {
        match frame_at(data, at, version) {
            Some((r, next)) => {
                records.push(r);
                sizes.push((next - at) as u64);
                at = next;
            }
            None => {
                // Any whole, valid record further on means the damage is not a tail.
                if (at + 1..data.len()).any(|o| frame_at(data, o, version).is_some()) {
                    return Err(Damage { offset: at });
                }
                break;
            }
        }
    }
    Ok(Parsed {
        records,
        sizes,
        valid_len: at.min(data.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    fn all() -> Vec<Record> {
        vec![
            Record::Header {
                base_url: "http://127.0.0.1:1/verification".into(),
                client_id: "cid".into(),
            },
            Record::Intent {
                id: "a".into(),
                name: "Jöhn \"D\"".into(),
                at_ms: 1_700_000_000_000,
            },
            Record::Created {
                id: "a".into(),
                raw_json: "{\"verification_id\":\"a\",\"x\":\"\\u0000\"}".into(),
            },
            Record::Closed {
                id: "a".into(),
                why: "final".into(),
            },
        ]
    }

    fn journal(records: &[Record]) -> Vec<u8> {
        let mut out = prefix().to_vec();
        for r in records {
            out.extend(r.encode().unwrap());
        }
        out
    }

    #[test]
    fn records_round_trip() {
        let bytes = journal(&all());
        assert_eq!(classify(&bytes), Ok(Layout::Current));
        let parsed = parse(&bytes, PREFIX_LEN, FORMAT_VERSION).unwrap();
        assert_eq!(parsed.records, all());
        assert_eq!(parsed.valid_len, bytes.len());
    }

    #[test]
    fn the_largest_answer_fits_and_a_larger_record_is_refused_by_the_writer() {
        let big = format!("{{\"a\":\"{}\"}}", "\\u0001".repeat(1024 * 1024 / 6));
        let r = Record::Created {
            id: "x".repeat(50),
            raw_json: big.clone(),
        };
        let bytes = r.encode().unwrap();
        let p = parse(&bytes, 0, FORMAT_VERSION).unwrap();
        assert_eq!(p.records, vec![r]);
        let r = Record::Created {
            id: "x".into(),
            raw_json: "y".repeat(MAX_PAYLOAD),
        };
        assert!(matches!(r.encode(), Err(TooLarge(n)) if n > MAX_PAYLOAD));
    }

    #[test]
    fn the_file_kinds_are_told_apart() {
        let full = journal(&all());
        for n in 0..PREFIX_LEN {
            assert_eq!(
                classify(&full[..n]),
                Ok(Layout::Unborn),
                "prefix of {n} bytes"
            );
        }
        let header_end = PREFIX_LEN + all()[0].encode().unwrap().len();
        for n in PREFIX_LEN..header_end {
            assert_eq!(
                classify(&full[..n]),
                Ok(Layout::Unborn),
                "torn header at {n}"
            );
        }
        assert_eq!(classify(&full[..header_end]), Ok(Layout::Current));
        assert_eq!(classify(&[0u8; 300]), Ok(Layout::Unborn));
        let mut damaged = full.clone();
        damaged[PREFIX_LEN + FRAME + 3] ^= 1;
        assert_eq!(classify(&damaged), Err(Refused::Damage(PREFIX_LEN)));
        let mut newer = full.clone();
        newer[MAGIC.len()] = 3;
        assert_eq!(classify(&newer), Err(Refused::Version(3)));
        for foreign in [
            &b"my notes, 23 bytes long"[..],
            b"\x89PNG\r\n\x1a\n",
            b"{\"t\":\"h\"}",
            &[0xff; 40],
        ] {
            assert_eq!(classify(foreign), Err(Refused::Foreign), "{foreign:?}");
        }
        // The magic is not UTF-8: no text file starts with it.
        assert!(std::str::from_utf8(&MAGIC).is_err());
    }

    #[test]
    fn a_format_1_file_is_recognised_and_read() {
        let v1 = include_bytes!("../../tests/data/journal-rev3.bin");
        assert_eq!(classify(v1), Ok(Layout::Format1));
        let p = parse(v1, 0, 1).unwrap();
        assert_eq!(p.valid_len, v1.len());
        let created: Vec<&str> = p
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Created { id, raw_json } => {
                    assert!(raw_json.starts_with('{'), "{raw_json}");
                    Some(id.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(created, ["rev3-created", "rev3-final"]);
    }

    #[test]
    fn a_torn_or_garbage_tail_is_ignored_and_middle_damage_is_reported() {
        let a = Record::Intent {
            id: "a".into(),
            name: "n".into(),
            at_ms: 1,
        }
        .encode()
        .unwrap();
        let b = Record::Intent {
            id: "b".into(),
            name: "n".into(),
            at_ms: 2,
        }
        .encode()
        .unwrap();
        let whole = [a.clone(), b.clone()].concat();
        let v = FORMAT_VERSION;
        for cut in a.len()..whole.len() {
            let p = parse(&whole[..cut], 0, v).unwrap();
            assert_eq!(p.records.len(), 1, "cut at {cut}");
            assert_eq!(p.valid_len, a.len());
        }
        let mut garbage = whole.clone();
        garbage.extend_from_slice(b"\x00\xffgarbage\x10\x00\x00\x00");
        let p = parse(&garbage, 0, v).unwrap();
        assert_eq!((p.records.len(), p.valid_len), (2, whole.len()));
        // A flipped byte inside the first record, with a valid one after it.
        let mut damaged = whole.clone();
        damaged[FRAME + 3] ^= 0x20;
        assert_eq!(parse(&damaged, 0, v).unwrap_err(), Damage { offset: 0 });
        // A huge length in the first frame: still damage, since b follows.
        let mut damaged = whole;
        damaged[3] = 0x7f;
        assert_eq!(parse(&damaged, 0, v).unwrap_err(), Damage { offset: 0 });
    }
}
