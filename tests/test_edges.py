"""Promises at the edges of a call (issue 13): the article and the model's answer reach
the server byte for byte, time limits bound every request and the whole call, odd
answers are transport faults, configuration that cannot work fails at once, a caller's
client is the OpenAI-compatible path, and the API refuses what is not text.

Every test talks to FakeOpenAI on loopback through the real pipeline.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openai
import pytest
from drafts import ARTICLE, SENTENCES, VALID, draft
from fakeopenai import FakeOpenAI, hang, raw, reply, reply_json, status, trickle

import summarizer
from summarizer import ConfigurationError, InputError, NoValidBriefError, TransportError
from summarizer._cli import main
from summarizer._config import resolve
from summarizer._input._read import MAX_INPUT_BYTES, read_article
from summarizer._pipeline._retry import public_url
from summarizer._result import Result

KEY = "sk-test-EDGESECRET"


def run(srv: FakeOpenAI, article: str | bytes = ARTICLE, **options: Any) -> Result:
    settings: dict[str, Any] = {
        "backend": "openai",
        "base_url": srv.base_url,
        "model": "fake-model",
        "api_key": KEY,
        "timeout": 2.0,
        "max_attempts": 3,
        "max_retries": 2,
        "retry_wait_base": 0.01,
        "retry_wait_max": 0.2,
        "deadline": 10.0,
    }
    settings.update(options)
    return summarizer.summarize_detailed(article, **settings)


def user_message(srv: FakeOpenAI, index: int = 0) -> str:
    body = srv.chat_requests[index].json
    assert isinstance(body, dict)
    return str(body["messages"][1]["content"])


# --- 1. the article is data, never a template -------------------------------------------

TEMPLATE_LINES = [
    "The council's notice read {{ 7*7 }} twice.",
    "A note said {# hidden #} in braces.",
    "Editors kept {{cite web |url=x |title=Pier}} markup.",
    "One line read {% if true %}yes{% endif %} verbatim.",
    "Another read {{ undefined_name.attr }} too.",
]


def test_template_syntax_in_the_article_reaches_the_server_verbatim() -> None:
    article = ARTICLE + " " + " ".join(TEMPLATE_LINES)
    with FakeOpenAI([reply_json(VALID)]) as srv:
        result = run(srv, article)
        sent = user_message(srv)
    assert [a.name for a in result.brief.actors] == ["Harbor Council of Velmora", "Ilse Brandt"]
    for number, line in enumerate(TEMPLATE_LINES, start=len(SENTENCES) + 1):
        assert f"\n{number} {line}\n" in sent


def test_a_reask_sends_the_models_own_answer_verbatim() -> None:
    # The first answer names an actor the article does not (so it is re-asked), and
    # holds template syntax that Jinja would execute or choke on.
    first = json.dumps(draft(actors=["{% raw %}Konrad {{ 7*7 }} Vesh"]))
    with FakeOpenAI([reply(first), reply_json(VALID)]) as srv:
        result = run(srv)
        body = srv.chat_requests[1].json
    assert result.meta.reasks == 1
    assert isinstance(body, dict)
    assert body["messages"][2] == {"role": "assistant", "content": first}


# --- 5. time limits bound a request, and the whole call ---------------------------------


def test_a_trickling_body_is_cut_at_the_timeout() -> None:
    # The whole body would take over a minute; each byte comes well within the timeout.
    with FakeOpenAI([trickle(json.dumps(VALID), every=0.05)], lifetime_s=120) as srv:
        started = time.monotonic()
        with pytest.raises(TransportError) as info:
            run(srv, timeout=1.0, max_retries=0)
        elapsed = time.monotonic() - started
    # Generous against a loaded machine, far below the unbounded minute.
    assert elapsed < 5, f"took {elapsed:.1f}s with a 1 s timeout"
    assert len(srv.chat_requests) == info.value.attempts == 1
    assert "timed out" in str(info.value)


def test_a_trickling_body_within_the_timeout_is_read_whole() -> None:
    with FakeOpenAI([trickle(json.dumps(VALID), every=0.0005, chunk=64)]) as srv:
        result = run(srv, timeout=5.0)
    assert [a.name for a in result.brief.actors] == ["Harbor Council of Velmora", "Ilse Brandt"]


def test_a_reask_is_cut_at_the_calls_deadline() -> None:
    late = draft(actors=["Konrad Vesh"])  # rejected: a re-ask follows
    script = [hang(0.6, then=reply_json(late)), hang(30, then=reply_json(VALID))]
    with FakeOpenAI(script, lifetime_s=120) as srv:
        started = time.monotonic()
        with pytest.raises(TransportError):
            run(srv, timeout=30, deadline=1.5, max_retries=0)
        elapsed = time.monotonic() - started
        assert len(srv.chat_requests) == 2
    assert elapsed < 6, f"took {elapsed:.1f}s with a 1.5 s deadline (unbounded: 30 s)"


def test_a_retry_is_cut_at_the_calls_deadline() -> None:
    script = [hang(0.5, then=status(503)), hang(30, then=reply_json(VALID))]
    with FakeOpenAI(script, lifetime_s=120) as srv:
        started = time.monotonic()
        with pytest.raises(TransportError) as info:
            run(srv, timeout=30, deadline=1.5, max_retries=3)
        elapsed = time.monotonic() - started
        assert len(srv.chat_requests) == info.value.attempts == 2
    assert elapsed < 6, f"took {elapsed:.1f}s with a 1.5 s deadline (unbounded: 30 s)"


def test_no_reask_starts_after_the_deadline() -> None:
    # A caller's client is not cut mid-request (its transport is theirs), so the first
    # answer arrives after the deadline: it is judged, and no re-ask is sent.
    late = draft(actors=["Konrad Vesh"])
    with (
        FakeOpenAI([hang(1.2, then=reply_json(late)), reply_json(VALID)]) as srv,
        openai.OpenAI(base_url=srv.base_url, api_key=KEY) as client,
    ):
        with pytest.raises(NoValidBriefError) as info:
            summarizer.summarize_detailed(
                ARTICLE, client=client, model="m", timeout=5.0, deadline=1.0
            )
        assert len(srv.chat_requests) == info.value.attempts == 1
    assert "deadline" in str(info.value)


def test_an_endless_stdin_is_refused_at_the_documented_size() -> None:
    class Endless(io.RawIOBase):
        """'y' bytes, ending only after four times the limit (so a reader that does not
        stop fails this test instead of eating the machine's memory)."""

        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if self.served >= 4 * MAX_INPUT_BYTES:
                return 0
            buffer[:] = b"y" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    source = Endless()
    with pytest.raises(InputError) as info:
        read_article("-", stdin=io.BufferedReader(source))
    assert f"larger than {MAX_INPUT_BYTES // 2**20} MiB" in str(info.value)
    assert source.served < 2 * MAX_INPUT_BYTES  # it stopped reading near the limit


def test_yes_piped_into_the_cli_exits_2(tmp_path: Path) -> None:
    # `yes`, cut at 40 MiB so that a reader that does not stop cannot fill the memory.
    yes = subprocess.Popen("yes | head -c 41943040", shell=True, stdout=subprocess.PIPE)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", "brief", "-"],
            stdin=yes.stdout,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )
    finally:
        yes.kill()
        yes.wait()
        assert yes.stdout is not None
        yes.stdout.close()
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert f"larger than {MAX_INPUT_BYTES // 2**20} MiB" in done.stderr


