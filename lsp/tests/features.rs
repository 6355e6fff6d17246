//! The server's features, driven in process over a copy of the Hachioji policy set (or a small
//! policy set written here): diagnostics with versions (one broken rule leaves the others
//! checked), hover, completion, navigation, rename, semantic tokens, quick fixes, code lenses,
//! formatting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{
    Client, at, decode_tokens, hachioji_copy, line_lengths, position_of, range_within, run, tokens_well_formed, uri,
};
use serde_json::{Value, json};

const S14: &str = "policies/hachioji/sections/s14_id_password.okite";

fn labels(items: &Value) -> Vec<String> {
    let list = items.get("items").unwrap_or(items);
    list.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
}

#[test]
fn initialize_advertises_the_features() {
    run(async {
        let ws = common::scratch("caps");
        let mut client = Client::start(&ws, json!({})).await;
        assert!(client.request("initialize", json!({ "capabilities": {} })).await.is_err(), "only once");
        assert_eq!(client.initialized["serverInfo"]["name"], "okite");
        let caps = &client.initialized["capabilities"];
        assert_eq!(caps["positionEncoding"], "utf-16");
        assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental");
        assert_eq!(caps["completionProvider"]["triggerCharacters"], json!([".", "\"", "?"]));
        assert_eq!(caps["signatureHelpProvider"]["triggerCharacters"], json!(["(", ","]));
        assert_eq!(caps["renameProvider"]["prepareProvider"], true);
        let legend = &caps["semanticTokensProvider"]["legend"];
        assert_eq!(legend["tokenTypes"].as_array().unwrap().len(), okite_compiler::ide::TokenType::ALL.len());
        assert_eq!(legend["tokenModifiers"], json!(["declaration", "documentation"]));
        for provider in [
            "hoverProvider",
            "definitionProvider",
            "referencesProvider",
            "documentSymbolProvider",
            "workspaceSymbolProvider",
            "foldingRangeProvider",
            "documentFormattingProvider",
            "documentRangeFormattingProvider",
        ] {
            assert_eq!(caps[provider], true, "{provider}");
        }
        assert_eq!(caps["codeActionProvider"]["codeActionKinds"], json!(["quickfix"]));
        assert!(caps["codeLensProvider"].is_object());
    });
}

#[test]
fn diagnostics_follow_edits_with_versions() {
    run(async {
        let ws = hachioji_copy("diagnostics");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, None).await;
        assert_eq!(client.diagnostics(&uri, Some(1)).await, Vec::<Value>::new(), "the policy set is clean");
        // Its plugin modules are read from disk (`extern fn … from "…wat"`).
        let plugins = ws.join("policies/hachioji/model/plugins.okite");
        if plugins.exists() {
            let plugins_uri = client.open(&plugins, None).await;
            let found = client.diagnostics(&plugins_uri, Some(1)).await;
            assert!(found.iter().all(|d| d["severity"] != 1), "plugins are loaded: {found:?}");
        }

        let broken = text.replacen("system.password_exemption", "system.password_exemptoin", 1);
        let v2 = client.replace(&uri, &broken).await;
        let found = client.diagnostics(&uri, Some(v2)).await;
        assert_eq!(found.len(), 1, "{found:#?}");
        let d = &found[0];
        assert_eq!(d["severity"], 1);
        assert_eq!(d["source"], "okite");
        assert!(d["code"].as_str().unwrap().starts_with('E'));
        assert!(d["message"].as_str().unwrap().contains("password_exemptoin"), "{d}");
        assert!(d["message"].as_str().unwrap().contains("help: "), "the help is part of the message: {d}");
        assert_eq!(d["range"]["start"], position_of(&broken, "password_exemptoin", true));

        // An incremental fix, and the diagnostics go.
        let start = position_of(&broken, "password_exemptoin", true);
        let end = position_of(&broken, "password_exemptoin", false);
        let v3 = client
            .change(&uri, json!([{ "range": { "start": start, "end": end }, "text": "password_exemption" }]))
            .await;
        assert_eq!(client.diagnostics(&uri, Some(v3)).await, Vec::<Value>::new());
    });
}

