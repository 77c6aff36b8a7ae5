//! Diagnostics: what `curl -v` would show, as log records.
//!
//! Every record goes to the `log` facade (target `cashfree_rpd`) and, when the config
//! has one, to its callback. Records never carry the client secret or the proxy
//! password (they are scrubbed like every other string), and never a body at INFO or
//! above.
//!
//! - INFO: one line per attempt: method, path and query, HTTP status or failure kind,
//!   milliseconds, attempt number, request id.
//! - WARN: one line per retry: reason and delay.
//! - DEBUG: connection opened (address, connect time) or reused.

use std::fmt;
use std::sync::Arc;

use crate::redact::Redactor;

/// How much a log record matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum LogLevel {
    /// A call failed.
    Error = 1,
    /// Something will be retried, or looks wrong.
    Warn = 2,
    /// One line per attempt.
    Info = 3,
    /// Connection details.
    Debug = 4,
}

impl LogLevel {
    /// `"ERROR"`, `"WARN"`, `"INFO"` or `"DEBUG"`.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
        }
    }

    fn facade(self) -> log::Level {
        match self {
            LogLevel::Error => log::Level::Error,
            LogLevel::Warn => log::Level::Warn,
            LogLevel::Info => log::Level::Info,
            LogLevel::Debug => log::Level::Debug,
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A log callback: level and message (the message is only valid during the call).
pub type LogCallback = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// Where one client's records go.
#[derive(Clone, Default)]
pub(crate) struct Logger {
    callback: Option<(LogLevel, LogCallback)>,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.callback {
            Some((level, _)) => write!(f, "callback up to {level}"),
            None => f.write_str("log facade only"),
        }
    }
}

impl Logger {
    pub(crate) fn new(callback: Option<(LogLevel, LogCallback)>) -> Logger {
        Logger { callback }
    }

    /// True when a record of `level` would go anywhere.
    pub(crate) fn enabled(&self, level: LogLevel) -> bool {
        self.callback.as_ref().is_some_and(|(max, _)| level <= *max)
            || log::log_enabled!(target: "cashfree_rpd", level.facade())
    }

    /// Sends one record (built only when enabled), scrubbed of the secrets.
    pub(crate) fn emit(
        &self,
        level: LogLevel,
        redactor: &Redactor,
        message: impl FnOnce() -> String,
    ) {
        if !self.enabled(level) {
            return;
        }
        let text = redactor.scrub_str(&message());
        log::log!(target: "cashfree_rpd", level.facade(), "{text}");
        if let Some((max, callback)) = &self.callback {
            if level <= *max {
                callback(level, &text);
            }
        }
    }
}
