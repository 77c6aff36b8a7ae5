//! The journal's on-disk format: framed, checksummed records.
//!
//! A record is `len` (u32, little endian) + `crc` (CRC-32/IEEE of the payload, u32, little
//! endian) + `len` bytes of payload, a JSON object whose `"t"` says what it is:
//!
//! - `{"t":"h","v":1,"base_url":…,"client_id":…}` — the header, first in the file: which
//!   environment and client id the journal belongs to (never the secret);
//! - `{"t":"i","id":…,"name":…,"at":ms}` — the intent of a create, on disk before it is sent;
//! - `{"t":"c","id":…,"req":{…}}` — Cashfree's answer to it (every field of the request
//!   except the decoded PNG, which is rebuilt from `qr_code`);
//! - `{"t":"x","id":…,"why":…}` — the entry is closed.

use serde_json::{json, Map, Value};

use crate::model::CreatedRequest;

/// Bytes before each payload: length and checksum.
pub(crate) const FRAME: usize = 8;
/// Largest payload accepted (a create answer is at most 1 MiB; its record a little more).
pub(crate) const MAX_PAYLOAD: usize = 2 * 1024 * 1024;
/// Version of the format written in the header.
pub(crate) const FORMAT_VERSION: u64 = 1;

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
        request: Box<CreatedRequest>,
    },
    Closed {
        id: String,
        why: String,
    },
}

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
    /// The record's kind letter and its other fields.
    fn to_json(&self) -> (&'static str, Value) {
        match self {
            Record::Header {
                base_url,
                client_id,
            } => (
                "h",
                json!({"v": FORMAT_VERSION, "base_url": base_url, "client_id": client_id}),
            ),
            Record::Intent { id, name, at_ms } => {
                ("i", json!({"id": id, "name": name, "at": at_ms}))
            }
            Record::Created { id, request: r } => (
                "c",
                json!({
                "id": id,
                "req": {
                    "verification_id": r.verification_id,
                    "ref_id": r.ref_id,
                    "valid_upto": r.valid_upto,
                    "upi_link": r.upi_link,
                    "gpay": r.gpay,
                    "bhim": r.bhim,
                    "paytm": r.paytm,
                    "phonepe": r.phonepe,
                    "qr_code": r.qr_code,
                    "raw_json": r.raw_json,
                }
                }),
            ),
            Record::Closed { id, why } => ("x", json!({"id": id, "why": why})),
        }
    }

    /// The framed bytes of this record.
    pub(crate) fn encode(&self) -> Vec<u8> {
        // `"t"` first (the parser's cheap test); the rest in serde_json's key order.
        let (t, rest) = self.to_json();
        let rest = rest.to_string();
        let payload = format!("{{\"t\":\"{t}\",{}", &rest[1..]).into_bytes();
        let mut out = Vec::with_capacity(FRAME + payload.len());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Decodes a payload whose checksum matched; `None` when it is not a record.
    fn from_payload(payload: &[u8]) -> Option<Record> {
        let v: Value = serde_json::from_slice(payload).ok()?;
        let o = v.as_object()?;
        let s = |o: &Map<String, Value>, k: &str| o.get(k)?.as_str().map(str::to_owned);
        let opt = |o: &Map<String, Value>, k: &str| -> Option<Option<String>> {
            match o.get(k) {
                None | Some(Value::Null) => Some(None),
                Some(Value::String(x)) => Some(Some(x.clone())),
                Some(_) => None,
            }
        };
        Some(match o.get("t")?.as_str()? {
            "h" => {
                if o.get("v")?.as_u64()? != FORMAT_VERSION {
                    return None;
                }
                Record::Header {
                    base_url: s(o, "base_url")?,
                    client_id: s(o, "client_id")?,
                }
            }
            "i" => Record::Intent {
                id: s(o, "id")?,
                name: s(o, "name")?,
                at_ms: o.get("at")?.as_i64()?,
            },
            "c" => {
                let r = o.get("req")?.as_object()?;
                Record::Created {
                    id: s(o, "id")?,
                    request: Box::new(CreatedRequest::from_journal(
                        s(r, "verification_id")?,
                        r.get("ref_id")?.as_i64()?,
                        opt(r, "valid_upto")?,
                        s(r, "upi_link")?,
                        [
                            opt(r, "gpay")?,
                            opt(r, "bhim")?,
                            opt(r, "paytm")?,
                            opt(r, "phonepe")?,
                        ],
                        opt(r, "qr_code")?,
                        s(r, "raw_json")?,
                    )),
                }
            }
            "x" => Record::Closed {
                id: s(o, "id")?,
                why: s(o, "why")?,
            },
            _ => return None,
        })
    }
}

