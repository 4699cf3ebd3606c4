"""`summarizer batch` and `summarizer cache`, run in-process against FakeOpenAI on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from drafts import ARTICLE, VALID
from fakeopenai import FakeOpenAI, reply_json

from summarizer._batch import file_name
from summarizer._cli import main


def model_args(srv: FakeOpenAI) -> list[str]:
    return ["--backend", "openai", "--base-url", srv.base_url, "--model", "m", "--max-retries", "0"]


def corpus(folder: Path, n: int, *, same: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = ARTICLE if same else f"{ARTICLE} Note {i}."
        (folder / f"a{i}.txt").write_text(text, encoding="utf-8")
    (folder / "README.md").write_text("# What these articles are\n\nNot an article.\n")
    return folder


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_batch_writes_records_and_files_then_answers_repeats_from_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path / "news", 3)
    out, again, fresh = (tmp_path / f"{n}.jsonl" for n in ("out", "again", "fresh"))
    with FakeOpenAI([reply_json(VALID)]) as srv:
        args = [str(folder), "--jobs", "2", *model_args(srv)]
        assert main(["batch", *args, "-o", str(out), "--out-dir", str(tmp_path / "d")]) == 0
        assert len(srv.chat_requests) == 3  # the README is no article
        assert main(["batch", *args, "-o", str(again)]) == 0
        assert len(srv.chat_requests) == 3  # every one a cache hit
        assert main(["batch", *args, "-o", str(fresh), "--no-cache"]) == 0
        assert len(srv.chat_requests) == 6
    first = records(out)
    assert sorted(r["id"] for r in first) == [str(folder / f"a{i}.txt") for i in range(3)]
    assert all(r["error"] is None and not r["meta"]["cached"] for r in first)
    assert all(r["meta"]["cached"] for r in records(again))
    assert not any(r["meta"]["cached"] for r in records(fresh))
    written = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert written == sorted(file_name(r["id"]) for r in first)
    assert capsys.readouterr().err == ""  # piped, all well: nothing on stderr


def test_the_same_text_twice_in_one_batch_makes_one_request(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "news", 4, same=True)
    out = tmp_path / "out.jsonl"
    with FakeOpenAI([reply_json(VALID)]) as srv:
        code = main(["batch", str(folder), "-o", str(out), "--jobs", "4", "--no-cache",
                     *model_args(srv)])  # fmt: skip
        assert len(srv.chat_requests) == 1
    assert code == 0
    assert len({r["sha256"] for r in records(out)}) == 1 and len(records(out)) == 4


def test_exit_codes_bad_input_and_an_unavailable_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path / "news", 3)
    out = tmp_path / "out.jsonl"
    with FakeOpenAI([reply_json(VALID)]) as srv:
        gone = model_args(srv)
    # Bad input: refused before anything is sent or written.
    assert main(["batch", str(tmp_path / "missing"), "-o", str(out), *gone]) == 2
    assert not out.exists()
    assert "no such file or folder" in capsys.readouterr().err
    # Nothing listens any more: every article fails with exit 3 and so does the run.
    assert main(["batch", str(folder), "-o", str(out), *gone]) == 3
    assert {r["error"]["exit_code"] for r in records(out)} == {3}
    # The file has records now: a second run must say --resume.
    assert main(["batch", str(folder), "-o", str(out), *gone]) == 2
    assert "--resume" in capsys.readouterr().err
    with FakeOpenAI([reply_json(VALID)]) as srv:
        code = main(["batch", str(folder), "-o", str(out), "--resume", *model_args(srv)])
        assert (code, len(srv.chat_requests)) == (0, 3)


def test_brief_uses_the_cache_unless_told_not_to(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    with FakeOpenAI([reply_json(VALID)]) as srv:
        for cache in ([], [], ["--no-cache"]):
            target = tmp_path / "brief.json"
            args = ["brief", str(article), "--meta", "-o", str(target), *cache]
            assert main([*args, *model_args(srv)]) == 0
        assert len(srv.chat_requests) == 2
    assert json.loads(target.read_text())["meta"]["cached"] is False


def test_cache_stats_and_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus(tmp_path / "news", 2)
    with FakeOpenAI([reply_json(VALID)]) as srv:
        assert main(["batch", str(folder), "-o", str(tmp_path / "o.jsonl"), *model_args(srv)]) == 0
    capsys.readouterr()
    assert main(["cache", "stats"]) == 0
    assert "briefs: 2" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert "removed 2 brief(s)" in capsys.readouterr().out
    assert main(["cache", "stats"]) == 0
    assert "briefs: 0" in capsys.readouterr().out


def test_html_reports_and_an_index_of_every_article(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "news", 2)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02 not text \x00" * 20)
    out, reports = tmp_path / "out.jsonl", tmp_path / "reports"
    with FakeOpenAI([reply_json(VALID)]) as srv:
        common = ["batch", str(folder), "-o", str(out), "--out-dir", str(reports), "--html"]
        assert main([*common, *model_args(srv)]) == 4  # the broken file has no brief
        first = {r["id"]: r for r in records(out)}
        (folder / "a2.txt").write_text(f"{ARTICLE} Note 2.", encoding="utf-8")
        assert main([*common, "--resume", *model_args(srv)]) == 4
    ok = sorted(i for i, r in {**first, **{r["id"]: r for r in records(out)}}.items() if r["brief"])
    assert len(ok) == 3
    index = (reports / "index.html").read_text(encoding="utf-8")
    for item_id in ok:  # the two of the first run are listed after the resumed run too
        name = file_name(item_id).removesuffix(".json") + ".html"
        assert f'href="./{name}"' in index
        page = (reports / name).read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "Note" in page
        saved = json.loads((reports / file_name(item_id)).read_text(encoding="utf-8"))
        assert saved["evidence"]["event"]  # offsets travel with the JSON too
    assert "broken.txt" in index and index.count("<tr") >= 5  # header + 3 briefs + failure


def test_html_needs_an_out_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus(tmp_path / "news", 1)
    assert main(["batch", str(folder), "-o", str(tmp_path / "o.jsonl"), "--html"]) == 2
    assert "--out-dir" in capsys.readouterr().err
