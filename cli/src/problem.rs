//! A failure of a command, ready to be reported on stderr and (with `--json`) stdout.

use cashfree_rpd::{Error, ErrorKind, Status};
use serde_json::{json, Value};

use crate::exit;
use crate::output::{sanitize, status_json};

/// Why a command failed (boxed: it travels in every `Result`).
#[derive(Debug, Clone)]
pub struct Problem(Box<Details>);

impl std::ops::Deref for Problem {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

/// The fields of the `--json` error object, and what else is reported.
#[derive(Debug, Clone)]
pub struct Details {
    /// snake_case kind: the library's [`ErrorKind`] (`unauthorized`, `network`, ...) or
    /// `usage` for command-line errors.
    pub kind: String,
    /// A sentence a person can act on (never the secret).
    pub message: String,
    /// HTTP status code, when a response arrived.
    pub http_status: Option<u16>,
    /// Cashfree's error `code`.
    pub api_code: Option<String>,
    /// Cashfree's error `type`.
    pub api_type: Option<String>,
    /// Repeating the same call is safe and may succeed.
    pub retryable: bool,
    /// A create may have reached Cashfree: look the id up before creating again.
    pub ambiguous: bool,
    /// The x-request-id of the last attempt (quote it to Cashfree support).
    pub request_id: Option<String>,
    /// The process exit code.
    pub exit_code: i32,
    /// `wait` only: the last status seen.
    pub last_status: Option<Box<Status>>,
    /// One more line of advice for stderr.
    pub hint: Option<String>,
}

impl Problem {
    /// A command-line problem (exit code 2).
    pub fn usage(message: impl Into<String>) -> Problem {
        Problem(Box::new(Details {
            kind: "usage".into(),
            message: message.into(),
            http_status: None,
            api_code: None,
            api_type: None,
            retryable: false,
            ambiguous: false,
            request_id: None,
            exit_code: exit::USAGE,
            last_status: None,
            hint: None,
        }))
    }

    /// The command was stopped by `signal` (Ctrl-C is SIGINT): exit code 128 + signal.
    pub fn interrupted(signal: i32) -> Problem {
        let mut p = Problem::usage(format!(
            "interrupted by {}",
            crate::signals::signal_name(signal)
        ));
        p.kind = "interrupted".into();
        p.exit_code = 128 + signal;
        p
    }

    /// A library error met while building the configuration: always exit code 2.
    pub fn config(e: Error) -> Problem {
        let mut p = Problem::from(e);
        p.exit_code = exit::USAGE;
        p
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        Problem(Box::new(Details {
            kind: kind_name(e.kind()),
            message: e.message().to_string(),
            http_status: e.http_status(),
            api_code: e.api_code().map(str::to_string),
            api_type: e.api_type().map(str::to_string),
            retryable: e.is_retryable(),
            ambiguous: e.is_ambiguous(),
            request_id: e.request_id().map(str::to_string),
            exit_code: exit::for_kind(e.kind()),
            last_status: None,
            hint: None,
        }))
    }
}

/// `InvalidInput` → `invalid_input`: the library's name of the kind (its `Display`).
pub fn kind_name(kind: ErrorKind) -> String {
    kind.as_str().to_string()
}

/// The name `kind_name` gave before the library named its kinds (checks they agree).
#[cfg(test)]
fn kind_name_from_debug(kind: ErrorKind) -> String {
    let camel = format!("{kind:?}");
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The `--json` error object: `{"error": {...}}`, plus `last_status` for `wait`.
pub fn problem_json(p: &Problem, with_last_status: bool) -> Value {
    let mut v = json!({
        "error": {
            "kind": p.kind,
            "message": p.message,
            "http_status": p.http_status,
            "api_code": p.api_code,
            "api_type": p.api_type,
            "retryable": p.retryable,
            "ambiguous": p.ambiguous,
            "request_id": p.request_id,
            "exit_code": p.exit_code,
        }
    });
    if with_last_status {
        v["last_status"] = p.last_status.as_deref().map_or(Value::Null, status_json);
    }
    v
}

/// The stderr text: `error: ...` and an optional hint line.
pub fn problem_text(p: &Problem) -> String {
    let mut s = format!("error: {}\n", sanitize(&p.message));
    if let Some(h) = &p.hint {
        s.push_str(&format!("hint: {}\n", sanitize(h)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_snake_case() {
        assert_eq!(kind_name(ErrorKind::InvalidInput), "invalid_input");
        assert_eq!(kind_name(ErrorKind::Network), "network");
        assert_eq!(
            kind_name(ErrorKind::UnexpectedResponse),
            "unexpected_response"
        );
    }

    #[test]
    fn the_library_names_every_kind_as_the_json_always_did() {
        use ErrorKind::*;
        for kind in [
            InvalidInput,
            Network,
            Timeout,
            Tls,
            BadRequest,
            DuplicateId,
            Unauthorized,
            Forbidden,
            NotFound,
            InsufficientBalance,
            RateLimited,
            Server,
            Http,
            UnexpectedResponse,
            Signature,
            Cancelled,
            Deadline,
            WebhookSignature,
            Journal,
        ] {
            assert_eq!(kind_name(kind), kind_name_from_debug(kind));
            assert_eq!(kind.to_string(), kind_name(kind));
        }
    }

    #[test]
    fn json_shape() {
        let p = Problem::usage("bad");
        let v = problem_json(&p, false);
        assert_eq!(v["error"]["kind"], "usage");
        assert_eq!(v["error"]["http_status"], Value::Null);
        assert_eq!(v["error"]["exit_code"], 2);
        assert!(v.get("last_status").is_none());
        assert_eq!(problem_json(&p, true)["last_status"], Value::Null);
        let v = problem_json(&Problem::interrupted(2), true);
        assert_eq!(v["error"]["kind"], "interrupted");
        assert_eq!(v["error"]["exit_code"], 130);
        assert!(v["error"]["message"].as_str().unwrap().contains("Ctrl-C"));
    }
}
