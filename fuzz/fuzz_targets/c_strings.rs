//! The C string boundary: arbitrary bytes (any UTF-8 validity, any length) as every
//! string argument of the configuration and webhook functions. Never crashes or leaks.
#![no_main]

use std::ffi::CString;
use std::ptr;

use cashfree_rpd::ffi::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<CString> = data
        .split(|&b| b == 0)
        .take(4)
        .map(|p| CString::new(p).expect("split at NUL"))
        .collect();
    let get = |i: usize| parts.get(i).map_or(ptr::null(), |c| c.as_ptr());
    // SAFETY: every string argument is NULL or a CString in `parts`, alive to the end;
    // `data` is readable for `data.len()` bytes; out-pointers are writable locals; each
    // object is freed once, with its own free function (NULL is a no-op).
    unsafe {
        let mut cfg = ptr::null_mut();
        let rc = cfrpd_config_new(get(0), get(1), &mut cfg);
        assert_eq!(rc == CFRPD_OK, !cfg.is_null());
        let _ = cfrpd_config_set_base_url(cfg, get(2));
        let _ = cfrpd_config_set_proxy(cfg, get(3));
        let _ = cfrpd_config_add_root_ca_pem(cfg, get(2));
        let mut client = ptr::null_mut();
        let mut err = ptr::null_mut();
        if cfrpd_client_new(cfg, &mut client, &mut err) != CFRPD_OK {
            assert!(client.is_null());
        }
        cfrpd_error_free(err);
        cfrpd_client_free(client);
        cfrpd_config_free(cfg);

        let mut hook = ptr::null_mut();
        let mut err = ptr::null_mut();
        let rc = cfrpd_webhook_verify(get(0), data.as_ptr(), data.len(), get(1), get(2), 0, &mut hook, &mut err);
        assert_eq!(rc == CFRPD_OK, !hook.is_null());
        assert_eq!(rc != CFRPD_OK, !err.is_null());
        cfrpd_webhook_free(hook);
        cfrpd_error_free(err);
        let _ = cfrpd_result_name(u32::from(data.first().copied().unwrap_or(0)));
    }
});
