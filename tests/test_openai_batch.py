"""The OpenAI Batch API path, against a loopback server playing /v1/files and /v1/batches.

Exact counts: which articles went live, with how many requests, and what meta says.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from drafts import ARTICLE, VALID, draft
from fakebatch import FakeBatchAPI, Result, error_body, error_line, ok
from fakeopenai import FakeOpenAI, reply_json

from summarizer import Summarizer
from summarizer._batch import Item, open_records
from summarizer._batch._openai_batch import (
    BatchNotReadyError,
    batch_status,
    collect_batch,
    requests_path,
    state_path,
    status_line,
    submit_batch,
)
from summarizer._errors import ConfigurationError, InputError
from summarizer._pipeline._batch_api import BatchModel

IDS = ["good", "invalid", "error-body", "error-file"]
GOOD = json.dumps(VALID)
# Its only actor the article never names: fails grounding, and no repair can fix it.
INVALID = json.dumps(draft(["Oskar Quist"]))


def items() -> list[Item]:
    # Each its own text: the sentence appended keeps the draft's citations valid.
    return [
        Item(i, "text", f"{ARTICLE} The vote was item {n} on the agenda.", f"test {i}")
        for n, i in enumerate(IDS, 1)
    ]


def model(base_url: str) -> BatchModel:
    return BatchModel(
        Summarizer(backend="openai", base_url=base_url, api_key="k", model="m").settings
    )


def by_id(custom_id: str, _body: dict[str, Any]) -> Result:
    # Ids are as given, or file paths named after them (the CLI test).
    return {
        "good": ok(GOOD),
        "invalid": ok(INVALID),
        "error-body": error_body(500),
        "error-file": error_line("the request timed out in the batch"),
    }[Path(custom_id).stem]


def collect(api: FakeBatchAPI, out: Path, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
    records, prior = open_records(out, resume=True)
    with records:
        summary = asyncio.run(
            collect_batch(items(), out, records, model(api.base_url), prior=prior, jobs=2, **kwargs)
        )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    return summary, {r["id"]: r for r in lines}


def test_the_request_lines_are_the_live_requests(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FakeBatchAPI(by_id) as api:
        state, skipped = submit_batch(items(), out, model(api.base_url))
        assert skipped == []
        (purpose, uploaded) = api.files[state.input_file_id]
        assert purpose == "batch"
        assert api.batches[state.batch_id]["endpoint"] == "/v1/chat/completions"
        assert api.batches[state.batch_id]["completion_window"] == "24h"
    lines = [json.loads(line) for line in uploaded.splitlines()]
    assert uploaded == requests_path(out).read_bytes()
    assert [x["custom_id"] for x in lines] == IDS
    assert {(x["method"], x["url"]) for x in lines} == {("POST", "/v1/chat/completions")}
    assert json.loads(state_path(out).read_text())["batch_id"] == state.batch_id
    # The body is what a live call of the same article sends, field for field.
    with FakeOpenAI([reply_json(VALID)]) as live:
        Summarizer(backend="openai", base_url=live.base_url, api_key="k", model="m").brief(
            items()[0].value
        )
        sent = live.chat_requests[0].json
    assert lines[0]["body"] == sent
    assert sent["response_format"]["type"] == "json_schema"


def test_collect_validates_answers_and_asks_the_rest_live(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FakeBatchAPI(by_id, live=lambda _body: GOOD) as api:
        submit_batch(items(), out, model(api.base_url))
        summary, records = collect(api, out)
    assert (summary.ok, summary.failed, summary.exit_code) == (4, 0, 0)
    meta = {i: records[i]["meta"] for i in IDS}
    assert all(records[i]["error"] is None and records[i]["brief"] for i in IDS)
    # The batch's answer was good: no live request.
    assert (meta["good"]["requests"], meta["good"]["reasks"]) == (1, 0)
    # Failed validation: re-asked live, once, with the rejected answer and its problems.
    assert (meta["invalid"]["requests"], meta["invalid"]["reasks"]) == (2, 1)
    assert [p["kind"] for p in meta["invalid"]["validation_errors"][0]] == ["unnamed_actor"]
    # Failed in the batch (error body with error: null; a line in the error file): sent
    # live, the batch's request counted as a transport retry.
    for failed in ("error-body", "error-file"):
        assert (meta[failed]["requests"], meta[failed]["transport_retries"]) == (2, 1)
    assert len(api.chat) == 3
    reask = [b for b in api.chat if len(b["messages"]) == 4]
    assert len(reask) == 1 and reask[0]["messages"][2]["content"] == INVALID
    assert "Oskar Quist" in reask[0]["messages"][3]["content"]


def test_a_batch_with_only_an_error_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FakeBatchAPI(lambda *_: error_line("expired"), live=lambda _b: GOOD) as api:
        state, _ = submit_batch(items(), out, model(api.base_url))
        assert api.batches[state.batch_id]["output_file_id"] is None
        summary, records = collect(api, out)
    assert (summary.ok, summary.failed) == (4, 0)
    assert len(api.chat) == 4
    assert {records[i]["meta"]["requests"] for i in IDS} == {2}


def test_answers_without_their_output_file_go_live(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FakeBatchAPI(lambda *_: ok(GOOD), live=lambda _b: GOOD, output=False) as api:
        submit_batch(items(), out, model(api.base_url))
        summary, _records = collect(api, out)
    assert summary.ok == 4 and len(api.chat) == 4


def test_an_unfinished_batch_is_collected_later(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FakeBatchAPI(by_id, live=lambda _b: GOOD, pending_polls=2) as api:
        submit_batch(items(), out, model(api.base_url))
        state, batch = batch_status(out, model(api.base_url))
        assert (
            status_line(state, batch)
            == f"batch {state.batch_id} is in_progress: 2 done, 2 failed of 4"
        )
        with pytest.raises(BatchNotReadyError) as caught:
            collect(api, out)
        assert caught.value.exit_code == 75
        assert out.read_text() == ""
        summary, _records = collect(api, out)
    assert summary.ok == 4


def test_submitting_twice_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FakeBatchAPI(by_id) as api:
        state, _ = submit_batch(items(), out, model(api.base_url))
        with pytest.raises(InputError, match=f"batch {state.batch_id} was already submitted"):
            submit_batch(items(), out, model(api.base_url))
        assert len(api.batches) == 1


def test_the_local_backend_has_no_batch_api(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="needs the openai backend"):
        BatchModel(Summarizer(backend="local").settings)


def test_summarizer_batch_submits_reports_and_collects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer._cli import main

    for item in items():
        (tmp_path / f"{item.id}.txt").write_text(item.value)
    out = tmp_path / "out.jsonl"
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with FakeBatchAPI(by_id, live=lambda _body: GOOD) as api:
        common = ["batch", str(tmp_path), "-o", str(out), "--base-url", api.base_url, "-m", "m"]
        assert main([*common, "--openai-batch", "submit"]) == 0
        (batch_id,) = api.batches
        assert not api.chat  # nothing asked live
        capsys.readouterr()
        assert main([*common, "--openai-batch", "status"]) == 0
        assert capsys.readouterr().out.startswith(f"batch {batch_id} is completed")
        assert main([*common, "--openai-batch", "collect", "--jobs", "2"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["source"] for r in records) == sorted(str(tmp_path / f"{i}.txt") for i in IDS)
    assert all(r["error"] is None for r in records)
    assert len(api.chat) == 3


def test_submit_with_resume_leaves_out_what_is_done(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = items()[0]
    # A record file where the first article already has a brief of this very text.
    with FakeBatchAPI(by_id, live=lambda _body: GOOD) as api:
        submit_batch(items()[:1], out, model(api.base_url))
        collect(api, out)
        state_path(out).unlink()
        _records, prior = open_records(out, resume=True)
        _records.close()
        state, _ = submit_batch(items(), out, model(api.base_url), prior=prior)
    assert done.id not in state.items
    assert sorted(state.items) == sorted(IDS[1:])
