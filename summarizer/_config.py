"""Settings, resolved in one place: explicit argument > environment variable > default.

Nothing here is read at import time; `resolve()` reads the environment when a
call is made, so a test or a long-running program can change it between calls.
"""

from __future__ import annotations

import math
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from summarizer._errors import ConfigurationError

Backend = Literal["openai", "local"]
BACKENDS: tuple[Backend, ...] = ("openai", "local")

LOCAL_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# The embedded model's context, in tokens: the most its server can be given.
MODEL_CONTEXT = 32768
# The smallest context the local server starts with: every short article fits, and a
# server sized for one short article serves the next without a restart.
MIN_CONTEXT = 8192

# Environment variables read by `resolve`, documented in the README.
ENV = {
    "api_key": "OPENAI_API_KEY",
    "base_url": "OPENAI_BASE_URL",
    "model": "SUMMARIZER_MODEL",
    "backend": "SUMMARIZER_BACKEND",
    "timeout": "SUMMARIZER_TIMEOUT",
    "deadline": "SUMMARIZER_DEADLINE",
    "max_answers": "SUMMARIZER_MAX_ANSWERS",
    # The old name of max_answers, still read for one release (see CHANGELOG).
    "max_attempts": "SUMMARIZER_MAX_ATTEMPTS",
    "max_retries": "SUMMARIZER_MAX_RETRIES",
    "llama_server": "SUMMARIZER_LLAMA_SERVER",
    "cache_dir": "SUMMARIZER_CACHE_DIR",
    "llama_grammar": "SUMMARIZER_LLAMA_GRAMMAR",
}
# Where the brief cache lives when not in the cache folder's `briefs/` (read by
# `brief_cache_folder`; the model file and server state stay in the cache folder).
BRIEF_CACHE_ENV = "SUMMARIZER_BRIEF_CACHE_DIR"


def server_context(tokens: int | None, configured: int | None) -> int:
    """The local server's context per slot for calls of up to `tokens` tokens: the one
    configured, else the next power of two that holds them, MIN_CONTEXT at least and
    MODEL_CONTEXT at most."""
    if configured is not None:
        return configured
    size = MIN_CONTEXT
    while size < min(tokens or 0, MODEL_CONTEXT):
        size *= 2
    return min(size, MODEL_CONTEXT)


@dataclass(frozen=True)
class Settings:
    backend: Backend
    model: str
    base_url: str | None
    # repr=False: settings may be logged or shown in a traceback; the key must not be.
    api_key: str | None = field(repr=False)
    timeout: float
    # Model answers allowed in one call, the first and every re-ask (not HTTP requests:
    # transport retries of one answer are `max_retries`).
    max_answers: int
    max_retries: int
    max_tokens: int
    temperature: float
    deadline: float
    retry_wait_base: float
    retry_wait_max: float
    llama_server: str | None
    cache_dir: Path
    # The local server's context per slot, in tokens; None: sized to each article
    # (MIN_CONTEXT up to MODEL_CONTEXT).
    context_size: int | None
    # Send llama-server a compact output grammar instead of response_format (see
    # _grammar). Only llama-server takes it: OpenAI would refuse the request.
    llama_grammar: bool

    @property
    def max_attempts(self) -> int:
        """The old name of `max_answers`, kept for one release."""
        return self.max_answers


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _env(name: str) -> str | None:
    value = os.environ.get(ENV[name], "").strip()
    return value or None


