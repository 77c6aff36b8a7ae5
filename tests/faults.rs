//! Every emulator fault through the Rust API and through the C ABI: exact error kind,
//! HTTP status, flags, and a client that still works on the next call.

mod common;

use std::ffi::{CStr, CString};
use std::ptr;
use std::time::Duration;

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Client, ErrorKind};
use cashfree_rpd_emulator::{
    Emulator, Endpoint, Fault, FaultKind, TEST_CLIENT_ID, TEST_CLIENT_SECRET,
};
use common::*;

/// What a call should end with.
#[derive(Debug, Clone, Copy)]
enum Want {
    Ok,
    /// kind, HTTP status (None = no response), ambiguous (creates only)
    Err(ErrorKind, Option<u16>, bool),
}

struct Row {
    name: &'static str,
    fault: FaultKind,
    status: Want,
    create: Want,
}

fn table() -> Vec<Row> {
    use ErrorKind::*;
    use Want::Err as E;
    vec![
        Row {
            name: "delay",
            fault: FaultKind::Delay(Duration::from_millis(100)),
            status: Want::Ok,
            create: Want::Ok,
        },
        Row {
            name: "reset before response",
            fault: FaultKind::ResetBeforeResponse,
            status: E(Network, None, false),
            create: E(Network, None, true),
        },
        Row {
            name: "reset after headers",
            fault: FaultKind::ResetAfterHeaders,
            status: E(Network, Some(200), false),
            create: E(Network, Some(200), true),
        },
        Row {
            name: "truncated body",
            fault: FaultKind::TruncatedBody,
            status: E(Network, Some(200), false),
            create: E(Network, Some(200), true),
        },
        Row {
            name: "HTML 502",
            fault: FaultKind::Html502,
            status: E(Server, Some(502), false),
            create: E(Server, Some(502), true),
        },
        Row {
            name: "429 Retry-After",
            fault: FaultKind::RetryAfter(60),
            status: E(RateLimited, Some(429), false),
            create: E(RateLimited, Some(429), false),
        },
        Row {
            name: "500",
            fault: FaultKind::Documented(500),
            status: E(Server, Some(500), false),
            create: E(Server, Some(500), true),
        },
        Row {
            name: "503",
            fault: FaultKind::Documented(503),
            status: E(Server, Some(503), false),
            create: E(Server, Some(503), false),
        },
        Row {
            name: "5 MB body",
            fault: FaultKind::HugeBody(5 << 20),
            status: E(UnexpectedResponse, Some(200), false),
            create: E(UnexpectedResponse, Some(200), true),
        },
        Row {
            name: "invalid JSON",
            fault: FaultKind::InvalidJson,
            status: E(UnexpectedResponse, Some(200), false),
            create: E(UnexpectedResponse, Some(200), true),
        },
        Row {
            name: "wrong JSON types",
            fault: FaultKind::WrongTypes,
            status: E(UnexpectedResponse, Some(200), false),
            create: E(UnexpectedResponse, Some(200), true),
        },
        Row {
            name: "nulls everywhere",
            fault: FaultKind::NullsEverywhere,
            status: E(UnexpectedResponse, Some(200), false),
            create: E(UnexpectedResponse, Some(200), true),
        },
        Row {
            name: "unknown extra fields",
            fault: FaultKind::ExtraFields,
            status: Want::Ok,
            create: Want::Ok,
        },
        Row {
            name: "NUL in strings",
            fault: FaultKind::NulInStrings,
            status: E(UnexpectedResponse, Some(200), false),
            create: E(UnexpectedResponse, Some(200), true),
        },
        Row {
            name: "invalid UTF-8",
            fault: FaultKind::InvalidUtf8,
            status: E(UnexpectedResponse, Some(200), false),
            create: E(UnexpectedResponse, Some(200), true),
        },
        Row {
            name: "wrong content type",
            fault: FaultKind::WrongContentType,
            status: Want::Ok,
            create: Want::Ok,
        },
        Row {
            name: "empty 200",
            fault: FaultKind::EmptyBody200,
            status: E(UnexpectedResponse, Some(200), false),
            create: E(UnexpectedResponse, Some(200), true),
        },
    ]
}

fn rust_client(emu: &Emulator) -> Client {
    let mut cfg = config_for(emu);
    cfg.set_max_retries(0).unwrap();
    Client::new(&cfg).unwrap()
}

fn check_rust(name: &str, what: &str, got: Result<(), cashfree_rpd::Error>, want: Want) {
    match (got, want) {
        (Ok(()), Want::Ok) => {}
        (Err(e), Want::Err(kind, status, ambiguous)) => {
            assert_eq!(e.kind(), kind, "{name} / {what}: {e:?}");
            assert_eq!(e.http_status(), status, "{name} / {what}: {e:?}");
            if what == "create" {
                assert_eq!(
                    e.is_ambiguous(),
                    ambiguous,
                    "{name} / create ambiguous: {e:?}"
                );
                if ambiguous {
                    assert!(!e.is_retryable(), "{name}: ambiguous is never retryable");
                }
            }
            assert!(!e.message().is_empty());
        }
        (got, want) => panic!("{name} / {what}: got {got:?}, want {want:?}"),
    }
}

