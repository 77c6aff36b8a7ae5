//! The command line, declared with clap's derive API.

use std::path::PathBuf;
use std::time::Duration;

use cashfree_rpd::Environment;
use clap::{ArgGroup, Args, Parser, Subcommand};

/// Shown after the top-level `--help`: environment, exit codes and examples.
const AFTER_HELP: &str = "\
Environment variables (flags override them; an empty variable counts as unset):
  CASHFREE_CLIENT_ID       client id               (--client-id)
  CASHFREE_CLIENT_SECRET   client secret           (--client-secret; prefer the variable:
                           command lines are visible to other users of the machine)
  CASHFREE_ENV             sandbox | production    (--env)
  CASHFREE_BASE_URL        custom base URL         (--base-url)
  CASHFREE_PUBLIC_KEY      PEM file path or PEM text of the x-cf-signature key (--public-key)
  CFRPD_JOURNAL            create journal file (--journal): see `cfrpd journal --help`

Exit codes:
  0  success (wait: the verification ended SUCCESS)
  1  API error: 4xx/5xx answer or an unexpected response
  2  bad input or usage (unknown flag, invalid id, missing credentials, bad key file)
  3  network, timeout or TLS failure (nothing usable came back; wait: no poll got a
     status before the deadline and the last one failed so)
  4  wait: the deadline passed while the request was still pending (CREATED seen)
  5  wait: the verification ended FAILURE or EXPIRED (not verified)
  130 interrupted by Ctrl-C (143: SIGTERM, 129: SIGHUP); wait reports the last status

Examples:
  cfrpd emulator --port 8080 --auto-pay-secs 20        # a local emulator, in another terminal
  export CASHFREE_BASE_URL=http://127.0.0.1:8080/verification
  export CASHFREE_CLIENT_ID=emulator-client-id CASHFREE_CLIENT_SECRET=emulator-client-secret
  cfrpd create --name 'Jane Doe' --qr                  # prints the id, links and a QR code
  cfrpd emulator pay cfrpd-1718000000000-4242          # pay it on the emulator, as the customer
  cfrpd wait --id cfrpd-1718000000000-4242 --timeout 600
  cfrpd status --ref-id 3905 --json | jq .name_at_bank
  cfrpd --env production create --id order-1234 --name 'Jane Doe' --json
";

