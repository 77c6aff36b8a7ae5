//! SIGPIPE: tests/c/sigpipe_test.c, a C program with the default SIGPIPE disposition,
//! makes creates (200-byte names, the largest request) and retried status calls against
//! servers that reset the connection under the library's writes, and must exit
//! normally with an error code from every call — not die by signal.
//!
//! Linux raises SIGPIPE for a write to a socket that was half-closed by the peer (FIN)
//! and then reset (RST): the socket's pending error is then EPIPE. Two servers produce
//! that at the moment the client writes:
//! - plain: FIN and RST right after accepting, racing the client's request write;
//! - TLS 1.3: reads the ClientHello, sends its whole flight, then FIN and RST; the
//!   client finishes the handshake from what it received, and its next write (Finished
//!   with the request) always meets the reset socket.
//!
//! Without `MSG_NOSIGNAL` on the library's sends the program dies by signal 13 on the
//! first TLS round (checked by building the library without it).
#![cfg(target_os = "linux")]

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use cashfree_rpd_emulator::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use common::cprog;
use common::tls::*;

fn env_for(plain: &Server, tls: &Server, ca_pem: &str, rounds: u32) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".into(), TEST_CLIENT_ID.into());
    env.insert("CASHFREE_CLIENT_SECRET".into(), TEST_CLIENT_SECRET.into());
    env.insert("CFRPD_TEST_PLAIN_URL".into(), plain.url("http"));
    env.insert("CFRPD_TEST_TLS_URL".into(), tls.url("https"));
    env.insert("CFRPD_TEST_CA_PEM".into(), ca_pem.into());
    env.insert("CFRPD_TEST_ROUNDS".into(), rounds.to_string());
    env
}

fn servers() -> (Server, Server, String) {
    let pki = Pki::new("sigpipe");
    let plain = Server::start(plain_fin_then_reset());
    let tls = Server::start(tls_flight_then_reset(
        pki.server_config(Leaf::Good, &[&rustls::version::TLS13]),
    ));
    (plain, tls, pki.ca_pem)
}

fn check(r: &cprog::Run, tls: &Server, rounds: u32) {
    eprintln!("sigpipe_test: {}", r.describe());
    assert!(r.status.success(), "{}", r.describe());
    assert!(
        r.stdout.contains("sigpipe_test: 0 failures"),
        "{}",
        r.describe()
    );
    // Every TLS round really reached the reset (one connection per create, and at
    // least one per status call).
    assert!(
        tls.accepted() >= u64::from(2 * rounds),
        "{}",
        tls.accepted()
    );
}

#[test]
fn c_host_with_default_sigpipe_survives_resets_under_writes() {
    if !cprog::tool_or_skip("gcc", "sigpipe") {
        return;
    }
    let exe = cprog::compile("tests/c/sigpipe_test.c", false);
    let (plain, tls, ca) = servers();
    let rounds = 50;
    let r = cprog::run(
        &[&exe],
        &env_for(&plain, &tls, &ca, rounds),
        Duration::from_secs(120),
    );
    check(&r, &tls, rounds);
}

#[test]
fn c_host_with_default_sigpipe_survives_resets_under_writes_asan() {
    if !cprog::tool_or_skip("gcc", "sigpipe (ASan)") {
        return;
    }
    let exe = cprog::compile("tests/c/sigpipe_test.c", true);
    let (plain, tls, ca) = servers();
    let rounds = 20;
    let r = cprog::run(
        &[&exe],
        &env_for(&plain, &tls, &ca, rounds),
        Duration::from_secs(120),
    );
    check(&r, &tls, rounds);
}
