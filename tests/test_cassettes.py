"""Cassettes hold no secrets: no keys, no auth or cookie headers, no provider headers."""

from __future__ import annotations

import re
from typing import ClassVar

import pytest
import yaml
from conftest import CASSETTES, scrub_request, scrub_response

KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_-]{16,}|Bearer\s+[A-Za-z0-9._-]{8,}", re.I)
FORBIDDEN_HEADER = re.compile(r"^(authorization|cookie|set-cookie|openai-.*|x-.*)$", re.I)

FILES = sorted(CASSETTES.rglob("*.yaml"))


def test_there_are_cassettes() -> None:
    assert len(FILES) >= 5


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CASSETTES).as_posix())
def test_cassette_has_no_secrets(path: object) -> None:
    text = path.read_text()  # type: ignore[attr-defined]
    assert not KEY_LIKE.search(text)
    data = yaml.safe_load(text)
    for interaction in data["interactions"]:
        for part in ("request", "response"):
            headers = interaction[part].get("headers") or {}
            bad = [h for h in headers if FORBIDDEN_HEADER.match(h)]
            assert not bad, f"{part} headers {bad} in {path}"


def test_scrubbers_remove_secrets_and_provider_headers() -> None:
    class Request:
        headers: ClassVar[dict[str, str]] = {
            "Authorization": "Bearer sk-abcdefghijklmnopqrstuvwxyz",
            "Cookie": "session=1",
            "OpenAI-Organization": "org-1",
            "X-Stainless-Lang": "python",
            "Content-Type": "application/json",
        }

    scrub_request(Request)
    assert Request.headers == {"Content-Type": "application/json"}
    response = {
        "headers": {
            "Set-Cookie": ["a=b"],
            "openai-processing-ms": ["5"],
            "x-request-id": ["r"],
            "Content-Type": ["application/json"],
        }
    }
    scrub_response(response)
    assert response["headers"] == {"Content-Type": ["application/json"]}
