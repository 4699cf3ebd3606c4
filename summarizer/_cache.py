"""The brief cache: a result already made for this text and these settings is not made again.

Content-addressed: the key is the sha256 of the article text and of everything that
changes the answer (`CacheKey`); the value is the Result as JSON. One SQLite file,
`briefs/cache.sqlite3` in the cache folder (`$XDG_CACHE_HOME/summarizer`, or
SUMMARIZER_CACHE_DIR; SUMMARIZER_BRIEF_CACHE_DIR moves the brief cache alone), in WAL
mode with a busy timeout, so several processes (shards of one batch on one machine, a
`brief` beside a `batch`) read and write it safely; each write is one transaction, so
a crash leaves the old state or the new.

Policy: only briefs are cached, never failures (they may be transient). An entry older
than `max_age_s` (30 days) is a miss and is deleted; past `max_bytes` (256 MiB) the
least recently used entries go. Both are applied when the cache is opened and every
500 writes. A hit returns the original meta with `cached=True`.

A cache that cannot be opened is a ConfigurationError (use --no-cache); a read or
write that fails later is a miss or a skipped write, counted in `failures`: the
cache saves time, it never costs a brief.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from pydantic import ValidationError

from summarizer._config import Settings, brief_cache_folder
from summarizer._errors import ConfigurationError, one_line
from summarizer._result import Evidence, Meta, Result
from summarizer.prompts import prompt_version
from summarizer.schemas import SCHEMA_VERSION, Brief

__all__ = ["BriefCache", "CacheKey", "CacheStats", "cached", "default_folder", "remove_files"]

# Bumped when a code change alters answers for the same prompt and settings (a repair,
# a grounding rule), so older entries stop matching.
KEY_FORMAT = 2  # 2: entries keep the evidence offsets
DEFAULT_MAX_AGE_S = 30 * 24 * 3600.0
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_PRUNE_EVERY = 500
_FILE = "cache.sqlite3"


def default_folder(settings: Settings) -> Path:
    return brief_cache_folder(settings)


def _library_version() -> str:
    try:
        return metadata.version("summarizer")
    except metadata.PackageNotFoundError:  # run from a source tree
        return "source"


def endpoint_of(settings: Settings) -> str:
    """Where answers come from, without credentials, query or fragment."""
    if settings.backend == "local":
        return "local"
    parts = urllib.parse.urlsplit(settings.base_url or "https://api.openai.com/v1")
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}"


@dataclass(frozen=True)
class CacheKey:
    """Everything a cached brief depends on. Two keys equal means the same answer."""

    text_sha256: str
    model: str
    endpoint: str
    prompt_version: str
    schema_version: str
    temperature: float
    max_tokens: int
    grammar: bool
    library: str
    format: int = KEY_FORMAT

    @classmethod
    def of(cls, text: str, settings: Settings) -> CacheKey:
        return cls(
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            model=settings.model,
            endpoint=endpoint_of(settings),
            prompt_version=prompt_version(),
            schema_version=SCHEMA_VERSION,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            grammar=settings.llama_grammar,
            library=_library_version(),
        )

    def digest(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    path: Path
    entries: int
    bytes: int
    oldest: float | None  # creation times, seconds since the epoch
    newest: float | None


class BriefCache:
    """The cache in `folder` (made if missing). Thread-safe; close() when done."""

    def __init__(
        self,
        folder: str | Path,
        *,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.path = Path(folder) / _FILE
        self.max_age_s = max_age_s
        self.max_bytes = max_bytes
        self.failures = 0
        self._writes = 0
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS briefs (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
                " size INTEGER NOT NULL, created REAL NOT NULL, used REAL NOT NULL)"
            )
            self._db.execute("CREATE INDEX IF NOT EXISTS briefs_used ON briefs (used)")
            self._db.commit()
            self.prune()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigurationError(
                one_line(
                    f"the brief cache {self.path} cannot be used ({exc}); run `summarizer "
                    "cache clear`, set SUMMARIZER_CACHE_DIR elsewhere, or use --no-cache"
                )
            ) from None

    def get(self, key: CacheKey) -> Result | None:
        """The cached result for `key` with `meta.cached` set, or None."""
        now = time.time()
        try:
            with self._lock, self._db:
                row = self._db.execute(
                    "SELECT value FROM briefs WHERE key = ? AND created >= ?",
                    (key.digest(), now - self.max_age_s),
                ).fetchone()
                if row is not None:
                    self._db.execute(
                        "UPDATE briefs SET used = ? WHERE key = ?", (now, key.digest())
                    )
        except sqlite3.Error:
            self.failures += 1
            return None
        if row is None:
            return None
        try:
            data = json.loads(row[0])
            brief = Brief.model_validate(data["brief"])
            meta = Meta.model_validate(data["meta"]).model_copy(update={"cached": True})
            evidence = Evidence.model_validate(data["evidence"])
        except (ValueError, KeyError, TypeError, ValidationError):
            # Written by a version whose Brief or Meta differ: a miss, and gone.
            self._delete(key)
            return None
        return Result(brief, meta, evidence)

    def put(self, key: CacheKey, result: Result) -> None:
        if result.meta.cached:
            return
        value = json.dumps(
            {
                "brief": result.brief.model_dump(mode="json"),
                "meta": result.meta.model_dump(mode="json"),
                "evidence": result.evidence.model_dump(mode="json"),
            },
            ensure_ascii=False,
        )
        now = time.time()
        try:
            with self._lock, self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO briefs VALUES (?, ?, ?, ?, ?)",
                    (key.digest(), value, len(value.encode("utf-8", "surrogatepass")), now, now),
                )
            self._writes += 1
            if self._writes % _PRUNE_EVERY == 0:
                self.prune()
        except sqlite3.Error:
            self.failures += 1

    def _delete(self, key: CacheKey) -> None:
        with contextlib.suppress(sqlite3.Error), self._lock, self._db:
            self._db.execute("DELETE FROM briefs WHERE key = ?", (key.digest(),))

    def prune(self) -> int:
        """Apply the age and size limits; the number of entries removed."""
        with self._lock, self._db:
            old = self._db.execute(
                "DELETE FROM briefs WHERE created < ?", (time.time() - self.max_age_s,)
            ).rowcount
            total = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM briefs").fetchone()[0]
            removed = 0
            if total > self.max_bytes:
                # Least recently used first, until under the limit.
                cut, keys = 0, []
                for key, size in self._db.execute("SELECT key, size FROM briefs ORDER BY used"):
                    if total - cut <= self.max_bytes:
                        break
                    keys.append((key,))
                    cut += size
                self._db.executemany("DELETE FROM briefs WHERE key = ?", keys)
                removed = len(keys)
        return old + removed

    def stats(self) -> CacheStats:
        with self._lock:
            count, size, oldest, newest = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0), MIN(created), MAX(created) FROM briefs"
            ).fetchone()
        return CacheStats(self.path, count, size, oldest, newest)

    def clear(self) -> int:
        """Remove every entry; the number removed."""
        with self._lock, self._db:
            removed = self._db.execute("DELETE FROM briefs").rowcount
        with self._lock:
            self._db.execute("VACUUM")
        return int(removed)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> BriefCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_files(folder: str | Path) -> int:
    """Delete the cache's files, even a damaged one (`cache clear` when it cannot be opened).
    The number of files removed."""
    removed = 0
    for suffix in ("", "-wal", "-shm"):
        path = Path(folder) / f"{_FILE}{suffix}"
        if path.exists():
            path.unlink()
            removed += 1
    return removed


def cached(
    brief: Callable[[str], Awaitable[Result]],
    cache: BriefCache,
    key_for: Callable[[str], CacheKey],
) -> Callable[[str], Awaitable[Result]]:
    """`brief` with the cache in front: a hit makes no call, a new brief is stored."""

    async def call(text: str) -> Result:
        key = key_for(text)
        hit = cache.get(key)
        if hit is not None:
            return hit
        result = await brief(text)
        cache.put(key, result)
        return result

    return call
