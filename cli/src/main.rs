//! `cfrpd`: operator command line for Cashfree Reverse Penny Drop.
//!
//! `cfrpd create`, `status`, `wait` talk to Cashfree (or any base URL, such as the
//! local emulator that `cfrpd emulator` runs). See `cfrpd --help` and the README for
//! flags, environment variables and exit codes.

#![warn(missing_docs)]

mod args;
mod commands;
mod config;
mod emulator_pay;
mod exit;
mod journal;
mod output;
mod problem;
mod progress;
mod signals;

use std::ffi::OsString;

use cashfree_rpd::Client;
use clap::error::ErrorKind as ClapErrorKind;
use clap::Parser;

use crate::args::{emulator_passthrough, Cli, Command};
use crate::output::{err, out, out_json};
use crate::problem::{problem_json, problem_text, Problem};

fn main() {
    // Before any thread exists: signals are then taken by one thread (see signals.rs).
    signals::install();
    signals::exit(run(std::env::args_os().collect()));
}

/// Runs `cfrpd` with these arguments (program name first); returns the exit code.
fn run(argv: Vec<OsString>) -> i32 {
    let lossy: Vec<String> = argv
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if let Some(rest) = emulator_passthrough(&lossy) {
        return commands::emulator(rest);
    }
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e, lossy.iter().any(|a| a == "--json")),
    };
    let json = cli.global.json;
    let is_wait = matches!(cli.command, Command::Wait(_));
    if !matches!(cli.command, Command::Emulator(_)) {
        // Ctrl-C is a failure like any other (commands may set a more precise report).
        signals::on_interrupt(Box::new(move |signal| {
            report(&Problem::interrupted(signal), json, is_wait);
        }));
    }
    match execute(cli) {
        Ok(code) => code,
        Err(problem) => {
            signals::begin_report();
            report(&problem, json, is_wait);
            problem.exit_code
        }
    }
}

/// Reports a failure: the JSON object on stdout with `--json`, the text on stderr.
pub(crate) fn report(problem: &Problem, json: bool, is_wait: bool) {
    if json {
        out_json(&problem_json(problem, is_wait));
    }
    err(&problem_text(problem));
}

/// Builds the client and runs the command.
fn execute(cli: Cli) -> Result<i32, Problem> {
    let Cli { global, command } = cli;
    if let Command::Emulator(e) = command {
        return Ok(commands::emulator(e.args));
    }
    let config = config::build_config(&global, &config::env_lookup)?;
    let client = Client::new(&config).map_err(|e| match e.kind() {
        // The journal file (locked, damaged, unwritable): not a usage error.
        cashfree_rpd::ErrorKind::Journal => Problem::from(e),
        _ => Problem::config(e),
    })?;
    match command {
        Command::Create(a) => commands::create(&client, a, global.json),
        Command::Status(a) => commands::status(&client, a, global.json),
        Command::Wait(a) => commands::wait(&client, a, global.json),
        Command::Journal(a) => journal::run(&client, a, global.json),
        Command::Emulator(e) => Ok(commands::emulator(e.args)),
    }
}

/// Prints clap's help/version (exit 0) or usage error (exit 2, and a JSON error object
/// on stdout with `--json`).
fn clap_failure(e: &clap::Error, json: bool) -> i32 {
    signals::begin_report();
    let rendered = e.render().to_string();
    match e.kind() {
        ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion => {
            out(&rendered);
            exit::SUCCESS
        }
        _ => {
            if json {
                let first = rendered.lines().next().unwrap_or("invalid arguments");
                let message = first.strip_prefix("error: ").unwrap_or(first);
                out_json(&problem_json(&Problem::usage(message), false));
            }
            err(&rendered);
            if !rendered.ends_with('\n') {
                err("\n");
            }
            exit::USAGE
        }
    }
}
