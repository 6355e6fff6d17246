"""`okite lsp` over stdio, driven by a real LSP client in its own process, on the Hachioji
policy set. Edits stay in the client: no file on disk is changed."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import HACHIOJI, REPO, TIMEOUT, apply_edits, at, diagnostics, ident, open_doc, replace

SECTION = "sections/s07_assets.okite"
MODEL = "model/assets.okite"
TEST = "tests/s07_assets_test.okite"


async def test_initialize_offers_every_feature(client: LanguageClient):
    caps = client.initialize_result.capabilities
    assert client.initialize_result.server_info.name == "okite"
    assert caps.position_encoding in (None, types.PositionEncodingKind.Utf16)
    sync = caps.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental and sync.open_close
    for offered in (
        caps.hover_provider,
        caps.definition_provider,
        caps.references_provider,
        caps.rename_provider,
        caps.completion_provider,
        caps.signature_help_provider,
        caps.document_symbol_provider,
        caps.workspace_symbol_provider,
        caps.semantic_tokens_provider,
        caps.document_formatting_provider,
        caps.document_range_formatting_provider,
        caps.folding_range_provider,
        caps.code_action_provider,
        caps.code_lens_provider,
    ):
        assert offered
    assert "." in caps.completion_provider.trigger_characters


async def test_open_publishes_clean_diagnostics_for_the_policy_set(client: LanguageClient):
    doc = open_doc(client, SECTION)
    assert await diagnostics(client, doc) == []
    # The schema's files are compiled with the rules that use them (not alone in model/).
    model = open_doc(client, MODEL)
    assert await diagnostics(client, model) == []


async def test_hover_on_a_rule_shows_its_clause_and_the_clause_text(client: LanguageClient):
    doc = open_doc(client, SECTION)
    hover = await client.text_document_hover_async(
        at(doc, doc.position("rule table_email_fax_restricted", delta=8), types.HoverParams)
    )
    assert hover is not None
    text = hover.contents.value
    assert "7(1)" in text, text
    assert "情報資産の分類、管理及び取扱いは下表のとおりとする" in text, text
    assert doc.slice(hover.range) == "table_email_fax_restricted"


async def test_hover_after_japanese_text_counts_utf16_units(client: LanguageClient):
    doc = open_doc(client, SECTION)
    # `availability` follows 機密性…・完全性…・可用性 on its line: code points and UTF-16 units
    # agree there, but not with UTF-8 bytes.
    position = doc.position("{c.availability}", delta=4)
    hover = await client.text_document_hover_async(at(doc, position, types.HoverParams))
    assert hover is not None
    assert doc.slice(hover.range) == "availability"
    assert "int" in hover.contents.value and "可用性" in hover.contents.value, hover.contents.value


async def test_definition_of_a_field_is_in_the_schema(client: LanguageClient):
    doc = open_doc(client, SECTION)
    found = await client.text_document_definition_async(
        at(doc, doc.position("{c.integrity}", delta=4), types.DefinitionParams)
    )
    locations = found if isinstance(found, list) else [found]
    assert len(locations) == 1
    target = locations[0]
    uri = getattr(target, "uri", None) or target.target_uri
    assert uri == (HACHIOJI / MODEL).as_uri()
    model = open_doc(client, MODEL)
    assert model.slice(getattr(target, "range", None) or target.target_selection_range) == "integrity"


async def test_references_of_a_function_span_files(client: LanguageClient):
    doc = open_doc(client, SECTION)
    found = await client.text_document_references_async(
        at(
            doc,
            doc.position("restricts_email_fax(t.confidentiality)", delta=3),
            types.ReferenceParams,
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    files = sorted({loc.uri.rsplit("/", 1)[-1] for loc in found})
    assert files == ["assets.okite", "s07_assets.okite", "s16_equipment.okite"], files
    assert len(found) == 4


async def test_completion_after_a_dot_lists_fields_with_types_and_docs(client: LanguageClient):
    doc = open_doc(client, SECTION)
    await diagnostics(client, doc)
    replace(client, doc, "require approved_before(t.approval", "require approved_before(t.")
    position = doc.position("approved_before(t.", delta=len("approved_before(t."))
    found = await client.text_document_completion_async(at(doc, position, types.CompletionParams))
    items = found.items if isinstance(found, types.CompletionList) else found
    by_label = {i.label: i for i in items}
    assert {"channel", "recipient", "confidentiality", "approval"} <= by_label.keys(), sorted(by_label)
    assert "int" in (by_label["confidentiality"].detail or "")
    doc_text = by_label["recipient"].documentation
    doc_text = getattr(doc_text, "value", doc_text) or ""
    assert "送信先" in doc_text, doc_text


async def test_rename_of_a_function_edits_every_use(client: LanguageClient):
    doc = open_doc(client, SECTION)
    position = doc.position("restricts_email_fax(t.confidentiality)", delta=3)
    prepared = await client.text_document_prepare_rename_async(at(doc, position, types.PrepareRenameParams))
    assert prepared is not None
    edit = await client.text_document_rename_async(at(doc, position, types.RenameParams, new_name="blocks_email_fax"))
    changes = edit.changes or {
        c.text_document.uri: c.edits for c in edit.document_changes if isinstance(c, types.TextDocumentEdit)
    }
    assert sum(len(e) for e in changes.values()) == 4
    for uri, edits in changes.items():
        text = (HACHIOJI / uri.split("/policies/hachioji/", 1)[1]).read_text(encoding="utf-8")
        renamed = apply_edits(text, edits)
        assert "restricts_email_fax" not in renamed and "blocks_email_fax(" in renamed


async def test_formatting_restores_the_canonical_layout(client: LanguageClient):
    doc = open_doc(client, SECTION)
    options = types.FormattingOptions(tab_size=2, insert_spaces=True)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(ident(doc), options))
    canonical = apply_edits(doc.text, edits or [])
    replace(client, doc, doc.text, canonical)
    again = await client.text_document_formatting_async(types.DocumentFormattingParams(ident(doc), options))
    assert not again, "formatting is idempotent"

    replace(client, doc, "rule table_email_fax_restricted {", "rule   table_email_fax_restricted   {")
    replace(client, doc, '  severity high\n  tags "classification", "email"', '     severity high\n  tags "classification","email"')
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(ident(doc), options))
    assert edits, "a messed-up file has edits"
    assert apply_edits(doc.text, edits) == canonical
    start = doc.position("rule   table_email_fax")
    ranged = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(ident(doc), types.Range(start=start, end=start), options)
    )
    assert "rule table_email_fax_restricted {" in apply_edits(doc.text, ranged or [])


async def test_code_lenses_run_tests_and_evaluate_rules_on_the_sample(client: LanguageClient):
    tests = open_doc(client, TEST)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(ident(tests)))
    runs = [lens.command for lens in lenses if lens.command and lens.command.command == "okite.runTest"]
    assert runs and runs[0].arguments[0] == tests.uri
    assert runs[0].arguments[1] == "7: every rule of section 7 passes on the compliant facility"

    doc = open_doc(client, SECTION)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(ident(doc)))
    evaluate = {
        lens.command.arguments[0]: lens.command.title
        for lens in lenses
        if lens.command and lens.command.command == "okite.evaluateRule"
    }
    # fixtures/compliant.json beside the policy set, by convention: section 7 passes there.
    assert evaluate["hachioji.s07.table_email_fax_restricted"] == "Evaluate: pass on compliant.json", evaluate
    arguments = [
        lens.command.arguments for lens in lenses if lens.command and lens.command.command == "okite.evaluateRule"
    ]
    assert all(len(a) == 2 and a[1] == doc.uri for a in arguments), arguments


async def test_the_sample_facility_setting_changes_the_evaluate_lenses(client: LanguageClient):
    doc = open_doc(client, "sections/s14_id_password.okite")
    settings = {"path": "okite", "sampleFacility": str(REPO / "examples" / "library.json"), "trace": {"server": "off"}}
    # As VS Code sends it (`synchronize.configurationSection`), and answers if asked.
    client.set_configuration(settings, section="okite")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"okite": settings}))

    async def titles() -> dict[str, str]:
        lenses = await client.text_document_code_lens_async(types.CodeLensParams(ident(doc)))
        return {
            lens.command.arguments[0].rsplit(".", 1)[-1]: lens.command.title
            for lens in lenses
            if lens.command and lens.command.command == "okite.evaluateRule"
        }

    found = await titles()
    assert found["user_ids_properly_issued"] == "Evaluate: fail (1 finding) on library.json", found
    assert found["system_password_required"].startswith("Evaluate: pass on library.json"), found


async def test_one_broken_rule_leaves_the_others_checked(client: LanguageClient):
    doc = open_doc(client, SECTION)
    assert await diagnostics(client, doc) == []
    # A syntax error in one rule, a misspelt field in the next one.
    replace(client, doc, "require approved_before(t.approval, OFFICER_ROLES, t.on)", "require approved_before(t.approval,,")
    replace(client, doc, "require not is_empty(a.protection)", "require not is_empty(a.protectoin)")
    found = await diagnostics(client, doc)
    broken = range(doc.position("rule table_email_fax_restricted").line, doc.position("rule table_encryption_at_rest").line)
    assert any(d.range.start.line in broken and d.severity == types.DiagnosticSeverity.Error for d in found), found
    typo = [d for d in found if doc.slice(d.range) == "protectoin"]
    assert typo and typo[0].severity == types.DiagnosticSeverity.Error, found
    # The misspelling has a "did you mean" fix.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(ident(doc), typo[0].range, types.CodeActionContext(diagnostics=typo))
    )
    fixes = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.edit and a.edit.changes]
    assert fixes, actions
    assert "require not is_empty(a.protection)" in apply_edits(doc.text, fixes[0].edit.changes[doc.uri])


async def test_outline_symbols_tokens_and_folding(client: LanguageClient):
    doc = open_doc(client, SECTION)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(ident(doc)))

    def names(items):
        for s in items:
            yield s.name
            yield from names(getattr(s, "children", None) or [])

    assert any("table_email_fax_restricted" in n for n in names(symbols))
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="table_email_fax"))
    assert any(s.name.endswith("table_email_fax_restricted") for s in found), found
    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(ident(doc)))
    assert tokens.data and len(tokens.data) % 5 == 0
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(ident(doc)))
    assert any(f.start_line == doc.position("rule table_email_fax_restricted").line for f in folds)
    help_ = await client.text_document_signature_help_async(
        at(doc, doc.position("approved_before(t.approval", delta=16), types.SignatureHelpParams)
    )
    assert help_ and help_.signatures and "approved_before" in help_.signatures[0].label


async def test_typing_fast_publishes_only_in_version_order(client: LanguageClient):
    doc = open_doc(client, SECTION)
    await diagnostics(client, doc)
    # One keystroke a change, as an editor sends them, into a rule's title string.
    for ch in "確認中":
        replace(client, doc, '"機密性3の電子メール・ファクシミリ送信の制限', f'"機密性3の電子メール・ファクシミリ送信の制限{ch}')
    replace(client, doc, "severity high", "severity hihg")
    found = await diagnostics(client, doc)
    assert [doc.slice(d.range) for d in found] == ["hihg"], found
    versions = [p.version for p in client.published if p.uri == doc.uri]
    assert versions == sorted(versions), versions


async def test_shutdown_and_exit_end_the_process():
    from conftest import OKITE, make_client

    client = make_client()
    await client.start_io(OKITE, "lsp")
    await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    started = time.monotonic()
    await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    assert client._server.returncode == 0
    assert time.monotonic() - started < 5
    await client.stop()


@pytest.mark.parametrize("junk", ["", "rule {", "\u3000\u3000規則 x {\n  require 1 +\n"])
async def test_any_text_is_answered(client: LanguageClient, junk: str):
    doc = open_doc(client, "sections/scratch.okite", text=junk)
    await diagnostics(client, doc)
    for line in range(junk.count("\n") + 1):
        position = types.Position(line=line, character=1)
        await client.text_document_hover_async(at(doc, position, types.HoverParams))
        await client.text_document_completion_async(at(doc, position, types.CompletionParams))
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(ident(doc)))
    assert lenses is None or isinstance(lenses, (list, tuple))
