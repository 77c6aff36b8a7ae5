//! Webhook verification and parsing on arbitrary bodies and header values, including a
//! correctly signed arbitrary body (so the parser behind the signature check is reached).
#![no_main]

use cashfree_rpd::webhook;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().copied().unwrap_or(0) as usize % (data.len().max(1));
    let (head, body) = data.split_at(split.min(data.len()));
    let header = String::from_utf8_lossy(head);
    let _ = webhook::verify("fuzz-secret", body, Some(&header), Some("1700000000"), None);
    let _ = webhook::verify("fuzz-secret", body, None, None, None);
    let ts = "1700000000";
    let mut message = ts.as_bytes().to_vec();
    message.extend_from_slice(body);
    let sig = webhook::sign("fuzz-secret", &message);
    if let Err(e) = webhook::verify("fuzz-secret", body, Some(&sig), Some(ts), None) {
        assert_ne!(e.kind(), cashfree_rpd::ErrorKind::WebhookSignature, "a correct signature is accepted");
    }
});
