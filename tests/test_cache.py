"""The brief cache: hits, misses, what the key depends on, age and size limits, many writers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from batchkit import FakeBrief, result_for

from summarizer import ConfigurationError, NoValidBriefError
from summarizer._batch import Item, open_records, run_batch
from summarizer._cache import (
    KEY_FORMAT,
    BriefCache,
    CacheKey,
    cached,
    default_folder,
    remove_files,
)
from summarizer._config import resolve

ROOT = Path(__file__).resolve().parent.parent


def key(text: str = "An article.", **changes: object) -> CacheKey:
    base = CacheKey(
        text_sha256=text,
        model="m",
        endpoint="http://127.0.0.1:8000/v1",
        prompt_version="p1",
        schema_version="1.0",
        temperature=0.0,
        max_tokens=1536,
        grammar=True,
        library="0.1.0",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[BriefCache]:
    with BriefCache(tmp_path / "briefs") as opened:
        yield opened


def test_a_hit_returns_the_original_meta_marked_cached(cache: BriefCache) -> None:
    assert cache.get(key()) is None
    made = result_for("Headline", attempts=2, latency_s=3.5)
    cache.put(key(), made)
    hit = cache.get(key())
    assert hit is not None and hit.brief == made.brief
    assert hit.meta.cached and not made.meta.cached
    assert hit.meta.model_copy(update={"cached": False}) == made.meta


@pytest.mark.parametrize(
    "change",
    [
        {"text_sha256": "other"},
        {"model": "m2"},
        {"endpoint": "http://127.0.0.1:8001/v1"},
        {"prompt_version": "p2"},
        {"schema_version": "2.0"},
        {"temperature": 0.7},
        {"max_tokens": 512},
        {"grammar": False},
        {"library": "0.2.0"},
        {"format": KEY_FORMAT + 1},
    ],
)
def test_every_part_of_the_key_changes_the_answer(
    cache: BriefCache, change: dict[str, object]
) -> None:
    cache.put(key(), result_for("Headline"))
    assert cache.get(key(**change)) is None
    assert key(**change).digest() != key().digest()


def test_keys_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    def of(**options: object) -> CacheKey:
        base: dict[str, object] = {
            "backend": "openai",
            "base_url": "http://h:8000/v1",
            "model": "m",
        }
        return CacheKey.of("An article.", resolve(**{**base, **options}))  # type: ignore[arg-type]

    plain = of()
    assert plain.endpoint == "http://h:8000/v1"
    assert plain.text_sha256 == CacheKey.of("An article.", resolve(backend="local")).text_sha256
    # Credentials, query and a trailing slash do not change where answers come from.
    assert of(base_url="http://user:secret@H:8000/v1/?x=1", api_key="k2") == plain
    for change in (
        {"model": "m2"},
        {"temperature": 0.5},
        {"max_tokens": 100},
        {"llama_grammar": True},
        {"base_url": "http://h:8001/v1"},
    ):
        assert of(**change) != plain, change
    assert CacheKey.of("Another.", resolve(backend="local")).endpoint == "local"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("SUMMARIZER_CACHE_DIR", raising=False)
    monkeypatch.delenv("SUMMARIZER_BRIEF_CACHE_DIR", raising=False)
    assert default_folder(resolve(backend="local")) == tmp_path / "summarizer" / "briefs"
    monkeypatch.setenv("SUMMARIZER_BRIEF_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_folder(resolve(backend="local")) == tmp_path / "elsewhere"


def age(cache: BriefCache, seconds: float) -> None:
    with contextlib.closing(sqlite3.connect(cache.path)) as db, db:
        db.execute("UPDATE briefs SET created = created - ?, used = used - ?", (seconds, seconds))


def test_old_entries_are_misses_and_pruned(tmp_path: Path) -> None:
    with BriefCache(tmp_path, max_age_s=3600) as cache:
        cache.put(key("old"), result_for("Old"))
        cache.put(key("new"), result_for("New"))
        age(cache, 7200)
        cache.put(key("new"), result_for("New"))
        assert cache.get(key("old")) is None and cache.get(key("new")) is not None
        assert cache.prune() == 1
        assert cache.stats().entries == 1


def test_past_the_size_limit_the_least_recently_used_go(tmp_path: Path) -> None:
    with BriefCache(tmp_path) as cache:
        for name in ("a", "b", "c"):
            cache.put(key(name), result_for(name))
            age(cache, 10)  # a is the oldest write
        assert cache.get(key("a")) is not None  # …but now the most recently used
        one = cache.stats().bytes // 3
        cache.max_bytes = 2 * one + one // 2
        assert cache.prune() == 1
        assert cache.get(key("b")) is None
        assert cache.get(key("a")) is not None and cache.get(key("c")) is not None


def test_stats_and_clear(cache: BriefCache) -> None:
    assert cache.stats().entries == 0
    cache.put(key("a"), result_for("A"))
    cache.put(key("b"), result_for("B"))
    stats = cache.stats()
    assert stats.entries == 2 and stats.bytes > 0 and stats.path == cache.path
    assert cache.clear() == 2 and cache.stats().entries == 0


def test_an_entry_that_no_longer_parses_is_a_miss_and_goes(cache: BriefCache) -> None:
    cache.put(key(), result_for("A"))
    with sqlite3.connect(cache.path) as db:
        db.execute('UPDATE briefs SET value = \'{"brief": {"headline": 3}}\'')
    assert cache.get(key()) is None and cache.stats().entries == 0


def test_a_damaged_cache_file_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "cache.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigurationError, match=r"cannot be used .*--no-cache"):
        BriefCache(tmp_path)
    assert remove_files(tmp_path) == 1
    with BriefCache(tmp_path) as cache:
        assert cache.stats().entries == 0


WRITER = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [sys.argv[3], sys.argv[3] + "/tests"]
    from batchkit import result_for
    from test_cache import key
    from summarizer._cache import BriefCache
    with BriefCache(sys.argv[1]) as cache:
        for i in range(150):
            cache.put(key(f"{sys.argv[2]}-{i}"), result_for(f"Article {i}"))
        assert cache.failures == 0, cache.failures
    """
)


