//! Input rules checked before any I/O.

use crate::error::{Error, Result};

/// Longest verification_id Cashfree accepts.
pub const MAX_VERIFICATION_ID_LEN: usize = 50;

/// Longest name this library sends (a sanity bound, not a Cashfree rule).
pub const MAX_NAME_LEN: usize = 200;

/// Checks a verification_id: 1–50 characters of `[A-Za-z0-9._-]`.
pub fn validate_verification_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid(
            "verification_id is empty: give 1-50 characters of A-Z a-z 0-9 . _ -",
        ));
    }
    if id.len() > MAX_VERIFICATION_ID_LEN {
        return Err(Error::invalid(format!(
            "verification_id is {} characters long: at most {MAX_VERIFICATION_ID_LEN} are allowed",
            id.chars().count()
        )));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(Error::invalid(format!(
            "verification_id contains {bad:?}: only A-Z a-z 0-9 . _ - are allowed"
        )));
    }
    Ok(())
}

/// Checks a name: not blank, no control characters, at most 200 bytes of UTF-8.
///
/// ```
/// assert!(cashfree_rpd::validate_name("Jane Doe").is_ok());
/// assert!(cashfree_rpd::validate_name("   ").is_err());
/// assert!(cashfree_rpd::validate_name(&"x".repeat(201)).is_err());
/// ```
pub fn validate_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid(
            "name is blank: give the name the account holder is expected to have",
        ));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(Error::invalid(format!(
            "name is {} bytes long: at most {MAX_NAME_LEN} are allowed",
            name.len()
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("name contains a control character"));
    }
    Ok(())
}

/// Checks a ref_id: greater than zero.
pub fn validate_ref_id(ref_id: i64) -> Result<()> {
    if ref_id <= 0 {
        return Err(Error::invalid(format!(
            "ref_id {ref_id} is not valid: it must be greater than 0"
        )));
    }
    Ok(())
}

/// Checks a credential: non-empty, no control characters (they could split a header).
pub(crate) fn validate_credential(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(format!("{what} is empty")));
    }
    if value.chars().any(|c| c.is_control()) {
        // Never echo the value: it may be the secret.
        return Err(Error::invalid(format!(
            "{what} contains a control character"
        )));
    }
    if value.len() > 1024 {
        return Err(Error::invalid(format!("{what} is longer than 1024 bytes")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["a", "A-b_c.9", &"x".repeat(50)] {
            assert!(validate_verification_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", " ", "a b", "é", "a/b", &"x".repeat(51), "a\0"] {
            assert!(validate_verification_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_and_refs() {
        assert!(validate_name("Jane Doe").is_ok());
        assert!(validate_name("  ").is_err());
        assert!(validate_name("a\nb").is_err());
        assert!(validate_ref_id(1).is_ok());
        assert!(validate_ref_id(0).is_err());
        assert!(validate_ref_id(-5).is_err());
    }
}
