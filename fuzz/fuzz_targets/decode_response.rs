//! Every response decoder on arbitrary bytes: never panics, errors are well formed.
#![no_main]

use cashfree_rpd::fuzzing::{decode_created, decode_error, decode_status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = decode_status(data) {
        assert!(!s.raw_json.is_empty());
    }
    let _ = decode_created(data, "fuzz-id");
    let status = 100 + (data.first().copied().unwrap_or(0) as u16 % 500);
    let e = decode_error(status, data);
    assert_eq!(e.http_status(), Some(status));
    assert!(!e.message().contains('\0'));
    assert!(e.raw_body().map_or(true, |b| b.len() <= 4096));
});
