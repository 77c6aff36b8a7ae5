//! `cfrpd journal list` and `cfrpd journal resolve ID`: the create journal of
//! `--journal PATH` (or `CFRPD_JOURNAL`), e.g. one a killed terminal app left.

use cashfree_rpd::{Client, JournalEntry, JournalState};
use serde_json::{json, Value};

use crate::args::JournalCommand;
use crate::exit;
use crate::output::{created_json, out, out_json, sanitize, status_json, status_text};
use crate::problem::Problem;
use crate::signals;

/// Runs a `cfrpd journal` command.
pub fn run(client: &Client, command: JournalCommand, json: bool) -> Result<i32, Problem> {
    match command {
        JournalCommand::List => {
            let entries = client.journal_pending()?;
            signals::begin_report();
            if json {
                out_json(&Value::Array(entries.iter().map(entry_json).collect()));
            } else if entries.is_empty() {
                out("no open entries\n");
            } else {
                out(&entries.iter().map(entry_text).collect::<String>());
            }
            Ok(exit::SUCCESS)
        }
        JournalCommand::Resolve { id } => {
            let status = client.journal_resolve(&id)?;
            signals::begin_report();
            if json {
                out_json(&status_json(&status));
            } else {
                out(&status_text(&status));
            }
            Ok(exit::SUCCESS)
        }
    }
}

/// One entry as JSON: `request` is the recorded create answer (CREATED) or null.
pub fn entry_json(e: &JournalEntry) -> Value {
    json!({
        "verification_id": e.verification_id,
        "name": e.name,
        "state": e.state.name(),
        "recorded_at_ms": e.recorded_at_ms,
        "request": e.request.as_ref().map(created_json),
    })
}

/// One entry as text: id, state, name, time of the intent; for CREATED, its ref_id,
/// validity and UPI link.
pub fn entry_text(e: &JournalEntry) -> String {
    let mut line = format!(
        "{}  {}  name {}  recorded at {} ms",
        sanitize(&e.verification_id),
        e.state.name(),
        sanitize(&e.name),
        e.recorded_at_ms
    );
    match (&e.request, e.state) {
        (Some(r), _) => line.push_str(&format!(
            "  ref_id {}  valid until {}  {}",
            r.ref_id,
            sanitize(r.valid_upto.as_deref().unwrap_or("-")),
            sanitize(&r.upi_link)
        )),
        (None, JournalState::Sending) => {
            line.push_str("  (no answer recorded: run `cfrpd journal resolve ID`)")
        }
        (None, _) => {}
    }
    line.push('\n');
    line
}
