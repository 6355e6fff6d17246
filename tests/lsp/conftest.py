"""The client side of the stdio tests: `okite lsp` runs in its own process and pytest-lsp talks
to it as an editor would (VS Code's capabilities, the Hachioji policy set as workspace folder).

Positions are computed here from the files' text, independently of the server: Python indexes
strings by code point, LSP counts UTF-16 code units, and the Hachioji sources are full of
Japanese, so a server that confused the two would answer about the wrong text.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = Path(__file__).resolve().parents[2]
HACHIOJI = REPO / "policies" / "hachioji"
OKITE = os.environ.get("OKITE_BIN") or str(REPO / "target" / "debug" / "okite")

# Diagnostics are debounced and the first check of a policy set compiles it whole (a debug
# build): generous, as a slow CI machine must not fail a correct server.
TIMEOUT = 30.0


def record_diagnostics(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    """Keeps every publication with its version (pytest-lsp's default keeps the last list only)."""
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def accept(_client: LanguageClient, _params: object) -> None:
    """A request a real editor would accept: registering a file watcher, refreshing lenses."""
    return None


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record_diagnostics
    features[types.CLIENT_REGISTER_CAPABILITY] = accept
    features[types.WORKSPACE_CODE_LENS_REFRESH] = accept
    register_lsp_features(client, features)
    return client


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[OKITE, "lsp"], client_factory=make_client))
async def client(lsp_client: LanguageClient):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[types.WorkspaceFolder(uri=HACHIOJI.as_uri(), name="hachioji")],
            # As the VS Code extension sends them: an empty setting is null (the convention).
            initialization_options={"sampleFacility": None},
        )
    )
    yield
    await lsp_client.shutdown_session()


@dataclass
class Doc:
    """An open document: the client's copy of its text and version."""

    uri: str
    text: str
    version: int = 1

    def position(self, needle: str, nth: int = 0, delta: int = 0) -> types.Position:
        """The position `delta` code points into the `nth` occurrence of `needle`."""
        at = -1
        for _ in range(nth + 1):
            at = self.text.index(needle, at + 1)
        return utf16_position(self.text, at + delta)

    def offset(self, position: types.Position) -> int:
        """The code point index of an LSP position."""
        line_start = 0
        for _ in range(position.line):
            line_start = self.text.index("\n", line_start) + 1
        line = self.text[line_start:].split("\n", 1)[0]
        units = 0
        for i, ch in enumerate(line):
            if units >= position.character:
                return line_start + i
            units += utf16_len(ch)
        return line_start + len(line)

    def slice(self, range_: types.Range) -> str:
        """The text a range covers."""
        return self.text[self.offset(range_.start) : self.offset(range_.end)]


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def utf16_position(text: str, index: int) -> types.Position:
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=utf16_len(text[line_start:index]))


def open_doc(client: LanguageClient, relative: str, text: str | None = None) -> Doc:
    """Opens a file of the Hachioji set (with its text on disk unless `text` is given)."""
    path = HACHIOJI / relative
    doc = Doc(uri=path.as_uri(), text=path.read_text(encoding="utf-8") if text is None else text)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc.uri, language_id="okite", version=doc.version, text=doc.text)
        )
    )
    return doc


def replace(client: LanguageClient, doc: Doc, old: str, new: str, nth: int = 0) -> None:
    """Replaces the `nth` occurrence of `old` with `new`, as one incremental change."""
    start = doc.position(old, nth)
    end = doc.position(old, nth, len(old))
    index = doc.offset(start)
    doc.text = doc.text[:index] + new + doc.text[index + len(old) :]
    doc.version += 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=new)
            ],
        )
    )


async def diagnostics(client: LanguageClient, doc: Doc) -> list[types.Diagnostic]:
    """The diagnostics published for the document's current version (waits for them)."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            for p in reversed(client.published):
                if p.uri == doc.uri and p.version == doc.version:
                    return list(p.diagnostics)
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(wait(), TIMEOUT)


def at(doc: Doc, position: types.Position, kind: type, **more: object):
    """The parameters of a request at a position (`kind`, e.g. `types.HoverParams`)."""
    return kind(text_document=types.TextDocumentIdentifier(uri=doc.uri), position=position, **more)


def ident(doc: Doc) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=doc.uri)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """`text` with the edits applied (LSP edits do not overlap; applied from the end)."""
    doc = Doc(uri="", text=text)
    spans = sorted(((doc.offset(e.range.start), doc.offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
