//! Command-line front end (`cashfree-rpd-emulator`, also reused by `cfrpd emulator`).

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Emulator, Environment, Options, ReversalOutcome, PRODUCTION_CLIENT_SECRET};

const USAGE: &str = "\
cashfree-rpd-emulator — local emulator of Cashfree's Reverse Penny Drop API

USAGE: cashfree-rpd-emulator [OPTIONS]

OPTIONS:
  --host ADDR                 listen address (default 127.0.0.1)
  --port N                    listen port (default 0 = any free port)
  --client-id ID              accepted x-client-id (default emulator-client-id)
  --client-secret SECRET      accepted x-client-secret (default emulator-client-secret,
                              or cfsk_ma_prod_emulator_client_secret with --production)
  --production                play Cashfree production: refuse test secrets (containing
                              _test_, or emulator-client-secret) with 400
                              client_secret_invalid_environment; without it the emulator
                              plays sandbox and refuses secrets containing _prod_
  --validity-secs N           seconds before a request expires (default 600)
  --auto-pay-secs N           pay every request N seconds after creation
  --auto-pay-outcome O        success|failure (default success)
  --payer-name NAME           payer name of automatic payments (default: the name sent at
                              create, in capitals, so the name match is DIRECT_MATCH)
  --reversal-step-secs S      seconds (decimals allowed) of each refund step after a
                              payment: PENDING, then TRANSFER_INITIATED, then final
                              (default 5; 0 = final at once)
  --reversal-outcome O        transfer_success|failed: how refunds end (default
                              transfer_success)
  --rate-limit N/SECS         at most N API requests per client id per SECS-second window;
                              answers carry X-RateLimit-Limit/-Remaining/-Reset, and 429
                              once the window is used up
  --tls                       serve HTTPS with a generated CA (its PEM is written to a file)
  --ca-file PATH              where to write the CA PEM with --tls (default: temp dir)
  --require-signature PEM     require x-cf-signature; PEM = path of the RSA private key
  --webhook-url URL           POST webhooks to this http://127.0.0.1... URL
  --balance N                 creates allowed before 422 insufficient balance
  --log                       log every request to stderr
  -h, --help                  print this help

Control endpoints (no auth): POST /__emulator/pay {\"verification_id\",\"outcome\",\"name\"},
POST /__emulator/fault {\"endpoint\",\"kind\",\"times\",...}, GET /__emulator/stats,
GET /__emulator/requests, POST /__emulator/reset. A verification_id starting with
emu-fault-<code> (400, 401, 403, 404, 422, 429, 500, 502, 503) answers that documented
error; one starting with emu-reversal-failed ends its refund FAILED.
Everything is documented in emulator/README.md.
";

/// Every flag (for the error message of an unknown one).
const FLAGS: &[&str] = &[
    "--host",
    "--port",
    "--client-id",
    "--client-secret",
    "--production",
    "--validity-secs",
    "--auto-pay-secs",
    "--auto-pay-outcome",
    "--payer-name",
    "--reversal-step-secs",
    "--reversal-outcome",
    "--rate-limit",
    "--tls",
    "--ca-file",
    "--require-signature",
    "--webhook-url",
    "--balance",
    "--log",
    "--help",
];

/// Seconds with optional decimals ("2", "0.5") as a Duration.
fn parse_secs(flag: &str, s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f >= 0.0 && *f <= 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{flag}: {s:?} is not a number of seconds (e.g. 5 or 0.5)"))
}

/// Parsed command line.
struct Cli {
    opts: Options,
    ca_file: Option<PathBuf>,
}

/// The flags as clap reads them; [`parse`] turns them into [`Options`]. The help text
/// is [`USAGE`] (clap's own help and version flags are off). A flag given twice keeps
/// its last value, and values may start with `-`.
#[derive(clap::Parser)]
#[command(
    name = "cashfree-rpd-emulator",
    disable_help_flag = true,
    disable_version_flag = true,
    args_override_self = true
)]
struct Flags {
    #[arg(short = 'h', long = "help")]
    help: bool,
    #[arg(long, allow_hyphen_values = true, value_parser = |v: &str| v.parse::<IpAddr>()
        .map_err(|_| format!("--host: {v:?} is not an IP address")))]
    host: Option<IpAddr>,
    #[arg(long, allow_hyphen_values = true, value_parser = |v: &str| v.parse::<u16>()
        .map_err(|_| format!("--port: {v:?} is not a port")))]
    port: Option<u16>,
    #[arg(long, allow_hyphen_values = true)]
    client_id: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    client_secret: Option<String>,
    #[arg(long)]
    production: bool,
    #[arg(long, allow_hyphen_values = true, value_parser = |v: &str| num("--validity-secs", v))]
    validity_secs: Option<u64>,
    #[arg(long, allow_hyphen_values = true, value_parser = |v: &str| num("--auto-pay-secs", v))]
    auto_pay_secs: Option<u64>,
    #[arg(long, allow_hyphen_values = true, value_parser = auto_pay_outcome)]
    auto_pay_outcome: Option<bool>,
    #[arg(long, allow_hyphen_values = true)]
    payer_name: Option<String>,
    #[arg(long, allow_hyphen_values = true,
        value_parser = |v: &str| parse_secs("--reversal-step-secs", v))]
    reversal_step_secs: Option<Duration>,
    #[arg(long, allow_hyphen_values = true, value_parser = reversal_outcome)]
    reversal_outcome: Option<ReversalOutcome>,
    #[arg(long, allow_hyphen_values = true, value_parser = rate_limit)]
    rate_limit: Option<(u32, Duration)>,
    #[arg(long)]
    tls: bool,
    #[arg(long, allow_hyphen_values = true)]
    ca_file: Option<PathBuf>,
    #[arg(long, allow_hyphen_values = true)]
    require_signature: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    webhook_url: Option<String>,
    #[arg(long, allow_hyphen_values = true, value_parser = |v: &str| num("--balance", v))]
    balance: Option<u64>,
    #[arg(long)]
    log: bool,
}

