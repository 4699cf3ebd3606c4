"""`Summarizer.map` / `amap` and the cache in front of briefs, against FakeOpenAI on loopback."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import openai
import pytest
from drafts import ARTICLE, VALID
from fakeopenai import FakeOpenAI, hang, reply_json, status

from summarizer import InputError, MapResult, Summarizer, TransportError


def options(srv: FakeOpenAI, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "backend": "openai",
        "base_url": srv.base_url,
        "model": "fake-model",
        "api_key": "sk-test-MAPSECRET",
        "timeout": 5.0,
        "max_answers": 1,
        "max_retries": 0,
        "retry_wait_base": 0.01,
        "deadline": 20.0,
    }
    settings.update(extra)
    return settings


def texts(n: int) -> list[str]:
    return [f"{ARTICLE} Note {i}." for i in range(n)]


def test_map_gives_every_result_with_errors_as_values() -> None:
    articles: list[Any] = [*texts(3), "", *texts(5)[3:]]
    with FakeOpenAI([reply_json(VALID)]) as srv, Summarizer(**options(srv)) as s:
        got = list(s.map(articles, jobs=3))
        assert len(srv.chat_requests) == 5
    assert sorted(r.key for r in got) == [0, 1, 2, 3, 4, 5]  # type: ignore[type-var]
    by_key = {r.key: r for r in got}
    assert isinstance(by_key[3].error, InputError) and by_key[3].result is None
    assert all(r.ok and r.result is not None for k, r in by_key.items() if k != 3)


def test_map_keeps_at_most_jobs_requests_in_flight() -> None:
    # Every answer takes 0.5 s: with 2 jobs, the third request waits for a first answer.
    with FakeOpenAI([hang(0.5, then=reply_json(VALID))]) as srv, Summarizer(**options(srv)) as s:
        assert all(r.ok for r in s.map(texts(4), jobs=2))
        sent = sorted(r.t for r in srv.chat_requests)
    assert len(sent) == 4 and sent[2] - sent[0] >= 0.4, sent


def test_map_yields_in_completion_order() -> None:
    # Whichever of the first two requests arrives first hangs 3 s; the rest finish before it.
    script = [hang(3.0, then=reply_json(VALID)), reply_json(VALID)]
    with FakeOpenAI(script) as srv, Summarizer(**options(srv)) as s:
        got = [r.key for r in s.map(dict(zip("abcd", texts(4), strict=True)), jobs=2)]
        assert len(srv.chat_requests) == 4
    assert got[-1] in {"a", "b"} and sorted(got) == ["a", "b", "c", "d"]


def test_amap_the_same_text_twice_in_flight_makes_one_request() -> None:
    async def go(srv: FakeOpenAI) -> list[MapResult]:
        async with Summarizer(**options(srv)) as s:
            return [r async for r in s.amap([ARTICLE, ARTICLE, ARTICLE], jobs=3)]

    with FakeOpenAI([hang(0.3, then=reply_json(VALID))]) as srv:
        got = asyncio.run(go(srv))
        assert len(srv.chat_requests) == 1
    assert [r.ok for r in got] == [True] * 3


def test_breaking_out_of_map_cancels_what_is_in_flight() -> None:
    with FakeOpenAI([hang(30, then=reply_json(VALID)), reply_json(VALID)]) as srv:
        with Summarizer(**options(srv)) as s:
            for result in s.map(texts(6), jobs=2):
                assert result.ok
                break
            # The hanging request is abandoned, and no further article is started.
            assert not any(t.name.startswith("summarizer-map") for t in threading.enumerate())
        assert len(srv.chat_requests) <= 3


def test_map_with_only_a_sync_client_uses_threads() -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="k")
        with Summarizer(client=client, model="fake-model") as s:
            got = list(s.map(texts(3), jobs=2))
        client.close()
        assert len(srv.chat_requests) == 3
    assert all(r.ok for r in got)


def test_the_cache_answers_a_repeat_with_no_request_and_says_so(tmp_path: Path) -> None:
    with FakeOpenAI([reply_json(VALID)]) as srv:
        with Summarizer(**options(srv), cache=tmp_path) as s:
            first = s.brief_detailed(ARTICLE)
            again = s.brief_detailed(ARTICLE)
            async_again = asyncio.run(s.abrief_detailed(ARTICLE))
        assert len(srv.chat_requests) == 1
        with Summarizer(**options(srv)) as uncached:  # off by default in the library
            uncached.brief_detailed(ARTICLE)
        assert len(srv.chat_requests) == 2
    assert not first.meta.cached and again.meta.cached and async_again.meta.cached
    assert again.brief == first.brief
    assert again.meta.model_copy(update={"cached": False}) == first.meta
    assert again.evidence == first.evidence and first.evidence.of("event")  # offsets kept


def test_failures_are_not_cached(tmp_path: Path) -> None:
    with FakeOpenAI([status(503), reply_json(VALID)]) as srv:
        with Summarizer(**options(srv), cache=tmp_path) as s:
            with pytest.raises(TransportError):
                s.brief_detailed(ARTICLE)
            assert not s.brief_detailed(ARTICLE).meta.cached
        assert len(srv.chat_requests) == 2


def test_a_callers_client_keys_the_cache_by_its_endpoint(tmp_path: Path) -> None:
    with FakeOpenAI([reply_json(VALID)]) as one, FakeOpenAI([reply_json(VALID)]) as two:
        for srv in (one, two):
            client = openai.OpenAI(base_url=srv.base_url, api_key="k")
            with Summarizer(client=client, model="fake-model", cache=tmp_path) as s:
                assert not s.brief_detailed(ARTICLE).meta.cached
            client.close()
        assert (len(one.chat_requests), len(two.chat_requests)) == (1, 1)
