//! Client configuration: credentials, where to connect, timeouts, TLS, retries.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::diagnostics::{LogCallback, LogLevel, Logger};
use crate::error::{Error, ErrorKind, Result};
use crate::redact::Redactor;
use crate::signature::Signer;
use crate::url::{check_base_url, proxy_label, proxy_password, replace_proxy_password};
use crate::validate::validate_credential;

/// Default connect timeout (per attempt).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default request timeout (per attempt, whole exchange).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of re-tries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Largest accepted `max_retries`.
pub const MAX_RETRIES_LIMIT: u32 = 10;
/// Default bound on one whole call (every attempt, back-off and `Retry-After` wait).
pub const DEFAULT_CALL_DEADLINE: Duration = Duration::from_secs(60);
/// Default number of idle connections kept for reuse.
pub const DEFAULT_MAX_IDLE_CONNECTIONS: usize = 4;
/// Largest idle pool accepted.
pub const MAX_IDLE_CONNECTIONS_LIMIT: usize = 1024;
/// Longer durations anywhere (timeouts, deadlines) are cut to this: `u32::MAX` ms,
/// about 49.7 days (so `Duration::MAX` never overflows a clock).
pub const LONGEST_DURATION: Duration = Duration::from_millis(u32::MAX as u64);

/// The variables [`Config::from_env`] reads.
const ENV_VARS: [&str; 5] = [
    "CASHFREE_CLIENT_ID",
    "CASHFREE_CLIENT_SECRET",
    "CASHFREE_ENV",
    "CASHFREE_BASE_URL",
    "CASHFREE_PUBLIC_KEY",
];

/// A Cashfree environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://sandbox.cashfree.com/verification` (test credentials, no real money).
    #[default]
    Sandbox,
    /// `https://api.cashfree.com/verification` (live).
    Production,
}

/// The lower-case name, as [`Environment::name`]: `sandbox` or `production`.
impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Environment {
    /// The environment's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://sandbox.cashfree.com/verification",
            Environment::Production => "https://api.cashfree.com/verification",
        }
    }

    /// `"sandbox"` or `"production"`.
    pub fn name(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }

    /// Parses `sandbox` / `production` in any case.
    pub fn parse(s: &str) -> Option<Environment> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Some(Environment::Sandbox),
            "production" => Some(Environment::Production),
            _ => None,
        }
    }
}

/// Everything a [`Client`](crate::Client) needs. Setters check their input at once.
///
/// The secret (and a proxy password) is never shown by `Debug`, and is zeroed in memory
/// when the config is dropped.
#[derive(Clone)]
pub struct Config {
    pub(crate) client_id: String,
    pub(crate) client_secret: Zeroizing<String>,
    pub(crate) environment: Environment,
    pub(crate) base_url: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) signer_key: Option<Signer>,
    pub(crate) root_cas: Vec<Vec<u8>>,
    pub(crate) proxy: Option<Zeroizing<String>>,
    pub(crate) max_retries: u32,
    pub(crate) call_deadline: Duration,
    pub(crate) max_idle_connections: usize,
    pub(crate) logger: Logger,
    pub(crate) journal_path: Option<std::path::PathBuf>,
}

impl Config {
    /// A configuration for the sandbox with these credentials and every default:
    /// [`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_REQUEST_TIMEOUT`], [`DEFAULT_MAX_RETRIES`],
    /// [`DEFAULT_CALL_DEADLINE`], [`DEFAULT_MAX_IDLE_CONNECTIONS`], no proxy, no signature.
    ///
    /// Fails when either credential is empty or holds control characters.
    pub fn new(client_id: &str, client_secret: &str) -> Result<Config> {
        validate_credential("client id", client_id)?;
        validate_credential("client secret", client_secret)?;
        Ok(Config {
            client_id: client_id.to_owned(),
            client_secret: Zeroizing::new(client_secret.to_owned()),
            environment: Environment::Sandbox,
            base_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            signer_key: None,
            root_cas: Vec::new(),
            proxy: None,
            max_retries: DEFAULT_MAX_RETRIES,
            call_deadline: DEFAULT_CALL_DEADLINE,
            max_idle_connections: DEFAULT_MAX_IDLE_CONNECTIONS,
            logger: Logger::default(),
            journal_path: None,
        })
    }

