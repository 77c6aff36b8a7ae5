//! The commands: each returns an exit code, or a [`Problem`] to report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cashfree_rpd::qr::QrCode;
use cashfree_rpd::{Client, Status, VerificationStatus, WaitError, WaitOptions};

use crate::args::{CreateArgs, StatusArgs, WaitArgs};
use crate::exit;
use crate::output::{
    created_json, created_text, err, out, out_json, status_json, status_name, status_text,
};
use crate::problem::Problem;
use crate::progress::{fmt_secs, Mode, Progress};
use crate::signals;

/// Port `cfrpd emulator` listens on unless `--port` is given.
pub const DEFAULT_EMULATOR_PORT: &str = "8080";

/// A fresh verification_id: `cfrpd-<unix-ms>-<pid>`.
pub fn generated_id() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("cfrpd-{ms}-{}", std::process::id())
}

/// `cfrpd create`.
pub fn create(client: &Client, args: CreateArgs, json: bool) -> Result<i32, Problem> {
    let id = args.id.unwrap_or_else(generated_id);
    let look_up = format!(
        "the request may have reached Cashfree: run `cfrpd status --id {id}` before creating it again"
    );
    {
        // Interrupted while the create is in flight: it may have been processed.
        let hint = look_up.clone();
        signals::on_interrupt(Box::new(move |signal| {
            let mut p = Problem::interrupted(signal);
            p.ambiguous = true;
            p.hint = Some(hint);
            crate::report(&p, json, false);
        }));
    }
    let created = client.create(&id, &args.name).map_err(|e| {
        let mut p = Problem::from(e);
        if p.ambiguous {
            p.hint = Some(look_up);
        }
        p
    })?;
    signals::begin_report();
    if json {
        out_json(&created_json(&created));
        if args.qr {
            err(&qr_text(&created.upi_link, std::io::stderr().is_terminal()));
        }
    } else {
        out(&created_text(&created));
        if args.qr {
            out("\n");
            out(&qr_text(&created.upi_link, std::io::stdout().is_terminal()));
        }
        if std::io::stderr().is_terminal() {
            err(&format!(
                "next: pay ₹1 from a UPI app, then run `cfrpd wait --id {}`\n",
                created.verification_id
            ));
        }
    }
    Ok(exit::SUCCESS)
}

/// The UPI link as a Unicode QR code: in black on white ANSI colours for a terminal,
/// plain half blocks for a file or a pipe.
fn qr_text(upi_link: &str, terminal: bool) -> String {
    match QrCode::encode(upi_link) {
        Ok(qr) if terminal => qr.to_unicode_ansi(),
        Ok(qr) => qr.to_unicode(),
        Err(e) => format!("(no QR code: {e})\n"),
    }
}

/// `cfrpd status`.
pub fn status(client: &Client, args: StatusArgs, json: bool) -> Result<i32, Problem> {
    let status = match (&args.id, args.ref_id) {
        (Some(id), _) => client.status(id)?,
        (None, Some(ref_id)) => client.status_by_ref_id(ref_id)?,
        (None, None) => return Err(Problem::usage("give --id ID or --ref-id N")),
    };
    signals::begin_report();
    if json {
        out_json(&status_json(&status));
    } else {
        out(&status_text(&status));
    }
    Ok(exit::SUCCESS)
}