#[test]
fn one_broken_rule_leaves_the_others_checked() {
    run(async {
        let ws = hachioji_copy("broken-rule");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join("policies/hachioji/sections/s07_assets.okite");
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, None).await;
        assert_eq!(client.diagnostics(&uri, Some(1)).await, Vec::<Value>::new());
        // A syntax error in one rule, a misspelt field in the next.
        let broken = text
            .replacen(
                "require approved_before(t.approval, OFFICER_ROLES, t.on)",
                "require approved_before(t.approval,,",
                1,
            )
            .replacen("require not is_empty(a.protection)", "require not is_empty(a.protectoin)", 1);
        let version = client.replace(&uri, &broken).await;
        let found = client.diagnostics(&uri, Some(version)).await;
        let line = |needle: &str| position_of(&broken, needle, true)["line"].as_u64().unwrap();
        let (first, next) = (line("rule table_email_fax_restricted"), line("rule table_encryption_at_rest"));
        let errors: Vec<u64> = found
            .iter()
            .filter(|d| d["severity"] == 1)
            .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
            .collect();
        assert!(errors.iter().any(|l| (first..next).contains(l)), "the syntax error: {found:#?}");
        let typo = found.iter().find(|d| d["range"]["start"] == position_of(&broken, "protectoin", true));
        assert!(typo.is_some_and(|d| d["severity"] == 1), "the next rule is still checked: {found:#?}");
    });
}

#[test]
fn errors_in_closed_files_show_on_first_open() {
    run(async {
        let ws = common::scratch("closed-errors");
        std::fs::create_dir_all(ws.join("p")).unwrap();
        std::fs::write(ws.join("p/model.okite"), "package p\n\nfacts Facility {\n  name: string\n}\n").unwrap();
        std::fs::write(ws.join("p/bad.okite"), "package p\n\nconst X: int = \"not an int\"\n").unwrap();
        std::fs::write(ws.join("p/good.okite"), "package p\n\nconst Y = 1\n").unwrap();
        let mut client = Client::start(&ws, json!({})).await;
        let good = client.open(&ws.join("p/good.okite"), None).await;
        assert_eq!(client.diagnostics(&good, Some(1)).await, Vec::<Value>::new());
        let bad = client.diagnostics(&uri(&ws.join("p/bad.okite")), None).await;
        assert_eq!(bad.len(), 1, "{bad:#?}");
        assert_eq!(bad[0]["range"]["start"]["line"], 2);
    });
}

#[test]
fn hover_on_a_rule_shows_the_clause_text() {
    run(async {
        let ws = hachioji_copy("hover");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, None).await;
        let hover =
            client.ask("textDocument/hover", at(&uri, position_of(&text, "rule password_strength", false))).await;
        let markdown = hover["contents"]["value"].as_str().unwrap();
        assert_eq!(hover["contents"]["kind"], "markdown");
        assert!(markdown.contains("rule password_strength"), "{markdown}");
        assert!(markdown.contains("**14(8)**"), "{markdown}");
        assert!(markdown.contains("パスワードは8桁以上とし、数字、アルファベット"), "the guideline's text: {markdown}");
        assert_eq!(hover["range"]["start"], position_of(&text, "password_strength {", true));

        // Nothing to say on a blank line; nothing for a document that is not open.
        let blank = text.find("\n\n").unwrap() + 1;
        assert_eq!(client.ask("textDocument/hover", at(&uri, common::position(&text, blank))).await, Value::Null);
        let other = uri.replace("s14_id_password", "nowhere");
        assert_eq!(
            client.ask("textDocument/hover", at(&other, json!({ "line": 0, "character": 0 }))).await,
            Value::Null
        );
        assert_eq!(
            client.ask("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": other } })).await,
            Value::Null
        );
    });
}

#[test]
fn completion_after_a_dot_lists_the_fields() {
    run(async {
        let ws = hachioji_copy("completion");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, None).await;
        // Type `require system.` on a new line of a rule body.
        let anchor = "  let policy = system.password_policy\n";
        let typed = "  require system.";
        let edited = text.replacen(anchor, &format!("{anchor}{typed}\n"), 1);
        client.replace(&uri, &edited).await;
        let cursor = position_of(&edited, &format!("{anchor}{typed}"), false);
        let params = json!({
            "textDocument": { "uri": uri },
            "position": cursor,
            "context": { "triggerKind": 2, "triggerCharacter": "." }
        });
        let items = client.ask("textDocument/completion", params).await;
        let names = labels(&items);
        for field in ["name", "password_policy", "password_exemption", "accounts"] {
            assert!(names.contains(&field.to_string()), "{field} in {names:?}");
        }
        let first = items.as_array().unwrap().iter().find(|i| i["label"] == "password_policy").unwrap();
        assert_eq!(first["kind"], 5, "a field");
        assert_eq!(first["textEdit"]["range"]["start"], cursor);
        assert_eq!(first["textEdit"]["newText"], "password_policy");

        // Clause ids inside `clause "…"`, in guideline order.
        let clause_at = edited.find("clause \"14(8)\"").unwrap() + "clause \"14(".len();
        let items = client.ask("textDocument/completion", at(&uri, common::position(&edited, clause_at))).await;
        let names = labels(&items);
        assert!(names.iter().any(|n| n == "14(8)"), "{names:?}");
    });
}

