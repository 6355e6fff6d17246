//! Plugin modules as the compiler sees them: WebAssembly binaries (WAT text is converted) and
//! the signatures they declare for their functions.
//!
//! A module declares its functions in a custom section named `okite`, as UTF-8 text, one per
//! line, in Okite's own notation (docs/plugins.md):
//!
//! ```text
//! abi 1
//! is_free_mail_domain(domain: string) -> bool
//! ```
//!
//! The compiler never runs a module: it reads this section, checks each `extern fn` against
//! it, and embeds the binary in the program for the runtime.

use std::sync::Arc;

use crate::db::{Db, PluginFile};

/// The ABI version this compiler understands.
pub const ABI_VERSION: u32 = 1;

/// A function a module declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredFn {
    /// Its name (also its export's name).
    pub name: String,
    /// Parameter names and types, as written (spaces removed).
    pub params: Vec<(String, String)>,
    /// Result type, as written (spaces removed).
    pub ret: String,
}

impl DeclaredFn {
    /// `name(a: T, b: U) -> R`
    pub fn signature(&self) -> String {
        let ps: Vec<String> = self.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        format!("{}({}) -> {}", self.name, ps.join(", "), self.ret)
    }
}

/// A module and what it declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginModule {
    /// The WebAssembly binary.
    pub wasm: Arc<[u8]>,
    /// Its declared functions.
    pub functions: Vec<DeclaredFn>,
}

/// Reads a plugin file: converts WAT, finds the `okite` section, parses it.
#[salsa::tracked(returns(ref))]
pub fn plugin_module(db: &dyn Db, file: PluginFile) -> Result<PluginModule, String> {
    let bytes = file.bytes(db);
    let wasm: Arc<[u8]> = if bytes.starts_with(b"\0asm") {
        bytes.clone()
    } else {
        let path = std::path::Path::new(&**file.path(db));
        wat::Parser::new().parse_bytes(Some(path), bytes).map_err(|e| wat_error(&e))?.into_owned().into()
    };
    let text = custom_section(&wasm, "okite")?.ok_or_else(|| {
        "the module has no `okite` custom section declaring its functions (see docs/plugins.md)".to_string()
    })?;
    let text = std::str::from_utf8(text).map_err(|_| "its `okite` section is not UTF-8".to_string())?;
    let functions = parse_manifest(text)?;
    Ok(PluginModule { wasm, functions })
}

/// wat's message and where in the module text it is (`path:line:column`), without the
/// quoted source it appends.
fn wat_error(e: &wat::Error) -> String {
    let text = e.to_string();
    let mut lines = text.lines();
    let message = lines.next().unwrap_or_default();
    match lines.next().and_then(|l| l.trim().strip_prefix("--> ")) {
        Some(at) => format!("not valid WebAssembly text at {at}: {message}"),
        None => format!("not valid WebAssembly text: {message}"),
    }
}

/// The payload of the first custom section called `name`.
fn custom_section<'a>(wasm: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, String> {
    let bad = || "not a valid WebAssembly binary".to_string();
    let mut rest = wasm.strip_prefix(b"\0asm").ok_or_else(bad)?;
    rest = rest.get(4..).ok_or_else(bad)?; // version
    while !rest.is_empty() {
        let id = *rest.first().ok_or_else(bad)?;
        rest = rest.get(1..).ok_or_else(bad)?;
        let (size, after) = leb128(rest).ok_or_else(bad)?;
        let payload = after.get(..size).ok_or_else(bad)?;
        rest = after.get(size..).ok_or_else(bad)?;
        if id == 0 {
            let (len, p) = leb128(payload).ok_or_else(bad)?;
            let section_name = p.get(..len).ok_or_else(bad)?;
            if section_name == name.as_bytes() {
                return Ok(Some(p.get(len..).unwrap_or(&[])));
            }
        }
    }
    Ok(None)
}

/// An unsigned LEB128 number and the bytes after it.
fn leb128(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let mut value: u64 = 0;
    for (i, b) in bytes.iter().enumerate().take(5) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((usize::try_from(value).ok()?, bytes.get(i + 1..)?));
        }
    }
    None
}

/// Parses the `okite` section's text.
fn parse_manifest(text: &str) -> Result<Vec<DeclaredFn>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(v) = line.strip_prefix("abi ") {
            let v: u32 = v.trim().parse().map_err(|_| format!("line {}: `abi` needs a number", i + 1))?;
            if v != ABI_VERSION {
                return Err(format!("the module uses ABI version {v}; this okite speaks version {ABI_VERSION}"));
            }
            continue;
        }
        let err = || format!("line {} of its `okite` section is not `name(param: type, …) -> type`: `{line}`", i + 1);
        let (head, ret) = line.rsplit_once("->").ok_or_else(err)?;
        let (name, params) = head.trim().split_once('(').ok_or_else(err)?;
        let params = params.trim().strip_suffix(')').ok_or_else(err)?;
        let mut ps = Vec::new();
        for p in split_top(params) {
            let (n, t) = p.split_once(':').ok_or_else(err)?;
            ps.push((n.trim().to_string(), normalise(t)));
        }
        out.push(DeclaredFn { name: name.trim().to_string(), params: ps, ret: normalise(ret) });
    }
    Ok(out)
}

/// A type as written, without spaces.
pub fn normalise(t: &str) -> String {
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Splits at commas outside `<…>`.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !s[start..].trim().is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// The path a file's `from "…"` names: relative to the file's directory, normalised
/// (`a/b/../c.wat` is `a/c.wat`), with forward slashes.
pub fn resolve_path(from_file: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = if relative.starts_with('/') {
        vec![""]
    } else {
        let dir = from_file.rsplit_once('/').map_or("", |(d, _)| d);
        dir.split('/').filter(|s| !s.is_empty() && *s != ".").collect()
    };
    if from_file.starts_with('/') && !relative.starts_with('/') {
        parts.insert(0, "");
    }
    for seg in relative.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| !p.is_empty() && *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if relative.starts_with('/') && !joined.starts_with('/') { format!("/{joined}") } else { joined }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(
            resolve_path("policies/h/sections/s16.okite", "../../../plugins/free_mail.wat"),
            "plugins/free_mail.wat"
        );
        assert_eq!(resolve_path("s16.okite", "p.wasm"), "p.wasm");
        assert_eq!(resolve_path("/abs/x/s.okite", "../p/q.wat"), "/abs/p/q.wat");
        assert_eq!(resolve_path("a/s.okite", "./b/c.wat"), "a/b/c.wat");
    }

    #[test]
    fn reads_the_manifest_of_a_wat_module() {
        let wat = r#"(module
            (@custom "okite" "abi 1\nis_free(domain: string) -> bool\nscore(xs: list < int >, n: int) -> int")
            (func (export "x")))"#;
        let wasm = wat::parse_str(wat).unwrap();
        let text = custom_section(&wasm, "okite").unwrap().unwrap();
        let fns = parse_manifest(std::str::from_utf8(text).unwrap()).unwrap();
        assert_eq!(fns[0].signature(), "is_free(domain: string) -> bool");
        assert_eq!(fns[1].params[0].1, "list<int>");
        assert!(parse_manifest("abi 2").is_err());
        assert!(parse_manifest("nonsense").is_err());
    }
}
