fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let p: std::sync::Arc<str> = path.into();
    let t = std::time::Instant::now();
    let parsed = okite_compiler::syntax::parse(&p, &text);
    eprintln!("parsed in {:?}: {} items, {} errors", t.elapsed(), parsed.file.items.len(), parsed.errors.len());
    for e in &parsed.errors {
        eprintln!("{:?} {} {:?}", e.code, e.message, e.primary.span);
    }
    if std::env::args().nth(2).is_some() {
        println!("{:#?}", parsed.file);
    }
}
