//! Finding and reading policy sources: the IO boundary in front of the (IO-free) compiler.

use std::path::{Path, PathBuf};

use okite_compiler::{Database, FileInput};

/// The default policy directory of `okite check` and `okite test`.
pub const DEFAULT_POLICY_DIR: &str = "policies";

/// The paths a command reads: those given, or else the default policy directory.
pub fn or_default(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() { vec![PathBuf::from(DEFAULT_POLICY_DIR)] } else { paths.to_vec() }
}

/// The source files under `paths` (the default policy directory when none is given); an
/// error naming the paths when there are none.
pub fn collect_nonempty(paths: &[PathBuf]) -> Result<Vec<FileInput>, String> {
    let paths = or_default(paths);
    let inputs = collect(&paths)?;
    if inputs.is_empty() {
        let list = paths.iter().map(|p| format!("`{}`", display(p))).collect::<Vec<_>>().join(", ");
        return Err(format!("no `.okite` files found in {list}"));
    }
    Ok(inputs)
}

/// Collects the `.okite` files under `paths` (files are taken as given, directories are
/// walked recursively), sorted and de-duplicated. An unreadable path is an error naming it.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<FileInput>, String> {
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("cannot read `{}`: {}", p.display(), io_reason(&e)))?;
        if meta.is_dir() {
            walk(p, &mut found).map_err(|e| format!("cannot read directory `{}`: {}", p.display(), io_reason(&e)))?;
        } else {
            found.push(p.clone());
        }
    }
    found.sort();
    found.dedup();
    let mut inputs = Vec::with_capacity(found.len());
    for path in found {
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read `{}`: {}", path.display(), io_reason(&e)))?;
        inputs.push(FileInput { path: display(&path), bytes });
    }
    Ok(inputs)
}

/// A compiler database over `inputs`, with the plugin modules their `extern fn` declarations
/// name read from disk (paths resolved against the declaring files, as given).
pub fn open_database(inputs: Vec<FileInput>) -> Database {
    let mut db = Database::new(inputs);
    db.load_plugins(&mut |path| std::fs::read(path).ok());
    db
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "okite") {
            out.push(path);
        }
    }
    Ok(())
}

/// A path as shown to users: forward slashes, no leading `./`.
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The reason of an IO error without Rust's "(os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}
