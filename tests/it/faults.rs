//! Every emulator fault through the Rust API and through the C ABI: exact error kind,
//! HTTP status, flags, and a client that still works on the next call.

use crate::common;

use std::time::Duration;

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Client, ErrorKind};
use cashfree_rpd_emulator::{Emulator, Endpoint, Fault, FaultKind};
use common::cabi::{CClient, CErr};
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

fn check_c(name: &str, what: &str, got: Result<(), CErr>, want: Want) {
    match (got, want) {
        (Ok(()), Want::Ok) => {}
        (Err(e), Want::Err(kind, status, ambiguous)) => {
            assert_eq!(e.code, code_for(kind), "{name} / {what}: {e:?}");
            assert_eq!(
                e.http_status,
                status.unwrap_or(0),
                "{name} / {what} http_status"
            );
            if what == "create" {
                assert_eq!(e.ambiguous, ambiguous, "{name} / create ambiguous");
            }
        }
        (got, want) => panic!("{name} / {what}: got {got:?}, want {want:?}"),
    }
}

#[test]
fn faults_through_the_c_abi() {
    let env = start();
    let c = CClient::new(&env.emu.base_url());
    let known = fresh_id("cknown");
    assert!(c.create(&known).is_ok());
    for row in table() {
        env.emu
            .inject(Fault::once(Endpoint::Status, row.fault.clone()));
        check_c(row.name, "status", c.status(&known), row.status);
        assert!(
            c.status(&known).is_ok(),
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
        assert!(
            c.create(&fresh_id("cafter")).is_ok(),
            "{}: create works after the fault",
            row.name
        );
    }
}