#[test]
fn faults_through_the_rust_api() {
    let env = start();
    let client = rust_client(&env.emu);
    let known = fresh_id("known");
    client.create(&known, "John").unwrap();
    for row in table() {
        env.emu
            .inject(Fault::once(Endpoint::Status, row.fault.clone()));
        check_rust(
            row.name,
            "status",
            client.status(&known).map(|_| ()),
            row.status,
        );
        assert!(
            client.status(&known).is_ok(),
            "{}: the client works after the fault",
            row.name
        );

        env.emu
            .inject(Fault::once(Endpoint::Create, row.fault.clone()));
        check_rust(
            row.name,
            "create",
            client.create(&fresh_id("fault"), "John").map(|_| ()),
            row.create,
        );
        assert!(
            client.create(&fresh_id("after"), "John").is_ok(),
            "{}: create works after the fault",
            row.name
        );
    }
}

fn code_for(kind: ErrorKind) -> cfrpd_result {
    match kind {
        ErrorKind::Network => CFRPD_ERR_NETWORK,
        ErrorKind::Server => CFRPD_ERR_SERVER,
        ErrorKind::RateLimited => CFRPD_ERR_RATE_LIMITED,
        ErrorKind::UnexpectedResponse => CFRPD_ERR_UNEXPECTED_RESPONSE,
        other => panic!("no row uses {other:?}"),
    }
}

/// A C-ABI client made only through the exported functions.
struct CClient(*mut cfrpd_client);

impl CClient {
    fn new(base_url: &str) -> CClient {
        let id = CString::new(TEST_CLIENT_ID).unwrap();
        let secret = CString::new(TEST_CLIENT_SECRET).unwrap();
        let url = CString::new(base_url).unwrap();
        let mut cfg = ptr::null_mut();
        let mut client = ptr::null_mut();
        let mut err = ptr::null_mut();
        unsafe {
            assert_eq!(
                cfrpd_config_new(id.as_ptr(), secret.as_ptr(), &mut cfg),
                CFRPD_OK
            );
            assert_eq!(cfrpd_config_set_base_url(cfg, url.as_ptr()), CFRPD_OK);
            assert_eq!(cfrpd_config_set_max_retries(cfg, 0), CFRPD_OK);
            assert_eq!(cfrpd_config_set_timeouts_ms(cfg, 2000, 5000), CFRPD_OK);
            assert_eq!(cfrpd_client_new(cfg, &mut client, &mut err), CFRPD_OK);
            assert!(err.is_null());
            cfrpd_config_free(cfg);
        }
        CClient(client)
    }

    fn status(&self, id: &str) -> (cfrpd_result, Option<(u16, bool, String)>) {
        let id = CString::new(id).unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        let code = unsafe { cfrpd_get_status(self.0, id.as_ptr(), &mut out, &mut err) };
        unsafe { finish(code, out, err, |p| cfrpd_status_free(p)) }
    }

    fn create(&self, id: &str) -> (cfrpd_result, Option<(u16, bool, String)>) {
        let id = CString::new(id).unwrap();
        let name = CString::new("John").unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        let code = unsafe { cfrpd_create(self.0, id.as_ptr(), name.as_ptr(), &mut out, &mut err) };
        unsafe { finish(code, out, err, |p| cfrpd_request_free(p)) }
    }
}

/// Checks the out/err contract and frees both.
unsafe fn finish<T>(
    code: cfrpd_result,
    out: *mut T,
    err: *mut cfrpd_error,
    free: impl FnOnce(*mut T),
) -> (cfrpd_result, Option<(u16, bool, String)>) {
    if code == CFRPD_OK {
        assert!(!out.is_null() && err.is_null());
        free(out);
        return (code, None);
    }
    assert!(out.is_null(), "on failure *out is NULL");
    assert!(!err.is_null(), "on failure *err is set");
    let e = unsafe { &*err };
    assert_eq!(e.code, code);
    assert!(!e.message.is_null());
    let message = unsafe { CStr::from_ptr(e.message) }
        .to_str()
        .unwrap()
        .to_owned();
    let details = (e.http_status, e.ambiguous, message);
    unsafe { cfrpd_error_free(err) };
    (code, Some(details))
}

impl Drop for CClient {
    fn drop(&mut self) {
        unsafe { cfrpd_client_free(self.0) };
    }
}

fn check_c(name: &str, what: &str, got: (cfrpd_result, Option<(u16, bool, String)>), want: Want) {
    match want {
        Want::Ok => assert_eq!(got.0, CFRPD_OK, "{name} / {what}: {got:?}"),
        Want::Err(kind, status, ambiguous) => {
            assert_eq!(got.0, code_for(kind), "{name} / {what}: {got:?}");
            let (http, amb, _) = got.1.unwrap();
            assert_eq!(http, status.unwrap_or(0), "{name} / {what} http_status");
            if what == "create" {
                assert_eq!(amb, ambiguous, "{name} / create ambiguous");
            }
        }
    }
}

#[test]
fn faults_through_the_c_abi() {
    let env = start();
    let c = CClient::new(&env.emu.base_url());
    let known = fresh_id("cknown");
    assert_eq!(c.create(&known).0, CFRPD_OK);
    for row in table() {
        env.emu
            .inject(Fault::once(Endpoint::Status, row.fault.clone()));
        check_c(row.name, "status", c.status(&known), row.status);
        assert_eq!(
            c.status(&known).0,
            CFRPD_OK,
            "{}: works after the fault",
            row.name
        );

        env.emu
            .inject(Fault::once(Endpoint::Create, row.fault.clone()));
        check_c(
            row.name,
            "create",
            c.create(&fresh_id("cfault")),
            row.create,
        );
        assert_eq!(
            c.create(&fresh_id("cafter")).0,
            CFRPD_OK,
            "{}: create works after the fault",
            row.name
        );
    }
}
