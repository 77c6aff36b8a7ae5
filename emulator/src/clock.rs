//! Wall-clock helpers: Unix seconds and the timestamp formats Cashfree uses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// India Standard Time offset (+05:30) in seconds.
const IST_OFFSET: i64 = 5 * 3600 + 30 * 60;

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub(crate) fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// Current Unix time in seconds.
pub(crate) fn unix_now() -> i64 {
    unix_secs(SystemTime::now())
}

fn millis(t: SystemTime) -> u32 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_millis())
        .unwrap_or(0)
}

/// (year, month, day, hour, minute, second) of a Unix time (proleptic Gregorian).
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `2024-02-13T13:01:44.000Z` (UTC with milliseconds), as in `valid_upto`.
pub(crate) fn iso_utc_millis(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(unix_secs(t));
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        millis(t)
    )
}

/// `2023-06-27T12:34:47+05:30` (India time), as in `added_on`/`processed_on`.
pub(crate) fn iso_ist(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(unix_secs(t) + IST_OFFSET);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+05:30")
}

/// `2023-07-19 10:46:16` (India time, no zone), as in expired `processed_on` and `event_time`.
pub(crate) fn plain_ist(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(unix_secs(t) + IST_OFFSET);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// `t + d`, saturating instead of panicking on overflow.
pub(crate) fn add(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_add(d).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        // 2024-02-13T13:01:44Z
        let t = UNIX_EPOCH + Duration::from_millis(1_707_829_304_123);
        assert_eq!(iso_utc_millis(t), "2024-02-13T13:01:44.123Z");
        assert_eq!(iso_ist(t), "2024-02-13T18:31:44+05:30");
        assert_eq!(plain_ist(t), "2024-02-13 18:31:44");
        assert_eq!(iso_utc_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        // Leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29T00:00:00Z
        assert_eq!(iso_utc_millis(leap), "2000-02-29T00:00:00.000Z");
    }
}
