//! Embeds the built-in policy set (`policies/hachioji/**.okite`) and the plugin modules it
//! uses (`plugins/*.wat`) into the `okite` binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "okite") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = root.join("policies").join("hachioji");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, &mut files);
    // The plugins, under the paths the policies' `extern fn … from "../../../plugins/x.wat"`
    // resolve to, so that the built-in set needs nothing from the file system.
    let plugins = root.join("plugins");
    println!("cargo:rerun-if-changed={}", plugins.display());
    if let Ok(entries) = std::fs::read_dir(&plugins) {
        let mut wat: Vec<PathBuf> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "wat")).collect();
        wat.sort();
        files.extend(wat);
    }
    let mut code = String::from(
        "/// The Hachioji policy set: (path, source) of every file.\npub const HACHIOJI: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).unwrap_or(f).to_string_lossy().replace('\\', "/");
        let _ = writeln!(code, "    ({rel:?}, include_str!({:?})),", f.display().to_string());
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("builtin_policies.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
