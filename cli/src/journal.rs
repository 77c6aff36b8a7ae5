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
        "recorded_at": iso_utc(e.recorded_at_ms),
        "request": e.request.as_ref().map(created_json),
    })
}

/// One entry as text: id, state, name, time of the intent (ISO 8601, UTC); for
/// CREATED, its ref_id, validity and UPI link.
pub fn entry_text(e: &JournalEntry) -> String {
    let mut line = format!(
        "{}  {}  name {}  recorded at {}",
        sanitize(&e.verification_id),
        e.state.name(),
        sanitize(&e.name),
        iso_utc(e.recorded_at_ms)
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

/// Unix milliseconds as ISO 8601 in UTC with milliseconds: `2026-12-06T02:34:41.123Z`.
pub fn iso_utc(ms: i64) -> String {
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::iso_utc;

    #[test]
    fn iso_utc_formats_unix_milliseconds() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_utc(1_796_524_481_123), "2026-12-06T02:34:41.123Z");
        assert_eq!(iso_utc(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59.999Z");
    }
}
