//! The client's settings for the server, and where the sample facility is.
//!
//! One setting matters to the server: `okite.sampleFacility`, the snapshot the Evaluate code
//! lens evaluates rules against. It arrives as `initializationOptions.sampleFacility`, in
//! `workspace/didChangeConfiguration` (`settings.okite.sampleFacility`), or when the server asks
//! with `workspace/configuration` for the section `okite`. Without it, the policy set's
//! `fixtures/compliant.json` is the sample, by convention.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The sample facility's path relative to a policy-set root, by convention.
pub const CONVENTIONAL_SAMPLE: &str = "fixtures/compliant.json";

/// The server's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `okite.sampleFacility`: absolute, or relative to the workspace folder. `None` when unset
    /// or empty.
    pub sample_facility: Option<String>,
}

impl Settings {
    /// Reads the `okite` section (`{ "sampleFacility": … }`, as initialization options carry it
    /// too). Keys it does not hold keep their value; returns whether anything changed.
    pub fn update(&mut self, section: &Value) -> bool {
        let Some(object) = section.as_object() else { return false };
        let before = self.clone();
        if let Some(sample) = object.get("sampleFacility") {
            self.sample_facility = sample.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        }
        *self != before
    }

    /// Reads the settings of a `workspace/didChangeConfiguration` notification: the `okite`
    /// section of them (clients send `{ "okite": { … } }`), or the section itself.
    pub fn update_from_change(&mut self, settings: &Value) -> bool {
        match settings.get("okite") {
            Some(section) => self.update(section),
            None => self.update(settings),
        }
    }

    /// The sample facility for a policy set: the setting (relative paths from the workspace
    /// folder, else from the root), else the root's conventional fixture if it exists.
    pub fn sample_facility(&self, folder: Option<&Path>, root: Option<&Path>) -> Option<PathBuf> {
        match &self.sample_facility {
            Some(s) => {
                let p = Path::new(s);
                if p.is_absolute() {
                    return Some(p.to_path_buf());
                }
                folder.or(root).map(|base| base.join(p))
            }
            None => root.map(|r| r.join(CONVENTIONAL_SAMPLE)).filter(|p| p.is_file()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn settings_come_from_any_of_the_three_shapes() {
        let mut s = Settings::default();
        assert!(s.update(&json!({ "sampleFacility": "examples/library.json" })));
        assert_eq!(s.sample_facility.as_deref(), Some("examples/library.json"));
        assert!(!s.update(&json!({ "path": "okite" })), "other keys leave it");
        assert!(s.update_from_change(&json!({ "okite": { "sampleFacility": null } })));
        assert_eq!(s.sample_facility, None);
        assert!(s.update_from_change(&json!({ "sampleFacility": "  /abs/f.json " })));
        assert_eq!(s.sample_facility(Some(Path::new("/ws")), None), Some(PathBuf::from("/abs/f.json")));
        s.update(&json!({ "sampleFacility": "" }));
        assert_eq!(s.sample_facility, None);
        s.update(&json!({ "sampleFacility": "f.json" }));
        assert_eq!(
            s.sample_facility(Some(Path::new("/ws")), Some(Path::new("/ws/p"))),
            Some(PathBuf::from("/ws/f.json"))
        );
        assert_eq!(s.sample_facility(None, Some(Path::new("/ws/p"))), Some(PathBuf::from("/ws/p/f.json")));
    }
}