def test_the_file_is_in_wal_mode(cache: BriefCache) -> None:
    # WAL: readers never wait for a writer (shards of a batch, a brief beside it).
    with contextlib.closing(sqlite3.connect(cache.path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, str(ROOT)])
        for name in ("a", "b", "c")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    with BriefCache(tmp_path) as cache:
        assert cache.stats().entries == 450
        assert cache.get(key("b-149")) is not None


def test_the_wrapper_makes_no_call_on_a_hit_and_never_caches_failures(cache: BriefCache) -> None:
    failing = {"Bad."}
    brief = FakeBrief(fail=lambda t: NoValidBriefError("no") if t in failing else None)
    call = cached(brief, cache, lambda text: key(text))

    async def go() -> None:
        first = await call("Good.")
        second = await call("Good.")
        assert not first.meta.cached and second.meta.cached
        for _ in range(2):
            with pytest.raises(NoValidBriefError):
                await call("Bad.")

    asyncio.run(go())
    assert brief.calls == ["Good.", "Bad.", "Bad."]


def test_the_same_text_twice_in_a_batch_makes_one_request(tmp_path: Path) -> None:
    todo = [
        Item(f"id{i}", "text", "The wire story." if i in (0, 5) else f"Story {i}", "m")
        for i in range(8)
    ]
    brief = FakeBrief()
    records, prior = open_records(tmp_path / "out.jsonl", resume=False)

    async def go() -> int:
        with BriefCache(tmp_path / "c") as cache, records:
            call = cached(brief, cache, lambda text: key(text))
            return (await run_batch(todo, call, records, prior=prior, jobs=1)).cached

    assert asyncio.run(go()) == 1
    assert brief.calls.count("The wire story.") == 1 and len(brief.calls) == 7


def test_timestamps_are_seconds_since_the_epoch(cache: BriefCache) -> None:
    cache.put(key(), result_for("A"))
    stats = cache.stats()
    assert stats.oldest is not None and abs(stats.oldest - time.time()) < 3600
