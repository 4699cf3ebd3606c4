"""What a batch reads: files, folders, globs, manifests, stdin; ids, duplicates, shards."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import ConfigurationError, InputError
from summarizer._batch import Item, Shard, collect, load_text, parse_shard


def write(path: Path, text: str = "An article.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "news" / "b.txt")
    write(tmp_path / "news" / "a.md")
    write(tmp_path / "news" / "deep" / "c.html", "<html><body><p>Text.</p></body></html>")
    write(tmp_path / "news" / "notes.pdf")
    write(tmp_path / "news" / ".hidden.txt")
    write(tmp_path / "news" / ".git" / "x.txt")
    return tmp_path


def ids(items: list[Item]) -> list[str]:
    return [i.id for i in items]


def test_a_folder_gives_its_articles_recursively_sorted_hidden_left_out(corpus: Path) -> None:
    items = collect(["news"])
    assert ids(items) == ["news/a.md", "news/b.txt", "news/deep/c.html"]
    assert all(i.kind == "path" and i.value == i.id == i.source for i in items)


def test_a_named_file_of_any_suffix_and_a_glob(corpus: Path) -> None:
    assert ids(collect(["news/notes.pdf"])) == ["news/notes.pdf"]
    assert ids(collect(["news/**/*.html", "news/*.txt"])) == ["news/deep/c.html", "news/b.txt"]


def test_missing_paths_and_empty_globs_are_refused_before_anything_runs(corpus: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        collect(["news", "nope.txt"])
    with pytest.raises(InputError, match="matches no file"):
        collect(["news/*.doc"])
    (corpus / "empty").mkdir()
    with pytest.raises(InputError, match="no articles found"):
        collect(["empty"])
    with pytest.raises(InputError, match="no input"):
        collect([])


def test_manifest_lines_text_path_and_url(corpus: Path) -> None:
    lines = [
        {"id": "t1", "text": "Inline article."},
        {"path": "news/b.txt"},
        {"id": "p2", "path": "news/a.md"},
        {"id": "u1", "url": "https://example.org/a"},
    ]
    manifest = corpus / "list.jsonl"
    manifest.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    items = collect(["list.jsonl"])
    assert ids(items) == ["t1", "news/b.txt", "p2", "u1"]
    assert [i.kind for i in items] == ["text", "path", "path", "url"]
    assert items[0].source == "list.jsonl line 1"
    assert load_text(items[0]) == "Inline article."
    assert load_text(items[2]) == "An article."


def test_manifest_paths_are_relative_to_the_manifest(corpus: Path) -> None:
    write(corpus / "sub" / "list.jsonl", json.dumps({"id": "x", "path": "../news/b.txt"}))
    (item,) = collect(["sub/list.jsonl"])
    assert os.path.samefile(item.value, corpus / "news" / "b.txt")


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("{not json", "not JSON"),
        ("[1]", "not an object"),
        ('{"id": "a", "text": "x", "path": "y"}', "exactly one of"),
        ('{"id": "a", "txt": "x"}', "exactly one of"),
        ('{"text": "no id"}', '"id" must be'),
        ('{"id": 3, "text": "x"}', '"id" must be'),
        ('{"id": "a", "text": ""}', "non-empty"),
    ],
)
def test_bad_manifest_lines_name_file_and_line(corpus: Path, line: str, why: str) -> None:
    write(corpus / "m.jsonl", '{"id": "ok", "text": "fine"}\n' + line + "\n")
    with pytest.raises(InputError, match=f"m.jsonl line 2: .*{why}"):
        collect(["m.jsonl"])


def test_stdin_gives_paths_and_manifest_lines(corpus: Path) -> None:
    stdin = io.StringIO('news/b.txt\n\n{"id": "t", "text": "Inline."}\nnews/deep\n')
    items = collect(["-"], stdin=stdin)
    assert ids(items) == ["news/b.txt", "t", "news/deep/c.html"]
    assert items[1].source == "standard input line 3"


def test_duplicate_ids_are_refused_with_both_sources(corpus: Path) -> None:
    with pytest.raises(InputError, match=r"duplicate id 'news/b.txt'"):
        collect(["news", "news/b.txt"])
    write(corpus / "m.jsonl", '{"id": "x", "text": "a"}\n{"id": "x", "text": "b"}\n')
    with pytest.raises(InputError, match=r"duplicate id 'x' \(m.jsonl line 1 and m.jsonl line 2\)"):
        collect(["m.jsonl"])


def test_duplicates_are_refused_even_when_the_shard_would_split_them(corpus: Path) -> None:
    # Every machine must refuse the same input, whichever share it takes.
    lines = [{"id": f"id{i}", "text": "x"} for i in range(40)] + [{"id": "id0", "text": "y"}]
    write(corpus / "m.jsonl", "\n".join(json.dumps(x) for x in lines))
    for k in (1, 2, 3):
        with pytest.raises(InputError, match="duplicate id"):
            collect(["m.jsonl"], shard=Shard(k, 3))


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2", ""])
def test_bad_shards_say_the_form(text: str) -> None:
    with pytest.raises(ConfigurationError, match="K/N") as caught:
        parse_shard(text)
    assert caught.value.exit_code == 2


def test_shard_parsing() -> None:
    assert parse_shard("2/4") == Shard(2, 4)
    assert parse_shard(" 1 / 1 ") == Shard(1, 1)


@settings(max_examples=200)
@given(ids_=st.lists(st.text(min_size=1), unique=True, max_size=40), n=st.integers(1, 9))
def test_shards_partition_the_ids(ids_: list[str], n: int) -> None:
    shares = [[i for i in ids_ if Shard(k, n).holds(i)] for k in range(1, n + 1)]
    assert sorted(i for share in shares for i in share) == sorted(ids_)
    assert sum(len(s) for s in shares) == len(ids_)  # each id in exactly one share


def test_shards_are_stable_across_processes_and_roughly_even() -> None:
    # Pinned values: a change of hash (or Python's salted hash()) would move articles
    # between machines mid-corpus.
    pinned = {("examples/port_strike.txt", 4): 4, ("a", 4): 3, ("a", 7): 5, ("doc-1", 7): 2}
    for (item_id, n), k in pinned.items():
        assert [j for j in range(1, n + 1) if Shard(j, n).holds(item_id)] == [k]
    counts = [sum(Shard(k, 4).holds(f"doc-{i}") for i in range(4000)) for k in (1, 2, 3, 4)]
    assert all(850 < c < 1150 for c in counts), counts


def test_shards_of_collected_items_partition_them(corpus: Path) -> None:
    everything = ids(collect(["news"]))
    shares = [ids(collect(["news"], shard=Shard(k, 2))) for k in (1, 2)]
    assert sorted(shares[0] + shares[1]) == sorted(everything)


def test_a_url_argument_is_an_item_fetched_when_loaded(tmp_path: Path) -> None:
    import http.server
    import threading

    body = b"A plain article served over HTTP.\n"

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/a" else 404)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/a"
        (item,) = collect([url])
        assert (item.id, item.kind, item.source) == (url, "url", url)
        assert load_text(item) == "A plain article served over HTTP."
        with pytest.raises(InputError):  # a 404 is the page's refusal: exit 2
            load_text(Item("b", "url", url + "b", url + "b"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
