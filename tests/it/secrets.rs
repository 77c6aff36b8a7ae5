//! Secret hygiene: with a recognisable secret, exercise every error path and check the
//! secret appears in no message, Debug output, raw body or raw JSON — Rust and C.

use crate::common;

use std::ffi::{CStr, CString};
use std::ptr;
use std::time::Duration;

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Client, Config, Error};
use cashfree_rpd_emulator::{Emulator, Endpoint, Fault, FaultKind, Options, TEST_CLIENT_ID};
use common::*;

/// Has a quote, a slash and a backslash so its JSON-escaped forms differ.
const SECRET: &str = r#"SeCrEt-xyzzy/"42"\end"#;

fn escaped() -> String {
    serde_json::to_string(SECRET)
        .unwrap()
        .trim_matches('"')
        .to_owned()
}

fn assert_clean(context: &str, text: &str) {
    for needle in [SECRET.to_owned(), escaped(), "SeCrEt-xyzzy".to_owned()] {
        assert!(
            !text.contains(&needle),
            "{context} leaks the secret: {text}"
        );
    }
}

fn assert_error_clean(context: &str, e: &Error) {
    assert_clean(context, e.message());
    assert_clean(context, &format!("{e:?}"));
    assert_clean(context, &e.to_string());
    for field in [e.raw_body(), e.api_code(), e.api_type()]
        .into_iter()
        .flatten()
    {
        assert_clean(context, field);
    }
}

fn echoing(code: u16, place: &str) -> FaultKind {
    let secret_json = serde_json::to_string(SECRET).unwrap();
    let body = match place {
        "message" => format!(r#"{{"code":"x","message":{secret_json},"type":"y"}}"#),
        "code" => format!(r#"{{"code":{secret_json},"message":"m","type":{secret_json}}}"#),
        _ => format!("<html>plain echo: {SECRET}</html>"),
    };
    FaultKind::Status {
        code,
        body,
        content_type: "application/json".into(),
        retry_after: None,
        location: None,
    }
}

fn emulator() -> Emulator {
    Emulator::start(Options {
        client_secret: SECRET.into(),
        ..Options::default()
    })
    .unwrap()
}

fn client_for(emu: &Emulator) -> Client {
    let mut cfg = Config::new(TEST_CLIENT_ID, SECRET).unwrap();
    cfg.set_base_url(&emu.base_url()).unwrap();
    cfg.set_max_retries(0).unwrap();
    cfg.set_timeouts(Duration::from_secs(1), Duration::from_millis(500));
    assert_clean("Config Debug", &format!("{cfg:?}"));
    let client = Client::new(&cfg).unwrap();
    assert_clean("Client Debug", &format!("{client:?}"));
    client
}

#[test]
fn rust_error_paths_never_show_the_secret() {
    let emu = emulator();
    let client = client_for(&emu);
    let id = fresh_id("secret");
    client.create(&id, "John").unwrap();

    for code in [400, 401, 403, 404, 422, 429, 500, 502, 503, 302, 200] {
        for place in ["message", "code", "html"] {
            emu.inject(Fault::once(Endpoint::Status, echoing(code, place)));
            let e = client.status(&id).unwrap_err();
            assert_error_clean(&format!("status {code} {place}"), &e);
            emu.inject(Fault::once(Endpoint::Create, echoing(code, place)));
            let e = client.create(&fresh_id("s"), "John").unwrap_err();
            assert_error_clean(&format!("create {code} {place}"), &e);
        }
    }
    for fault in [
        FaultKind::Delay(Duration::from_millis(900)),
        FaultKind::ResetBeforeResponse,
        FaultKind::TruncatedBody,
        FaultKind::InvalidJson,
        FaultKind::HugeBody(2 << 20),
    ] {
        emu.inject(Fault::once(Endpoint::Any, fault.clone()));
        let e = client.status(&id).unwrap_err();
        assert_error_clean(&format!("{fault:?}"), &e);
    }

    // A success body that echoes the secret: raw_json and fields are scrubbed.
    let secret_json = serde_json::to_string(SECRET).unwrap();
    let body = format!(
        r#"{{"verification_id":"{id}","ref_id":"5","status":"CREATED","name_at_bank":{secret_json},"echo":{secret_json}}}"#
    );
    emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::Status {
            code: 200,
            body,
            content_type: "application/json".into(),
            retry_after: None,
            location: None,
        },
    ));
    let s = client.status(&id).unwrap();
    assert_clean("raw_json", &s.raw_json);
    assert_clean("name_at_bank", s.name_at_bank.as_deref().unwrap());
    assert_clean("Status Debug", &format!("{s:?}"));

    // Wrong credentials against a server with another secret; invalid input; refused.
    let other = Emulator::start_default().unwrap();
    let e = client_for(&other)
        .create(&fresh_id("wrong"), "John")
        .unwrap_err();
    assert_error_clean("401", &e);
    assert_error_clean("invalid input", &client.create("bad id", "x").unwrap_err());
    drop(other);
}

