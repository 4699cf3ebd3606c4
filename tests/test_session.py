"""The session object and native async (issue 16, 18): `Summarizer` keeps one connection,
the async forms run on openai.AsyncOpenAI with the sync path's behaviour, byte for byte,
a 429 pauses every request of one Summarizer, and `import summarizer` stays light.

Every request goes to FakeOpenAI on loopback (or a cassette) through the real pipeline.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any

import openai
import pytest
from conftest import CASSETTES, ROOT, Target, example
from drafts import ACTORS, ARTICLE, VALID, draft
from fakeopenai import (
    Action,
    FakeOpenAI,
    drop,
    hang,
    malformed,
    reply_json,
    status,
    trickle,
)

import summarizer
from summarizer import (
    ArticleTooLongError,
    ConfigurationError,
    InputError,
    Meta,
    NoValidBriefError,
    OutputTruncatedError,
    Summarizer,
    TransportError,
    _api,
)

KEY = "sk-test-SESSIONSECRET"
NO_STATUS = {k: v for k, v in VALID.items() if k != "status"}


def options(srv: FakeOpenAI, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "backend": "openai",
        "base_url": srv.base_url,
        "model": "fake-model",
        "api_key": KEY,
        "timeout": 2.0,
        "max_answers": 3,
        "max_retries": 2,
        "retry_wait_base": 0.01,
        "retry_wait_max": 0.5,
        "deadline": 10.0,
    }
    settings.update(extra)
    return settings


def outcome(call: Any) -> tuple[Any, ...]:
    """What a caller sees of one call: the counts of a result, or the error's class,
    exit code, status and counts."""
    try:
        result = call()
    except summarizer.SummarizerError as exc:
        return (type(exc).__name__, exc.exit_code, getattr(exc, "status", None),
                getattr(exc, "requests", None))  # fmt: skip
    meta = result.meta
    return ("ok", meta.requests, meta.reasks, meta.transport_retries,
            meta.usage.prompt_tokens, [a.name for a in result.brief.actors])  # fmt: skip


def sync_call(srv: FakeOpenAI, **extra: Any) -> Any:
    return lambda: summarizer.summarize_detailed(ARTICLE, **options(srv, **extra))


def async_call(srv: FakeOpenAI, **extra: Any) -> Any:
    return lambda: asyncio.run(summarizer.asummarize_detailed(ARTICLE, **options(srv, **extra)))


INVENTED = draft(actors=["Konrad Vesh"])
SCRIPTS: dict[str, tuple[list[Action], dict[str, Any]]] = {
    "valid": ([reply_json(VALID)], {}),
    "429 then valid": ([status(429, headers={"Retry-After": "0.2"}), reply_json(VALID)], {}),
    "500s exhausted": ([status(500)], {}),
    "401 not retried": ([status(401), reply_json(VALID)], {}),
    "drop then valid": ([drop(), reply_json(VALID)], {}),
    "malformed then valid": ([malformed(), reply_json(VALID)], {}),
    "malformed exhausted": ([malformed()], {}),
    "hang past timeout": ([hang(5.0)], {"timeout": 0.3}),
    "reask then valid": ([reply_json(NO_STATUS), reply_json(VALID)], {}),
    "all invalid": ([reply_json(INVENTED)], {}),
    "cut at token limit": ([reply_json(VALID, finish_reason="length")], {}),
    "retries and reasks": ([status(503), reply_json(INVENTED), drop(), reply_json(VALID)], {}),
    "retry-after past deadline": (
        [status(429, headers={"Retry-After": "30"}), reply_json(VALID)],
        {"deadline": 2.0},
    ),
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_async_behaves_as_sync_and_sends_the_same_bytes(name: str) -> None:
    script, extra = SCRIPTS[name]
    seen = []
    for make in (sync_call, async_call):
        with FakeOpenAI(script, max_requests=20, lifetime_s=20) as srv:
            got = outcome(make(srv, **extra))
            bodies = [r.raw for r in srv.chat_requests]
        seen.append((got, bodies))
    (sync_out, sync_bodies), (async_out, async_bodies) = seen
    assert async_out == sync_out
    assert async_bodies == sync_bodies  # byte for byte: the cassettes replay for both
    assert sync_out[0] == "ok" or sync_out[1] in (3, 4)


def test_async_error_counts_match_the_server() -> None:
    with FakeOpenAI([status(503)], lifetime_s=20) as srv, pytest.raises(TransportError) as info:
        async_call(srv)()
    assert len(srv.chat_requests) == info.value.requests == info.value.attempts == 3
    assert info.value.status == 503 and info.value.exit_code == 3
    assert KEY not in str(info.value)


def test_async_trickling_body_is_cut_at_the_timeout() -> None:
    # Each byte comes well within the timeout; the whole body would take over a minute.
    with FakeOpenAI([trickle(json.dumps(VALID), every=0.05)], lifetime_s=120) as srv:
        started = time.monotonic()
        with pytest.raises(TransportError) as info:
            async_call(srv, timeout=1.0, max_retries=0)()
        elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f}s with a 1 s timeout"
    assert "timed out" in str(info.value)


def test_async_retry_is_cut_at_the_calls_deadline() -> None:
    script = [hang(0.5, then=status(503)), hang(30, then=reply_json(VALID))]
    with FakeOpenAI(script, lifetime_s=120) as srv:
        started = time.monotonic()
        with pytest.raises(TransportError):
            async_call(srv, timeout=30, deadline=1.5, max_retries=3)()
        elapsed = time.monotonic() - started
        assert len(srv.chat_requests) == 2
    assert elapsed < 6, f"took {elapsed:.1f}s with a 1.5 s deadline (unbounded: 30 s)"


def test_one_summarizer_keeps_one_connection_for_many_briefs() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv, Summarizer(**options(srv)) as s:
        first = s.brief_detailed(ARTICLE)
        conn = s._conn
        second = s.brief_detailed(ARTICLE.encode("utf-8"))
        assert s._conn is conn is not None
        assert first.brief == second.brief
        assert [a.name for a in s.brief(ARTICLE).actors] == ACTORS
        assert len(srv.chat_requests) == 3
    assert KEY not in repr(s)
    with pytest.raises(RuntimeError, match="closed"):
        s.brief(ARTICLE)


async def _sync_and_async_on_one(srv: FakeOpenAI) -> tuple[Any, Any]:
    async with Summarizer(**options(srv)) as s:
        return await s.abrief(ARTICLE), await s.abrief_detailed(ARTICLE)


def test_async_context_manager_and_methods() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        brief, result = asyncio.run(_sync_and_async_on_one(srv))
    assert brief == result.brief
    assert result.meta.requests == 1


def test_bad_input_is_refused_before_any_connection() -> None:
    # No server is started, found or asked: the llama-server named does not exist.
    s = Summarizer(backend="local", llama_server="/nonexistent/llama-server")
    too_long = "The council met again. " * 5000  # past the local model's context
    with pytest.raises(InputError):
        s.brief("   ")
    with pytest.raises(InputError):
        asyncio.run(s.abrief(b"\x00\x01binary"))
    with pytest.raises(ArticleTooLongError):
        s.brief(too_long)
    with pytest.raises(ArticleTooLongError):
        asyncio.run(s.abrief(too_long))
    assert s._conn is None


def test_a_callers_async_client_is_used_with_its_retries_off() -> None:
    async def go(srv: FakeOpenAI) -> Any:
        async with openai.AsyncOpenAI(base_url=srv.base_url, api_key=KEY, max_retries=5) as c:
            return await summarizer.asummarize_detailed(
                ARTICLE, async_client=c, model="m", max_retries=0
            )

    with FakeOpenAI([status(500), reply_json(VALID)]) as srv:
        with pytest.raises(TransportError) as info:
            asyncio.run(go(srv))
        assert len(srv.chat_requests) == info.value.requests == 1
    with FakeOpenAI([reply_json(VALID)]) as srv:
        assert asyncio.run(go(srv)).meta.requests == 1


def test_a_sync_client_alone_refuses_the_async_forms_with_what_to_do() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key=KEY)
        s = Summarizer(client=client, model="m")
        with pytest.raises(ConfigurationError, match="async_client"):
            asyncio.run(s.abrief(ARTICLE))
        assert s.brief(ARTICLE).actors  # the sync form works
        client.close()


def test_a_429_pauses_every_request_of_one_summarizer() -> None:
    # A's first request is told to wait 0.8 s; B, started after that, waits too (without
    # the gate it would go at once), and so does A's own retry.
    script = [status(429, headers={"Retry-After": "0.8"}), reply_json(VALID)]

    async def go(srv: FakeOpenAI) -> tuple[Meta, Meta]:
        told: list[str] = []
        async with Summarizer(**options(srv)) as s:
            a = asyncio.create_task(s.abrief_detailed(ARTICLE, progress=told.append))
            while not any("HTTP 429" in m for m in told):
                await asyncio.sleep(0.01)
            b = asyncio.create_task(s.abrief_detailed(ARTICLE))
            return (await a).meta, (await b).meta

    with FakeOpenAI(script) as srv:
        meta_a, meta_b = asyncio.run(go(srv))
        first, *later = srv.chat_requests
    assert len(later) == 2
    assert all(r.t - first.t >= 0.7 for r in later), [r.t - first.t for r in later]
    assert (meta_a.requests, meta_a.transport_retries, meta_b.requests) == (2, 1, 1)


async def _brief_and_client() -> openai.AsyncOpenAI:
    assert (await summarizer.asummarize(ARTICLE)).actors
    assert _api._default is not None and _api._default._conn is not None
    return _api._default._conn.async_client


def test_default_instance_is_reused_until_the_settings_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("SUMMARIZER_MODEL", "env-model")
        monkeypatch.setattr(_api, "_default", None)
        summarizer.summarize(ARTICLE)
        first = _api._default
        assert summarizer.summarize_detailed(ARTICLE).meta.model == "env-model"
        assert _api._default is first is not None
        # Two event loops in turn: each gets an async client of its own (kept-alive
        # connections of a closed loop cannot serve the next).
        clients = [asyncio.run(_brief_and_client()) for _ in range(2)]
        assert clients[0] is not clients[1]
        monkeypatch.setenv("SUMMARIZER_MODEL", "other-model")
        assert summarizer.summarize_detailed(ARTICLE).meta.model == "other-model"
        assert _api._default is not first
        assert len(srv.chat_requests) == 5


def test_requests_is_the_new_name_and_attempts_its_alias() -> None:
    with FakeOpenAI([status(503), reply_json(NO_STATUS), reply_json(VALID)]) as srv:
        meta = summarizer.summarize_detailed(ARTICLE, **options(srv)).meta
    dumped = json.loads(meta.model_dump_json())
    assert dumped["requests"] == dumped["attempts"] == meta.attempts == meta.requests == 3
    # Meta written before the rename reads back.
    old = {k: v for k, v in dumped.items() if k != "requests"}
    assert Meta.model_validate(old).requests == 3
    assert Meta.model_validate_json(meta.model_dump_json()) == meta


def test_max_attempts_still_limits_answers() -> None:
    with FakeOpenAI([reply_json(INVENTED)]) as srv:
        with pytest.raises(NoValidBriefError) as info:
            summarizer.summarize_detailed(
                ARTICLE, **{**options(srv), "max_answers": None, "max_attempts": 2}
            )
        assert not isinstance(info.value, OutputTruncatedError)
        assert len(srv.chat_requests) == info.value.requests == info.value.attempts == 2


def test_import_summarizer_does_not_import_openai_or_instructor() -> None:
    code = (
        "import sys, summarizer\n"
        "summarizer.Summarizer(backend='openai', base_url='http://127.0.0.1:9/v1')\n"
        "heavy = [m for m in ('openai', 'instructor', 'httpx2', 'tenacity') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    # PYTHONPATH: this checkout's package, as the tests import it.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "test_briefs")


@pytest.mark.vcr
@pytest.mark.default_cassette("test_async_api_gives_the_same_brief.yaml")
def test_summarizer_sync_and_async_replay_one_cassette(llm: Target) -> None:
    article = example("port_strike")

    async def async_brief() -> Any:
        async with Summarizer(**llm.options()) as s:
            return await s.abrief(article)

    with Summarizer(**llm.options()) as s:
        assert asyncio.run(async_brief()) == s.brief(article)
