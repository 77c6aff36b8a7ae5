//! Keeps the client secret out of everything the library hands back.

/// What replaces the secret in any text the library returns.
pub(crate) const REDACTED: &str = "[redacted]";

/// Scrubs one secret from response bodies and messages.
#[derive(Clone)]
pub(crate) struct Redactor {
    /// The secret as it appears plainly, and as JSON escapes it (when different).
    needles: Vec<Vec<u8>>,
}

impl Redactor {
    pub(crate) fn new(secret: &str) -> Redactor {
        let mut needles = Vec::new();
        if !secret.is_empty() {
            needles.push(secret.as_bytes().to_vec());
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != secret && !escaped.is_empty() {
                needles.push(escaped.as_bytes().to_vec());
            }
            let slash = escaped.replace('/', "\\/");
            if slash != escaped {
                needles.push(slash.into_bytes());
            }
        }
        Redactor { needles }
    }

    /// Returns `bytes` with every occurrence of the secret replaced by `[redacted]`.
    /// Borrows when there is nothing to replace (the common case).
    pub(crate) fn scrub<'a>(&self, bytes: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        let mut out: std::borrow::Cow<'a, [u8]> = std::borrow::Cow::Borrowed(bytes);
        for needle in &self.needles {
            if find(&out, needle).is_some() {
                out = std::borrow::Cow::Owned(replace_all(&out, needle, REDACTED.as_bytes()));
            }
        }
        out
    }

    /// [`scrub`](Self::scrub) for text.
    pub(crate) fn scrub_str(&self, s: &str) -> String {
        String::from_utf8_lossy(&self.scrub(s.as_bytes())).into_owned()
    }
}

/// First occurrence of `needle`. Scans for its first byte and compares the rest only
/// there. (`windows().position(|w| w == needle)` called `memcmp` at every byte of every
/// response body: ~30 instructions per byte, most of the client's CPU on a 6 KB create
/// answer; see BENCHMARKS.md.)
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut from = 0;
    while from <= last_start {
        let i = from + hay[from..=last_start].iter().position(|&b| b == first)?;
        if &hay[i + 1..i + needle.len()] == rest {
            return Some(i);
        }
        from = i + 1;
    }
    None
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
    fn nothing_to_scrub_borrows() {
        let r = Redactor::new("secret");
        assert!(matches!(r.scrub(b"hello"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(r.scrub_str("my secret!"), "my [redacted]!");
    }
}
