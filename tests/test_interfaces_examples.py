"""Checks the request and response examples on the Interfaces pages (docs/interfaces/*.md).

Every ```json block must parse. Beyond syntax, a few invariants keep the examples honest:
chat requests carry "model" and "messages", chat responses carry choices with a finish_reason,
SSE examples (```http or ```text blocks with data: lines) carry JSON payloads, and tool
definitions carry a JSON Schema object as parameters.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs" / "interfaces").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(path: Path):
    """Yield (language, first line number, text) for every fenced block of a page."""
    lang, start, buf = None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        m = FENCE.match(line.strip())
        if lang is None and m and line.strip() != "```":
            lang, start, buf = m.group(1), number + 1, []
        elif lang is not None and line.strip() == "```":
            yield lang, start, "\n".join(buf)
            lang = None
        elif lang is not None:
            buf.append(line)


def json_blocks():
    for page in PAGES:
        for lang, line, text in blocks(page):
            if lang == "json":
                yield pytest.param(page, line, text, id=f"{page.name}:{line}")


def sse_blocks():
    for page in PAGES:
        for lang, line, text in blocks(page):
            if lang in ("http", "text") and re.search(r"^data: ", text, re.M):
                yield pytest.param(page, line, text, id=f"{page.name}:{line}")


def test_pages_exist():
    assert PAGES, "no pages under docs/interfaces/"


@pytest.mark.parametrize("page,line,text", list(json_blocks()))
def test_json_block_parses(page, line, text):
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        pytest.fail(f"{page.relative_to(ROOT)}:{line + err.lineno - 1}: invalid JSON: {err.msg}")


@pytest.mark.parametrize("page,line,text", list(json_blocks()))
def test_json_block_semantics(page, line, text):
    doc = json.loads(text)
    where = f"{page.relative_to(ROOT)}:{line}"
    if not isinstance(doc, dict):
        return
    if "messages" in doc:  # a chat request
        assert "model" in doc, f"{where}: chat request without model"
        assert isinstance(doc["messages"], list) and doc["messages"], f"{where}: messages must be a non-empty list"
        for msg in doc["messages"]:
            assert msg.get("role") in {"system", "developer", "user", "assistant", "tool"}, f"{where}: bad role {msg!r}"
        for tool in doc.get("tools", []):
            if "function" in tool:  # OpenAI shape
                params = tool["function"].get("parameters", {"type": "object"})
            else:  # Anthropic shape
                params = tool.get("input_schema", {"type": "object"})
            assert params.get("type") == "object", f"{where}: tool parameters must be a JSON Schema object"
    if doc.get("object") == "chat.completion":
        for choice in doc["choices"]:
            assert "message" in choice and "finish_reason" in choice, f"{where}: choice lacks message/finish_reason"
            for call in choice["message"].get("tool_calls", []):
                json.loads(call["function"]["arguments"])  # arguments are a JSON string
    if "usage" in doc and isinstance(doc["usage"], dict) and "total_tokens" in doc["usage"]:
        u = doc["usage"]
        if "prompt_tokens" in u:
            assert u["prompt_tokens"] + u["completion_tokens"] == u["total_tokens"], f"{where}: usage does not add up"
        if "input_tokens" in u:
            assert u["input_tokens"] + u["output_tokens"] == u["total_tokens"], f"{where}: usage does not add up"


@pytest.mark.parametrize("page,line,text", list(sse_blocks()))
def test_sse_data_lines_are_json(page, line, text):
    for offset, raw in enumerate(text.split("\n")):
        if raw.startswith("data: "):
            payload = raw[len("data: "):]
            if payload == "[DONE]":
                continue
            try:
                json.loads(payload)
            except json.JSONDecodeError as err:
                pytest.fail(f"{page.relative_to(ROOT)}:{line + offset}: SSE data is not JSON: {err.msg}")
