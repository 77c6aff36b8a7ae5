//! Property tests: decoders never panic on arbitrary input; input validation accepts
//! exactly the documented id alphabet.

use cashfree_rpd::fuzzing::{decode_created, decode_error, decode_status, decode_status_via_value};
use cashfree_rpd::{validate_verification_id, ErrorKind};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Arbitrary JSON values, nested a few levels.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Mostly the documented field names, so the decoder's paths are exercised.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "verification_id",
            "ref_id",
            "status",
            "upi_link",
            "qr_code",
            "valid_upto",
            "bank_account",
            "ifsc",
            "name_at_bank",
            "name_match_result",
            "name_match_score",
            "code",
            "message",
            "type",
            "error",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(v in json(), id in "[a-z0-9]{1,8}") {
        let body = serde_json::to_vec(&v).unwrap();
        if let Err(e) = decode_status(&body) {
            prop_assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
            prop_assert!(!e.message().contains('\0'));
        }
        if let Err(e) = decode_created(&body, &id) {
            prop_assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
        }
        let e = decode_error(400, &body);
        prop_assert!(matches!(e.kind(), ErrorKind::BadRequest | ErrorKind::DuplicateId));
        prop_assert!(!e.message().contains('\0'));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        let _ = decode_status(&bytes);
        let _ = decode_created(&bytes, "id");
        let e = decode_error(status, &bytes);
        prop_assert_eq!(e.http_status(), Some(status));
        prop_assert!(e.raw_body().is_none_or(|b| b.len() <= 4096 && !b.contains('\0')));
    }

    /// A status answer whose text fields may hold NUL bytes (JSON `\u0000`): with one, it
    /// is refused as an unexpected response naming the NUL (C strings would be cut
    /// short); without, it decodes and every text arrives whole. Both paths run: the
    /// strategy makes NULs in about half the cases.
    #[test]
    fn decoded_text_never_holds_nul(
        texts in prop::collection::vec("[a-z0-9 \\x00]{0,6}", 5),
        status in prop::sample::select(vec!["CREATED", "SUCCESS", "FAILURE", "EXPIRED"]),
    ) {
        let v = serde_json::json!({
            "verification_id": "order-1",
            "ref_id": 42,
            "status": status,
            "bank_account": texts[0],
            "name_at_bank": texts[1],
            "utr": texts[2],
            "ifsc": texts[3],
            "name_match_result": texts[4],
        });
        let decoded = decode_status(&serde_json::to_vec(&v).unwrap());
        if texts.iter().any(|t| t.contains('\0')) {
            let e = decoded.expect_err("a NUL in a text field is refused");
            prop_assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
            prop_assert!(e.message().contains("NUL"), "{}", e.message());
        } else {
            let s = decoded.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(s.bank_account.as_deref(), Some(texts[0].as_str()));
            prop_assert_eq!(s.name_at_bank.as_deref(), Some(texts[1].as_str()));
            prop_assert_eq!(s.utr.as_deref(), Some(texts[2].as_str()));
            for f in [&s.status_raw, &s.verification_id, &s.ref_id].into_iter().flatten() {
                prop_assert!(!f.contains('\0'));
            }
        }
    }

    #[test]
    fn fast_status_decoder_agrees_with_the_reference(v in json()) {
        let body = serde_json::to_vec(&v).unwrap();
        match (decode_status(&body), decode_status_via_value(&body)) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(b)) => prop_assert_eq!(a.kind(), b.kind()),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
        }
    }

    #[test]
    fn valid_ids_are_accepted(id in "[A-Za-z0-9._-]{1,50}") {
        prop_assert!(validate_verification_id(&id).is_ok());
    }

    #[test]
    fn ids_with_other_characters_are_refused(
        prefix in "[A-Za-z0-9._-]{0,20}",
        bad in any::<char>().prop_filter("outside the alphabet", |c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))),
        suffix in "[A-Za-z0-9._-]{0,20}",
    ) {
        let id = format!("{prefix}{bad}{suffix}");
        prop_assert_eq!(validate_verification_id(&id).unwrap_err().kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn long_ids_are_refused(id in "[A-Za-z0-9._-]{51,80}") {
        prop_assert!(validate_verification_id(&id).is_err());
    }
}
