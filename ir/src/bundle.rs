//! The on-disk form of a compiled policy set (`.okb`).
//!
//! Layout: the 8-byte magic `OKITEBND`, the format version as a little-endian `u32`, then the
//! [`Program`] encoded with postcard. The version is bumped whenever the IR changes shape, and a
//! reader refuses any other version with a message that says how to rebuild.

use std::fmt;

use crate::program::Program;

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 2;

const MAGIC: &[u8; 8] = b"OKITEBND";

/// Why a bundle could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    /// The bytes do not start with the bundle magic.
    NotABundle,
    /// The bundle was written by an incompatible version of Okite.
    VersionMismatch {
        /// The version found in the file.
        found: u32,
    },
    /// The payload is truncated or corrupt.
    Corrupt(String),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::NotABundle => write!(f, "not an Okite policy bundle (missing the `OKITEBND` header)"),
            BundleError::VersionMismatch { found } => write!(
                f,
                "bundle format version {found} is not supported (this okite reads version {FORMAT_VERSION}); rebuild it with `okite build`"
            ),
            BundleError::Corrupt(why) => write!(f, "bundle is corrupt: {why}"),
        }
    }
}

impl std::error::Error for BundleError {}

/// Serializes a program into bundle bytes.
pub fn encode_bundle(program: &Program) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    // Encoding plain data into a Vec cannot fail; an error here would be a bug in postcard.
    match postcard::to_extend(program, out) {
        Ok(v) => v,
        Err(e) => unreachable!("postcard cannot fail to encode into a Vec: {e}"),
    }
}

/// Reads bundle bytes back into a program. The result is not yet validated: call
/// [`crate::validate::validate`] before evaluating a bundle from an untrusted source.
pub fn decode_bundle(bytes: &[u8]) -> Result<Program, BundleError> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or(BundleError::NotABundle)?;
    let (version, payload) = rest.split_first_chunk::<4>().ok_or(BundleError::Corrupt("truncated header".into()))?;
    let found = u32::from_le_bytes(*version);
    if found != FORMAT_VERSION {
        return Err(BundleError::VersionMismatch { found });
    }
    postcard::from_bytes(payload).map_err(|e| BundleError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_versions() {
        let p = Program::default();
        let bytes = encode_bundle(&p);
        assert_eq!(decode_bundle(&bytes).unwrap(), p);
        let mut other = bytes.clone();
        other[8] = 99;
        assert_eq!(decode_bundle(&other), Err(BundleError::VersionMismatch { found: 99 }));
        assert_eq!(decode_bundle(b"{}"), Err(BundleError::NotABundle));
        assert!(matches!(decode_bundle(&bytes[..10]), Err(BundleError::Corrupt(_))));
    }
}
