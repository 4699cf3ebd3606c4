"""The record file: whole lines, resume, torn tails cut off and nothing else, out-dir names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from batchkit import result_for
from hypothesis import given
from hypothesis import strategies as st

from summarizer import InputError
from summarizer._batch import ErrorInfo, Record, file_name, open_records, write_brief
from summarizer._output._render import detailed

ROOT = Path(__file__).resolve().parent.parent


def ok(i: int) -> Record:
    return Record.success(f"id{i}", f"src{i}", f"{i:064x}", result_for(f"Article {i}"))


def failed(i: int) -> Record:
    return Record.failure(f"id{i}", f"src{i}", None, ErrorInfo("TransportError", "down", 3))


def write_records(path: Path, records: list[Record]) -> None:
    handle, _ = open_records(path, resume=path.exists())
    with handle:
        for record in records:
            handle.append(record)


def test_a_record_is_one_json_line_with_the_documented_fields(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write_records(out, [ok(1), failed(2)])
    lines = out.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    first, second = (json.loads(x) for x in lines[:2])
    assert list(first) == ["id", "source", "sha256", "brief", "meta", "error"]
    assert first["brief"]["headline"] == "Article 1" and first["error"] is None
    assert first["meta"]["cached"] is False
    assert second["brief"] is None and second["meta"] is None
    assert second["error"] == {"kind": "TransportError", "message": "down", "exit_code": 3}


@given(st.text())
def test_any_id_stays_on_one_line_and_reads_back(item_id: str) -> None:
    record = Record.failure(item_id, item_id, None, ErrorInfo("InputError", item_id, 2))
    line = record.to_line()
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert b"\xe2\x80\xa8" not in line  # U+2028, which str.splitlines splits on
    assert Record.from_line(line[:-1]) == record


def test_resume_reads_the_last_record_of_each_id(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write_records(out, [failed(1), ok(2), ok(1)])
    handle, prior = open_records(out, resume=True)
    handle.close()
    assert prior.torn_bytes == 0
    assert prior.done("id1", f"{1:064x}") and prior.done("id2", f"{2:064x}")
    assert not prior.done("id2", "another text")  # the article changed: redo it
    write_records(out, [failed(2)])
    _, prior = open_records(out, resume=True)
    assert not prior.done("id2", f"{2:064x}")


def test_an_existing_file_without_resume_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write_records(out, [ok(1)])
    with pytest.raises(InputError, match="already has records; add --resume"):
        open_records(out, resume=False)


def test_two_writers_on_one_file_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first, _ = open_records(out, resume=False)
    with first, pytest.raises(InputError, match="being written by another batch"):
        open_records(out, resume=True)


@pytest.mark.parametrize(
    "tail",
    [
        b'{"id":"id3","source":"src3","sha',  # cut mid-line
        b"\0" * 300,  # a power cut's zeros, no newline
        b"\0" * 100 + b'ok"},"error":null}\n',  # zeros, then the line's real end
    ],
)
def test_a_torn_last_line_is_cut_off_and_every_good_line_kept(tmp_path: Path, tail: bytes) -> None:
    out = tmp_path / "out.jsonl"
    write_records(out, [ok(1), failed(2)])
    good = out.read_bytes()
    with out.open("ab") as handle:
        handle.write(tail)
    handle2, prior = open_records(out, resume=True)
    with handle2:
        assert prior.torn_bytes == len(tail)
        assert out.read_bytes() == good
        assert set(prior.last) == {"id1", "id2"}
        handle2.append(ok(3))
    assert out.read_bytes() == good + ok(3).to_line()


@pytest.mark.parametrize(
    "content",
    [
        b"a shopping list\nmilk\n",  # someone else's file
        b"a shopping list without a newline",
        b"not a record\n" + ok(1).to_line(),  # a bad line before a good one
    ],
)
def test_a_file_that_is_not_records_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(content)
    with pytest.raises(InputError, match="line 1 is not a batch record"):
        open_records(out, resume=True)
    assert out.read_bytes() == content


DISK_FULL = textwrap.dedent(
    """
    import resource, signal, sys
    sys.path[:0] = [sys.argv[2], sys.argv[2] + "/tests"]
    from batchkit import result_for
    from summarizer import InputError
    from summarizer._batch import Record, open_records
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
    resource.setrlimit(resource.RLIMIT_FSIZE, (5000, 5000))
    handle, _ = open_records(sys.argv[1], resume=False)
    written = 0
    try:
        while True:
            handle.append(Record.success(f"id{written}", "s", "0" * 64, result_for("x")))
            written += 1
    except InputError as exc:
        print(written, exc)
    """
)


def test_a_full_disk_leaves_whole_lines_and_says_so(tmp_path: Path) -> None:
    # RLIMIT_FSIZE makes a real short write and then EFBIG, as a full disk does.
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    written, message = done.stdout.split(" ", 1)
    assert message.startswith(f"cannot write {out}: File too large")
    data = out.read_bytes()
    assert data.endswith(b"\n") and data.count(b"\n") == int(written) > 0
    assert all(Record.from_line(line) for line in data.split(b"\n")[:-1])


@given(st.text(min_size=1))
def test_out_dir_names_are_safe_and_distinct(item_id: str) -> None:
    name = file_name(item_id)
    assert "/" not in name and "\0" not in name and not name.startswith(".")
    assert name.endswith(".json") and len(name.encode()) < 255
    assert name != file_name(item_id + "x")


@pytest.mark.parametrize(
    ("item_id", "expected"),
    [("report-7.txt", "report-7.txt.json"), ("a/b", "a_b~"), ("a_b", "a_b.json"), ("..", "~")],
)
def test_out_dir_names(item_id: str, expected: str) -> None:
    assert file_name(item_id).startswith(expected)
    assert file_name("a/b") != file_name("a_b")


def test_out_dir_file_is_what_brief_meta_writes(tmp_path: Path) -> None:
    result = result_for("Headline here")
    path = write_brief(tmp_path, "../../escape", result)
    assert path.parent == tmp_path
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(detailed(result)))  # what `brief --meta` writes
    assert data["brief"]["headline"] == "Headline here"
    assert os.listdir(tmp_path) == [path.name]