def test_a_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (MAX_INPUT_BYTES // 5 + 1))
    with pytest.raises(InputError, match="larger than"):
        read_article(big)


# --- 6. unexpected answers are transport faults, not bugs or model answers --------------


@pytest.mark.parametrize("value", ["soon", "Mon, 99 Foo 2020 25:61:61 GMT", "nan", "1e999"])
def test_a_retry_after_that_is_neither_seconds_nor_a_date_is_ignored(value: str) -> None:
    with FakeOpenAI([status(429, headers={"Retry-After": value}), reply_json(VALID)]) as srv:
        result = run(srv)
    assert len(srv.chat_requests) == result.meta.attempts == 2
    assert result.meta.transport_retries == 1


@pytest.mark.parametrize(
    "body",
    [
        {"object": "list", "data": []},
        {"id": "x", "choices": []},
        {"id": "x", "choices": [{"message": {"role": "assistant"}}]},
        [1, 2, 3],
        "just a string",
    ],
    ids=["list", "no-choices", "no-content", "array", "string"],
)
def test_a_200_json_that_is_not_a_chat_completion_is_a_transport_fault(body: Any) -> None:
    with FakeOpenAI([raw(200, json.dumps(body))]) as srv, pytest.raises(TransportError) as info:
        run(srv, max_retries=1)
    assert len(srv.chat_requests) == info.value.attempts == 2
    assert info.value.exit_code == 3


def test_a_200_html_page_is_a_transport_fault_not_a_model_answer() -> None:
    page = "<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"
    with (
        FakeOpenAI([raw(200, page, content_type="text/html")]) as srv,
        pytest.raises(TransportError) as info,
    ):
        run(srv, max_retries=1)
    # Retried as a transport fault; never re-asked as if the model had answered.
    assert len(srv.chat_requests) == info.value.attempts == 2
    assert not isinstance(info.value, NoValidBriefError)
    assert "malformed" in str(info.value)


def test_a_non_ascii_api_key_is_a_configuration_error_before_any_request() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        with pytest.raises(ConfigurationError) as info:
            run(srv, api_key="sk-test-ключ")
        assert srv.chat_requests == []
    assert "ключ" not in str(info.value)
    assert info.value.exit_code == 2


# --- 7. configuration that cannot work fails at once --------------------------------------


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -math.inf])
def test_a_timeout_that_is_not_finite_is_refused(timeout: float) -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        with pytest.raises(ConfigurationError, match="finite"):
            run(srv, timeout=timeout)
        assert srv.chat_requests == []