#[test]
fn definition_and_references_cross_files() {
    run(async {
        let ws = hachioji_copy("definition");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, None).await;
        let systems = position_of(&text, "facts.systems", false);
        let def = client.ask("textDocument/definition", at(&uri, systems.clone())).await;
        let target = def["uri"].as_str().unwrap();
        assert!(target.ends_with("policies/hachioji/model/facility.okite"), "{def}");
        let model = std::fs::read_to_string(ws.join("policies/hachioji/model/facility.okite")).unwrap();
        assert_eq!(
            def["range"]["start"],
            position_of(&model, "  systems:", true)
                .as_object()
                .map(|p| { json!({ "line": p["line"], "character": 2 }) })
                .unwrap()
        );

        let mut params = at(&uri, systems);
        params["context"] = json!({ "includeDeclaration": true });
        let refs = client.ask("textDocument/references", params).await;
        let files: std::collections::BTreeSet<&str> =
            refs.as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap()).collect();
        assert!(files.len() > 3, "used across the policy set: {files:?}");
        assert!(files.contains(uri.as_str()));
    });
}

#[test]
fn rename_edits_every_use() {
    run(async {
        let ws = hachioji_copy("rename");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, None).await;
        let on_name = position_of(&text, "fn class_names", false);
        let prepared = client.ask("textDocument/prepareRename", at(&uri, on_name.clone())).await;
        assert_eq!(prepared["placeholder"], "class_names");
        let mut params = at(&uri, on_name);
        params["newName"] = json!("char_class_names");
        let edit = client.ask("textDocument/rename", params).await;
        let edits = edit["changes"][&uri].as_array().unwrap();
        assert!(edits.len() >= 2, "the declaration and its uses: {edits:?}");
        assert!(edits.iter().all(|e| e["newText"] == "char_class_names"));

        // Clause ids are the guideline's: refused, with the reason.
        let on_clause = position_of(&text, "clause \"14(8)\"", false);
        let refused = client.request("textDocument/prepareRename", at(&uri, on_clause)).await;
        let e = refused.unwrap_err();
        assert!(e.message.contains("clause"), "{e:?}");
        let mut bad = at(&uri, position_of(&text, "fn class_names", false));
        bad["newName"] = json!("not an identifier");
        assert!(client.request("textDocument/rename", bad).await.is_err());
    });
}