    /// Reads `CASHFREE_CLIENT_ID`, `CASHFREE_CLIENT_SECRET` (required),
    /// `CASHFREE_ENV` (`sandbox`|`production`), `CASHFREE_BASE_URL` and
    /// `CASHFREE_PUBLIC_KEY` (a PEM file path, or PEM text starting with `-----BEGIN`).
    /// An empty variable counts as unset. The error names the variable that is wrong.
    pub fn from_env() -> Result<Config> {
        for name in ENV_VARS {
            if let Some(value) = std::env::var_os(name) {
                if value.to_str().is_none() {
                    return Err(Error::invalid(format!("{name} is not valid UTF-8")));
                }
            }
        }
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with a custom variable lookup (for tests and for
    /// programs that keep settings elsewhere).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let id = get("CASHFREE_CLIENT_ID")
            .ok_or_else(|| Error::invalid("CASHFREE_CLIENT_ID is not set"))?;
        let secret = get("CASHFREE_CLIENT_SECRET")
            .ok_or_else(|| Error::invalid("CASHFREE_CLIENT_SECRET is not set"))?;
        validate_credential("CASHFREE_CLIENT_ID", &id)?;
        validate_credential("CASHFREE_CLIENT_SECRET", &secret)?;
        let mut config = Config::new(&id, &secret)?;
        if let Some(env) = get("CASHFREE_ENV") {
            let parsed = Environment::parse(&env).ok_or_else(|| {
                Error::invalid(format!(
                    "CASHFREE_ENV is {env:?}: use \"sandbox\" or \"production\""
                ))
            })?;
            config.set_environment(parsed);
        }
        if let Some(url) = get("CASHFREE_BASE_URL") {
            config
                .set_base_url(&url)
                .map_err(|e| e.clone().with_message(format!("CASHFREE_BASE_URL: {e}")))?;
        }
        if let Some(key) = get("CASHFREE_PUBLIC_KEY") {
            let pem = if key.trim_start().starts_with("-----BEGIN") {
                key
            } else {
                std::fs::read_to_string(&key).map_err(|e| {
                    Error::invalid(format!("CASHFREE_PUBLIC_KEY: cannot read {key:?}: {e}"))
                })?
            };
            config
                .set_public_key_pem(&pem)
                .map_err(|e| e.clone().with_message(format!("CASHFREE_PUBLIC_KEY: {e}")))?;
        }
        Ok(config)
    }

    /// Chooses sandbox or production. A base URL set with
    /// [`set_base_url`](Self::set_base_url) takes precedence.
    pub fn set_environment(&mut self, env: Environment) -> &mut Self {
        self.environment = env;
        self
    }

    /// Sends requests to this base URL instead of the environment's, e.g. a local
    /// emulator (`http://127.0.0.1:8080/verification`) or a proxy in front of Cashfree.
    ///
    /// `https://` anywhere; `http://` only for `127.0.0.0/8`, `[::1]` and `localhost`.
    /// A trailing `/` is ignored; query, fragment and user info are refused.
    pub fn set_base_url(&mut self, url: &str) -> Result<&mut Self> {
        self.base_url = Some(check_base_url(url)?);
        Ok(self)
    }

    /// Per-attempt timeouts; `Duration::ZERO` means the default
    /// ([`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_REQUEST_TIMEOUT`]).
    /// Longer than [`LONGEST_DURATION`] counts as that. The call deadline
    /// ([`set_call_deadline`](Self::set_call_deadline)) bounds every attempt as well.
    pub fn set_timeouts(&mut self, connect: Duration, request: Duration) -> &mut Self {
        self.connect_timeout = if connect.is_zero() {
            DEFAULT_CONNECT_TIMEOUT
        } else {
            connect.min(LONGEST_DURATION)
        };
        self.request_timeout = if request.is_zero() {
            DEFAULT_REQUEST_TIMEOUT
        } else {
            request.min(LONGEST_DURATION)
        };
        self
    }

    /// Bounds one whole call: every attempt, back-off and `Retry-After` wait
    /// (`Duration::ZERO` means the default, [`DEFAULT_CALL_DEADLINE`]; longer than [`LONGEST_DURATION`]
    /// counts as that). No call outlives it by more than a few milliseconds, whatever
    /// the server does; when it fires the error is [`ErrorKind::Timeout`] (ambiguous for
    /// a create that was sent). A wait's own timeout still bounds the wait; each poll
    /// of a wait is one call.
    pub fn set_call_deadline(&mut self, deadline: Duration) -> &mut Self {
        self.call_deadline = if deadline.is_zero() {
            DEFAULT_CALL_DEADLINE
        } else {
            deadline.min(LONGEST_DURATION)
        };
        self
    }

    /// How many idle connections the client keeps open for reuse (default
    /// [`DEFAULT_MAX_IDLE_CONNECTIONS`], at most [`MAX_IDLE_CONNECTIONS_LIMIT`]; 0 keeps
    /// none). A server polling many requests at once wants about as many
    /// as it has threads calling.
    pub fn set_max_idle_connections(&mut self, n: usize) -> Result<&mut Self> {
        if n > MAX_IDLE_CONNECTIONS_LIMIT {
            return Err(Error::invalid(format!(
                "max_idle_connections {n} is too high: at most {MAX_IDLE_CONNECTIONS_LIMIT}"
            )));
        }
        self.max_idle_connections = n;
        Ok(self)
    }

    /// Sends the client's log records up to `max_level` to `callback` (besides the
    /// `log` facade, target `cashfree_rpd`, which always gets them). The callback runs
    /// on the thread making the call. Records never contain the secret or the proxy
    /// password, nor a body at INFO or above. See [`LogLevel`] for what each level has.
    pub fn set_log_callback(
        &mut self,
        max_level: LogLevel,
        callback: impl Fn(LogLevel, &str) + Send + Sync + 'static,
    ) -> &mut Self {
        let callback: LogCallback = std::sync::Arc::new(callback);
        self.logger = Logger::new(Some((max_level, callback)));
        self
    }

    /// Records every create in the journal file at `path` (an empty path: no journal),
    /// so a process that crashes mid-create resumes that request instead of paying for
    /// a new one: see [`crate::journal`] and the README's "Surviving a crash". The file
    /// is opened, checked and locked by [`Client::new`](crate::Client::new) (one client
    /// per journal, in any process); its directory must exist, on a file system with
    /// atomic rename (not FAT).
    pub fn set_journal_path(&mut self, path: impl AsRef<std::path::Path>) -> &mut Self {
        let p = path.as_ref();
        self.journal_path = (!p.as_os_str().is_empty()).then(|| p.to_path_buf());
        self
    }

    /// Turns the log callback off (the `log` facade still gets the records).
    pub fn clear_log_callback(&mut self) -> &mut Self {
        self.logger = Logger::default();
        self
    }

    /// Turns on `x-cf-signature`: the RSA public key (PEM, `PUBLIC KEY` or
    /// `RSA PUBLIC KEY`) downloaded from the Cashfree dashboard. A fresh signature is
    /// computed for every request. An unusable key is [`ErrorKind::Signature`].
    pub fn set_public_key_pem(&mut self, pem: &str) -> Result<&mut Self> {
        self.signer_key = Some(Signer::from_pem(&self.client_id, pem)?);
        Ok(self)
    }

    /// Trusts the certificates in this PEM text in addition to the bundled Mozilla
    /// roots. Repeated calls add more.
    pub fn add_root_ca_pem(&mut self, pem: &str) -> Result<&mut Self> {
        let mut found = Vec::new();
        for item in ureq::tls::parse_pem(pem.as_bytes()) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => found.push(c.der().to_vec()),
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::InvalidInput,
                        format!("root CA PEM is not valid: {e}"),
                    ))
                }
            }
        }
        if found.is_empty() {
            return Err(Error::invalid("root CA PEM holds no CERTIFICATE block"));
        }
        for der in &found {
            if webpki_anchor_ok(der).is_err() {
                return Err(Error::invalid(
                    "root CA PEM holds a certificate that cannot be parsed",
                ));
            }
        }
        self.root_cas.extend(found);
        Ok(self)
    }

    /// Sends requests through this `http://` or `https://` proxy; `""` clears it.
    /// Proxy environment variables are never read: a terminal must be predictable.
    pub fn set_proxy(&mut self, url: &str) -> Result<&mut Self> {
        if url.is_empty() {
            self.proxy = None;
            return Ok(self);
        }
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(Error::invalid(format!(
                "proxy {} must start with http:// or https://",
                proxy_label(url)
            )));
        }
        if url.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid(
                "proxy URL contains spaces or control characters",
            ));
        }
        // Checked with the password masked: ureq's proxy keeps copies of the URL.
        let masked = replace_proxy_password(url, "x");
        ureq::Proxy::new(&masked).map_err(|e| {
            let why = Redactor::default()
                .and(proxy_password(url).unwrap_or(""))
                .scrub_str(&e.to_string());
            Error::invalid(format!(
                "proxy {} is not a valid URL: {why}",
                proxy_label(url)
            ))
        })?;
        self.proxy = Some(Zeroizing::new(url.to_owned()));
        Ok(self)
    }

    /// How many *re*-tries after the first attempt (default [`DEFAULT_MAX_RETRIES`], at
    /// most [`MAX_RETRIES_LIMIT`]). They apply
    /// to each poll of a wait too.
    ///
    /// What is retried: for status lookups (and each poll of a wait), connect failures,
    /// timeouts, resets and 429/500/502/503/504 answers; for a create only what certainly
    /// never reached Cashfree (no connection made, or a 429/503 answer) — a create that
    /// may have arrived is never sent again, its error is [`Error::is_ambiguous`].
    /// Pauses: full jitter over 250 ms × 2^attempt, at most 5 s, never less than
    /// `Retry-After` (honoured up to 30 s), all within the call deadline
    /// ([`Config::set_call_deadline`]).
    pub fn set_max_retries(&mut self, n: u32) -> Result<&mut Self> {
        if n > MAX_RETRIES_LIMIT {
            return Err(Error::invalid(format!(
                "max_retries {n} is too high: at most {MAX_RETRIES_LIMIT}"
            )));
        }
        self.max_retries = n;
        Ok(self)
    }

    /// The base URL requests go to (without a trailing `/`).
    pub fn effective_base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .unwrap_or(self.environment.base_url())
    }

    /// A short label for messages: `sandbox`, `production`, or the custom base URL,
    /// and the proxy (without its password) when there is one.
    pub(crate) fn target_label(&self) -> String {
        let target = match &self.base_url {
            Some(url) if url == Environment::Sandbox.base_url() => "sandbox".into(),
            Some(url) if url == Environment::Production.base_url() => "production".into(),
            Some(url) => url.clone(),
            None => self.environment.name().into(),
        };
        match &self.proxy {
            Some(p) => format!("{target} via proxy {}", proxy_label(p)),
            None => target,
        }
    }

    /// Scrubs the client secret and the proxy password.
    pub(crate) fn redactor(&self) -> Redactor {
        let proxy_pw = self.proxy.as_deref().and_then(|p| proxy_password(p));
        Redactor::new(&self.client_secret).and(proxy_pw.unwrap_or(""))
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

fn webpki_anchor_ok(der: &[u8]) -> std::result::Result<(), ()> {
    let mut store = rustls::RootCertStore::empty();
    let (added, _) =
        store.add_parsable_certificates([rustls::pki_types::CertificateDer::from(der)]);
    if added == 1 {
        Ok(())
    } else {
        Err(())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("base_url", &self.effective_base_url())
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("signature", &self.signer_key.is_some())
            .field("extra_root_cas", &self.root_cas.len())
            .field("proxy", &self.proxy.as_deref().map(|p| proxy_label(p)))
            .field("max_retries", &self.max_retries)
            .field("call_deadline", &self.call_deadline)
            .field("max_idle_connections", &self.max_idle_connections)
            .field("log", &self.logger)
            .field("journal", &self.journal_path)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok = [
            (
                "https://example.com/verification/",
                "https://example.com/verification",
            ),
            (
                "http://127.0.0.1:8080/verification",
                "http://127.0.0.1:8080/verification",
            ),
            ("http://127.9.9.9", "http://127.9.9.9"),
            ("http://localhost:1/x", "http://localhost:1/x"),
            ("http://[::1]:9/v", "http://[::1]:9/v"),
            (
                "HTTPS://api.cashfree.com/verification",
                "https://api.cashfree.com/verification",
            ),
        ];
        for (input, want) in ok {
            assert_eq!(check_base_url(input).unwrap(), want);
        }
        let bad = [
            "http://example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://x",
            "https://",
            "https://a b",
            "https://u:p@host",
            "https://host/?q=1",
            "https://host/#f",
            "example.com",
            "http://[::2]:1",
            "https://host:0",
            "https://host:99999",
        ];
        for input in bad {
            assert!(check_base_url(input).is_err(), "{input}");
        }
    }

    #[test]
    fn from_lookup_names_the_bad_variable() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let err = Config::from_lookup(vars(&[("CASHFREE_CLIENT_ID", "id")])).unwrap_err();
        assert!(err.message().contains("CASHFREE_CLIENT_SECRET"));
        let err = Config::from_lookup(vars(&[
            ("CASHFREE_CLIENT_ID", "id"),
            ("CASHFREE_CLIENT_SECRET", "s"),
            ("CASHFREE_ENV", "staging"),
        ]))
        .unwrap_err();
        assert!(err.message().contains("CASHFREE_ENV"));
        let err = Config::from_lookup(vars(&[
            ("CASHFREE_CLIENT_ID", "id"),
            ("CASHFREE_CLIENT_SECRET", "s"),
            ("CASHFREE_PUBLIC_KEY", "/nonexistent/key.pem"),
        ]))
        .unwrap_err();
        assert!(err.message().contains("/nonexistent/key.pem"));
        let cfg = Config::from_lookup(vars(&[
            ("CASHFREE_CLIENT_ID", "id"),
            ("CASHFREE_CLIENT_SECRET", "s"),
            ("CASHFREE_ENV", "PRODUCTION"),
            ("CASHFREE_BASE_URL", ""),
        ]))
        .unwrap();
        assert_eq!(cfg.effective_base_url(), Environment::Production.base_url());
    }

    #[test]
    fn environment_names_are_exactly_sandbox_and_production() {
        assert_eq!(Environment::parse("SandBox"), Some(Environment::Sandbox));
        assert_eq!(
            Environment::parse("PRODUCTION"),
            Some(Environment::Production)
        );
        for bad in ["prod", "live", "test", "", "staging"] {
            assert_eq!(Environment::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let cfg = Config::new("id", "very-secret-value").unwrap();
        assert!(!format!("{cfg:?}").contains("very-secret-value"));
    }

    #[test]
    fn proxy_password_is_never_shown() {
        assert_eq!(proxy_password("http://u:p%40ss@proxy:3128"), Some("p%40ss"));
        assert_eq!(proxy_password("http://u@proxy:3128"), None);
        assert_eq!(proxy_password("http://proxy:3128/x@y"), None);
        assert_eq!(
            proxy_label("http://user:hunter2@proxy:3128"),
            "http://user:[redacted]@proxy:3128"
        );
        let mut cfg = Config::new("id", "s").unwrap();
        cfg.set_proxy("http://user:hunter2@127.0.0.1:3128").unwrap();
        let shown = format!("{cfg:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("user:[redacted]@"),
            "{shown}"
        );
        assert!(cfg
            .target_label()
            .contains("via proxy http://user:[redacted]@127.0.0.1:3128"));
        assert_eq!(
            cfg.redactor().scrub_str("x hunter2 s"),
            "x [redacted] [redacted]"
        );
    }

    #[test]
    fn durations_never_overflow() {
        let mut cfg = Config::new("id", "s").unwrap();
        cfg.set_timeouts(Duration::MAX, Duration::MAX);
        cfg.set_call_deadline(Duration::MAX);
        assert_eq!(cfg.connect_timeout, LONGEST_DURATION);
        assert_eq!(cfg.call_deadline, LONGEST_DURATION);
        cfg.set_call_deadline(Duration::ZERO);
        assert_eq!(cfg.call_deadline, DEFAULT_CALL_DEADLINE);
        assert!(cfg.set_max_idle_connections(1025).is_err());
        assert!(cfg.set_max_idle_connections(0).is_ok());
    }

    #[test]
    fn retries_are_bounded() {
        let mut cfg = Config::new("id", "s").unwrap();
        assert!(cfg.set_max_retries(10).is_ok());
        assert!(cfg.set_max_retries(11).is_err());
    }
}
