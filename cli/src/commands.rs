//! The commands: each returns an exit code, or a [`Problem`] to report.

use std::io::IsTerminal;
use std::time::{SystemTime, UNIX_EPOCH};

use cashfree_rpd::qr::QrCode;
use cashfree_rpd::{Client, VerificationStatus, WaitError, WaitOptions};

use crate::args::{CreateArgs, StatusArgs, WaitArgs};
use crate::exit;
use crate::output::{
    created_json, created_text, err, out, out_json, status_json, status_name, status_text,
};
use crate::problem::Problem;
use crate::progress::{Mode, Progress};

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
    let created = client.create(&id, &args.name).map_err(|e| {
        let mut p = Problem::from(e);
        if p.ambiguous {
            p.hint = Some(format!(
                "the request may have reached Cashfree: run `cfrpd status --id {id}` before creating it again"
            ));
        }
        p
    })?;
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
    let progress = Progress::new(&args.id, args.timeout, Mode::detect(args.quiet));
    let result = progress.run(args.interval, |on_poll| {
        client.wait_for_result(&args.id, &options, on_poll)
    });
    let status = result.map_err(|WaitError { error, last }| {
        let mut p = Problem::from(error);
        p.last_status = last;
        p
    })?;
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

/// `cfrpd emulator`: hands the arguments to the emulator's own parser, adding
/// `--port 8080` when no port is given. Runs until the process is killed.
pub fn emulator(mut args: Vec<String>) -> i32 {
    let has_port = args
        .iter()
        .any(|a| a == "--port" || a.starts_with("--port="));
    if !has_port {
        args.splice(
            0..0,
            ["--port".to_string(), DEFAULT_EMULATOR_PORT.to_string()],
        );
    }
    cashfree_rpd_emulator::run_cli(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_valid() {
        let id = generated_id();
        assert!(id.starts_with("cfrpd-"));
        cashfree_rpd::validate_verification_id(&id).unwrap();
    }
}