fn num(flag: &str, s: &str) -> Result<u64, String> {
    s.parse()
        .map_err(|_| format!("{flag}: {s:?} is not a non-negative integer"))
}

fn auto_pay_outcome(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "success" => Ok(true),
        "failure" => Ok(false),
        _ => Err(format!(
            "--auto-pay-outcome: {v:?} is not one of: success, failure"
        )),
    }
}

fn reversal_outcome(v: &str) -> Result<ReversalOutcome, String> {
    match v.to_ascii_lowercase().as_str() {
        "transfer_success" | "success" => Ok(ReversalOutcome::TransferSuccess),
        "failed" => Ok(ReversalOutcome::Failed),
        _ => Err(format!(
            "--reversal-outcome: {v:?} is not one of: transfer_success, failed"
        )),
    }
}

fn rate_limit(v: &str) -> Result<(u32, Duration), String> {
    let bad = || format!("--rate-limit: {v:?} is not N/SECS (e.g. 10/60 or 2/1.5)");
    let (n, secs) = v.split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let window = parse_secs("--rate-limit", secs.trim())?;
    if n == 0 || window.is_zero() {
        return Err(format!(
            "--rate-limit: {v:?} must allow at least 1 request per non-zero window"
        ));
    }
    Ok((n, window))
}

/// clap's error as this program words it: a refused value says only why; an unknown
/// flag lists the valid ones.
fn refusal(e: clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::ValueValidation => {
            if let Some(why) = std::error::Error::source(&e) {
                return why.to_string();
            }
        }
        ErrorKind::UnknownArgument => {
            let arg = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(a)) => a.clone(),
                _ => String::new(),
            };
            return format!("unknown argument {arg:?}; valid flags: {}", FLAGS.join(" "));
        }
        _ => {}
    }
    let text = e.to_string();
    text.trim()
        .trim_start_matches("error: ")
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

fn parse(args: &[String]) -> Result<Option<Cli>, String> {
    use clap::Parser;
    let argv = std::iter::once("cashfree-rpd-emulator".to_string()).chain(args.iter().cloned());
    let f = Flags::try_parse_from(argv).map_err(refusal)?;
    if f.help {
        return Ok(None);
    }
    let mut opts = Options::default();
    if let Some(h) = f.host {
        opts.host = h;
    }
    if let Some(p) = f.port {
        opts.port = p;
    }
    if let Some(id) = f.client_id {
        opts.client_id = id;
    }
    let secret_given = f.client_secret.is_some();
    if let Some(s) = f.client_secret {
        opts.client_secret = s;
    }
    if f.production {
        opts.environment = Environment::Production;
    }
    if let Some(v) = f.validity_secs {
        opts.validity = Duration::from_secs(v);
    }
    if let Some(v) = f.auto_pay_secs {
        opts.auto_pay_after = Some(Duration::from_secs(v));
    }
    if let Some(success) = f.auto_pay_outcome {
        opts.auto_pay_outcome.success = success;
    }
    if let Some(name) = f.payer_name {
        opts.auto_pay_outcome.payer_name = name;
    }
    if let Some(step) = f.reversal_step_secs {
        opts.reversal_step = step;
    }
    if let Some(o) = f.reversal_outcome {
        opts.reversal_outcome = o;
    }
    if f.rate_limit.is_some() {
        opts.rate_limit = f.rate_limit;
    }
    opts.tls = f.tls;
    if let Some(path) = f.require_signature {
        let pem = std::fs::read_to_string(&path)
            .map_err(|e| format!("--require-signature {path}: {e}"))?;
        opts.signature_private_key_pem = Some(pem);
    }
    if f.webhook_url.is_some() {
        opts.webhook_url = f.webhook_url;
    }
    if f.balance.is_some() {
        opts.balance = f.balance;
    }
    opts.log = f.log;
    if opts.environment == Environment::Production && !secret_given {
        opts.client_secret = PRODUCTION_CLIENT_SECRET.to_string();
    }
    Ok(Some(Cli {
        opts,
        ca_file: f.ca_file,
    }))
}

