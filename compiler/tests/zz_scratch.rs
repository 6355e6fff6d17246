use okite_compiler::{Database, FileInput};
const HEADER: &str =
    "package hachioji.hostile\n\nfacts Facility {\n  key name: string\n  count: int = 0\n  ok: bool = true\n}\n\n";
#[test]
fn scratch() {
    for mb in [2usize] {
        let mut text = String::from(HEADER);
        let mut i = 0;
        while text.len() < mb * 1024 * 1024 {
            text.push_str(&format!(
            "/// 生成された規則 {i}\nrule generated_{i} {{\n  clause \"{i}\"\n  title \"規則 {i}\"\n  when facts.ok\n  require facts.count >= {i} and facts.name != \"施設{i}\"\n    else \"{{facts.name}}: {i} 件以上が必要です ({{facts.count}} 件)\"\n}}\n\n"
        ));
            i += 1;
        }
        let t = std::time::Instant::now();
        let parsed = okite_compiler::syntax::parse(&"x".into(), &text);
        eprintln!("{mb}MB {i} rules: syntax::parse {:?} ({} errors)", t.elapsed(), parsed.errors.len());
        let db = Database::new(vec![FileInput::new("h.okite", text)]);
        let f = db.file("h.okite").unwrap();
        let t = std::time::Instant::now();
        okite_compiler::parse(&db, f);
        eprintln!("  parse query {:?}", t.elapsed());
        let t = std::time::Instant::now();
        okite_compiler::names::file_summary(&db, f);
        eprintln!("  summary {:?}", t.elapsed());
        let t = std::time::Instant::now();
        okite_compiler::sema::file_signatures(&db, f);
        eprintln!("  signatures {:?}", t.elapsed());
        let t = std::time::Instant::now();
        okite_compiler::sema::check_file(&db, f);
        eprintln!("  check_file {:?}", t.elapsed());
        let t = std::time::Instant::now();
        okite_compiler::workspace_diagnostics(&db, okite_compiler::Db::workspace(&db));
        eprintln!("  workspace {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let _ = db.compile();
        eprintln!("  compile {:?}", t.elapsed());
    }
}
