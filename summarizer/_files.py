"""Write a result where the user asked, without losing what is there.

`-o PATH` keeps what PATH is: a symlink stays a link (its target gets the new text),
a FIFO or a device is written as a stream, /dev/stdout and /dev/fd/N are appended to
(they name a file a shell opened), an existing file keeps its mode and owner,
a new file gets the umask's mode. A regular file is replaced atomically, so a reader
sees the old text or the new, never half. `-` is standard output. `check` runs the
same tests before the model is asked, so a path that cannot be written costs nothing.
Every failure is an InputError of one line: "cannot write PATH: why". `atomic_file` is the
one atomic write every writer in the package uses (reports, records, state, the model file).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from summarizer._errors import InputError

STDOUT = "-"
_STDOUT_NAME = "standard output"


@dataclass(frozen=True)
class _Plan:
    """How one output path is written, decided from what is there now."""

    # stream: a FIFO or device; append: a file already open, reached through /proc
    how: Literal["stdout", "stream", "append", "replace", "create"]
    path: Path  # replace/create: symlinks followed, the file that receives the text
    existing: os.stat_result | None  # the file replaced, for its mode and owner


def _fail(shown: str, why: str) -> InputError:
    return InputError(f"cannot write {shown}: {why}")


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _plan(output: str, input_path: str | None) -> _Plan:
    if output == STDOUT:
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise _fail(_STDOUT_NAME, "it is closed; redirect it or use -o FILE")
        return _Plan("stdout", Path(STDOUT), None)
    if not output:
        raise InputError("cannot write an empty path: give a file name, or - for standard output")
    if input_path not in (None, STDOUT) and _same_file(output, input_path):
        raise InputError(f"-o {output} is the input file; choose another output path")
    try:
        st: os.stat_result | None = os.stat(output)  # every link followed, /proc's too
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a symlink loop, a path through a file, no permission
        raise _fail(output, _why(exc)) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _fail(output, "it is a directory; give a file name")
    if st is not None and (_is_stream(st.st_mode) or _names_an_open_file(output)):
        if not os.access(output, os.W_OK):
            raise _fail(output, "permission denied")
        # Opened by its own name, so /proc's links reach a pipe or socket too.
        how: Literal["stream", "append"] = "stream" if _is_stream(st.st_mode) else "append"
        return _Plan(how, Path(output), st)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise _fail(output, "it is not a regular file, FIFO or device")
    # realpath, not resolve(strict): a dangling link names the file it will create.
    path = Path(os.path.realpath(output))
    folder = path.parent
    if not folder.is_dir():
        raise _fail(output, "its folder does not exist")
    # The new file is made in the folder, so the folder must be writable; an existing
    # file must be writable too: replacing a read-only file would undo its protection.
    writable = os.access(folder, os.W_OK | os.X_OK)
    if not writable or (st is not None and not os.access(path, os.W_OK)):
        raise _fail(output, "permission denied")
    return _Plan("replace" if st is not None else "create", path, st)


def _names_an_open_file(output: str) -> bool:
    """Whether `output` leads through /proc (/dev/stdout, /dev/fd/3): a file opened by a
    shell redirection, perhaps `>>`, whose name alone must not be replaced."""
    path = os.path.abspath(output)
    for _ in range(40):  # the kernel's own limit on links followed
        path = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        if path.startswith("/proc/"):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return False


def _is_stream(mode: int) -> bool:
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def _same_file(path: str, other: str) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:  # either does not exist (yet): not the same file
        return False


def check(output: str, *, input_path: str | None = None) -> None:
    """Raise InputError now if `output` cannot be written (or is the input file)."""
    _plan(output, input_path)


def write(output: str | os.PathLike[str], text: str, *, input_path: str | None = None) -> None:
    """Write `text` (UTF-8) to `output` as the module docstring says; `-` is stdout."""
    shown = os.fspath(output)
    plan = _plan(shown, input_path)
    if plan.how == "stdout":
        to_stdout(text)
        return
    try:
        if plan.how in ("stream", "append"):
            _write_stream(plan.path, text, append=plan.how == "append")
        else:
            _replace(plan, text)
    except OSError as exc:
        raise _fail(shown, _why(exc)) from None


def _write_stream(path: Path, text: str, *, append: bool) -> None:
    # No O_CREAT: if the FIFO or device went away meanwhile, fail rather than make a file.
    # O_APPEND for a file opened by the shell: after `>` it is empty, after `>>` it grows.
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC | (os.O_APPEND if append else 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def _replace(plan: _Plan, text: str) -> None:
    with atomic_file(plan.path, keep=plan.existing) as out:
        out.write(text.encode("utf-8"))


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str], *, keep: os.stat_result | None = None, private: bool = False
) -> Iterator[BinaryIO]:
    """A binary file that becomes `path` whole when the block ends, or never appears.

    The data goes to a temporary file beside `path`, is flushed to disk, and replaces
    `path` in one rename, so a reader (or a run killed midway) sees the old file or the
    new one, never half. An exception in the block leaves `path` as it was. The new file
    keeps `keep`'s mode and owner (the file it replaces), else gets the umask's mode, or
    0600 when `private` (state other users need not read).
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            if keep is not None:
                _keep_owner(out.fileno(), keep)
            yield out
            out.flush()
            # mkstemp makes 0600; the file gets what a plain open() would have given it.
            if keep is not None:
                os.fchmod(out.fileno(), stat.S_IMODE(keep.st_mode))
            elif not private:
                os.fchmod(out.fileno(), _new_file_mode())
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keep_owner(fd: int, old: os.stat_result) -> None:
    st = os.fstat(fd)
    if (st.st_uid, st.st_gid) == (old.st_uid, old.st_gid):
        return
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except PermissionError:
        # Not root: the group alone may still be ours to keep.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, -1, old.st_gid)


def _new_file_mode() -> int:
    # os.umask can only be read by setting it; set it straight back.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def to_stdout(text: str) -> None:
    """Write `text` to standard output, flushed; a closed or full one is an InputError."""
    stream = sys.stdout
    if stream is None:
        raise _fail(_STDOUT_NAME, "it is closed; redirect it or use -o FILE")
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        discard_stdout()
        raise  # the reader left (`| head`): the CLI ends quietly
    except OSError as exc:
        discard_stdout()
        raise _fail(_STDOUT_NAME, _why(exc)) from None
    except UnicodeEncodeError as exc:  # a ValueError too: checked first
        raise _fail(
            _STDOUT_NAME,
            f"its encoding ({exc.encoding}) cannot show the brief; set PYTHONIOENCODING=utf-8 "
            "or use -o FILE",
        ) from None
    except ValueError:  # "I/O operation on closed file"
        raise _fail(_STDOUT_NAME, "it is closed") from None


def flush_stdout() -> None:
    """Flush what print() left buffered, with the same errors as `to_stdout`.

    A closed stdout is left alone here: print() wrote nothing to it, and a command
    whose output is only a courtesy (`server start`) has still done its work.
    """
    if sys.stdout is not None:
        to_stdout("")


def discard_stdout() -> None:
    """Point standard output at /dev/null so the exit-time flush of unwritable text is quiet."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    except OSError as exc:
        if exc.errno != errno.EBADF:
            raise
    finally:
        os.close(devnull)
