//! `x-cf-signature` checking: RSA-OAEP (SHA-1, MGF1-SHA-1) of `client_id.unix_seconds`.

use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::PrivateKey;
use sha1::Sha1;

/// How far the signed timestamp may be from now, in seconds.
pub(crate) const MAX_SKEW_SECS: i64 = 300;

/// Parses an RSA private key in PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1
/// (`BEGIN RSA PRIVATE KEY`) PEM.
pub(crate) fn parse_private_key(pem: &str) -> Result<PrivateKey, String> {
    PrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| PrivateKey::from_pkcs1_pem(pem))
        .map_err(|e| format!("not an RSA private key in PKCS#8 or PKCS#1 PEM: {e}"))
}

/// Why a signature was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No `x-cf-signature` header.
    Missing,
    /// Present but not decryptable, wrong client id, or stale.
    Mismatch(String),
}

/// Checks a signature header value against `client_id` and the current time `now`.
pub(crate) fn verify(
    key: &PrivateKey,
    header: Option<&str>,
    client_id: &str,
    now: i64,
) -> Result<(), Refusal> {
    let header = header.ok_or(Refusal::Missing)?;
    let bad = |why: &str| Refusal::Mismatch(why.to_string());
    let ct = base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .map_err(|_| bad("signature is not base64"))?;
    let plain = key
        .oaep_decrypt::<Sha1>(&ct)
        .map_err(|_| bad("signature does not decrypt"))?;
    let plain = String::from_utf8(plain).map_err(|_| bad("signature plaintext is not UTF-8"))?;
    let (id, ts) = plain
        .rsplit_once('.')
        .ok_or_else(|| bad("signature plaintext is not id.timestamp"))?;
    if id != client_id {
        return Err(bad("signature is for another client id"));
    }
    let ts: i64 = ts
        .parse()
        .map_err(|_| bad("signature timestamp is not a number"))?;
    if (now - ts).abs() > MAX_SKEW_SECS {
        return Err(bad("signature timestamp is too old or in the future"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::PublicKey;

    fn data(name: &str) -> String {
        let path = format!("{}/../tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn sign(public: &PublicKey, text: &str) -> String {
        let ct = public.oaep_encrypt::<Sha1>(text.as_bytes()).unwrap();
        base64::engine::general_purpose::STANDARD.encode(ct)
    }

    #[test]
    fn decrypts_what_the_public_key_encrypts() {
        let key = parse_private_key(&data("TEST-ONLY-rsa-private.pem")).unwrap();
        let public = PublicKey::from_public_key_pem(&data("TEST-ONLY-rsa-public.pem")).unwrap();
        let now = 1_700_000_000;
        let good = sign(&public, &format!("cid.{now}"));
        assert_eq!(verify(&key, Some(&good), "cid", now + 10), Ok(()));
        assert!(matches!(
            verify(&key, Some(&good), "other", now),
            Err(Refusal::Mismatch(_))
        ));
        assert!(matches!(
            verify(&key, Some(&good), "cid", now + 301),
            Err(Refusal::Mismatch(_))
        ));
        assert!(matches!(
            verify(&key, Some("AAAA"), "cid", now),
            Err(Refusal::Mismatch(_))
        ));
        assert_eq!(verify(&key, None, "cid", now), Err(Refusal::Missing));
        assert!(parse_private_key("nope").is_err());
    }
}
