//! Keeps the client secret (and a proxy password) out of everything the library hands
//! back: fields, raw JSON, error messages, log records.
//!
//! Bodies are decoded as received and only then scrubbed, so a secret that happens to
//! match a key, a number or a status word never changes what is decoded.

use serde_json::Value;
use zeroize::Zeroizing;

/// What replaces the secret in any text the library returns.
pub(crate) const REDACTED: &str = "[redacted]";

/// Markers in order of preference: the first that holds no secret is used (a secret
/// such as `e` must not come back inside `[redacted]` itself).
pub(crate) const MARKERS: [&str; 5] = [REDACTED, "[REDACTED]", "<redacted>", "***", "###"];

/// Scrubs secrets from response bodies and messages.
#[derive(Clone)]
pub(crate) struct Redactor {
    /// Each secret as it appears plainly, and as JSON escapes it (when different).
    /// Zeroed when dropped: they are the secrets.
    needles: Vec<Zeroizing<Vec<u8>>>,
    /// What replaces them (see [`MARKERS`]).
    marker: &'static str,
}

impl Default for Redactor {
    fn default() -> Redactor {
        Redactor {
            needles: Vec::new(),
            marker: REDACTED,
        }
    }
}

impl Redactor {
    pub(crate) fn new(secret: &str) -> Redactor {
        Redactor::default().and(secret)
    }

    /// Also scrubs `secret` (e.g. a proxy password). Empty secrets are ignored.
    pub(crate) fn and(mut self, secret: &str) -> Redactor {
        let needles = &mut self.needles;
        if !secret.is_empty() {
            needles.push(Zeroizing::new(secret.as_bytes().to_vec()));
            let quoted = Zeroizing::new(serde_json::to_string(secret).unwrap_or_default());
            let escaped = quoted.trim_matches('"');
            if escaped != secret && !escaped.is_empty() {
                needles.push(Zeroizing::new(escaped.as_bytes().to_vec()));
            }
            let slash = Zeroizing::new(escaped.replace('/', "\\/"));
            if *slash != escaped {
                needles.push(Zeroizing::new(slash.as_bytes().to_vec()));
            }
        }
        // Longest first, so that a secret inside another is not replaced half-way.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        let holds_none = |m: &&&str| self.needles.iter().all(|n| find(m.as_bytes(), n).is_none());
        self.marker = MARKERS.iter().find(holds_none).copied().unwrap_or("");
        self
    }

    /// Scrubs one string in place (allocates only when a secret is found).
    pub(crate) fn scrub_in_place(&self, s: &mut String) {
        if let std::borrow::Cow::Owned(v) = self.scrub(s.as_bytes()) {
            *s = String::from_utf8_lossy(&v).into_owned();
        }
    }

    /// [`scrub_in_place`](Self::scrub_in_place) for an optional field.
    pub(crate) fn scrub_opt(&self, s: &mut Option<String>) {
        if let Some(s) = s {
            self.scrub_in_place(s);
        }
    }

    /// Scrubs a JSON text. A secret can also hide behind `\uXXXX` escapes: when the
    /// text has escapes and its decoded strings hold a secret, the JSON is written out
    /// again in serde_json's plain form (same content) and that is scrubbed.
    pub(crate) fn scrub_json(&self, raw: &str) -> String {
        let mut out = raw.to_owned();
        self.scrub_json_in_place(&mut out);
        out
    }

    /// [`scrub_json`](Self::scrub_json) in place: no copy when there is nothing to do
    /// (the common case, on every answer).
    pub(crate) fn scrub_json_in_place(&self, raw: &mut String) {
        if self.needles.is_empty() {
            return;
        }
        if memchr::memmem::find(raw.as_bytes(), b"\\u").is_some() {
            if let Ok(v) = serde_json::from_str::<Value>(raw) {
                if self.value_has_secret(&v) {
                    *raw = self.scrub_str(&v.to_string());
                    return;
                }
            }
        }
        self.scrub_in_place(raw);
    }

    /// True when `raw` (a JSON text) plainly holds no secret and no escape at all (so no
    /// `\u` escape that could hide one): then
    /// [`scrub_json_in_place`](Self::scrub_json_in_place) would leave it as it is, and
    /// so would scrubbing any slice of it. (`false` only means "look closer".)
    pub(crate) fn plainly_absent_from_json(&self, raw: &str) -> bool {
        self.needles.is_empty()
            || (memchr::memchr(b'\\', raw.as_bytes()).is_none()
                && !self
                    .needles
                    .iter()
                    .any(|n| find(raw.as_bytes(), n).is_some()))
    }