/// The `--help` text of [`run_cli`].
pub fn usage() -> &'static str {
    USAGE
}

/// Runs the emulator from command-line arguments (without the program name) until
/// the process is killed. Returns an exit code: 0 after `--help`, 2 on a usage error,
/// 1 if the server cannot start.
pub fn run_cli(args: Vec<String>) -> i32 {
    let cli = match parse(&args) {
        Ok(Some(cli)) => cli,
        Ok(None) => {
            print!("{USAGE}");
            return 0;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return 2;
        }
    };
    let emu = match Emulator::start(cli.opts.clone()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the emulator: {e}");
            return 1;
        }
    };
    let mut line = format!(
        "cashfree-rpd-emulator listening: base URL {} client id {} client secret {}",
        emu.base_url(),
        cli.opts.client_id,
        cli.opts.client_secret
    );
    if let Some(pem) = emu.ca_cert_pem() {
        let path = cli.ca_file.unwrap_or_else(|| {
            std::env::temp_dir().join(format!(
                "cashfree-rpd-emulator-ca-{}.pem",
                emu.addr().port()
            ))
        });
        if let Err(e) = std::fs::write(&path, pem) {
            eprintln!(
                "error: cannot write the CA certificate to {}: {e}",
                path.display()
            );
            return 1;
        }
        line.push_str(&format!(" CA certificate {}", path.display()));
    }
    println!("{line}");
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn parses_flags() {
        let cli = parse(&args(&[
            "--port",
            "8080",
            "--validity-secs=5",
            "--auto-pay-secs",
            "1",
            "--auto-pay-outcome",
            "failure",
            "--tls",
            "--balance",
            "3",
            "--log",
            "--client-id",
            "abc",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(cli.opts.port, 8080);
        assert_eq!(cli.opts.validity, Duration::from_secs(5));
        assert_eq!(cli.opts.auto_pay_after, Some(Duration::from_secs(1)));
        assert!(!cli.opts.auto_pay_outcome.success);
        assert!(cli.opts.tls && cli.opts.log);
        assert_eq!(cli.opts.balance, Some(3));
        assert_eq!(cli.opts.client_id, "abc");
        assert!(parse(&args(&["--help"])).unwrap().is_none());
        assert!(parse(&args(&["--port"])).is_err());
        assert!(parse(&args(&["--bogus"])).is_err());
        assert!(parse(&args(&["--auto-pay-outcome", "maybe"])).is_err());
    }

    #[test]
    fn parses_the_new_flags() {
        let cli = parse(&args(&[
            "--reversal-step-secs",
            "0.5",
            "--reversal-outcome=failed",
            "--rate-limit",
            "3/1.5",
            "--production",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(cli.opts.reversal_step, Duration::from_millis(500));
        assert_eq!(cli.opts.reversal_outcome, ReversalOutcome::Failed);
        assert_eq!(cli.opts.rate_limit, Some((3, Duration::from_millis(1500))));
        assert_eq!(cli.opts.environment, Environment::Production);
        assert_eq!(cli.opts.client_secret, PRODUCTION_CLIENT_SECRET);
        let cli = parse(&args(&[
            "--production",
            "--client-secret",
            "cfsk_ma_prod_x",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(cli.opts.client_secret, "cfsk_ma_prod_x");
        let cli = parse(&args(&[])).unwrap().unwrap();
        assert_eq!(cli.opts.environment, Environment::Sandbox);
        assert_eq!(cli.opts.rate_limit, None);
        assert_eq!(cli.opts.reversal_step, Duration::from_secs(5));
        assert_eq!(cli.opts.auto_pay_outcome.payer_name, "");
    }

    #[test]
    fn usage_and_readme_document_every_flag() {
        let readme = include_str!("../README.md");
        for f in FLAGS {
            assert!(USAGE.contains(f), "--help lacks {f}");
            assert!(
                readme.contains(&format!("| `{f}")) || readme.contains(&format!("`{f}`")),
                "README lacks {f}"
            );
        }
    }

    #[test]
    fn refusals_list_the_valid_values() {
        let err = |a: &[&str]| parse(&args(a)).err().unwrap();
        let e = err(&["--bogus"]);
        for f in FLAGS {
            assert!(e.contains(f), "{e} lacks {f}");
        }
        assert!(err(&["--reversal-outcome", "x"]).contains("transfer_success, failed"));
        assert!(err(&["--auto-pay-outcome", "x"]).contains("success, failure"));
        assert!(err(&["--rate-limit", "10"]).contains("N/SECS"));
        assert!(err(&["--rate-limit", "0/5"]).contains("at least 1"));
        assert!(err(&["--rate-limit", "1/0"]).contains("at least 1"));
        assert!(err(&["--reversal-step-secs", "-1"]).contains("seconds"));
        assert!(err(&["--reversal-step-secs", "abc"]).contains("seconds"));
    }
}
