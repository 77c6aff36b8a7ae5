//! The integration tests in one binary: each `tests/it/<name>.rs` is a module, so the
//! crate is linked into one test executable instead of one per file. Run one file's tests
//! with `cargo test --test it <name>::` (a substring filter: `abi::` also matches
//! `c_abi::`, so add `--skip c_abi::` there).
//!
//! Tests that need a process of their own stay separate binaries in `tests/`:
//! - `fork.rs`: forks the test process;
//! - `journal.rs`: SIGKILLs a child that is this test binary re-run by test name
//!   (`--exact`), and forks;
//! - `env_config.rs`: sets the process environment;
//! - `zeroize.rs`: installs a global allocator that scans every freed block;
//! - `soak.rs`: measures the whole process (RSS and descriptors in `/proc/self`).

#[path = "../common/mod.rs"]
mod common;

mod abi;
mod bench_args;
mod bindings;
mod c_abi;
mod c_journal;
mod c_qr;
mod c_surface;
mod cross;
mod deadline;
mod diagnostics;
mod faults;
mod ffi_production;
mod fidelity;
mod flow;
mod header_fields;
mod java;
mod keepalive;
mod netfaults;
mod packaging;
mod production;
mod properties;
mod proxy;
mod quickstart_example;
mod readme;
mod readme_routes;
mod secrets;
mod sigpipe;
mod stress;
mod tls_failures;
mod webhooks;
mod windows;