/// `cfrpd`: operator command line for Cashfree Reverse Penny Drop (bank account
/// verification over UPI).
#[derive(Parser, Debug)]
#[command(
    name = "cfrpd",
    version,
    about = "Operator command line for Cashfree Reverse Penny Drop (bank account verification over UPI)",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Flags shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after any command (listed apart from a command's own flags
/// in its `--help`).
#[derive(Args, Debug, Default, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Cashfree environment: sandbox or production [env: CASHFREE_ENV] [default: sandbox]
    #[arg(long = "env", value_name = "ENV", value_parser = parse_environment, global = true)]
    pub environment: Option<Environment>,
    /// Send requests to this base URL instead (https://, or http:// for loopback only)
    /// [env: CASHFREE_BASE_URL]
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,
    /// PEM file of the RSA public key for x-cf-signature [env: CASHFREE_PUBLIC_KEY]
    #[arg(long, value_name = "PATH", global = true)]
    pub public_key: Option<PathBuf>,
    /// PEM file of an extra CA certificate to trust (e.g. `cfrpd emulator --tls`)
    #[arg(long, value_name = "PATH", global = true)]
    pub ca_cert: Option<PathBuf>,
    /// Client id [env: CASHFREE_CLIENT_ID]
    #[arg(long, value_name = "ID", global = true)]
    pub client_id: Option<String>,
    /// Client secret [env: CASHFREE_CLIENT_SECRET] (the variable is safer)
    #[arg(long, value_name = "SECRET", global = true)]
    pub client_secret: Option<String>,
    /// Print one JSON object on stdout (the result, or {"error": {...}})
    #[arg(long, global = true)]
    pub json: bool,
    /// Print the library's diagnostics to stderr: -v one line per attempt and retry,
    /// -vv also connections (never the secret, never bodies)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Record creates in this journal file, so a crash mid-create can be resumed
    /// (`cfrpd journal list`, `cfrpd journal resolve ID`) [env: CFRPD_JOURNAL]
    #[arg(long, value_name = "PATH", global = true)]
    pub journal: Option<PathBuf>,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a verification request and print its UPI link and app deep links
    #[command(after_help = "Example:\n  cfrpd create --name 'Jane Doe' --qr")]
    Create(CreateArgs),
    /// Print every field of a request's current status
    #[command(
        after_help = "Examples:\n  cfrpd status --id order-1234\n  cfrpd status --ref-id 3905 --json"
    )]
    Status(StatusArgs),
    /// Poll a request until it is SUCCESS, FAILURE or EXPIRED, then print its status
    #[command(
        after_help = "Each failed poll prints a line on stderr (what failed, when the next try is;\n\
                      a JSON object with --json; nothing with --quiet).\n\n\
                      Exit codes: 0 SUCCESS, 4 still pending (CREATED) at the deadline,\n\
                      5 FAILURE or EXPIRED, 1 API error, 2 bad input, 3 network (also when no\n\
                      poll got a status before the deadline: the last error's code).\n\n\
                      Example:\n  cfrpd wait --id order-1234 --timeout 600 --interval 3"
    )]
    Wait(WaitArgs),
    /// The create journal (--journal PATH): list its open entries, or settle one
    #[command(
        subcommand,
        after_help = "Examples:\n  cfrpd --journal /var/lib/pos/creates.journal journal list\n  \
                      cfrpd --journal /var/lib/pos/creates.journal journal resolve order-1234"
    )]
    Journal(JournalCommand),
    /// Run the local emulator (default port 8080); `cfrpd emulator --help` lists its flags
    #[command(disable_help_flag = true)]
    Emulator(EmulatorArgs),
}

/// `cfrpd journal …`.
#[derive(Subcommand, Debug)]
pub enum JournalCommand {
    /// Print the open entries, oldest first: SENDING (sent, no answer recorded: may
    /// exist at Cashfree) or CREATED (answer recorded: its links and QR), each with the
    /// time of its intent in ISO 8601 UTC (--json: recorded_at, and recorded_at_ms in
    /// Unix milliseconds)
    List,
    /// Look the id up once and settle its entry (a final status or an id Cashfree does
    /// not know closes it); prints the status
    Resolve {
        /// The verification_id of the entry
        id: String,
    },
}

/// `cfrpd create`.
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// verification_id: 1-50 characters of A-Z a-z 0-9 . _ - [default: cfrpd-<unix-ms>-<pid>]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Name the account holder is expected to have
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Also print the UPI link as a QR code (on stderr with --json)
    #[arg(long)]
    pub qr: bool,
}

/// `cfrpd status`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("lookup").required(true).args(["id", "ref_id"])))]
pub struct StatusArgs {
    /// The merchant's verification_id
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Cashfree's ref_id
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub ref_id: Option<i64>,
}

/// `cfrpd wait`.
#[derive(Args, Debug)]
pub struct WaitArgs {
    /// The merchant's verification_id
    #[arg(long, value_name = "ID")]
    pub id: String,
    /// Give up after this many seconds
    #[arg(long, value_name = "SECS", default_value = "600", value_parser = parse_seconds)]
    pub timeout: Duration,
    /// Seconds between polls (at least 0.5: the library never polls faster)
    #[arg(long, value_name = "SECS", default_value = "3", value_parser = parse_interval)]
    pub interval: Duration,
    /// No progress output on stderr (neither progress nor failed-poll lines)
    #[arg(long, short)]
    pub quiet: bool,
}

/// `cfrpd emulator`: everything after it goes to the emulator.
#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// Emulator flags (see `cfrpd emulator --help`)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0.., value_name = "ARGS")]
    pub args: Vec<String>,
}

