"""The package's shape: one public front door, and a wheel that installs only `summarizer`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pytest

import summarizer

ROOT = Path(__file__).resolve().parent.parent


def test_all_is_exactly_what_the_package_exports() -> None:
    # Subpackages (summarizer.schemas, summarizer.prompts) are reached by their dotted
    # names, not through __all__; every other public attribute must be listed, and only those.
    public = {
        name
        for name, value in vars(summarizer).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert sorted(summarizer.__all__) == sorted(public | {"__version__"})
    assert len(summarizer.__all__) == len(set(summarizer.__all__))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy, so the build sees only tracked sources (no stale build/ folder of the checkout).
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "summarizer", "schemas", "prompts"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
        else:
            shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (found,) = out.glob("summarizer-*.whl")
    return found


def test_wheel_installs_nothing_but_the_summarizer_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("summarizer-")}
    assert tops == {"summarizer"}  # no top-level `schemas` or `prompts` to collide with
    assert "summarizer/schemas/_brief.py" in names
    assert "summarizer/prompts/brief/system.txt" in names
    assert "summarizer/py.typed" in names


def test_installed_wheel_works_without_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # -I: no cwd, no user site, no PYTHONPATH; the checkout's top-level folders are invisible.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import summarizer\n"
        "from summarizer import Brief\n"
        "from summarizer.prompts import brief_messages\n"
        "assert summarizer.__file__.startswith(sys.argv[1]), summarizer.__file__\n"
        "assert brief_messages('An article.')[0]['role'] == 'system'\n"
        "for top in ('schemas', 'prompts'):\n"
        "    try:\n"
        "        __import__(top)\n"
        "    except ImportError:\n"
        "        continue\n"
        "    raise SystemExit(f'top-level {top} importable')\n"
    )
    subprocess.run([sys.executable, "-I", "-c", code, str(site)], check=True, cwd=tmp_path)
