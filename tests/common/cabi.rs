//! A client driven only through the exported C functions, for tests of the C ABI
//! from Rust (the C programs in tests/c/ cover the same from real C).

use std::ffi::{c_void, CStr, CString};
use std::ptr;

use cashfree_rpd::ffi::*;
use cashfree_rpd_emulator::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};

/// Details of a failed call: code, http_status, ambiguous, retryable, retry_after_ms, message.
#[derive(Debug, Clone)]
pub struct CErr {
    pub code: cfrpd_result,
    pub http_status: u16,
    pub ambiguous: bool,
    pub retryable: bool,
    pub retry_after_ms: u32,
    pub message: String,
    pub request_id: Option<String>,
    pub raw_body: Option<String>,
    pub rate_limit_remaining: i64,
    pub rate_limit_reset_ms: i64,
}

/// The fields of a `cfrpd_status` the tests look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CStatus {
    pub state: cfrpd_state,
    pub reversal: cfrpd_reversal,
    pub status: Option<String>,
    pub verification_id: Option<String>,
    pub ref_id: Option<String>,
    pub bank_account: Option<String>,
    pub name_at_bank: Option<String>,
    pub reversal_status: Option<String>,
    pub raw_json: String,
}

/// A C string field as Rust text (`None` for NULL).
///
/// # Safety
/// `p` is NULL or a valid C string.
pub unsafe fn text(p: *const std::os::raw::c_char) -> Option<String> {
    // SAFETY: `p` is not NULL here and a valid C string (this function's # Safety).
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
}

impl CStatus {
    /// # Safety
    /// `s` is a valid status.
    pub unsafe fn read(s: *const cfrpd_status) -> CStatus {
        // SAFETY: `s` is a valid status (this function's # Safety), not freed while borrowed.
        let s = unsafe { &*s };
        // SAFETY: the string fields of a library-made status are NULL or valid C strings.
        unsafe {
            CStatus {
                state: s.state,
                reversal: s.reversal,
                status: text(s.status),
                verification_id: text(s.verification_id),
                ref_id: text(s.ref_id),
                bank_account: text(s.bank_account),
                name_at_bank: text(s.name_at_bank),
                reversal_status: text(s.reversal_status),
                raw_json: text(s.raw_json).unwrap(),
            }
        }
    }
}

/// A configuration being built through `cfrpd_config_*`.
pub struct CConfig(*mut cfrpd_config);

impl CConfig {
    /// The emulator's test credentials and `base_url`, fast timeouts.
    pub fn new(base_url: &str) -> CConfig {
        let c = CConfig::with_credentials(base_url, TEST_CLIENT_ID, TEST_CLIENT_SECRET);
        assert_eq!(
            // SAFETY: `c.0` is the live config CConfig::with_credentials just made.
            unsafe { cfrpd_config_set_timeouts_ms(c.0, 2000, 5000) },
            CFRPD_OK
        );
        c
    }

    /// Calls a string setter.
    pub fn set(
        &self,
        f: unsafe extern "C" fn(*mut cfrpd_config, *const std::os::raw::c_char) -> cfrpd_result,
        value: &str,
    ) -> cfrpd_result {
        let v = CString::new(value).unwrap();
        // SAFETY: `self.0` is a live config (CConfig owns it) and `v` a C string alive during the call.
        unsafe { f(self.0, v.as_ptr()) }
    }

    pub fn retries(self, n: u32) -> CConfig {
        // SAFETY: `self.0` is a live config owned by this CConfig.
        assert_eq!(unsafe { cfrpd_config_set_max_retries(self.0, n) }, CFRPD_OK);
        self
    }

    pub fn timeouts_ms(self, connect: u32, request: u32) -> CConfig {
        assert_eq!(
            // SAFETY: `self.0` is a live config owned by this CConfig.
            unsafe { cfrpd_config_set_timeouts_ms(self.0, connect, request) },
            CFRPD_OK
        );
        self
    }

    /// Credentials other than the emulator's defaults.
    pub fn with_credentials(base_url: &str, id: &str, secret: &str) -> CConfig {
        let id = CString::new(id).unwrap();
        let secret = CString::new(secret).unwrap();
        let mut cfg = ptr::null_mut();
        // SAFETY: `id`/`secret` are C strings alive during the call; `cfg` is writable.
        unsafe {
            assert_eq!(
                cfrpd_config_new(id.as_ptr(), secret.as_ptr(), &mut cfg),
                CFRPD_OK
            );
        }
        let c = CConfig(cfg);
        assert_eq!(c.set(cfrpd_config_set_base_url, base_url), CFRPD_OK);
        c
    }

