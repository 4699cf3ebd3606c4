"""Faults during a batch, against FakeOpenAI on loopback, counted exactly.

The runner is driven by a real `Summarizer` (the same brief function `summarizer batch`
uses), so every request goes over HTTP through the real pipeline, retries and 429 gate.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from drafts import ARTICLE, VALID
from fakeopenai import FakeOpenAI, hang, reply_json, status

from summarizer import Summarizer
from summarizer._batch import Item, Summary, open_records, run_batch
from summarizer._batch._records import Record


def options(srv: FakeOpenAI, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "backend": "openai",
        "base_url": srv.base_url,
        "model": "fake-model",
        "api_key": "sk-test-BATCHSECRET",
        "timeout": 5.0,
        "max_answers": 1,
        "max_retries": 0,
        "retry_wait_base": 0.01,
        "retry_wait_max": 0.5,
        "deadline": 20.0,
    }
    settings.update(extra)
    return settings


def items(n: int) -> list[Item]:
    # Distinct texts (the same text twice would make one request), each valid for VALID.
    return [Item(f"a{i}", "text", f"{ARTICLE} Note {i}.", "test") for i in range(n)]


def run(
    srv: FakeOpenAI, todo: list[Item], out: Path, *, jobs: int, resume: bool = False, **extra: Any
) -> Summary:
    records, prior = open_records(out, resume=resume)

    async def go() -> Summary:
        async with Summarizer(**options(srv, **extra)) as session:
            return await run_batch(
                todo, session.abrief_detailed, records, prior=prior, jobs=jobs, handle_sigint=False
            )

    with records:
        return asyncio.run(go())


def last_records(out: Path) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for line in out.read_bytes().splitlines():
        record = Record.from_line(line)
        assert record is not None
        found[record.id] = record
    return found


def test_the_server_dies_mid_run_and_resume_completes_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    todo = items(6)
    script = [reply_json(VALID)] * 3 + [hang(60)]
    with FakeOpenAI(script, lifetime_s=60) as srv:

        def kill_at_the_fourth_request() -> None:
            while len(srv.chat_requests) < 4:
                time.sleep(0.01)
            srv.close()  # the port closes: the hanging request and every later one fail

        killer = threading.Thread(target=kill_at_the_fourth_request, daemon=True)
        killer.start()
        summary = run(srv, todo, out, jobs=1)
        killer.join()
        assert len(srv.chat_requests) == 4
    assert (summary.ok, summary.failed, summary.exit_code) == (3, 3, 4)
    records = last_records(out)
    assert [records[i.id].ok for i in todo] == [True] * 3 + [False] * 3
    assert {records[i.id].error.exit_code for i in todo[3:]} == {3}  # type: ignore[union-attr]

    with FakeOpenAI([reply_json(VALID)]) as again:
        resumed = run(again, todo, out, jobs=2, resume=True)
        assert len(again.chat_requests) == 3  # only the failed ones
    assert (resumed.skipped, resumed.ok, resumed.failed, resumed.exit_code) == (3, 3, 0, 0)
    assert all(r.ok for r in last_records(out).values())


def test_one_invalid_input_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    todo = [*items(2), Item("bad", "path", str(empty), str(empty)), *items(4)[2:]]
    with FakeOpenAI([reply_json(VALID)]) as srv:
        summary = run(srv, todo, out, jobs=2)
        assert len(srv.chat_requests) == 4
    assert (summary.ok, summary.failed, summary.exit_code) == (4, 1, 4)
    bad = last_records(out)["bad"]
    assert bad.error is not None and bad.sha256 is None
    assert (bad.error.kind, bad.error.exit_code) == ("InputError", 2)


def test_a_429_storm_sends_no_more_than_the_budget_and_waits_as_told(tmp_path: Path) -> None:
    # Every request is refused with Retry-After 0.5: each article may send its first
    # request and max_retries more, so 3 articles send exactly 3 × 3; after each 429 the
    # shared gate holds every job's next request back.
    out = tmp_path / "out.jsonl"
    script = [status(429, headers={"Retry-After": "0.5"})]
    with FakeOpenAI(script, lifetime_s=60) as srv:
        summary = run(srv, items(3), out, jobs=3, max_retries=2)
        sent = srv.chat_requests
    assert len(sent) == 9
    assert (summary.ok, summary.failed) == (0, 3)
    assert summary.exit_code == 3  # unavailable from the start: nothing got through
    # The first round goes at once; nothing is sent within 0.4 s of it.
    first = min(r.t for r in sent)
    later = sorted(r.t - first for r in sent)[3:]
    assert all(gap >= 0.4 for gap in later), later
    assert {r.error.exit_code for r in last_records(out).values()} == {3}  # type: ignore[union-attr]


def test_a_429_holds_back_every_jobs_next_article(tmp_path: Path) -> None:
    # Two jobs: A is told to wait 0.8 s; B's answer takes 0.3 s, then its job takes C,
    # whose request must wait for the gate too (without it, C would go at 0.3 s).
    out = tmp_path / "out.jsonl"
    script = [
        status(429, headers={"Retry-After": "0.8"}),
        hang(0.3, then=reply_json(VALID)),
        reply_json(VALID),
    ]
    with FakeOpenAI(script, lifetime_s=60) as srv:
        summary = run(srv, items(4), out, jobs=2, max_retries=2)
        sent = srv.chat_requests
    assert (summary.ok, summary.exit_code) == (4, 0)
    assert len(sent) == 5  # 4 articles and A's one retry
    first = sent[0].t
    assert all(r.t - first >= 0.7 for r in sent[2:]), [r.t - first for r in sent]
