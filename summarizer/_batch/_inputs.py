"""What a batch is made of: the articles named on the command line, as typed items.

Sources are files, folders, globs, JSONL manifests, http(s) URLs and `-` (standard
input). A folder gives every `.txt`, `.md`, `.html` and `.htm` file under it,
recursively, sorted by path, hidden files and folders and README files left out. A
glob is expanded by Python (`**` crosses folders), sorted. A file ending in `.jsonl`
is a manifest: one JSON object a line, `{"id", "text"}`, `{"id", "path"}` (id
defaults to the path) or `{"id", "url"}`; a manifest's relative paths are relative
to its folder. A URL is fetched when its turn comes (`read_source`). `-` reads lines
from standard input: a line starting with `{` is a manifest line, any other a path
(file, folder or glob) or URL, relative to the working directory. Any other file is
one article.

Ids default to the path as found. Every problem here (a missing file, a bad line, a
duplicate id) is an InputError raised before any article is sent anywhere.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, TextIO

from summarizer._errors import ConfigurationError, InputError, one_line
from summarizer._input._read import check_text, clean_article, read_article

__all__ = ["ARTICLE_SUFFIXES", "Item", "Shard", "collect", "load_text", "parse_shard"]

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
STDIN = "-"
_GLOB = re.compile(r"[*?\[]")
_URL = re.compile(r"https?://", re.I)
# A folder's README describes the folder (examples/ has one); it is no article. Named
# on its own, it is briefed like any file.
_NOT_ARTICLES = frozenset({"readme.md", "readme.txt", "readme.html", "readme.htm"})

ItemKind = Literal["text", "path", "url"]
_KINDS: dict[str, ItemKind] = {"text": "text", "path": "path", "url": "url"}


@dataclass(frozen=True)
class Item:
    """One article to brief. `value` is the text, the file path or the URL, per `kind`;
    `source` says where it came from (a path, a URL, or "manifest.jsonl line 3")."""

    id: str
    kind: ItemKind
    value: str
    source: str


def load_text(item: Item) -> str:
    """The article text of `item`, cleaned as `summarizer brief` cleans it (InputError if not)."""
    if item.kind == "text":
        return clean_article(check_text(item.value, origin=item.source), origin=item.source)
    if item.kind == "path":
        return read_article(item.value)
    from summarizer._input._source import read_source  # the fetcher, only when a URL comes

    return read_source(item.value).text


@dataclass(frozen=True)
class Shard:
    """Share `k` of `n` (1-based): the items whose id hashes to it."""

    k: int
    n: int

    def holds(self, item_id: str) -> bool:
        # sha256, not hash(): the same id must land in the same share on every machine
        # and every run (Python salts str hashes per process).
        digest = hashlib.sha256(item_id.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big") % self.n == self.k - 1


def parse_shard(text: str) -> Shard:
    """`K/N` as a Shard; a ConfigurationError (exit 2) naming the form otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match:
        k, n = int(match.group(1)), int(match.group(2))
        if 1 <= k <= n:
            return Shard(k, n)
    raise ConfigurationError(
        one_line(f"--shard {text!r} is not K/N with 1 ≤ K ≤ N; give e.g. 2/4 for the second of 4")
    )


def collect(
    sources: Sequence[str],
    *,
    stdin: TextIO | None = None,
    shard: Shard | None = None,
) -> list[Item]:
    """Every item the sources name, in order, duplicates refused, then `shard`'s share.

    Duplicates are looked for across the whole input before sharding, so every machine
    of a sharded run refuses the same input. Raises InputError if nothing is found.
    """
    if not sources:
        raise InputError("no input given; name files, folders, globs, a .jsonl file or -")
    items: list[Item] = []
    for source in sources:
        if source == STDIN:
            items.extend(_from_stdin(stdin))
        else:
            items.extend(_from_source(source, base="."))
    if not items:
        shown = " ".join(sources)
        raise InputError(one_line(f"no articles found in {shown} (looked for {_suffixes()})"))
    _refuse_duplicates(items)
    return [i for i in items if shard is None or shard.holds(i.id)]


def _suffixes() -> str:
    return ", ".join(ARTICLE_SUFFIXES)


def _refuse_duplicates(items: Iterable[Item]) -> None:
    seen: dict[str, Item] = {}
    for item in items:
        first = seen.setdefault(item.id, item)
        if first is not item:
            where = (
                item.source if first.source == item.source else f"{first.source} and {item.source}"
            )
            raise InputError(
                one_line(
                    f"duplicate id {item.id!r} ({where}); every article needs its own id: "
                    "drop one, or give distinct ids in a .jsonl manifest"
                )
            )


def _from_stdin(stdin: TextIO | None) -> Iterator[Item]:
    import sys

    stream = stdin if stdin is not None else sys.stdin
    if stream is None:
        raise InputError("cannot read standard input: it is closed; name the files instead")
    for number, line in enumerate(stream, 1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("{"):
            yield _manifest_item(text, base=".", where=f"standard input line {number}")
        else:
            yield from _from_source(text, base=".")


def _from_source(source: str, *, base: str) -> Iterator[Item]:
    if _URL.match(source):
        yield Item(source, "url", source, source)
        return
    path = source if os.path.isabs(source) or base == "." else os.path.join(base, source)
    if os.path.isdir(path):
        yield from _from_folder(path)
    elif os.path.isfile(path) and path.endswith(".jsonl"):
        yield from _from_manifest(path)
    elif os.path.exists(path):
        yield Item(path, "path", path, path)
    elif _GLOB.search(source):
        found = sorted(glob.glob(path, recursive=True))
        if not found:
            raise InputError(one_line(f"{source}: the pattern matches no file; check it"))
        for match in found:
            yield from _from_source(match, base=".")
    else:
        raise InputError(one_line(f"{source}: no such file or folder; check the path"))


def _from_folder(folder: str) -> Iterator[Item]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [
            os.path.join(root, f)
            for f in files
            if f.lower().endswith(ARTICLE_SUFFIXES)
            and not f.startswith(".")
            and f.lower() not in _NOT_ARTICLES
        ]
    for path in sorted(found):
        yield Item(path, "path", path, path)


def _from_manifest(path: str) -> Iterator[Item]:
    base = os.path.dirname(path) or "."
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise InputError(one_line(f"cannot read {path}: {why}")) from None
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield _manifest_item(line, base=base, where=f"{path} line {number}")


def _manifest_item(line: str, *, base: str, where: str) -> Item:
    def bad(why: str) -> InputError:
        return InputError(one_line(f"{where}: {why}"))

    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        raise bad(f"not JSON ({exc.msg}); each line must be one object") from None
    if not isinstance(entry, dict):
        raise bad('not an object; give {"id": …, "text"|"path"|"url": …}')
    given = [k for k in _KINDS if k in entry]
    unknown = sorted(set(entry) - {"id", *_KINDS})
    if len(given) != 1 or unknown:
        raise bad('give an "id" and exactly one of "text", "path", "url", nothing else')
    kind = _KINDS[given[0]]
    raw = entry[kind]
    if not isinstance(raw, str) or not raw:
        raise bad(f'"{kind}" must be a non-empty string')
    value = raw
    if kind == "path" and not os.path.isabs(raw):
        value = os.path.normpath(os.path.join(base, raw))
    item_id = entry.get("id", raw if kind == "path" else None)
    if not isinstance(item_id, str) or not item_id:
        raise bad('"id" must be a non-empty string (it is required with "text" and "url")')
    return Item(item_id, kind, value, value if kind != "text" else where)