#[test]
fn semantic_tokens_are_well_formed() {
    run(async {
        let ws = hachioji_copy("tokens");
        let mut client = Client::start(&ws, json!({})).await;
        for file in [S14, "policies/hachioji/guideline.okite", "policies/hachioji/model/systems.okite"] {
            let path = ws.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            let uri = client.open(&path, None).await;
            let tokens =
                client.ask("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } })).await;
            let decoded = decode_tokens(tokens["data"].as_array().unwrap());
            assert!(decoded.len() > 100, "{file}: {} tokens", decoded.len());
            let types = okite_compiler::ide::TokenType::ALL.len() as u32;
            tokens_well_formed(&decoded, &line_lengths(&text), types).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
        // The rule's name is a declaration of a rule.
        let text = std::fs::read_to_string(ws.join(S14)).unwrap();
        let tokens = client
            .ask("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri(&ws.join(S14)) } }))
            .await;
        let decoded = decode_tokens(tokens["data"].as_array().unwrap());
        let name = position_of(&text, "rule password_strength", false);
        let line = name["line"].as_u64().unwrap() as u32;
        let rule_type = okite_compiler::ide::TokenType::ALL
            .iter()
            .position(|t| *t == okite_compiler::ide::TokenType::Rule)
            .unwrap() as u32;
        assert!(decoded.iter().any(|t| t.0 == line && t.1 == 5 && t.3 == rule_type && t.4 & 1 == 1), "{decoded:?}");
    });
}

#[test]
fn outline_folding_and_workspace_symbols() {
    run(async {
        let ws = hachioji_copy("symbols");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines = line_lengths(&text);
        let uri = client.open(&path, None).await;
        let outline = client.ask("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } })).await;
        let top: Vec<&str> = outline.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(top.iter().any(|n| n.starts_with("14 ")), "grouped by section: {top:?}");
        fn check(symbols: &Value, lines: &[u32]) {
            for s in symbols.as_array().unwrap() {
                assert!(range_within(&s["range"], lines) && range_within(&s["selectionRange"], lines), "{s}");
                if let Some(children) = s.get("children") {
                    check(children, lines);
                }
            }
        }
        check(&outline, &lines);
        let folds = client.ask("textDocument/foldingRange", json!({ "textDocument": { "uri": uri } })).await;
        let folds = folds.as_array().unwrap();
        assert!(folds.len() > 10);
        assert!(folds.iter().all(|f| f["startLine"].as_u64() < f["endLine"].as_u64()));
        let found = client.ask("workspace/symbol", json!({ "query": "password_strength" })).await;
        let names: Vec<&str> = found.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"password_strength"), "{names:?}");
        let help = client
            .ask(
                "textDocument/signatureHelp",
                at(&uri, position_of(&text, "approved(system.password_exemption, by: ", false)),
            )
            .await;
        assert_eq!(help["activeParameter"], 1, "{help}");
    });
}

#[test]
fn quick_fix_carries_its_diagnostic() {
    run(async {
        let ws = hachioji_copy("quickfix");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, None).await;
        let broken = text.replacen("system.password_exemption", "system.password_exemptoin", 1);
        let version = client.replace(&uri, &broken).await;
        let diagnostics = client.diagnostics(&uri, Some(version)).await;
        let range = diagnostics[0]["range"].clone();
        let params = json!({
            "textDocument": { "uri": uri },
            "range": range,
            "context": { "diagnostics": diagnostics }
        });
        let actions = client.ask("textDocument/codeAction", params).await;
        let fix = actions.as_array().unwrap().iter().find(|a| a["isPreferred"] == true).expect("a preferred fix");
        assert_eq!(fix["kind"], "quickfix");
        assert_eq!(fix["diagnostics"][0], diagnostics[0], "the client's diagnostic, as sent");
        let edits = fix["edit"]["changes"][&uri].as_array().unwrap();
        assert_eq!(edits[0]["newText"], "password_exemption");
        assert_eq!(edits[0]["range"], range);
    });
}

#[test]
fn code_lenses_run_tests_and_evaluate_rules_on_the_sample() {
    run(async {
        let ws = hachioji_copy("lens");
        let mut client = Client::start(&ws, json!({})).await;
        let path = ws.join(S14);
        let uri = client.open(&path, None).await;
        let lenses = client.ask("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
        let lenses = lenses.as_array().unwrap();
        let strength =
            lenses.iter().find(|l| l["command"]["arguments"][0] == "hachioji.s14.password_strength").unwrap();
        assert_eq!(strength["command"]["command"], "okite.evaluateRule");
        assert_eq!(strength["command"]["title"], "Evaluate: pass on compliant.json");
        assert!(lenses.iter().all(|l| l["command"]["title"].as_str().unwrap().starts_with("Evaluate: ")));

        // The sample facility from the settings (relative to the workspace folder).
        let failing = ws.join("failing.json");
        let sample = std::fs::read_to_string(ws.join("policies/hachioji/fixtures/compliant.json")).unwrap();
        let mut facts: Value = serde_json::from_str(&sample).unwrap();
        facts["systems"][0]["password_policy"]["min_length"] = json!(4);
        std::fs::write(&failing, facts.to_string()).unwrap();
        client
            .notify(
                "workspace/didChangeConfiguration",
                json!({ "settings": { "okite": { "sampleFacility": "failing.json" } } }),
            )
            .await;
        let lenses = client.ask("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
        let strength = lenses
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["command"]["arguments"][0] == "hachioji.s14.password_strength")
            .unwrap();
        assert_eq!(strength["command"]["title"], "Evaluate: fail (1 finding) on failing.json");

        // Tests get a Run test lens.
        let test_path = ws.join("policies/hachioji/tests/s14_id_password_test.okite");
        let test_uri = client.open(&test_path, None).await;
        let lenses = client.ask("textDocument/codeLens", json!({ "textDocument": { "uri": test_uri } })).await;
        let first = &lenses.as_array().unwrap()[0];
        assert_eq!(first["command"]["title"], "▶ Run test");
        assert_eq!(first["command"]["command"], "okite.runTest");
        assert_eq!(
            first["command"]["arguments"],
            json!([test_uri, "14: the compliant facility meets every ID and password clause"])
        );

        // With an error in the policy set, no evaluation.
        let text = std::fs::read_to_string(&path).unwrap();
        client.replace(&uri, &text.replacen("system.password_exemption", "system.nope", 1)).await;
        let lenses = client.ask("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
        assert_eq!(lenses, json!([]));
    });
}

#[test]
fn code_lenses_without_a_sample_say_so() {
    run(async {
        let ws = common::scratch("lens-no-sample");
        std::fs::create_dir_all(ws.join("p")).unwrap();
        let source =
            "package p\n\nfacts Facility {\n  n: int = 0\n}\n\nrule r {\n  clause \"1\"\n  require facts.n >= 0\n}\n";
        std::fs::write(ws.join("p/p.okite"), source).unwrap();
        let mut client = Client::start(&ws, json!({ "sampleFacility": null })).await;
        let uri = client.open(&ws.join("p/p.okite"), None).await;
        let lenses = client.ask("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
        assert_eq!(lenses[0]["command"]["title"], "Evaluate (no sample facility)");
        assert_eq!(lenses[0]["command"]["arguments"], json!(["p.r", uri]));
    });
}

#[test]
fn formatting_replaces_the_whole_document() {
    run(async {
        let ws = common::scratch("format");
        let messy = "package   p\n\n\nconst X   =   1\nfn  f( a : int )->int = a+X\n";
        std::fs::write(ws.join("f.okite"), messy).unwrap();
        let mut client = Client::start(&ws, json!({})).await;
        let uri = client.open(&ws.join("f.okite"), None).await;
        let options = json!({ "tabSize": 2, "insertSpaces": true });
        let edits =
            client.ask("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": options })).await;
        let expected = okite_compiler::fmt::format(messy).unwrap();
        assert_eq!(
            edits,
            json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 5, "character": 0 } }, "newText": expected }])
        );
        let range = json!({ "start": { "line": 3, "character": 0 }, "end": { "line": 4, "character": 0 } });
        let ranged = client
            .ask(
                "textDocument/rangeFormatting",
                json!({ "textDocument": { "uri": uri }, "range": range, "options": options }),
            )
            .await;
        assert_eq!(ranged, edits, "a range formats the whole document");
        client.replace(&uri, &expected).await;
        let none =
            client.ask("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": options })).await;
        assert_eq!(none, json!([]));
        // Text that does not parse is left alone.
        client.replace(&uri, "rule {").await;
        let none =
            client.ask("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": options })).await;
        assert_eq!(none, Value::Null);
    });
}

