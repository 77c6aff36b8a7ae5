//! Exit codes of `cfrpd` (also listed in `--help` and the README).

use cashfree_rpd::ErrorKind;

/// Success (for `wait`: the verification ended SUCCESS).
pub const SUCCESS: i32 = 0;
/// The API answered with an error (4xx/5xx) or something that cannot be decoded.
pub const API: i32 = 1;
/// Bad input or usage: nothing was sent (clap's own errors use 2 as well).
pub const USAGE: i32 = 2;
/// Network, timeout or TLS failure.
pub const NETWORK: i32 = 3;
/// `wait`: the deadline passed while the request was still not paid (CREATED).
pub const STILL_WAITING: i32 = 4;
/// `wait`: the verification ended FAILURE or EXPIRED.
pub const NOT_VERIFIED: i32 = 5;

/// The exit code for a library error of this kind.
pub fn for_kind(kind: ErrorKind) -> i32 {
    match kind {
        ErrorKind::InvalidInput | ErrorKind::Signature => USAGE,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Tls => NETWORK,
        ErrorKind::Deadline => STILL_WAITING,
        _ => API,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_documented_codes() {
        assert_eq!(for_kind(ErrorKind::InvalidInput), USAGE);
        assert_eq!(for_kind(ErrorKind::Tls), NETWORK);
        assert_eq!(for_kind(ErrorKind::Timeout), NETWORK);
        assert_eq!(for_kind(ErrorKind::Unauthorized), API);
        assert_eq!(for_kind(ErrorKind::Server), API);
        assert_eq!(for_kind(ErrorKind::UnexpectedResponse), API);
        assert_eq!(for_kind(ErrorKind::Deadline), STILL_WAITING);
    }
}
