"""Where `-o` writes: through links, into FIFOs and devices, keeping modes; stdout's failures.

Real files, real FIFOs, private device nodes made in tmp_path (never /dev's own),
the CLI in-process against FakeOpenAI, and real subprocesses for a closed, full or
abandoned standard output.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from drafts import ARTICLE, VALID
from fakeopenai import FakeOpenAI, reply_json
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import InputError
from summarizer._cli import main
from summarizer._files import write as write_atomic

IS_ROOT = os.geteuid() == 0


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# The writer alone, over arbitrary text, modes and umasks: what is there stays what it was.
@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(
    text=st.text(),
    kind=st.sampled_from(["new", "file", "link", "dangling-link", "link-elsewhere", "link-chain"]),
    mode=st.integers(0, 0o7777),
    mask=st.integers(0, 0o777),
)
def test_writer_keeps_links_and_modes_and_leaves_no_temp(
    text: str, kind: str, mode: int, mask: int
) -> None:
    with tempfile.TemporaryDirectory() as d, umask(mask):
        folder = Path(d)
        (folder / "sub").mkdir(mode=0o755)
        os.chmod(folder / "sub", 0o755)  # the umask does not decide what this test can do
        real = folder / ("sub/real.txt" if kind == "link-elsewhere" else "real.txt")
        out = folder / "out.txt"
        if kind == "new":
            real = out
        elif kind == "file":
            out.write_text("old text\n")
            os.chmod(out, mode)
            real = out
        else:
            if kind != "dangling-link":
                real.write_text("old text\n")
                os.chmod(real, mode)
            if kind == "link-chain":  # out.txt -> sub/hop -> ../real.txt
                (folder / "sub" / "hop").symlink_to("../real.txt")
                out.symlink_to("sub/hop")
            else:
                out.symlink_to(real.relative_to(folder))
        before = listing(folder), listing(folder / "sub")
        kept_mode = (0o666 & ~mask) if kind in ("new", "dangling-link") else mode

        if not IS_ROOT and kind not in ("new", "dangling-link") and not mode & 0o200:
            with pytest.raises(InputError, match="permission denied"):  # read-only: kept
                write_atomic(out, text)
            os.chmod(real, 0o600)  # so that this test may read it back
            assert real.read_bytes() == b"old text\n"
            return

        write_atomic(out, text)

        assert stat.S_IMODE(os.stat(real).st_mode) == kept_mode
        os.chmod(real, 0o600)
        assert real.read_bytes() == text.encode("utf-8")
        assert out.is_symlink() == (kind not in ("new", "file"))
        created = {"new": ["out.txt"], "dangling-link": ["real.txt"]}.get(kind, [])
        assert listing(folder) == sorted({*before[0], *created})  # no temp file here …
        assert listing(folder / "sub") == before[1]  # … nor next to a link's target


def test_a_read_only_file_is_refused_not_replaced(tmp_path: Path) -> None:
    if IS_ROOT:
        pytest.skip("root may write any file; the refusal is for everyone else")
    target = tmp_path / "brief.json"
    target.write_text("keep\n")
    target.chmod(0o444)
    with pytest.raises(InputError, match=r"^cannot write .*brief\.json: permission denied$"):
        write_atomic(target, "new\n")
    assert target.read_text() == "keep\n"


def _private_device(tmp_path: Path, name: str, minor: int) -> Path:
    """A node for /dev/null (minor 3) or /dev/full (7) inside tmp_path, so no test can harm /dev."""
    if not IS_ROOT:
        pytest.skip("making a device node needs root")
    node = tmp_path / name
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("no CAP_MKNOD here")
    return node


def test_a_device_is_written_as_a_stream_and_stays_a_device(tmp_path: Path) -> None:
    null = _private_device(tmp_path, "null", 3)
    write_atomic(null, "a brief\n")
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, 3)
    assert listing(tmp_path) == ["null"]


def test_a_full_device_is_a_one_line_input_error(tmp_path: Path) -> None:
    full = _private_device(tmp_path, "full", 7)
    with pytest.raises(InputError) as caught:
        write_atomic(full, "a brief\n")
    assert str(caught.value) == f"cannot write {full}: No space left on device"
    assert stat.S_ISCHR(os.stat(full).st_mode)
    assert listing(tmp_path) == ["full"]


def _read_fifo(fd: int, size: int, timeout: float = 5.0) -> bytes:
    data = b""
    while len(data) < size and select.select([fd], [], [], timeout)[0]:
        data += os.read(fd, size - len(data))
    return data


def test_a_fifo_is_written_as_a_stream_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # O_RDWR: a reader that never blocks the test, even if the writer never comes.
    reader = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        text = "Brief über den Hafen\n"
        write_atomic(fifo, text)
        assert _read_fifo(reader, len(text.encode())) == text.encode()
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert listing(tmp_path) == ["pipe"]


# Through the command line: the model runs only when the output can be written.


@pytest.fixture
def srv() -> Iterator[FakeOpenAI]:
    with FakeOpenAI([reply_json(VALID)], max_requests=10, lifetime_s=20.0) as server:
        yield server


def brief_args(srv: FakeOpenAI, article: Path, output: Path | str, *extra: str) -> list[str]:
    return ["brief", str(article), "-o", str(output), "--format", "json", *extra,
            "--backend", "openai", "--base-url", srv.base_url, "-m", "fake-model"]  # fmt: skip


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    return path


def test_cli_keeps_an_existing_files_mode_and_gives_a_new_one_the_umasks(
    srv: FakeOpenAI, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared.json"
    shared.write_text("{}\n")
    shared.chmod(0o664)
    with umask(0o027):
        assert main(brief_args(srv, article, shared)) == 0, capsys.readouterr().err
        assert main(brief_args(srv, article, tmp_path / "new.json")) == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    assert json.loads(shared.read_text())["schema_version"] == "1.0"
    assert listing(tmp_path) == ["article.txt", "new.json", "shared.json"]


def test_cli_writes_through_a_symlink(
    srv: FakeOpenAI, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "briefs").mkdir()
    real = tmp_path / "briefs" / "latest.json"
    real.write_text("{}\n")
    link = tmp_path / "latest.json"
    link.symlink_to("briefs/latest.json")
    assert main(brief_args(srv, article, link)) == 0, capsys.readouterr().err
    assert link.is_symlink() and os.readlink(link) == "briefs/latest.json"
    assert json.loads(real.read_text())["schema_version"] == "1.0"
    assert listing(tmp_path / "briefs") == ["latest.json"]


def test_cli_dash_means_standard_output(
    srv: FakeOpenAI,
    article: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(brief_args(srv, article, "-")) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["schema_version"] == "1.0", err
    assert listing(tmp_path) == ["article.txt"]  # no file called "-"


def test_cli_into_a_fifo_read_by_another_process(
    srv: FakeOpenAI, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    cat = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        code = main(brief_args(srv, article, fifo))
        # On failure cat still waits for a writer: the timeout ends the test, not the suite.
        out, _ = cat.communicate(timeout=10)
    finally:
        cat.kill()
        cat.wait()
    assert code == 0, capsys.readouterr().err
    assert json.loads(out)["schema_version"] == "1.0"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_cli_into_a_private_dev_null_keeps_it_a_device(
    srv: FakeOpenAI, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    null = _private_device(tmp_path, "null", 3)
    assert main(brief_args(srv, article, null)) == 0, capsys.readouterr().err
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert listing(tmp_path) == ["article.txt", "null"]


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """`folder` cannot take new files: immutable for root, mode 0555 for anyone else."""
    if IS_ROOT:
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip("root ignores modes, and chattr is not installed")
        if subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("cannot make a folder immutable here")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_an_unwritable_folder_is_refused_before_the_model_is_asked(
    srv: FakeOpenAI, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "brief.json"
    with unwritable(folder):
        code, out, err = run_cli(brief_args(srv, article, target), capsys)
    assert code == 2
    assert err == f"summarizer: error: cannot write {target}: permission denied\n"
    assert srv.requests == []  # refused before paying for a generation
    assert out == "" and listing(folder) == []


@pytest.mark.parametrize("via", ["same path", "symlink", "hard link"])
def test_the_input_file_is_refused_as_output_however_it_is_named(
    via: str, srv: FakeOpenAI, article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "other-name.txt"
    if via == "same path":
        target = article
    elif via == "symlink":
        target.symlink_to(article)
    else:
        os.link(article, target)
    code, out, err = run_cli(brief_args(srv, article, target), capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"summarizer: error: -o {target} is the input file; choose another output path\n"
    )
    assert article.read_text() == ARTICLE
    assert srv.requests == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("folder", "cannot write {}: it is a directory; give a file name"),
        ("", "cannot write an empty path: give a file name, or - for standard output"),
    ],
)
def test_a_directory_or_empty_output_is_refused_before_the_model_is_asked(
    name: str,
    message: str,
    srv: FakeOpenAI,
    article: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    target = str(tmp_path) if name else ""
    code, out, err = run_cli(brief_args(srv, article, target), capsys)
    assert (code, out) == (2, "")
    assert err == f"summarizer: error: {message.format(target)}\n"
    assert srv.requests == []
    assert listing(tmp_path) == ["article.txt"]


# Standard output closed, full or abandoned, in real processes.


def cli_process(
    args: list[str], stdout: int, home: Path, *, close_stdout: bool = False
) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "summarizer", *args]
    if close_stdout:  # exactly what `summarizer … >&-` does in a shell
        command = ["sh", "-c", 'exec "$@" >&-', "sh", *command]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, env=env, timeout=60
    )


CLOSED = "cannot write standard output: it is closed; redirect it or use -o FILE"
FULL = "cannot write standard output: No space left on device"


@pytest.mark.parametrize(("where", "message"), [("closed", CLOSED), ("/dev/full", FULL)])
def test_schema_to_a_closed_or_full_stdout_exits_2_with_one_line(
    where: str, message: str, tmp_path: Path
) -> None:
    with open(os.devnull if where == "closed" else where, "wb") as sink:
        proc = cli_process(["schema"], sink.fileno(), tmp_path, close_stdout=where == "closed")
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"summarizer: error: {message}\n"


@pytest.mark.parametrize(("where", "message"), [("closed", CLOSED), ("/dev/full", FULL)])
def test_brief_to_a_closed_or_full_stdout_exits_2_with_one_line(
    where: str, message: str, srv: FakeOpenAI, article: Path, tmp_path: Path
) -> None:
    args = ["brief", str(article), "--format", "json",
            "--backend", "openai", "--base-url", srv.base_url, "-m", "fake-model"]  # fmt: skip
    with open(os.devnull if where == "closed" else where, "wb") as sink:
        proc = cli_process(args, sink.fileno(), tmp_path, close_stdout=where == "closed")
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"summarizer: error: {message}\n"
    # A closed stdout is known at start: no generation is paid for. A full one is not.
    assert len(srv.requests) == (0 if where == "closed" else 1)


def test_a_reader_that_left_ends_the_run_quietly(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `summarizer schema | head -c0`: nobody reads
    try:
        proc = cli_process(["schema"], write_end, tmp_path)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (0, b"")


@pytest.mark.parametrize("stdout", ["pipe", "file opened with >>"])
def test_a_link_to_standard_output_writes_there_and_appends_after_a_double_redirect(
    stdout: str, srv: FakeOpenAI, article: Path, tmp_path: Path
) -> None:
    # Like -o /dev/stdout, through a private link so no test can replace /dev's own.
    link = tmp_path / "to-stdout"
    link.symlink_to("/proc/self/fd/1")
    args = ["brief", str(article), "-o", str(link), "--format", "json",
            "--backend", "openai", "--base-url", srv.base_url, "-m", "fake-model"]  # fmt: skip
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    with open(log, "ab") as appended:
        sink = subprocess.PIPE if stdout == "pipe" else appended.fileno()
        proc = subprocess.run(
            [sys.executable, "-m", "summarizer", *args], stdout=sink, stderr=subprocess.PIPE,
            cwd=ROOT, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=60,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    if stdout == "pipe":
        written = proc.stdout.decode()
    else:
        head, _, written = log.read_text().partition("\n")
        assert head == "earlier line"  # what was there is kept
    assert json.loads(written)["schema_version"] == "1.0"
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


def test_stdout_that_cannot_encode_the_brief_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from summarizer import InputError
    from summarizer import _files as _output

    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    with pytest.raises(InputError, match=r"encoding \(ascii\) cannot show the brief"):
        _output.to_stdout("Résumé — brief\n")
