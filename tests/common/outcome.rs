//! One call made through the Rust API or the C ABI, reduced to what the deadline and
//! TLS tests compare: error kind, flags, message, and how long it took.

use std::ffi::{CStr, CString};
use std::time::{Duration, Instant};

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Client, Config};
use cashfree_rpd_emulator::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};

use super::cabi::CConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Rust,
    C,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Status,
    Create,
}

/// Settings for one client. Durations in ms (0 = the library default).
#[derive(Clone, Debug)]
pub struct Setup {
    pub base_url: String,
    pub connect_ms: u32,
    pub request_ms: u32,
    pub deadline_ms: u32,
    pub retries: u32,
    pub root_ca_pem: Option<String>,
}

impl Setup {
    pub fn new(base_url: &str) -> Setup {
        Setup {
            base_url: base_url.to_owned(),
            connect_ms: 10_000,
            request_ms: 30_000,
            deadline_ms: 0,
            retries: 0,
            root_ca_pem: None,
        }
    }

    pub fn deadline_ms(mut self, ms: u32) -> Setup {
        self.deadline_ms = ms;
        self
    }

    pub fn retries(mut self, n: u32) -> Setup {
        self.retries = n;
        self
    }

    pub fn timeouts_ms(mut self, connect: u32, request: u32) -> Setup {
        self.connect_ms = connect;
        self.request_ms = request;
        self
    }

    pub fn ca(mut self, pem: &str) -> Setup {
        self.root_ca_pem = Some(pem.to_owned());
        self
    }

    pub fn rust_client(&self) -> Client {
        let mut cfg = Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
        cfg.set_base_url(&self.base_url).unwrap();
        cfg.set_timeouts(
            Duration::from_millis(self.connect_ms.into()),
            Duration::from_millis(self.request_ms.into()),
        );
        cfg.set_call_deadline(Duration::from_millis(self.deadline_ms.into()));
        cfg.set_max_retries(self.retries).unwrap();
        if let Some(pem) = &self.root_ca_pem {
            cfg.add_root_ca_pem(pem).unwrap();
        }
        Client::new(&cfg).unwrap()
    }

    pub fn c_config(&self) -> CConfig {
        let c = CConfig::new(&self.base_url)
            .timeouts_ms(self.connect_ms, self.request_ms)
            .retries(self.retries);
        assert_eq!(
            // SAFETY: `c.raw()` is the live config CConfig owns.
            unsafe { cfrpd_config_set_call_deadline_ms(c.raw(), self.deadline_ms) },
            CFRPD_OK
        );
        if let Some(pem) = &self.root_ca_pem {
            assert_eq!(c.set(cfrpd_config_add_root_ca_pem, pem), CFRPD_OK);
        }
        c
    }
}

/// How a call ended.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `None` on success, else the kind as a lower-case word without separators
    /// (`timeout`, `tls`, `ratelimited`...), the same for both APIs.
    pub kind: Option<String>,
    pub ambiguous: bool,
    pub retryable: bool,
    pub message: String,
    pub took: Duration,
}

impl Outcome {
    pub fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind)
    }
}

fn word(s: &str) -> String {
    s.trim_start_matches("CFRPD_ERR_")
        .replace('_', "")
        .to_ascii_lowercase()
}

/// Makes one call with a fresh client for `setup`.
pub fn call(api: Api, setup: &Setup, what: Call, id: &str, name: &str) -> Outcome {
    match api {
        Api::Rust => {
            let client = setup.rust_client();
            let started = Instant::now();
            let r = match what {
                Call::Status => client.status(id).map(|_| ()),
                Call::Create => client.create(id, name).map(|_| ()),
            };
            let took = started.elapsed();
            match r {
                Ok(()) => Outcome {
                    kind: None,
                    ambiguous: false,
                    retryable: false,
                    message: String::new(),
                    took,
                },
                Err(e) => Outcome {
                    kind: Some(word(&format!("{:?}", e.kind()))),
                    ambiguous: e.is_ambiguous(),
                    retryable: e.is_retryable(),
                    message: e.to_string(),
                    took,
                },
            }
        }
        Api::C => {
            let cfg = setup.c_config();
            let client = cfg.client();
            let id = CString::new(id).unwrap();
            let name = CString::new(name).unwrap();
            let mut err = std::ptr::null_mut();
            let started = Instant::now();
            // SAFETY: `client.0` is a live client, id/name are C strings alive during the call, out/err are writable locals; each out is freed once (NULL is a no-op).
            let code = unsafe {
                match what {
                    Call::Status => {
                        let mut out = std::ptr::null_mut();
                        let code = cfrpd_get_status(client.0, id.as_ptr(), &mut out, &mut err);
                        cfrpd_status_free(out);
                        code
                    }
                    Call::Create => {
                        let mut out = std::ptr::null_mut();
                        let code =
                            cfrpd_create(client.0, id.as_ptr(), name.as_ptr(), &mut out, &mut err);
                        cfrpd_request_free(out);
                        code
                    }
                }
            };
            let took = started.elapsed();
            if code == CFRPD_OK {
                return Outcome {
                    kind: None,
                    ambiguous: false,
                    retryable: false,
                    message: String::new(),
                    took,
                };
            }
            assert!(!err.is_null());
            // SAFETY: `err` is not NULL (asserted above) and points to the error the call wrote.
            let e = unsafe { &*err };
            // SAFETY: cfrpd_result_name returns a static C string.
            let name = unsafe { CStr::from_ptr(cfrpd_result_name(code)) }
                .to_str()
                .unwrap()
                .to_owned();
            let out = Outcome {
                kind: Some(word(&name)),
                ambiguous: e.ambiguous,
                retryable: e.retryable,
                // SAFETY: `e.message` is a C string owned by the error, never NULL.
                message: unsafe { CStr::from_ptr(e.message) }
                    .to_string_lossy()
                    .into_owned(),
                took,
            };
            // SAFETY: `err` is the error the call wrote, freed once here after its message was copied.
            unsafe { cfrpd_error_free(err) };
            out
        }
    }
}