#[test]
fn watched_files_and_closing_update_other_documents() {
    run(async {
        let ws = common::scratch("watched");
        std::fs::create_dir_all(ws.join("p")).unwrap();
        std::fs::write(ws.join("p/model.okite"), "package p\n\nfacts Facility {\n  name: string\n}\n").unwrap();
        std::fs::write(ws.join("p/uses.okite"), "package p\n\nconst Y: int = X + 1\n").unwrap();
        let mut client = Client::start(&ws, json!({})).await;
        let uses = client.open(&ws.join("p/uses.okite"), None).await;
        assert_eq!(client.diagnostics(&uses, Some(1)).await.len(), 1, "`X` is unknown");
        // `X` appears on disk.
        std::fs::write(ws.join("p/x.okite"), "package p\n\nconst X = 1\n").unwrap();
        let changes = json!({ "changes": [{ "uri": uri(&ws.join("p/x.okite")), "type": 1 }] });
        client.notify("workspace/didChangeWatchedFiles", changes).await;
        assert_eq!(client.diagnostics(&uses, Some(1)).await, Vec::<Value>::new());
        // An open document's text wins over the disk's, until it is closed.
        let x = client.open(&ws.join("p/x.okite"), Some("package p\n\nconst Z = 1\n")).await;
        assert_eq!(client.diagnostics(&uses, Some(1)).await.len(), 1);
        client.close(&x).await;
        assert_eq!(client.diagnostics(&uses, Some(1)).await, Vec::<Value>::new());
    });
}
