"""`--out-dir`: one `ID.json` per article, as `summarizer brief --meta` writes it, and with
`--html` one `ID.html` report per article and an `index.html` listing them.

An id is arbitrary text (a path, a URL, anything a manifest says), so it never becomes
a path as it is: a file name keeps letters, digits, `.`, `_` and `-` only, no leading
dot, at most 100 characters. A name that had to change gets `~` and 10 hex digits of
the id's sha256, so two ids never share a file ("a/b" and "a_b" differ) and no id can
reach outside the folder ("../x" is "x~…"). `~` is never kept from an id, so a changed
name cannot equal an unchanged one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from summarizer._errors import InputError, one_line
from summarizer._files import write
from summarizer._output._html import as_html
from summarizer._output._index import IndexEntry, as_index
from summarizer._output._render import as_json, detailed
from summarizer._result import Evidence, Meta, Result
from summarizer.schemas import Brief

__all__ = [
    "INDEX",
    "check_out_dir",
    "earlier_entry",
    "file_name",
    "write_brief",
    "write_index",
    "write_report",
]

INDEX = "index.html"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 100
# Names Windows reserves whatever the extension: a folder copied there must still work.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def file_name(item_id: str) -> str:
    """The file name, in the out-dir, of the brief of `item_id`."""
    stem = _UNSAFE.sub("_", item_id).lstrip(".")[:_MAX_STEM]
    if stem != item_id or not stem or stem.split(".")[0].lower() in _RESERVED:
        digest = hashlib.sha256(item_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        stem = f"{stem}~{digest}"
    return f"{stem}.json"


def check_out_dir(folder: str | os.PathLike[str]) -> Path:
    """Make `folder` if needed; InputError (exit 2) now, before any article, if it cannot be."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(one_line(f"cannot write {path}: {exc.strerror or exc}")) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(one_line(f"cannot write {path}: permission denied"))
    return path


def write_brief(folder: Path, item_id: str, result: Result) -> Path:
    """Write `{"brief", "meta", "evidence"}` for `item_id` atomically; InputError if it
    cannot be."""
    target = folder / file_name(item_id)
    write(target, as_json(detailed(result)))
    return target


def report_name(item_id: str) -> str:
    """The file name of `item_id`'s HTML report, beside its JSON."""
    return file_name(item_id).removesuffix(".json") + ".html"


def write_report(folder: Path, item_id: str, result: Result, article: str) -> IndexEntry:
    """Write `item_id`'s HTML report (the brief beside `article`, the text it was made
    from) atomically, and return its row of the index."""
    name = report_name(item_id)
    write(folder / name, as_html(result, article))
    return IndexEntry.of(item_id, name, result)


def earlier_entry(folder: Path, item_id: str) -> IndexEntry | None:
    """The index row of an article briefed by an earlier run (`--resume`), from the JSON
    and the report that run left; None when either is missing or unreadable."""
    name = report_name(item_id)
    if not (folder / name).is_file():
        return None
    try:
        saved = json.loads((folder / file_name(item_id)).read_text(encoding="utf-8"))
        result = Result(
            brief=Brief.model_validate(saved["brief"]),
            meta=Meta.model_validate(saved["meta"]),
            evidence=Evidence.model_validate(saved.get("evidence", {})),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return IndexEntry.of(item_id, name, result)


def write_index(folder: Path, entries: list[IndexEntry]) -> Path:
    """Write `index.html` listing `entries` (sorted by id) atomically."""
    target = folder / INDEX
    write(target, as_index(sorted(entries, key=lambda e: e.id)))
    return target