/// The frame starting at `at`: `Some((record, next offset))` when it is whole, its
/// checksum matches and its payload is a record.
fn frame_at(data: &[u8], at: usize) -> Option<(Record, usize)> {
    let head = data.get(at..at.checked_add(FRAME)?)?;
    let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    if len == 0 || len > MAX_PAYLOAD {
        return None;
    }
    let end = at + FRAME + len;
    let payload = data.get(at + FRAME..end)?;
    // Cheap test first: every payload starts with `{"t":`.
    if !payload.starts_with(b"{\"t\":") || crc32(payload) != crc {
        return None;
    }
    Some((Record::from_payload(payload)?, end))
}

/// What a journal file holds.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) records: Vec<Record>,
    /// Bytes of whole, valid records; anything after is a damaged or torn tail.
    pub(crate) valid_len: usize,
}

/// Damage before the tail: the offset of the first bad record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Damage {
    pub(crate) offset: usize,
}

/// Reads every record. A bad record with no valid record after it is a torn tail
/// (ignored: `valid_len` stops before it); one followed by a valid record is damage.
pub(crate) fn parse(data: &[u8]) -> Result<Parsed, Damage> {
    let mut records = Vec::new();
    let mut at = 0;
    while at < data.len() {
        match frame_at(data, at) {
            Some((r, next)) => {
                records.push(r);
                at = next;
            }
            None => {
                // Any whole, valid record further on means the damage is not a tail.
                if (at + 1..data.len()).any(|o| frame_at(data, o).is_some()) {
                    return Err(Damage { offset: at });
                }
                break;
            }
        }
    }
    Ok(Parsed {
        records,
        valid_len: at.min(data.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &str) -> CreatedRequest {
        CreatedRequest::from_journal(
            id.into(),
            1000,
            Some("2024-02-13T13:01:44.000Z".into()),
            "upi://pay?pa=x".into(),
            [Some("g".into()), None, Some("p".into()), None],
            Some("iVBORw0KGgo=".into()),
            "{\"verification_id\":\"a\"}".into(),
        )
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn records_round_trip() {
        let all = vec![
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
                request: Box::new(request("a")),
            },
            Record::Closed {
                id: "a".into(),
                why: "final".into(),
            },
        ];
        let bytes: Vec<u8> = all.iter().flat_map(Record::encode).collect();
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.records, all);
        assert_eq!(parsed.valid_len, bytes.len());
    }

    #[test]
    fn a_torn_or_garbage_tail_is_ignored_and_middle_damage_is_reported() {
        let a = Record::Intent {
            id: "a".into(),
            name: "n".into(),
            at_ms: 1,
        }
        .encode();
        let b = Record::Intent {
            id: "b".into(),
            name: "n".into(),
            at_ms: 2,
        }
        .encode();
        let whole = [a.clone(), b.clone()].concat();
        for cut in a.len()..whole.len() {
            let p = parse(&whole[..cut]).unwrap();
            assert_eq!(p.records.len(), 1, "cut at {cut}");
            assert_eq!(p.valid_len, a.len());
        }
        let mut garbage = whole.clone();
        garbage.extend_from_slice(b"\x00\xffgarbage\x10\x00\x00\x00");
        let p = parse(&garbage).unwrap();
        assert_eq!((p.records.len(), p.valid_len), (2, whole.len()));
        // A flipped byte inside the first record, with a valid one after it.
        let mut damaged = whole.clone();
        damaged[FRAME + 3] ^= 0x20;
        assert_eq!(parse(&damaged).unwrap_err(), Damage { offset: 0 });
        // A huge length in the first frame: still damage, since b follows.
        let mut damaged = whole;
        damaged[3] = 0x7f;
        assert_eq!(parse(&damaged).unwrap_err(), Damage { offset: 0 });
    }
}