    pub fn raw(&self) -> *mut cfrpd_config {
        self.0
    }

    pub fn client(&self) -> CClient {
        let mut client = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: `self.0` is a live config; `client`/`err` are writable locals.
        let rc = unsafe { cfrpd_client_new(self.0, &mut client, &mut err) };
        assert_eq!(rc, CFRPD_OK);
        assert!(err.is_null());
        CClient(client)
    }
}

impl Drop for CConfig {
    fn drop(&mut self) {
        // SAFETY: `self.0` came from cfrpd_config_new and is freed once, on drop.
        unsafe { cfrpd_config_free(self.0) };
    }
}

/// A `cfrpd_client`, freed on drop.
pub struct CClient(pub *mut cfrpd_client);

// The C contract: a client may be shared between threads.
// SAFETY: the C contract: a cfrpd_client may be used from several threads at once.
unsafe impl Send for CClient {}
// SAFETY: the C contract: a cfrpd_client may be used from several threads at once.
unsafe impl Sync for CClient {}

impl CClient {
    /// A client for `base_url` with no retries (faults show unmasked).
    pub fn new(base_url: &str) -> CClient {
        CConfig::new(base_url).retries(0).client()
    }

    pub fn status(&self, id: &str) -> Result<(), CErr> {
        let id = CString::new(id).unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: `self.0` is a live client; `id` a C string alive during the call; out/err writable.
        let code = unsafe { cfrpd_get_status(self.0, id.as_ptr(), &mut out, &mut err) };
        // SAFETY: `out`/`err` are exactly what cfrpd_get_status wrote.
        unsafe { finish(code, out, err, |p| cfrpd_status_free(p)) }
    }

    /// `cfrpd_get_status`, keeping the status.
    pub fn status_full(&self, id: &str) -> Result<CStatus, CErr> {
        let id = CString::new(id).unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: `self.0` is a live client; `id` a C string alive during the call; out/err writable.
        let code = unsafe { cfrpd_get_status(self.0, id.as_ptr(), &mut out, &mut err) };
        let mut got = None;
        // SAFETY: `out`/`err` are what cfrpd_get_status wrote; `p` is that status, read before it is freed.
        unsafe {
            finish(code, out, err, |p| {
                got = Some(CStatus::read(p));
                cfrpd_status_free(p)
            })
        }?;
        Ok(got.unwrap())
    }

    /// `cfrpd_get_status_by_ref_id`, keeping the status.
    pub fn status_by_ref(&self, ref_id: i64) -> Result<CStatus, CErr> {
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: `self.0` is a live client; out/err are writable locals.
        let code = unsafe { cfrpd_get_status_by_ref_id(self.0, ref_id, &mut out, &mut err) };
        let mut got = None;
        // SAFETY: `out`/`err` are what the call wrote; `p` is that status, read before it is freed.
        unsafe {
            finish(code, out, err, |p| {
                got = Some(CStatus::read(p));
                cfrpd_status_free(p)
            })
        }?;
        Ok(got.unwrap())
    }

    /// `cfrpd_create` with a name, keeping the verification_id and ref_id.
    pub fn create_named(&self, id: &str, name: &str) -> Result<(String, i64, String), CErr> {
        let id = CString::new(id).unwrap();
        let name = CString::new(name).unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: `self.0` is a live client; id/name are C strings alive during the call; out/err writable.
        let code = unsafe { cfrpd_create(self.0, id.as_ptr(), name.as_ptr(), &mut out, &mut err) };
        let mut got = None;
        // SAFETY: `out`/`err` are what cfrpd_create wrote; `p` is that request, read before it is freed.
        unsafe {
            finish(code, out, err, |p| {
                let r = &*p;
                got = Some((
                    text(r.verification_id).unwrap(),
                    r.ref_id,
                    text(r.upi_link).unwrap(),
                ));
                cfrpd_request_free(p)
            })
        }?;
        Ok(got.unwrap())
    }