def _number(name: str, raw: Any, kind: type[int] | type[float], minimum: float) -> Any:
    where = f"{ENV[name]}" if name in ENV else name
    if isinstance(raw, bool):  # True is an int to Python, not a number to a user
        raise ConfigurationError(f"{where} must be a number, got {raw!r}")
    try:
        value = kind(raw)
    except (TypeError, ValueError, OverflowError):
        raise ConfigurationError(f"{where} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        # inf would wait forever, and nan compares false with every bound.
        raise ConfigurationError(f"{name} must be a finite number, got {raw!r}")
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value


def _url(raw: str | None) -> str | None:
    """An http(s) URL with a host, or a ConfigurationError naming what is wrong."""
    if raw is None:
        return None
    try:
        parts = urllib.parse.urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        shown = _CONTROL.sub("?", raw)[:80]
        raise ConfigurationError(
            f"the base URL {shown!r} is not an http(s) URL; give one like "
            "http://127.0.0.1:8000/v1 (--base-url or OPENAI_BASE_URL)"
        )
    return raw


def _api_key(raw: str | None) -> str | None:
    # The key travels in an HTTP header, which takes printable ASCII only; anything else
    # would fail inside the HTTP library on every request. The key itself is never shown.
    if raw is not None and not (raw.isascii() and raw.isprintable()):
        raise ConfigurationError(
            "the API key holds characters an HTTP header cannot carry (non-ASCII or control "
            "characters): check OPENAI_API_KEY (or the api_key option) for a stray character"
        )
    return raw


def _flag(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{ENV.get(name, name)} must be 1 or 0, got {raw!r}")


def _pick(name: str, explicit: Any, default: Any) -> Any:
    if explicit is not None:
        return explicit
    from_env = _env(name) if name in ENV else None
    return from_env if from_env is not None else default


def _max_answers(new: int | None, old: int | None) -> Any:
    if new is not None and old is not None and new != old:
        raise ConfigurationError(
            f"max_answers={new} and max_attempts={old} disagree: max_attempts is the old "
            "name of max_answers; give only max_answers"
        )
    explicit = new if new is not None else old
    if explicit is not None:
        return explicit
    return _env("max_answers") or _env("max_attempts") or 3


def resolve(
    *,
    backend: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
    max_answers: int | None = None,
    max_attempts: int | None = None,
    max_retries: int | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    deadline: float | None = None,
    retry_wait_base: float | None = None,
    retry_wait_max: float | None = None,
    llama_server: str | None = None,
    cache_dir: str | Path | None = None,
    context_size: int | None = None,
    llama_grammar: bool | None = None,
    client: bool = False,
) -> Settings:
    """Settings for one call. Raises ConfigurationError for values that cannot work.

    `client`: the caller passes a ready OpenAI client. That is the OpenAI-compatible
    path whatever the environment says: its endpoint and key are the client's, no
    grammar is sent unless asked, and the model must be named (no default fits an
    endpoint this code knows nothing of).

    `max_attempts` (and SUMMARIZER_MAX_ATTEMPTS) is the old name of `max_answers`
    (SUMMARIZER_MAX_ANSWERS), accepted for one release; the new name wins where both are set.
    """
    if client:
        if backend not in (None, "openai"):
            raise ConfigurationError(
                f"backend {backend!r} cannot be used with a client: a passed client is "
                "an OpenAI-compatible endpoint (leave backend unset)"
            )
        if base_url is not None or api_key is not None:
            raise ConfigurationError(
                "base_url and api_key belong to the client you pass: set them on it"
            )
        if model is None and _env("model") is None:
            raise ConfigurationError(
                "name the model your client's endpoint serves: model=… (or SUMMARIZER_MODEL)"
            )
        key, url, chosen = None, None, "openai"
    else:
        key = _pick("api_key", api_key, None)
        url = _pick("base_url", base_url, None)
        # With neither a key nor an endpoint configured, the embedded model is the only
        # thing that can answer, so it is the default.
        chosen = _pick("backend", backend, "openai" if (key or url) else "local")
    if chosen not in BACKENDS:
        raise ConfigurationError(f"unknown backend {chosen!r}: use one of {', '.join(BACKENDS)}")
    if chosen == "local" and base_url is not None:
        raise ConfigurationError(
            "a base URL is for the openai backend; the local backend starts its own server "
            "(drop the base URL, or use --backend openai)"
        )
    if chosen == "openai" and llama_server is not None:
        # Only the argument: SUMMARIZER_LLAMA_SERVER may be set for local runs in general.
        raise ConfigurationError(
            "a llama-server path is for the local backend; the openai backend sends requests "
            "to an endpoint (drop --llama-server, or use --backend local)"
        )
    if chosen == "openai":
        url, key = _url(url), _api_key(key)
    default_model = LOCAL_MODEL if chosen == "local" else DEFAULT_OPENAI_MODEL
    cache = _pick("cache_dir", cache_dir, None)
    if cache is None:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        cache = Path(xdg) / "summarizer"
    return Settings(
        backend=chosen,
        model=str(_pick("model", model, default_model)),
        base_url=url if chosen == "openai" else None,
        api_key=key if chosen == "openai" else None,
        timeout=_number("timeout", _pick("timeout", timeout, 300.0), float, 0.001),
        max_answers=_number("max_answers", _max_answers(max_answers, max_attempts), int, 1),
        max_retries=_number("max_retries", _pick("max_retries", max_retries, 4), int, 0),
        max_tokens=_number("max_tokens", max_tokens if max_tokens is not None else 1536, int, 16),
        temperature=_number(
            "temperature", temperature if temperature is not None else 0.0, float, 0
        ),
        deadline=_number("deadline", _pick("deadline", deadline, 900.0), float, 0.001),
        retry_wait_base=_number(
            "retry_wait_base", retry_wait_base if retry_wait_base is not None else 1.0, float, 0
        ),
        retry_wait_max=_number(
            "retry_wait_max", retry_wait_max if retry_wait_max is not None else 30.0, float, 0
        ),
        llama_server=_pick("llama_server", llama_server, None),
        cache_dir=Path(cache).expanduser(),
        context_size=None
        if context_size is None
        else _number("context_size", context_size, int, 512),
        llama_grammar=_flag(
            "llama_grammar", _pick("llama_grammar", llama_grammar, chosen == "local")
        ),
    )


def brief_cache_folder(settings: Settings) -> Path:
    """The brief cache's folder: SUMMARIZER_BRIEF_CACHE_DIR, else `briefs/` in the cache folder."""
    given = os.environ.get(BRIEF_CACHE_ENV, "").strip()
    return Path(given).expanduser() if given else settings.cache_dir / "briefs"