    fn value_has_secret(&self, v: &Value) -> bool {
        let has = |s: &str| self.needles.iter().any(|n| find(s.as_bytes(), n).is_some());
        match v {
            Value::String(s) => has(s),
            Value::Array(a) => a.iter().any(|x| self.value_has_secret(x)),
            Value::Object(m) => m.iter().any(|(k, x)| has(k) || self.value_has_secret(x)),
            Value::Number(n) => has(&n.to_string()),
            Value::Bool(_) | Value::Null => false,
        }
    }

    /// Returns `bytes` with every occurrence of the secret replaced by `[redacted]`.
    /// Borrows when there is nothing to replace (the common case).
    pub(crate) fn scrub<'a>(&self, bytes: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        let mut out: std::borrow::Cow<'a, [u8]> = std::borrow::Cow::Borrowed(bytes);
        // A replacement next to other text can form a secret again (e.g. secret `]]`):
        // repeat until none is left; the last round deletes instead of marking.
        for round in 0..4 {
            let marker = if round < 3 { self.marker } else { "" };
            let mut changed = false;
            for needle in &self.needles {
                if find(&out, needle).is_some() {
                    out = std::borrow::Cow::Owned(replace_all(&out, needle, marker.as_bytes()));
                    changed = true;
                }
            }
            if !changed || !self.needles.iter().any(|n| find(&out, n).is_some()) {
                break;
            }
        }
        out
    }

    /// [`scrub`](Self::scrub) for text.
    pub(crate) fn scrub_str(&self, s: &str) -> String {
        String::from_utf8_lossy(&self.scrub(s.as_bytes())).into_owned()
    }
}

/// First occurrence of `needle` (`None` for an empty needle), through `memchr`'s
/// vectorised substring search. (The first version compared at every byte with
/// `windows().position(..)`: ~30 instructions per byte; the second scanned for the
/// needle's first byte, which a base64 QR code holds every ~60 bytes: ~10 per byte,
/// 64k instructions per create answer; see BENCHMARKS.md.)
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(hay, needle)
}

fn replace_all(hay: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find(rest, needle) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(with);
        rest = &rest[i + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_json_escaped_forms_are_scrubbed() {
        let r = Redactor::new("s3cr\"et/x");
        let body = br#"{"a":"s3cr\"et/x","b":"s3cr\"et\/x"} s3cr"et/x"#;
        let out = r.scrub(body);
        let text = String::from_utf8(out.into_owned()).unwrap();
        assert!(!text.contains("s3cr"), "{text}");
        assert_eq!(text.matches(REDACTED).count(), 3);
    }

    #[test]
    fn find_matches_a_naive_search() {
        let naive = |h: &[u8], n: &[u8]| {
            if n.is_empty() || h.len() < n.len() {
                None
            } else {
                h.windows(n.len()).position(|w| w == n)
            }
        };
        let hay = b"aababcabcdabcab\"x\"ab";
        for start in 0..hay.len() {
            for end in start..=hay.len().min(start + 5) {
                let needle = &hay[start..end];
                for cut in 0..hay.len() {
                    assert_eq!(find(&hay[cut..], needle), naive(&hay[cut..], needle));
                }
            }
        }
        assert_eq!(find(b"abc", b"abcd"), None);
        assert_eq!(find(b"", b"a"), None);
        assert_eq!(find(b"xyz", b"z"), Some(2));
    }

    #[test]
    fn unicode_escapes_cannot_hide_the_secret() {
        let r = Redactor::new("bob");
        let raw = r#"{"name":"b\u006fb","k":"x"}"#;
        let out = r.scrub_json(raw);
        assert!(!out.contains("bob") && !out.contains("\\u006f"), "{out}");
        assert!(out.contains(REDACTED));
        // Without a secret in it, the text is kept byte for byte.
        assert_eq!(r.scrub_json(r#"{"a":"\u0041"}"#), r#"{"a":"\u0041"}"#);
    }

    #[test]
    fn the_marker_never_holds_the_secret() {
        for secret in ["e", "d", "[", "redacted", "R", "*", "]]"] {
            let r = Redactor::new(secret);
            let out = r.scrub_str(&format!("x{secret}y {secret}{secret}] [redacted]"));
            assert!(!out.contains(secret), "{secret:?}: {out}");
        }
        assert_eq!(Redactor::new("e").scrub_str("see"), "s[REDACTED][REDACTED]");
    }

    #[test]
    fn several_secrets_longest_first() {
        let r = Redactor::new("ab").and("abcd").and("");
        assert_eq!(r.scrub_str("xabcdx ab"), "x[redacted]x [redacted]");
    }

    #[test]
    fn nothing_to_scrub_borrows() {
        let r = Redactor::new("secret");
        assert!(matches!(r.scrub(b"hello"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(r.scrub_str("my secret!"), "my [redacted]!");
    }
}
