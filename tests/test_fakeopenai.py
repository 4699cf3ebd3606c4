"""Tests of the fake server itself, driven by the real openai client."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import openai
import pytest
from fakeopenai import Action, FakeOpenAI, drop, hang, malformed, reply, reply_json, status

MESSAGES = [{"role": "user", "content": "hello"}]


def make_client(srv: FakeOpenAI, timeout: float = 2.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key="test-key", max_retries=0, timeout=timeout)


@contextmanager
def serving(*script: Action, timeout: float = 2.0) -> Iterator[tuple[FakeOpenAI, openai.OpenAI]]:
    with FakeOpenAI(script) as srv, make_client(srv, timeout) as client:
        yield srv, client


def chat(client: openai.OpenAI, model: str = "test-model"):
    return client.chat.completions.create(model=model, messages=MESSAGES)


def port_of(srv: FakeOpenAI) -> int:
    port = urlsplit(srv.base_url).port
    assert port is not None
    return port


def refuses(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return False
    except ConnectionRefusedError:
        return True


def test_reply_returns_content_usage_and_echoes_model():
    script = [reply("hi there", finish_reason="length", prompt_tokens=7, completion_tokens=3)]
    with FakeOpenAI(script) as srv, make_client(srv) as client:
        out = chat(client, model="my-model")
    assert out.choices[0].message.content == "hi there"
    assert out.choices[0].message.role == "assistant"
    assert out.choices[0].finish_reason == "length"
    assert out.model == "my-model"
    assert out.object == "chat.completion"
    assert out.usage is not None
    assert (out.usage.prompt_tokens, out.usage.completion_tokens) == (7, 3)
    assert out.usage.total_tokens == 10


def test_reply_json_serialises_the_object():
    with FakeOpenAI([reply_json({"title": "T", "points": [1, 2]})]) as srv, make_client(srv) as c:
        content = chat(c).choices[0].message.content
    assert content is not None
    assert json.loads(content) == {"title": "T", "points": [1, 2]}


def test_429_raises_rate_limit_error_with_retry_after_header():
    with (
        serving(status(429, headers={"Retry-After": "2"})) as (_, client),
        pytest.raises(openai.RateLimitError) as info,
    ):
        chat(client)
    err = info.value
    assert err.status_code == 429
    assert err.response.headers["retry-after"] == "2"
    assert err.code == "rate_limit_exceeded"


@pytest.mark.parametrize(
    ("code", "exc"),
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
    ],
)
def test_status_codes_map_to_openai_errors(code: int, exc: type[openai.APIStatusError]):
    with serving(status(code)) as (_, client), pytest.raises(exc) as info:
        chat(client)
    assert info.value.status_code == code
    assert isinstance(info.value.body, dict) and "message" in info.value.body


def test_status_with_custom_body():
    body = {"error": {"message": "context too long", "type": "invalid_request_error"}}
    with serving(status(400, body=body)) as (_, client), pytest.raises(openai.BadRequestError) as e:
        chat(client)
    assert e.value.message == "Error code: 400 - " + repr(body)


def test_hang_past_client_timeout_raises_api_timeout_error():
    with FakeOpenAI([hang(5.0)]) as srv, make_client(srv, timeout=0.3) as client:
        start = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            chat(client)
        assert time.monotonic() - start < 1.0
    # leaving the block did not wait out the 5 s hang: the handler was woken and joined
    assert time.monotonic() - start < 1.5


def test_hang_within_timeout_then_answers():
    with FakeOpenAI([hang(0.2, then=reply("slow"))]) as srv, make_client(srv) as client:
        start = time.monotonic()
        out = chat(client)
    assert out.choices[0].message.content == "slow"
    assert time.monotonic() - start >= 0.2


def test_drop_raises_api_connection_error():
    with FakeOpenAI([drop()]) as srv, make_client(srv) as client:
        with pytest.raises(openai.APIConnectionError) as info:
            chat(client)
        assert len(srv.chat_requests) == 1  # the request was read before the drop
    assert not isinstance(info.value, openai.APITimeoutError)
    assert "disconnected" in str(info.value.__cause__).lower()


def test_malformed_raises_plain_json_decode_error():
    # openai 3.3.0 does not wrap this: a 200 with a broken JSON body escapes as the
    # stdlib json.JSONDecodeError, not as any openai.APIError.
    with serving(malformed()) as (_, client), pytest.raises(json.JSONDecodeError) as info:
        chat(client)
    assert not isinstance(info.value, openai.OpenAIError)


def test_script_exhaustion_repeats_last_action():
    with FakeOpenAI([reply("one"), reply("two")]) as srv, make_client(srv) as client:
        got = [chat(client).choices[0].message.content for _ in range(4)]
    assert got == ["one", "two", "two", "two"]


def test_requests_are_recorded():
    with FakeOpenAI([status(500), reply("ok")]) as srv, make_client(srv) as client:
        with pytest.raises(openai.InternalServerError):
            chat(client, model="a")
        chat(client, model="b")
    assert len(srv.requests) == 2
    first, second = srv.requests
    assert (first.method, first.path) == ("POST", "/v1/chat/completions")
    assert first.json["model"] == "a" and second.json["model"] == "b"
    assert first.json["messages"] == MESSAGES
    assert json.loads(first.raw) == first.json
    assert first.headers["authorization"] == "Bearer test-key"
    assert first.headers["content-type"] == "application/json"
    assert first.t <= second.t <= time.monotonic()


def test_health_and_models_endpoints():
    with FakeOpenAI([reply("unused")]) as srv, make_client(srv) as client:
        root = srv.base_url.removesuffix("/v1")
        with urllib.request.urlopen(root + "/health", timeout=1) as resp:
            assert resp.status == 200
            assert json.load(resp) == {"status": "ok"}
        assert [m.id for m in client.models.list()] == ["fake-model"]
        assert srv.chat_requests == []  # GETs are recorded but consume no action
        assert [r.method for r in srv.requests] == ["GET", "GET"]


def test_max_requests_answers_503():
    with FakeOpenAI([reply("ok")], max_requests=2) as srv, make_client(srv) as client:
        chat(client)
        chat(client)
        with pytest.raises(openai.InternalServerError) as info:
            chat(client)
    assert info.value.status_code == 503
    assert "max_requests" in info.value.message


def test_server_stops_by_itself_after_lifetime():
    with FakeOpenAI([reply("ok")], lifetime_s=0.5) as srv:
        port = port_of(srv)
        with make_client(srv) as client:
            assert chat(client).choices[0].message.content == "ok"
        deadline = time.monotonic() + 1.0
        while not srv.closed and time.monotonic() < deadline:
            time.sleep(0.02)
        assert srv.closed
        assert refuses(port)


def test_exit_releases_the_port():
    with FakeOpenAI([reply("ok")]) as srv:
        port = port_of(srv)
        assert not refuses(port)
    assert srv.closed
    assert refuses(port)


def test_empty_script_is_rejected():
    with pytest.raises(ValueError):
        FakeOpenAI([])
