//! Command-line front end (`cashfree-rpd-emulator`, also reused by `cfrpd emulator`).

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Emulator, Options};

const USAGE: &str = "\
cashfree-rpd-emulator — local emulator of Cashfree's Reverse Penny Drop API

USAGE: cashfree-rpd-emulator [OPTIONS]

OPTIONS:
  --host ADDR                 listen address (default 127.0.0.1)
  --port N                    listen port (default 0 = any free port)
  --client-id ID              accepted x-client-id (default emulator-client-id)
  --client-secret SECRET      accepted x-client-secret (default emulator-client-secret)
  --validity-secs N           seconds before a request expires (default 600)
  --auto-pay-secs N           pay every request N seconds after creation
  --auto-pay-outcome O        success|failure (default success)
  --payer-name NAME           payer name of automatic payments (default JOHN DOE)
  --tls                       serve HTTPS with a generated CA (its PEM is written to a file)
  --ca-file PATH              where to write the CA PEM with --tls (default: temp dir)
  --require-signature PEM     require x-cf-signature; PEM = path of the RSA private key
  --webhook-url URL           POST webhooks to this http://127.0.0.1... URL
  --balance N                 creates allowed before 422 insufficient balance
  --log                       log every request to stderr
  -h, --help                  print this help

Control endpoints (no auth): POST /__emulator/pay {\"verification_id\",\"outcome\",\"name\"},
POST /__emulator/fault {\"endpoint\",\"kind\",\"times\",...}, GET /__emulator/stats,
POST /__emulator/reset. A verification_id starting with emu-fault-<code> (400, 401,
403, 404, 422, 429, 500, 502, 503) answers that documented error.
";

/// Parsed command line.
struct Cli {
    opts: Options,
    ca_file: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Option<Cli>, String> {
    let mut opts = Options::default();
    let mut ca_file = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{flag} needs {what}"))
        };
        let num = |s: String| -> Result<u64, String> {
            s.parse()
                .map_err(|_| format!("{flag}: {s:?} is not a non-negative integer"))
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--host" => {
                let v = value("an IP address")?;
                opts.host = v
                    .parse::<IpAddr>()
                    .map_err(|_| format!("--host: {v:?} is not an IP address"))?;
            }
            "--port" => {
                let v = value("a port")?;
                opts.port = v
                    .parse()
                    .map_err(|_| format!("--port: {v:?} is not a port"))?;
            }
            "--client-id" => opts.client_id = value("an id")?,
            "--client-secret" => opts.client_secret = value("a secret")?,
            "--validity-secs" => opts.validity = Duration::from_secs(num(value("seconds")?)?),
            "--auto-pay-secs" => {
                opts.auto_pay_after = Some(Duration::from_secs(num(value("seconds")?)?))
            }
            "--auto-pay-outcome" => {
                let v = value("success|failure")?;
                opts.auto_pay_outcome.success = match v.to_ascii_lowercase().as_str() {
                    "success" => true,
                    "failure" => false,
                    _ => return Err(format!("--auto-pay-outcome: {v:?} is not success|failure")),
                };
            }
            "--payer-name" => opts.auto_pay_outcome.payer_name = value("a name")?,
            "--tls" => opts.tls = true,
            "--ca-file" => ca_file = Some(PathBuf::from(value("a path")?)),
            "--require-signature" => {
                let path = value("a PEM file path")?;
                let pem = std::fs::read_to_string(&path)
                    .map_err(|e| format!("--require-signature {path}: {e}"))?;
                opts.signature_private_key_pem = Some(pem);
            }
            "--webhook-url" => opts.webhook_url = Some(value("a URL")?),
            "--balance" => opts.balance = Some(num(value("a count")?)?),
            "--log" => opts.log = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(Cli { opts, ca_file }))
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
}
