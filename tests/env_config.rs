//! `Config::from_env` / `cfrpd_config_from_env` against the real process environment.
//! One test in this binary, so changing the environment races with nothing.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Config, ErrorKind};

#[test]
fn from_env_reads_and_checks_the_variables() {
    std::env::set_var("CASHFREE_CLIENT_ID", "env-id");
    std::env::set_var("CASHFREE_CLIENT_SECRET", "env-secret");
    std::env::set_var("CASHFREE_ENV", "Production");
    std::env::remove_var("CASHFREE_BASE_URL");
    std::env::set_var("CASHFREE_PUBLIC_KEY", "");
    let cfg = Config::from_env().unwrap();
    assert_eq!(cfg.client_id(), "env-id");
    assert_eq!(
        cfg.effective_base_url(),
        "https://api.cashfree.com/verification"
    );

    std::env::set_var(
        "CASHFREE_PUBLIC_KEY",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/TEST-ONLY-rsa-public.pem"
        ),
    );
    assert!(Config::from_env().is_ok(), "a key file path is read");

    std::env::set_var(
        "CASHFREE_CLIENT_SECRET",
        OsStr::from_bytes(b"bad\xffsecret"),
    );
    let e = Config::from_env().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.message().contains("CASHFREE_CLIENT_SECRET"), "{e}");
    let mut out = std::ptr::null_mut();
    let mut err = std::ptr::null_mut();
    assert_eq!(
        // SAFETY: `out`/`err` are writable locals.
        unsafe { cfrpd_config_from_env(&mut out, &mut err) },
        CFRPD_ERR_INVALID_ARGUMENT
    );
    assert!(out.is_null() && !err.is_null());
    // SAFETY: `err` is NULL or the error the call wrote, freed once.
    unsafe { cfrpd_error_free(err) };

    std::env::set_var("CASHFREE_CLIENT_SECRET", "env-secret");
    std::env::set_var(
        "CASHFREE_BASE_URL",
        "http://not-loopback.example/verification",
    );
    let e = Config::from_env().unwrap_err();
    assert!(e.message().contains("CASHFREE_BASE_URL"), "{e}");
}
