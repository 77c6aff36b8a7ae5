//! Builds the library's [`Config`] from flags, then environment variables.

use std::path::Path;

use cashfree_rpd::{Config, Environment};

use crate::args::GlobalArgs;
use crate::problem::Problem;

/// One setting: the flag's value, else the (non-empty) variable's, with where it came
/// from for messages.
fn pick(
    flag: Option<String>,
    flag_name: &str,
    var: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, String)> {
    match flag {
        Some(v) => Some((v, flag_name.to_string())),
        None => lookup(var)
            .filter(|v| !v.is_empty())
            .map(|v| (v, var.to_string())),
    }
}

/// The configuration for the API commands: flags override `CASHFREE_*` variables
/// (read through `lookup`). Every failure is a usage problem (exit code 2) that names
/// the flag or variable at fault, and never contains the secret.
pub fn build_config(
    global: &GlobalArgs,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, Problem> {
    let (id, _) = pick(
        global.client_id.clone(),
        "--client-id",
        "CASHFREE_CLIENT_ID",
        lookup,
    )
    .ok_or_else(|| Problem::usage("no client id: pass --client-id or set CASHFREE_CLIENT_ID"))?;
    let (secret, _) = pick(
        global.client_secret.clone(),
        "--client-secret",
        "CASHFREE_CLIENT_SECRET",
        lookup,
    )
    .ok_or_else(|| {
        Problem::usage("no client secret: set CASHFREE_CLIENT_SECRET or pass --client-secret")
    })?;
    let mut config = Config::new(&id, &secret).map_err(Problem::config)?;
    if global.verbose > 0 {
        let level = if global.verbose > 1 {
            cashfree_rpd::LogLevel::Debug
        } else {
            cashfree_rpd::LogLevel::Info
        };
        config.set_log_callback(level, |level, line| {
            use std::io::Write;
            // A closed stderr must not end the program.
            let _ = writeln!(std::io::stderr(), "cfrpd: {level}: {line}");
        });
    }

    let environment = match global.environment {
        Some(env) => Some(env),
        None => match lookup("CASHFREE_ENV").filter(|v| !v.is_empty()) {
            Some(v) => Some(Environment::parse(&v).ok_or_else(|| {
                Problem::usage(format!(
                    "CASHFREE_ENV is {v:?}: use \"sandbox\" or \"production\""
                ))
            })?),
            None => None,
        },
    };
    if let Some(env) = environment {
        config.set_environment(env);
    }

    if let Some((url, from)) = pick(
        global.base_url.clone(),
        "--base-url",
        "CASHFREE_BASE_URL",
        lookup,
    ) {
        config
            .set_base_url(&url)
            .map_err(|e| Problem::usage(format!("{from}: {e}")))?;
    }

    let key = match &global.public_key {
        Some(path) => Some(("--public-key".to_string(), read_pem(path, "--public-key")?)),
        None => match lookup("CASHFREE_PUBLIC_KEY").filter(|v| !v.is_empty()) {
            Some(v) if v.trim_start().starts_with("-----BEGIN") => {
                Some(("CASHFREE_PUBLIC_KEY".to_string(), v))
            }
            Some(v) => Some((
                "CASHFREE_PUBLIC_KEY".to_string(),
                read_pem(Path::new(&v), "CASHFREE_PUBLIC_KEY")?,
            )),
            None => None,
        },
    };
    if let Some((from, pem)) = key {
        config
            .set_public_key_pem(&pem)
            .map_err(|e| Problem::usage(format!("{from}: {e}")))?;
    }

    match &global.journal {
        Some(path) => {
            config.set_journal_path(path);
        }
        None => {
            if let Some(path) = lookup("CFRPD_JOURNAL").filter(|v| !v.is_empty()) {
                config.set_journal_path(path);
            }
        }
    }

    if let Some(path) = &global.ca_cert {
        let pem = read_pem(path, "--ca-cert")?;
        config
            .add_root_ca_pem(&pem)
            .map_err(|e| Problem::usage(format!("--ca-cert: {e}")))?;
    }
    Ok(config)
}

/// Reads a PEM file, naming the flag or variable when it cannot.
fn read_pem(path: &Path, from: &str) -> Result<String, Problem> {
    std::fs::read_to_string(path)
        .map_err(|e| Problem::usage(format!("{from}: cannot read {}: {e}", path.display())))
}

/// Reads a real environment variable (lossily, so a non-UTF-8 value never aborts).
pub fn env_lookup(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn flags_override_variables() {
        let global = GlobalArgs {
            client_id: Some("flag-id".into()),
            base_url: Some("http://127.0.0.1:9/verification".into()),
            ..GlobalArgs::default()
        };
        let lookup = vars(&[
            ("CASHFREE_CLIENT_ID", "env-id"),
            ("CASHFREE_CLIENT_SECRET", "env-secret"),
            ("CASHFREE_BASE_URL", "https://example.com/x"),
            ("CASHFREE_ENV", "production"),
        ]);
        let config = build_config(&global, &lookup).unwrap();
        assert_eq!(config.client_id(), "flag-id");
        assert_eq!(
            config.effective_base_url(),
            "http://127.0.0.1:9/verification"
        );
    }

    #[test]
    fn problems_name_their_source_and_are_usage_errors() {
        let none = GlobalArgs::default();
        let p = build_config(&none, &vars(&[])).unwrap_err();
        assert!(p.message.contains("CASHFREE_CLIENT_ID"), "{}", p.message);
        assert_eq!(p.exit_code, exit::USAGE);

        let lookup = vars(&[
            ("CASHFREE_CLIENT_ID", "id"),
            ("CASHFREE_CLIENT_SECRET", "top-secret"),
            ("CASHFREE_ENV", "staging"),
        ]);
        let p = build_config(&none, &lookup).unwrap_err();
        assert!(p.message.contains("CASHFREE_ENV"));

        let global = GlobalArgs {
            base_url: Some("http://example.com".into()),
            ..GlobalArgs::default()
        };
        let lookup = vars(&[
            ("CASHFREE_CLIENT_ID", "id"),
            ("CASHFREE_CLIENT_SECRET", "s"),
        ]);
        let p = build_config(&global, &lookup).unwrap_err();
        assert!(p.message.starts_with("--base-url:"), "{}", p.message);
        assert_eq!(p.exit_code, exit::USAGE);

        let global = GlobalArgs {
            public_key: Some("/nonexistent/key.pem".into()),
            ..GlobalArgs::default()
        };
        let p = build_config(&global, &lookup).unwrap_err();
        assert!(p.message.contains("/nonexistent/key.pem"));

        let global = GlobalArgs {
            client_secret: Some("bad\nsecret-value".into()),
            ..GlobalArgs::default()
        };
        let p = build_config(&global, &lookup).unwrap_err();
        assert!(!p.message.contains("secret-value"));
        assert_eq!(p.exit_code, exit::USAGE);
    }
}
