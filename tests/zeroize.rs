//! Credentials do not linger: when a config or a client is dropped, no freed memory
//! block still holds the client secret or the proxy password. A global allocator
//! scans every block as it is freed.
//!
//! (During a call the secret also passes through ureq's request serialisation and the
//! TLS buffers, which are not zeroed; a client keeps a proxy password inside ureq's
//! proxy settings, which are not zeroed either: README, "Configuration".)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

const SECRET: &[u8] = b"Zq8-unique-client-secret-4Kx";
const PROXY_PASSWORD: &[u8] = b"Pw9-unique-proxy-password-7Jm";

static WATCHING: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);

struct Scanning;

fn holds(block: &[u8], needle: &[u8]) -> bool {
    block.windows(needle.len()).any(|w| w == needle)
}

// SAFETY: every method forwards to System with the same arguments; the extra reads stay inside blocks System allocated.
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged: the caller's GlobalAlloc contract holds for System.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::Relaxed) {
            // SAFETY: the block is still allocated and `layout.size()` bytes long.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if holds(block, SECRET) || holds(block, PROXY_PASSWORD) {
                FOUND.fetch_add(1, Ordering::Relaxed);
            }
        }
        // SAFETY: `ptr` was allocated by System with `layout` (alloc forwards to it); freed once.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if WATCHING.load(Ordering::Relaxed) && new_size < layout.size() {
            // A shrink drops the tail: check it too.
            // SAFETY: the block is still allocated and `layout.size()` bytes long.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if holds(&block[new_size.saturating_sub(SECRET.len())..], SECRET) {
                FOUND.fetch_add(1, Ordering::Relaxed);
            }
        }
        // SAFETY: forwarded unchanged: `ptr`/`layout` came from System through alloc.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Scanning = Scanning;

#[test]
fn configs_and_clients_leave_no_copy_of_the_credentials_behind() {
    let secret = std::str::from_utf8(SECRET).unwrap();
    let proxy = format!(
        "http://user:{}@127.0.0.1:3128",
        std::str::from_utf8(PROXY_PASSWORD).unwrap()
    );
    // Our own test strings are freed outside the watch (they are not the library's).
    let secret_owned = secret.to_owned();
    WATCHING.store(true, Ordering::Relaxed);
    {
        // A config with a proxy, cloned, shown, dropped.
        let mut config = cashfree_rpd::Config::new("id", &secret_owned).unwrap();
        config.set_proxy(&proxy).unwrap();
        assert!(config.set_proxy("ftp://user:x@proxy").is_err());
        config.set_proxy(&proxy).unwrap();
        let copy = config.clone();
        let debug = format!("{config:?}");
        assert!(!debug.contains(secret));
        drop((config, copy, debug));
        // A client (without a proxy) and its clones.
        let config = cashfree_rpd::Config::new("id", &secret_owned).unwrap();
        let client = cashfree_rpd::Client::new(&config).unwrap();
        let clone = client.clone();
        drop((config, client, clone));
    }
    // The C ABI: config and client freed by cfrpd_*_free.
    {
        use cashfree_rpd::ffi::*;
        let id = std::ffi::CString::new("id").unwrap();
        let key = std::ffi::CString::new(secret).unwrap();
        let mut cfg = std::ptr::null_mut();
        let mut client = std::ptr::null_mut();
        // SAFETY: id/key are C strings alive during the calls; cfg/client are writable locals, and `cfg` is live for client_new.
        unsafe {
            assert_eq!(
                cfrpd_config_new(id.as_ptr(), key.as_ptr(), &mut cfg),
                CFRPD_OK
            );
            assert_eq!(
                cfrpd_client_new(cfg, &mut client, std::ptr::null_mut()),
                CFRPD_OK
            );
            cfrpd_config_free(cfg);
            cfrpd_client_free(client);
        }
        WATCHING.store(false, Ordering::Relaxed);
        drop(key); // the caller's own copy
    }
    WATCHING.store(false, Ordering::Relaxed);
    assert_eq!(
        FOUND.load(Ordering::Relaxed),
        0,
        "freed blocks still held the secret or the proxy password"
    );
    // The scanner works: a plain String holding the secret is caught.
    WATCHING.store(true, Ordering::Relaxed);
    drop(secret_owned);
    WATCHING.store(false, Ordering::Relaxed);
    assert_eq!(FOUND.load(Ordering::Relaxed), 1);
}
