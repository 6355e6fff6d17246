fn main() {
    let mut inputs = Vec::new();
    for p in std::env::args().skip(1) {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "okite") {
                inputs.push(okite_compiler::FileInput::new(
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let t = std::time::Instant::now();
    let db = okite_compiler::Database::new(inputs);
    match db.compile() {
        Ok(p) => {
            eprintln!("compiled in {:?}", t.elapsed());
            okite_ir::validate::validate(&p).unwrap();
            for r in &p.rules {
                println!("rule {} {:?} locals={}", r.name, r.clauses, r.locals.len());
                if let okite_ir::RuleBody::Checks(stmts) = &r.body {
                    for s in stmts {
                        if let okite_ir::Stmt::Require(req) = s {
                            println!(
                                "  require {}  ⇒  {}",
                                req.text,
                                okite_ir::pretty::expr_to_string(&p, &r.locals, &req.cond)
                            );
                        }
                    }
                }
            }
            println!(
                "{} types, {} records, {} fns, {} tests, bundle {} bytes",
                p.types.all().len(),
                p.records.len(),
                p.functions.len(),
                p.tests.len(),
                okite_ir::encode_bundle(&p).len()
            );
        }
        Err(d) => eprintln!("{} diagnostics", d.len()),
    }
}
