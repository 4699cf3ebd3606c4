"""The batch's record file: one JSON line per article, appended as each one finishes.

A line is `{"id", "source", "sha256", "brief" | null, "meta" | null, "error" | null}`,
`error` being `{"kind", "message", "exit_code"}`. An id may have several lines (a
failure, then the success of a resumed run): the last one is the id's record.

Durability. Each line goes to the kernel in one `os.write` on an O_APPEND descriptor,
so a process that dies (exception, SIGKILL, out of memory) leaves whole lines only; a
short write (disk full) is cut back off before the error is raised. `fsync` runs at
most once a second and at close: a record costs seconds of model time, so syncing each
one buys nothing a resume does not give back, while 64 jobs against a fast server would
otherwise wait on the disk. A power cut can therefore lose the last second of records
and leave a torn last line; `open_records(resume=True)` detects it (no final newline,
or a last line holding the zeros a power cut leaves), cuts it off, and the resumed run
redoes its article. Nothing else is ever removed: any other bad line is not something a
crash makes, so the file is refused rather than "repaired".
An exclusive `flock` keeps two batches from appending to one file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer._errors import InputError, one_line
from summarizer._result import Result

__all__ = ["ErrorInfo", "Prior", "Record", "RecordFile", "open_records"]

_SYNC_EVERY_S = 1.0
# Written as \u escapes: line separators some readers split on, C1 controls, and lone
# surrogates (a model's "\ud800"), which UTF-8 cannot hold.
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@dataclass(frozen=True)
class ErrorInfo:
    kind: str
    message: str
    exit_code: int


@dataclass(frozen=True)
class Record:
    id: str
    source: str
    sha256: str | None
    brief: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    error: ErrorInfo | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.brief is not None

    @classmethod
    def success(cls, id: str, source: str, sha256: str, result: Result) -> Record:
        return cls(
            id,
            source,
            sha256,
            brief=result.brief.model_dump(mode="json"),
            meta=result.meta.model_dump(mode="json"),
        )

    @classmethod
    def failure(cls, id: str, source: str, sha256: str | None, error: ErrorInfo) -> Record:
        return cls(id, source, sha256, error=error)

    def to_line(self) -> bytes:
        error = None if self.error is None else self.error.__dict__
        payload = {
            "id": self.id,
            "source": self.source,
            "sha256": self.sha256,
            "brief": self.brief,
            "meta": self.meta,
            "error": error,
        }
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return (_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n").encode()

    @classmethod
    def from_line(cls, line: bytes) -> Record | None:
        """The record on `line`, or None if it is not one (torn, foreign, damaged)."""
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        if not isinstance(obj, dict) or set(obj) != {
            "id", "source", "sha256", "brief", "meta", "error",
        }:  # fmt: skip
            return None
        error = obj["error"]
        info = None
        if error is not None:
            if not (
                isinstance(error, dict)
                and isinstance(error.get("kind"), str)
                and isinstance(error.get("message"), str)
                and isinstance(error.get("exit_code"), int)
            ):
                return None
            info = ErrorInfo(error["kind"], error["message"], error["exit_code"])
        if not isinstance(obj["id"], str) or not isinstance(obj["brief"], dict | None):
            return None
        return cls(obj["id"], str(obj["source"]), obj["sha256"], obj["brief"], obj["meta"], info)


@dataclass
class Prior:
    """What a record file held when a run resumed it: the last record of each id."""

    last: dict[str, Record] = field(default_factory=dict)
    torn_bytes: int = 0  # the size of the torn tail cut off, 0 if there was none

    def done(self, item_id: str, sha256: str) -> bool:
        """Whether `item_id` already has a brief of this very text (an edited file is redone)."""
        record = self.last.get(item_id)
        return record is not None and record.ok and record.sha256 == sha256


class RecordFile:
    """An open record file; `append` writes one whole record. Use as a context manager."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd = fd
        self._synced = time.monotonic()

    def append(self, record: Record) -> None:
        data = record.to_line()
        end = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            # One write unless the disk fills mid-line: then the rest is tried, so the
            # error raised is the real one (ENOSPC, EDQUOT, EFBIG), and the part cut off.
            rest = memoryview(data)
            while rest:
                written = os.write(self._fd, rest)
                if written == 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                rest = rest[written:]
        except OSError as exc:
            # Cut the partial line off so the file stays whole lines; we hold the lock.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, end)
            raise InputError(one_line(f"cannot write {self.path}: {exc.strerror or exc}")) from None
        if time.monotonic() - self._synced >= _SYNC_EVERY_S:
            self.sync()

    def sync(self) -> None:
        with contextlib.suppress(OSError):  # a pipe or /dev/null cannot be synced
            os.fsync(self._fd)
        self._synced = time.monotonic()

    def close(self) -> None:
        if self._fd >= 0:
            self.sync()
            os.close(self._fd)  # closing releases the flock
            self._fd = -1

    def __enter__(self) -> RecordFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_records(path: str | os.PathLike[str], *, resume: bool) -> tuple[RecordFile, Prior]:
    """Open `path` for appending records, with what it already holds.

    Without `resume`, an existing non-empty file is refused (appending a second run's
    records to it would mix two runs); with it, the file's records are read and a torn
    tail is cut off. InputError (exit 2) for any problem, before any article is sent.
    """
    target = Path(path)
    shown = os.fspath(path)
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
    try:
        fd = os.open(target, flags, 0o666)
    except OSError as exc:
        raise InputError(one_line(f"cannot write {shown}: {exc.strerror or exc}")) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                one_line(
                    f"{shown} is being written by another batch; wait for it, or use another -o"
                )
            ) from None
        size = os.fstat(fd).st_size
        if size and not resume:
            raise InputError(
                one_line(
                    f"{shown} already has records; "
                    "add --resume to continue it, or choose another -o"
                )
            )
        prior = _read_prior(fd, size, shown) if size else Prior()
        if prior.torn_bytes:
            os.ftruncate(fd, size - prior.torn_bytes)
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    return RecordFile(target, fd), prior


def _read_prior(fd: int, size: int, shown: str) -> Prior:
    data = os.pread(fd, size, 0)
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: a line the writer never finished
    torn = len(tail)
    # A power cut can also leave zeros where a last line's first bytes were, before its
    # newline. Only such signs are cut: a foreign file must be refused, not trimmed.
    if lines and b"\0" in lines[-1] and Record.from_line(lines[-1]) is None:
        torn += len(lines.pop()) + 1
    if tail and not (tail.startswith(b'{"id":') or b"\0" in tail):
        raise _not_records(shown, len(lines) + 1)
    prior = Prior(torn_bytes=torn)
    for number, line in enumerate(lines, 1):
        record = Record.from_line(line)
        if record is None:
            raise _not_records(shown, number)
        prior.last[record.id] = record
    return prior


def _not_records(shown: str, number: int) -> InputError:
    return InputError(
        one_line(
            f"{shown} line {number} is not a batch record: it is not a record file of "
            "`summarizer batch`, or it was edited; choose another -o"
        )
    )