/// `cfrpd wait`: 0 on SUCCESS, 5 on FAILURE/EXPIRED; deadline and errors as problems.
pub fn wait(client: &Client, args: WaitArgs, json: bool) -> Result<i32, Problem> {
    let options = WaitOptions::new(args.timeout).poll_interval(args.interval);
    // Check the id first, so a typo is not hidden behind a progress header.
    cashfree_rpd::validate_verification_id(&args.id)?;
    let mode = Mode::detect(args.quiet);
    let progress = Progress::new(&args.id, args.timeout, mode);
    let last: Arc<Mutex<Option<Status>>> = Arc::default();
    signals::on_interrupt(wait_interrupted(
        args.id.clone(),
        json,
        mode,
        Arc::clone(&last),
    ));
    let started = Instant::now();
    let result = progress.run(args.interval, |on_poll| {
        client.wait_for_result_reporting(
            &args.id,
            &options,
            |status| {
                if let Ok(mut l) = last.lock() {
                    *l = Some(status.clone());
                }
                on_poll(status)
            },
            |error, next_try_in| {
                if let Some(line) = failed_poll_line(mode, json, started, error, next_try_in) {
                    err(&line);
                }
            },
        )
    });
    signals::begin_report();
    let status = result.map_err(|e| wait_problem(&args.id, args.timeout, e))?;
    if json {
        out_json(&status_json(&status));
    } else {
        out(&status_text(&status));
    }
    if status.status == VerificationStatus::Success {
        Ok(exit::SUCCESS)
    } else {
        err(&format!(
            "error: verification {} ended {}: the account is not verified\n",
            args.id,
            status_name(&status.status)
        ));
        Ok(exit::NOT_VERIFIED)
    }
}

/// The stderr line for a failed poll the wait retries: what failed and when the next
/// try is (a JSON object with `--json`; nothing with `--quiet`). On a live terminal the
/// spinner line is wiped first (the spinner redraws below it).
fn failed_poll_line(
    mode: Mode,
    json: bool,
    started: Instant,
    error: &cashfree_rpd::Error,
    next_try_in: Option<std::time::Duration>,
) -> Option<String> {
    if mode == Mode::Quiet {
        return None;
    }
    let elapsed = started.elapsed();
    if json {
        let object = serde_json::json!({
            "event": "poll_failed",
            "elapsed_ms": elapsed.as_millis() as u64,
            "kind": error.kind().as_str(),
            "message": crate::output::sanitize(error.message()),
            "http_status": error.http_status(),
            "next_try_in_ms": next_try_in.map(|d| d.as_millis() as u64),
        });
        return Some(format!("{object}\n"));
    }
    let next = match next_try_in {
        Some(d) => format!("next try in {} s", fmt_secs(d)),
        None => "no time left for another try".to_string(),
    };
    Some(format!(
        "{}[{:>4} s] poll failed ({}): {}; {next}\n",
        if mode == Mode::Live { "\r\x1b[2K" } else { "" },
        elapsed.as_secs(),
        error.kind(),
        crate::output::sanitize(error.message()),
    ))
}

/// The problem a failed wait reports. When no poll ever got a status and the wait ran
/// out of time, the last poll's error decides (a network failure is exit code 3, not 4
/// "still pending": nothing says the request exists).
fn wait_problem(id: &str, timeout: std::time::Duration, e: WaitError) -> Problem {
    let WaitError {
        error,
        last,
        last_error,
    } = e;
    match (error.kind(), &last, last_error) {
        (cashfree_rpd::ErrorKind::Deadline, None, Some(cause)) => {
            let mut p = Problem::from(cause.clone());
            p.message = format!(
                "no status of {id} arrived in {} s: every poll failed; the last one: {}",
                fmt_secs(timeout),
                cause.message()
            );
            p.hint = Some(
                "check --base-url / CASHFREE_BASE_URL and the network; the request's state is unknown"
                    .to_string(),
            );
            p
        }
        _ => {
            let mut p = Problem::from(error);
            p.last_status = last;
            p
        }
    }
}

/// What an interrupted `wait` reports: the last status seen (in the JSON object's
/// `last_status`, and named in the message), after clearing the live progress line.
fn wait_interrupted(
    id: String,
    json: bool,
    mode: Mode,
    last: Arc<Mutex<Option<Status>>>,
) -> signals::Reporter {
    let started = Instant::now();
    Box::new(move |signal| {
        if mode == Mode::Live {
            // The spinner thread can no longer draw (signals.rs holds stderr): wipe its line.
            err("\r\x1b[2K");
        }
        let last = last.lock().ok().and_then(|l| l.clone());
        let mut p = Problem::interrupted(signal);
        p.message = format!(
            "{} after {} s of waiting for {id}; {}",
            p.message,
            fmt_secs(std::time::Duration::from_secs(started.elapsed().as_secs())),
            match &last {
                Some(s) => format!("last status: {}", last_state(s)),
                None => "no status had arrived yet".to_string(),
            }
        );
        p.hint = Some(format!(
            "the request stays open until it is paid or expires: `cfrpd wait --id {id}` waits again"
        ));
        p.last_status = last.map(Box::new);
        crate::report(&p, json, true);
    })
}

