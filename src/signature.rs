//! `x-cf-signature`: Cashfree's "2FA public key" request signature.
//!
//! base64( RSA-OAEP(SHA-1, MGF1-SHA-1)( public key, `client_id + "." + unix_seconds` ) )

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, PublicKey};

use crate::error::{Error, ErrorKind, Result};

/// Computes a fresh signature per request.
#[derive(Clone)]
pub(crate) struct Signer {
    client_id: String,
    key: PublicKey,
}

impl Signer {
    /// Parses a `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) PEM and checks it can
    /// encrypt a message of the size we send.
    pub(crate) fn from_pem(client_id: &str, pem: &str) -> Result<Signer> {
        let pem = pem.trim();
        let key = PublicKey::from_public_key_pem(pem)
            .or_else(|_| PublicKey::from_pkcs1_pem(pem))
            .map_err(|_| {
                Error::new(
                    ErrorKind::Signature,
                    "public key is not a usable RSA public key PEM (expected -----BEGIN PUBLIC KEY----- \
                     or -----BEGIN RSA PUBLIC KEY----- as downloaded from the Cashfree dashboard)",
                )
            })?;
        let signer = Signer {
            client_id: client_id.to_owned(),
            key,
        };
        signer.sign_at(0)?; // the message must fit the key
        Ok(signer)
    }

    /// The signature for now.
    pub(crate) fn sign(&self) -> Result<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.sign_at(now)
    }

    /// The signature for a given Unix time (seconds).
    pub(crate) fn sign_at(&self, unix_seconds: u64) -> Result<String> {
        let message = format!("{}.{}", self.client_id, unix_seconds);
        let mut rng = getrandom::SysRng;
        let encrypted = self
            .key
            .encrypt(&mut rng, Oaep::<sha1::Sha1>::new(), message.as_bytes())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Signature,
                    format!("cannot compute x-cf-signature with this public key: {e}"),
                )
            })?;
        Ok(base64::engine::general_purpose::STANDARD.encode(encrypted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePrivateKey;

    const PUBLIC: &str = include_str!("../tests/data/TEST-ONLY-rsa-public.pem");
    const PRIVATE: &str = include_str!("../tests/data/TEST-ONLY-rsa-private.pem");

    #[test]
    fn decrypts_to_id_dot_timestamp_and_differs_each_time() {
        let signer = Signer::from_pem("CF123", PUBLIC).unwrap();
        let a = signer.sign_at(1_700_000_000).unwrap();
        let b = signer.sign_at(1_700_000_000).unwrap();
        assert_ne!(a, b, "OAEP is randomised");
        let private = rsa::PrivateKey::from_pkcs8_pem(PRIVATE).unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&a)
            .unwrap();
        assert_eq!(raw.len(), 256);
        let plain = private.decrypt(Oaep::<sha1::Sha1>::new(), &raw).unwrap();
        assert_eq!(plain, b"CF123.1700000000");
    }

    #[test]
    fn bad_keys_are_signature_errors() {
        for pem in [
            "",
            "hello",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            PRIVATE,
        ] {
            let err = Signer::from_pem("id", pem).err().expect(pem);
            assert_eq!(err.kind(), ErrorKind::Signature);
        }
    }
}