#[test]
fn config_errors_never_show_the_secret() {
    let lookup = |k: &str| match k {
        "CASHFREE_CLIENT_ID" => Some("id".to_owned()),
        "CASHFREE_CLIENT_SECRET" => Some(SECRET.to_owned()),
        "CASHFREE_BASE_URL" => Some(format!("http://example.com/{SECRET}")),
        _ => None,
    };
    // The base URL is not a secret; but the error must still not print the secret's value
    // from the secret variable itself.
    let e = Config::from_lookup(lookup).unwrap_err();
    assert!(e.message().contains("CASHFREE_BASE_URL"));
    let bad = Config::new("id", &format!("{SECRET}\n")).unwrap_err();
    assert_error_clean("control char secret", &bad);
    let mut cfg = Config::new("id", SECRET).unwrap();
    assert_error_clean("bad key", &cfg.set_public_key_pem(SECRET).unwrap_err());
}

#[test]
fn c_error_strings_never_show_the_secret() {
    let emu = emulator();
    let (id_c, secret_c, url_c) = (
        CString::new(TEST_CLIENT_ID).unwrap(),
        CString::new(SECRET).unwrap(),
        CString::new(emu.base_url()).unwrap(),
    );
    let mut cfg = ptr::null_mut();
    let mut client = ptr::null_mut();
    // SAFETY: id/key are C strings alive during the calls; cfg/client are writable locals, and `cfg` is live for client_new.
    unsafe {
        assert_eq!(
            cfrpd_config_new(id_c.as_ptr(), secret_c.as_ptr(), &mut cfg),
            CFRPD_OK
        );
        assert_eq!(cfrpd_config_set_base_url(cfg, url_c.as_ptr()), CFRPD_OK);
        assert_eq!(cfrpd_config_set_max_retries(cfg, 0), CFRPD_OK);
        assert_eq!(
            cfrpd_client_new(cfg, &mut client, ptr::null_mut()),
            CFRPD_OK
        );
        cfrpd_config_free(cfg);
    }
    let strings = |e: &cfrpd_error| -> Vec<String> {
        [e.message, e.api_code, e.api_type, e.raw_body]
            .into_iter()
            .filter(|p| !p.is_null())
            // SAFETY: `p` is a non-NULL string of a live cfrpd_error (filtered above).
            .map(|p| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
            .collect()
    };
    for code in [400, 401, 500, 200] {
        for place in ["message", "code", "html"] {
            emu.inject(Fault::once(Endpoint::Any, echoing(code, place)));
            let idc = CString::new(fresh_id("c")).unwrap();
            let mut out = ptr::null_mut();
            let mut err = ptr::null_mut();
            // SAFETY: `client` is live (freed at the end), `idc` a C string alive during the call, out/err writable.
            let rc = unsafe { cfrpd_get_status(client, idc.as_ptr(), &mut out, &mut err) };
            assert_ne!(rc, CFRPD_OK);
            // SAFETY: the call failed (asserted), so `err` points to the error it wrote.
            for s in strings(unsafe { &*err }) {
                assert_clean(&format!("C {code} {place}"), &s);
            }
            // SAFETY: `err` is the error the call wrote, freed once after its strings were copied.
            unsafe { cfrpd_error_free(err) };
        }
    }
    // SAFETY: `client` came from cfrpd_client_new and is freed once; no thread uses it.
    unsafe { cfrpd_client_free(client) };
}