/// Longest accepted `--timeout` / `--interval`: one week.
const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// Parses a positive number of seconds (decimals allowed, at most a week).
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| "not a number of seconds".to_string())?;
    if !secs.is_finite() || secs <= 0.0 {
        return Err("must be greater than 0".into());
    }
    if secs > MAX_SECONDS {
        return Err(format!("must be at most {MAX_SECONDS} (one week)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The shortest pause between polls: the library raises shorter ones to this
/// (`WaitOptions::poll_interval`), so a shorter `--interval` is refused rather than
/// silently changed.
pub const MIN_INTERVAL: Duration = Duration::from_millis(500);

/// Parses `--interval`: [`parse_seconds`], at least [`MIN_INTERVAL`].
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_seconds(s)?;
    if d < MIN_INTERVAL {
        return Err(format!(
            "must be at least {} (seconds): the library never polls faster",
            crate::progress::fmt_secs(MIN_INTERVAL)
        ));
    }
    Ok(d)
}

/// Parses `sandbox` / `production` (as [`Environment::parse`]).
pub fn parse_environment(s: &str) -> Result<Environment, String> {
    Environment::parse(s).ok_or_else(|| "use sandbox or production".to_string())
}

/// Global flags that take a value (for spotting `emulator` before clap runs).
const GLOBAL_VALUE_FLAGS: [&str; 6] = [
    "--env",
    "--base-url",
    "--public-key",
    "--ca-cert",
    "--client-id",
    "--client-secret",
];

/// When the command is `emulator`, the arguments after it, untouched by clap (the
/// emulator has flags of its own, some with the same names as global flags).
pub fn emulator_passthrough(args: &[String]) -> Option<Vec<String>> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "emulator" {
            return Some(args[i + 1..].to_vec());
        }
        if a == "--json"
            || GLOBAL_VALUE_FLAGS
                .iter()
                .any(|f| a.starts_with(&format!("{f}=")))
        {
            i += 1;
        } else if GLOBAL_VALUE_FLAGS.contains(&a) {
            i += 2;
        } else {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("3").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_seconds("0.5").unwrap(), Duration::from_millis(500));
        for bad in ["0", "-1", "abc", "NaN", "inf", "1e9", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn intervals_below_half_a_second_are_refused() {
        assert_eq!(parse_interval("0.5").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_interval("3").unwrap(), Duration::from_secs(3));
        let e = parse_interval("0.1").unwrap_err();
        assert!(e.contains("at least 0.5"), "{e}");
        assert!(parse_interval("0.499").is_err());
        assert!(parse_interval("0").is_err());
    }

    #[test]
    fn emulator_is_spotted_after_global_flags() {
        let got = emulator_passthrough(&strings(&["--json", "emulator", "--client-id", "x"]));
        assert_eq!(got, Some(strings(&["--client-id", "x"])));
        let got = emulator_passthrough(&strings(&["--env", "sandbox", "--base-url=u", "emulator"]));
        assert_eq!(got, Some(vec![]));
        assert_eq!(
            emulator_passthrough(&strings(&["status", "emulator"])),
            None
        );
        assert_eq!(
            emulator_passthrough(&strings(&["--client-id", "emulator", "status"])),
            None
        );
        assert_eq!(emulator_passthrough(&[]), None);
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "cfrpd",
            "wait",
            "--id",
            "a",
            "--interval",
            "0.5",
            "--env",
            "PRODUCTION",
        ])
        .unwrap();
        assert_eq!(cli.global.environment, Some(Environment::Production));
        match cli.command {
            Command::Wait(w) => {
                assert_eq!(w.timeout, Duration::from_secs(600));
                assert_eq!(w.interval, Duration::from_millis(500));
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["cfrpd", "status"]).is_err());
        assert!(Cli::try_parse_from(["cfrpd", "status", "--id", "a", "--ref-id", "1"]).is_err());
        assert!(Cli::try_parse_from(["cfrpd", "create", "--id", "a"]).is_err());
        assert!(Cli::try_parse_from(["cfrpd", "--env", "staging", "status", "--id", "a"]).is_err());
    }
}
