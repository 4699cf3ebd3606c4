"""The batch runner: bounded jobs, records as they finish, errors as values, resume, exit codes."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from batchkit import FakeBrief, result_for

from summarizer import InputError, NoValidBriefError, TransportError
from summarizer._batch import (
    Item,
    LineReporter,
    Summary,
    file_name,
    open_records,
    run_batch,
)

OUT = "out.jsonl"


def items(n: int, prefix: str = "Article") -> list[Item]:
    return [Item(f"id{i}", "text", f"{prefix} {i}", f"m line {i}") for i in range(n)]


def run(
    tmp_path: Path,
    todo: list[Item],
    brief: FakeBrief,
    *,
    resume: bool = False,
    **options: object,
) -> Summary:
    records, prior = open_records(tmp_path / OUT, resume=resume)

    async def go() -> Summary:
        with records:
            return await run_batch(todo, brief, records, prior=prior, **options)  # type: ignore[arg-type]

    return asyncio.run(go())


def lines(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (tmp_path / OUT).read_text(encoding="utf-8").splitlines()]


def test_every_article_gets_one_record_and_jobs_bound_the_calls(tmp_path: Path) -> None:
    brief = FakeBrief(delay=0.02)
    summary = run(tmp_path, items(20), brief, jobs=4)
    assert (summary.ok, summary.failed, summary.exit_code) == (20, 0, 0)
    assert brief.max_in_flight == 4  # 20 calls of 20 ms with 4 workers overlap for sure
    records = lines(tmp_path)
    assert sorted(r["id"] for r in records) == sorted(f"id{i}" for i in range(20))
    assert all(r["error"] is None and r["brief"] for r in records)


def test_records_are_written_in_completion_order(tmp_path: Path) -> None:
    slow_first = FakeBrief()

    async def brief(text: str):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.5 if text.endswith(" 0") else 0.0)
        return await slow_first(text)

    run(tmp_path, items(3), brief, jobs=3)  # type: ignore[arg-type]
    assert [r["id"] for r in lines(tmp_path)][-1] == "id0"


def fail_some(text: str) -> BaseException | None:
    number = int(text.split()[-1])
    if number % 3 == 1:
        return NoValidBriefError("no valid brief after 3 answers; try another model")
    if number % 3 == 2:
        return RuntimeError("a bug")
    return None


def test_errors_are_records_and_the_run_goes_on(tmp_path: Path) -> None:
    unreadable = Item("missing", "path", str(tmp_path / "nope.txt"), "nope.txt")
    summary = run(tmp_path, [*items(6), unreadable], FakeBrief(fail=fail_some), jobs=2)
    assert (summary.ok, summary.failed, summary.exit_code) == (2, 5, 4)
    errors = {r["id"]: r["error"] for r in lines(tmp_path)}
    assert errors["id0"] is None
    assert errors["id1"] == {
        "kind": "NoValidBriefError",
        "message": "no valid brief after 3 answers; try another model",
        "exit_code": 4,
    }
    assert errors["id2"] == {"kind": "RuntimeError", "message": "a bug", "exit_code": 1}
    assert errors["missing"]["kind"] == "InputError"  # type: ignore[index]
    assert errors["missing"]["exit_code"] == 2  # type: ignore[index]


def test_resume_skips_good_records_and_retries_failed_ones(tmp_path: Path) -> None:
    run(tmp_path, items(6), FakeBrief(fail=fail_some), jobs=2)
    again = FakeBrief()
    summary = run(tmp_path, items(6), again, resume=True, jobs=2)
    assert sorted(again.calls) == ["Article 1", "Article 2", "Article 4", "Article 5"]
    assert (summary.skipped, summary.ok, summary.exit_code) == (2, 4, 0)
    third = FakeBrief()
    summary = run(tmp_path, items(6), third, resume=True)
    assert third.calls == [] and summary.skipped == 6
    # An article whose text changed since its brief is redone.
    summary = run(tmp_path, items(6, prefix="Edited"), third, resume=True)
    assert len(third.calls) == 6


def test_the_same_text_in_flight_under_two_ids_makes_one_call(tmp_path: Path) -> None:
    todo = [Item(f"copy{i}", "text", "The wire story.", "m") for i in range(3)]
    brief = FakeBrief(delay=0.2)
    summary = run(tmp_path, [*todo, *items(2)], brief, jobs=3)
    assert summary.ok == 5
    assert brief.calls.count("The wire story.") == 1
    assert len({json.dumps(r["brief"]) for r in lines(tmp_path)[:3]}) <= 3


def test_a_dead_backend_from_the_start_stops_early_with_exit_3(tmp_path: Path) -> None:
    brief = FakeBrief(fail=lambda _: TransportError("cannot reach the server; is it running?"))
    summary = run(tmp_path, items(50), brief, jobs=2)
    assert summary.unavailable and summary.exit_code == 3
    # max(jobs, 3) failures stop it (each already spent its retry budget); the one other
    # worker may have taken an article meanwhile, and it finishes.
    assert 3 <= len(brief.calls) <= 4
    assert summary.not_started == 50 - len(brief.calls)
    (tmp_path / "few").mkdir()
    few = run(tmp_path / "few", items(2), FakeBrief(fail=brief.fail), jobs=4)  # type: ignore[arg-type]
    assert few.exit_code == 3  # all sent failed with 3, fewer than the streak


def test_a_backend_that_dies_mid_run_records_failures_exit_4(tmp_path: Path) -> None:
    def dies_after_two(text: str) -> BaseException | None:
        return TransportError("connection refused") if int(text.split()[-1]) >= 2 else None

    summary = run(tmp_path, items(8), FakeBrief(fail=dies_after_two), jobs=1)
    assert (summary.ok, summary.failed, summary.exit_code) == (2, 6, 4)
    again = FakeBrief()
    assert run(tmp_path, items(8), again, resume=True).exit_code == 0
    assert len(again.calls) == 6


def test_out_dir_gets_one_file_per_brief(tmp_path: Path) -> None:
    out_dir = tmp_path / "briefs"
    out_dir.mkdir()
    todo = [*items(2), Item("../evil/../../x", "text", "Evil 3", "m")]
    run(tmp_path, todo, FakeBrief(fail=fail_some), out_dir=out_dir, jobs=2)
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == sorted([file_name("id0"), file_name("../evil/../../x")])
    data = json.loads((out_dir / file_name("id0")).read_text(encoding="utf-8"))
    assert data["brief"]["headline"] == "Article 0"


def test_a_record_that_cannot_be_written_ends_the_run_with_that_error(tmp_path: Path) -> None:
    brief = FakeBrief(delay=0.01)
    records, prior = open_records(tmp_path / OUT, resume=False)
    calls = 0
    real_append = records.append

    def append(record):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise InputError("cannot write out.jsonl: No space left on device")
        real_append(record)

    records.append = append  # type: ignore[method-assign]

    async def go() -> Summary:
        with records:
            return await run_batch(items(30), brief, records, prior=prior, jobs=2)

    with pytest.raises(InputError, match="No space left"):
        asyncio.run(go())
    assert len(brief.calls) < 30  # stopped, not run to the end
    assert len(lines(tmp_path)) >= 2


def test_cancelling_the_run_records_in_flight_articles_as_interrupted(tmp_path: Path) -> None:
    brief = FakeBrief(delay=30)
    records, _ = open_records(tmp_path / OUT, resume=False)

    async def go() -> None:
        with records:
            task = asyncio.create_task(run_batch(items(5), brief, records, jobs=2))
            while brief.in_flight < 2:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(go())
    errors = [r["error"] for r in lines(tmp_path)]
    assert len(errors) == 2
    assert all(e["kind"] == "interrupted" and e["exit_code"] == 130 for e in errors)  # type: ignore[index]


def test_piped_progress_shows_failures_and_the_summary_only(tmp_path: Path) -> None:
    stream = io.StringIO()
    run(tmp_path, items(3), FakeBrief(fail=fail_some), reporter=LineReporter(stream))
    out = stream.getvalue().splitlines()
    assert (
        out[0] == "failed id1: NoValidBriefError: no valid brief after 3 answers; try another model"
    )
    assert out[-1].startswith("batch: 1 ok, 2 failed of 3 in ")
    assert len(out) == 3
    quiet = io.StringIO()
    (tmp_path / "quiet").mkdir()
    run(tmp_path / "quiet", items(3), FakeBrief(), reporter=LineReporter(quiet))
    assert quiet.getvalue() == ""


def test_summary_line_and_exit_codes() -> None:
    s = Summary(total=10, ok=6, failed=1, skipped=2, cached=3, elapsed_s=60.0)
    assert s.line() == (
        "batch: 6 ok (3 cached), 1 failed, 2 already done, 1 not started of 10 in 60.0 s "
        "(7.0 articles/min)"
    )
    assert s.exit_code == 4
    assert Summary(total=1, ok=1).exit_code == 0
    assert Summary(total=1, ok=1, stopped=True).exit_code == 130


def test_cached_results_are_counted(tmp_path: Path) -> None:
    async def brief(text: str):  # type: ignore[no-untyped-def]
        return result_for(text, cached=True)

    summary = run(tmp_path, items(2), brief)  # type: ignore[arg-type]
    assert summary.cached == 2