@pytest.mark.parametrize("value", ["inf", "nan", "1e999"])
def test_a_timeout_variable_that_is_not_finite_exits_2_at_once(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", value)
    with FakeOpenAI([reply_json(VALID)]) as srv:
        started = time.monotonic()
        code = main(["brief", str(article), "--base-url", srv.base_url, "-m", "m"])
        assert time.monotonic() - started < 2
        assert srv.chat_requests == []
    assert code == 2
    assert "finite" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url", ["localhost:8000/v1", "ftp://127.0.0.1/v1", "not a url", "http://", "http://h:port/"]
)
def test_a_base_url_that_is_not_http_exits_2_at_once(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    started = time.monotonic()
    code = main(["brief", str(article), "--backend", "openai", "--base-url", url, "-m", "m"])
    assert time.monotonic() - started < 2
    assert code == 2
    err = capsys.readouterr().err
    assert "not an http(s) URL" in err and err.count("\n") == 1


def test_a_base_url_with_the_local_backend_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="local backend"):
        summarizer.summarize(ARTICLE, backend="local", base_url="http://127.0.0.1:1/v1")


def test_a_llama_server_path_with_the_openai_backend_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    args = ["brief", str(article), "--backend", "openai", "--base-url", "http://127.0.0.1:1/v1"]
    code = main([*args, "-m", "m", "--llama-server", "/usr/bin/llama-server"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "llama-server path is for the local backend" in err
    # The environment variable is general configuration, not a request for this call.
    monkeypatch.setenv("SUMMARIZER_LLAMA_SERVER", "/usr/bin/llama-server")
    settings = resolve(backend="openai", base_url="http://127.0.0.1:1/v1", model="m")
    assert settings.llama_server == "/usr/bin/llama-server"


# --- 10. a caller's own client is the OpenAI-compatible path -----------------------------


def test_a_callers_client_gets_the_model_it_names_and_no_grammar() -> None:
    with (
        FakeOpenAI([reply_json(VALID)]) as srv,
        openai.OpenAI(base_url=srv.base_url, api_key=KEY) as client,
    ):
        result = summarizer.summarize_detailed(ARTICLE, client=client, model="their-model")
        body = srv.chat_requests[0].json
    assert isinstance(body, dict)
    assert body["model"] == "their-model"
    assert "grammar" not in body
    assert body["response_format"]["type"] == "json_schema"
    assert (result.meta.backend, result.meta.base_url) == ("openai", srv.base_url + "/")


def test_a_callers_client_without_a_model_is_asked_for_one() -> None:
    with (
        FakeOpenAI([reply_json(VALID)]) as srv,
        openai.OpenAI(base_url=srv.base_url, api_key=KEY) as client,
    ):
        with pytest.raises(ConfigurationError, match="name the model"):
            summarizer.summarize_detailed(ARTICLE, client=client)
        assert srv.chat_requests == []


def test_a_callers_client_may_ask_for_the_grammar() -> None:
    with (
        FakeOpenAI([reply_json(VALID)]) as srv,
        openai.OpenAI(base_url=srv.base_url, api_key=KEY) as client,
    ):
        summarizer.summarize_detailed(ARTICLE, client=client, model="m", llama_grammar=True)
        body = srv.chat_requests[0].json
    assert isinstance(body, dict)
    assert "grammar" in body and body["response_format"] is None


def test_meta_base_url_carries_no_credentials() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        result = run(srv, base_url=srv.base_url.replace("http://", "http://user:pw-secret@"))
    assert result.meta.base_url == srv.base_url + "/"  # as the openai client keeps it
    assert "pw-secret" not in result.meta.model_dump_json()
    assert public_url("https://u:p@example.org:8443/v1?api-key=k#f") == (
        "https://example.org:8443/v1"
    )


# --- 11. the API refuses what is not text, and decodes bytes as files are ---------------


@pytest.mark.parametrize("article", [None, 42, ["text"], Path("a.txt")])
def test_an_article_that_is_not_text_is_a_type_error(article: Any) -> None:
    with pytest.raises(TypeError, match=r"article must be str \(text\) or bytes"):
        summarizer.summarize(article)


def test_bytes_are_decoded_as_files_are() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        result = run(srv, ("\ufeff" + ARTICLE).encode("utf-8"))
        sent = user_message(srv)
    assert "\ufeff" not in sent
    assert result.brief.event.evidence == [SENTENCES[0]]


def test_bytes_that_are_not_utf8_are_an_input_error() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        with pytest.raises(InputError, match="not valid UTF-8"):
            run(srv, ARTICLE.encode("latin-1") + b" caf\xe9")
        assert srv.chat_requests == []


def test_a_str_with_a_lone_surrogate_is_an_input_error_before_any_request() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        with pytest.raises(InputError, match="lone surrogate U\\+D800"):
            run(srv, ARTICLE + " \ud800")
        assert srv.chat_requests == []


def test_requests_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The fake server plays the proxy: the endpoint's host does not exist, so an answer
    # can only come through it.
    endpoint = "http://news-llm.example.invalid/v1"
    with FakeOpenAI([reply_json(VALID)]) as srv:
        monkeypatch.setenv("HTTP_PROXY", srv.base_url.removesuffix("/v1"))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        result = run(srv, base_url=endpoint)
        assert srv.chat_requests[0].headers["host"] == "news-llm.example.invalid"
        monkeypatch.setenv("NO_PROXY", "news-llm.example.invalid")
        with pytest.raises(TransportError):
            run(srv, base_url=endpoint, max_retries=0)
        assert len(srv.chat_requests) == 1  # NO_PROXY: straight to the (missing) host
    assert result.meta.attempts == 1
