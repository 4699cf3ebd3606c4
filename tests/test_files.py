"""The one atomic-write helper every writer uses: whole file or none, modes kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from summarizer._files import atomic_file


def test_a_failed_block_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(target) as out:
        out.write(b"half of the new")
        raise RuntimeError("killed midway")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_the_new_file_appears_whole_with_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "brief.json"
    old_umask = os.umask(0o027)
    try:
        with atomic_file(target) as out:
            out.write(b"new")
            assert not target.exists()  # nothing at the path until the block ends
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_private_files_are_owner_only_and_kept_modes_are_kept(tmp_path: Path) -> None:
    private = tmp_path / "server.json"
    with atomic_file(private, private=True) as out:
        out.write(b"{}")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    shared = tmp_path / "report.md"
    shared.write_text("old")
    shared.chmod(0o664)
    with atomic_file(shared, keep=shared.stat()) as out:
        out.write(b"new")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    assert shared.read_text() == "new"
