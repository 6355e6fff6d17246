//! `okite fmt`: rewrite `.okite` files in the canonical layout (`okite_compiler::fmt`), or,
//! with `--check`, say which files are not in it.
//!
//! Exit status: 0 when every file is (now) formatted; 1 with `--check` when a file would
//! change; 2 when a file could not be formatted (it does not parse, is not UTF-8, or cannot be
//! written), such files being reported and left as they are.

use std::path::{Path, PathBuf};

use okite_compiler::fmt::{FormatError, format};

use crate::args::ColorArg;
use crate::output::{Exit, color_stdout, usage_error};
use crate::sources;

/// Lines of a diff shown for each side of the first change, before "… more".
const DIFF_LINES: usize = 12;

pub fn run(paths: &[PathBuf], check: bool, color: ColorArg) -> Exit {
    let inputs = match sources::collect_nonempty(paths) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let colored = color_stdout(color);
    let (mut changed, mut unchanged, mut failed) = (0usize, 0usize, 0usize);
    for input in &inputs {
        let Ok(text) = std::str::from_utf8(&input.bytes) else {
            eprintln!("{}: file is not valid UTF-8", input.path);
            failed += 1;
            continue;
        };
        let formatted = match format(text) {
            Ok(f) => f,
            Err(e @ FormatError::Syntax { .. }) => {
                eprintln!("{}:{e}", input.path);
                failed += 1;
                continue;
            }
            Err(e) => {
                eprintln!("{}: {e}", input.path);
                failed += 1;
                continue;
            }
        };
        if formatted == text {
            unchanged += 1;
            continue;
        }
        if check {
            println!("would reformat {}", input.path);
            print!("{}", first_hunk(text, &formatted, colored));
            changed += 1;
        } else {
            match std::fs::write(Path::new(&input.path), formatted.as_bytes()) {
                Ok(()) => changed += 1,
                Err(e) => {
                    eprintln!("{}: cannot write: {}", input.path, sources::io_reason(&e));
                    failed += 1;
                }
            }
        }
    }
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    if check {
        eprintln!("{} would be reformatted, {} already formatted", files(changed), unchanged);
    } else {
        eprintln!("formatted {}, {} unchanged", files(changed), unchanged);
    }
    if failed > 0 {
        eprintln!("{} could not be formatted", files(failed));
        Exit::Usage
    } else if check && changed > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// The first place where `old` and `new` differ, as a unified-diff hunk with a line of context
/// on each side and at most [`DIFF_LINES`] lines of each side.
fn first_hunk(old: &str, new: &str, colored: bool) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let same = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (removed, added) = resync(&a[same..], &b[same..]);
    if removed == 0 && added == 0 {
        return "(only line endings or the final newline differ)\n".to_string();
    }
    let before = same.saturating_sub(1);
    let after_a = (same + removed + 1).min(a.len());
    let after_b = (same + added + 1).min(b.len());
    let paint = |code: &str, line: String| if colored { format!("\x1b[{code}m{line}\x1b[0m") } else { line };
    let mut out =
        paint("36", format!("@@ -{},{} +{},{} @@", before + 1, after_a - before, before + 1, after_b - before));
    out.push('\n');
    for line in &a[before..same] {
        out.push_str(&format!(" {line}\n"));
    }
    let side = |out: &mut String, lines: &[&str], sign: char, code: &str| {
        for line in lines.iter().take(DIFF_LINES) {
            out.push_str(&paint(code, format!("{sign}{line}")));
            out.push('\n');
        }
        if lines.len() > DIFF_LINES {
            out.push_str(&format!("{sign}… {} more lines\n", lines.len() - DIFF_LINES));
        }
    };
    side(&mut out, &a[same..same + removed], '-', "31");
    side(&mut out, &b[same..same + added], '+', "32");
    if let Some(line) = a.get(same + removed).filter(|_| after_a > same + removed) {
        out.push_str(&format!(" {line}\n"));
    }
    out
}

/// How many lines of `a` and of `b` the first change spans: the nearest point after which
/// the next two lines (or all that remain) agree again.
fn resync(a: &[&str], b: &[&str]) -> (usize, usize) {
    const AGREE: usize = 2;
    const SEARCH: usize = 400;
    let agree = |i: usize, j: usize| {
        let (x, y) = (&a[i..], &b[j..]);
        let n = AGREE.min(x.len()).min(y.len());
        x[..n] == y[..n] && (n == AGREE || x.len() == y.len())
    };
    for d in 1..=SEARCH.min(a.len() + b.len()) {
        for i in 0..=d {
            let j = d - i;
            if i <= a.len() && j <= b.len() && agree(i, j) {
                return (i, j);
            }
        }
    }
    (a.len(), b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_hunk_shows_the_first_change_only() {
        let old = "package p\n\nrule r {\n  require a   else \"x\"\n}\n\nconst A=1\n";
        let new = "package p\n\nrule r {\n  require a else \"x\"\n}\n\nconst A = 1\n";
        assert_eq!(
            first_hunk(old, new, false),
            "@@ -3,3 +3,3 @@\n rule r {\n-  require a   else \"x\"\n+  require a else \"x\"\n }\n"
        );
    }

    #[test]
    fn inserted_lines_resync() {
        let old = "a\nb c\nd\ne\nf\n";
        let new = "a\nb\nc\nd\ne\nf\n";
        assert_eq!(first_hunk(old, new, false), "@@ -1,3 +1,4 @@\n a\n-b c\n+b\n+c\n d\n");
    }
}