/// A status's state for a message: its name, or `(no status)`.
fn last_state(s: &Status) -> String {
    let name = status_name(&s.status);
    if name.is_empty() {
        "(no status)".into()
    } else {
        crate::output::sanitize(name)
    }
}

/// `cfrpd emulator`: hands the arguments to the emulator's own parser, adding
/// `--port 8080` when no port is given. Runs until the process is killed.
/// (`cfrpd emulator pay ID ...` instead pays a request on a running emulator.)
///
/// `--help` shows the emulator's flags under this command's name and defaults. With
/// `--tls` and no `--ca-file`, the CA certificate goes into a private temporary
/// directory that is removed when `cfrpd` ends (Ctrl-C, SIGTERM, SIGHUP included).
pub fn emulator(mut args: Vec<String>) -> i32 {
    if args.first().is_some_and(|a| a == "pay") {
        return crate::emulator_pay::run(&args[1..]);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return emulator_help();
    }
    let has_port = args
        .iter()
        .any(|a| a == "--port" || a.starts_with("--port="));
    if !has_port {
        args.splice(
            0..0,
            ["--port".to_string(), DEFAULT_EMULATOR_PORT.to_string()],
        );
    }
    let has_ca_file = args
        .iter()
        .any(|a| a == "--ca-file" || a.starts_with("--ca-file="));
    if args.iter().any(|a| a == "--tls") && !has_ca_file {
        let dir = match private_temp_dir() {
            Ok(d) => d,
            Err(e) => {
                err(&format!(
                    "error: cannot create a temporary directory for the CA certificate: {e}\n"
                ));
                return 1;
            }
        };
        signals::remove_on_exit(dir.clone());
        args.push("--ca-file".into());
        args.push(dir.join("ca.pem").to_string_lossy().into_owned());
    }
    cashfree_rpd_emulator::run_cli(args)
}

/// A new directory only this user can enter, under the temp dir (a fixed file name in
/// /tmp could be a symlink planted by someone else; `mkdir` never follows one).
fn private_temp_dir() -> std::io::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir =
        std::env::temp_dir().join(format!("cfrpd-emulator-{}-{nanos:08x}", std::process::id()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    Ok(dir)
}

/// The emulator's own help, reworded for `cfrpd emulator` (its name, the 8080 default
/// and where the --tls CA goes).
fn emulator_help() -> i32 {
    out(&reword_emulator_help(cashfree_rpd_emulator::usage()));
    out("\nTo pay a request on a running emulator: cfrpd emulator pay ID (see --help there)\n");
    exit::SUCCESS
}

/// See [`emulator_help`].
pub fn reword_emulator_help(text: &str) -> String {
    text.replace("cashfree-rpd-emulator", "cfrpd emulator")
        .replace(
            "(default 0 = any free port)",
            &format!("(default {DEFAULT_EMULATOR_PORT}; 0 = any free port)"),
        )
        .replace(
            "(default: temp dir)",
            "(default: a private temp dir, removed on exit)",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emulator_help_is_reworded() {
        let text = reword_emulator_help(
            "cashfree-rpd-emulator — x\nUSAGE: cashfree-rpd-emulator [OPTIONS]\n  --port N  listen port (default 0 = any free port)\n  --ca-file PATH  (default: temp dir)\n",
        );
        assert!(!text.contains("cashfree-rpd-emulator"), "{text}");
        assert!(text.contains("USAGE: cfrpd emulator [OPTIONS]"), "{text}");
        assert!(text.contains("(default 8080; 0 = any free port)"), "{text}");
        assert!(text.contains("removed on exit"), "{text}");
    }

    #[test]
    fn generated_ids_are_valid() {
        let id = generated_id();
        assert!(id.starts_with("cfrpd-"));
        cashfree_rpd::validate_verification_id(&id).unwrap();
    }
}