    pub fn create(&self, id: &str) -> Result<(), CErr> {
        let id = CString::new(id).unwrap();
        let name = CString::new("John").unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: `self.0` is a live client; id/name are C strings alive during the call; out/err writable.
        let code = unsafe { cfrpd_create(self.0, id.as_ptr(), name.as_ptr(), &mut out, &mut err) };
        // SAFETY: `out`/`err` are exactly what cfrpd_create wrote.
        unsafe { finish(code, out, err, |p| cfrpd_request_free(p)) }
    }

    /// `cfrpd_wait_for_result`; `stop_after` polls the callback returns false.
    /// Returns the code, the final/last state (if `*out` was set) and the number of polls.
    pub fn wait(
        &self,
        id: &str,
        timeout_ms: u32,
        stop_after: Option<u32>,
    ) -> (cfrpd_result, Option<cfrpd_state>, u32) {
        struct Polls {
            seen: u32,
            stop_after: Option<u32>,
        }
        unsafe extern "C" fn on_poll(user: *mut c_void, latest: *const cfrpd_status) -> bool {
            // SAFETY: `user` is the `&mut polls` passed to cfrpd_wait_for_result below, alive for the whole wait and used by one thread.
            let polls = unsafe { &mut *(user as *mut Polls) };
            assert!(!latest.is_null());
            polls.seen += 1;
            polls.stop_after.is_none_or(|n| polls.seen < n)
        }
        let mut polls = Polls {
            seen: 0,
            stop_after,
        };
        let id = CString::new(id).unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: `self.0` is a live client; `id` is alive during the call; on_poll matches the C callback type and `polls` outlives the wait.
        let code = unsafe {
            cfrpd_wait_for_result(
                self.0,
                id.as_ptr(),
                timeout_ms,
                500,
                Some(on_poll),
                (&mut polls as *mut Polls).cast(),
                &mut out,
                &mut err,
            )
        };
        assert_eq!(code == CFRPD_OK, err.is_null());
        // SAFETY: `out` is not NULL here and is the status the wait handed back.
        let state = (!out.is_null()).then(|| unsafe { (*out).state });
        // SAFETY: `out`/`err` are NULL or owned by us after the wait; each is freed once.
        unsafe {
            cfrpd_status_free(out);
            cfrpd_error_free(err);
        }
        (code, state, polls.seen)
    }
}

impl Drop for CClient {
    fn drop(&mut self) {
        // SAFETY: `self.0` came from cfrpd_client_new and is freed once, on drop; no thread uses it any more (CClient is dropped).
        unsafe { cfrpd_client_free(self.0) };
    }
}

/// Checks the out/err contract of one call and frees both.
///
/// # Safety
/// `out`/`err` are what the call wrote.
pub unsafe fn finish<T>(
    code: cfrpd_result,
    out: *mut T,
    err: *mut cfrpd_error,
    free: impl FnOnce(*mut T),
) -> Result<(), CErr> {
    if code == CFRPD_OK {
        assert!(!out.is_null() && err.is_null());
        free(out);
        return Ok(());
    }
    assert!(out.is_null(), "on failure *out is NULL");
    assert!(!err.is_null(), "on failure *err is set");
    // SAFETY: `err` is not NULL (asserted above) and points to the error the call wrote.
    let e = unsafe { &*err };
    assert_eq!(e.code, code);
    assert!(!e.message.is_null());
    let details = CErr {
        code,
        http_status: e.http_status,
        ambiguous: e.ambiguous,
        retryable: e.retryable,
        retry_after_ms: e.retry_after_ms,
        // SAFETY: `e.message` is never NULL (asserted above) and is a C string owned by the error.
        message: unsafe { CStr::from_ptr(e.message) }
            .to_str()
            .unwrap()
            .to_owned(),
        // SAFETY: `e.request_id` is NULL or a C string owned by the error.
        request_id: unsafe { text(e.request_id) },
        // SAFETY: `e.raw_body` is NULL or a C string owned by the error.
        raw_body: unsafe { text(e.raw_body) },
        rate_limit_remaining: e.rate_limit_remaining,
        rate_limit_reset_ms: e.rate_limit_reset_ms,
    };
    // SAFETY: `err` is the error the call wrote, freed once here after its strings were copied.
    unsafe { cfrpd_error_free(err) };
    Err(details)
}
