//! Shared helpers for the integration tests: an emulator on loopback and a client for it.
#![allow(dead_code)]

pub mod cabi;
#[cfg(target_os = "linux")]
pub mod cbuild;
#[cfg(target_os = "linux")]
pub mod cenv;
pub mod cheader;
#[cfg(target_os = "linux")]
pub mod cprog;
#[cfg(target_os = "linux")]
pub mod cross;
#[cfg(target_os = "linux")]
pub mod dlservers;
pub mod gate;
pub mod idle;
pub mod netns;
pub mod outcome;
pub mod relay;
pub mod script;
pub mod skip;
pub mod tinyproxy;
pub mod tls;
#[cfg(target_os = "linux")]
pub mod wine;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cashfree_rpd::{Client, Config};
use cashfree_rpd_emulator::{Emulator, Options, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

/// A running emulator and a client configured for it.
pub struct Env {
    pub emu: Emulator,
    pub client: Client,
}

/// Config for an emulator, with fast timeouts so failure tests stay quick.
pub fn config_for(emu: &Emulator) -> Config {
    let mut cfg = Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
    cfg.set_base_url(&emu.base_url()).unwrap();
    cfg.set_timeouts(Duration::from_secs(2), Duration::from_secs(5));
    cfg
}

pub fn start() -> Env {
    start_with(Options::default())
}

pub fn start_with(options: Options) -> Env {
    let emu = Emulator::start(options).expect("emulator starts");
    let client = Client::new(&config_for(&emu)).unwrap();
    Env { emu, client }
}

/// A verification_id not used before in this process.
pub fn fresh_id(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A documented sample body from tests/data/samples (its README.md says which is which).
pub fn sample(name: &str) -> String {
    let path = format!("{}/tests/data/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
