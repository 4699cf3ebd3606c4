"""Options shared by several commands: `--debug`, the model options, progress lines.

Every option defaults to None and is handed to the library as is: the library
resolves it against the environment and its defaults (`summarizer._config`), so
the CLI and a Python caller always agree. No click `envvar=` here for that reason.
Nothing heavy is imported: this module loads for `--help` too.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from summarizer._config import ENV
from summarizer._errors import ConfigurationError, InputError

if TYPE_CHECKING:
    from summarizer._client import Options

F = TypeVar("F", bound=Callable[..., Any])

DEBUG_ENV = "SUMMARIZER_DEBUG"

# A path, as the shell completes it; nothing checked here: the library's own checks
# give the messages and exit codes the README documents.
PATH = click.Path(readable=False)


def format_option(help: str) -> Callable[[F], F]:
    """`-f/--format` for a command that writes a brief or a diff (its value as `fmt`)."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["json", "text", "markdown", "html"]),
        help=help,
    )


def output_option(help: str) -> Callable[[F], F]:
    """`-o/--output FILE` (the value as `output`); what FILE gets is the command's `help`."""
    return click.option("-o", "--output", type=PATH, metavar="FILE", help=help)


no_cache_option = click.option(
    "--no-cache", is_flag=True, help="Neither read nor write the brief cache."
)


@dataclass
class RunState:
    """One run of the command, shared by every context of it (click's `obj`)."""

    debug: bool = False


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(RunState).debug = True


def debug_option(command: F) -> F:
    """`--debug`, accepted at the top level and after any command (where the error hint
    tells the user to put it)."""
    return click.option(
        "--debug",
        is_flag=True,
        is_eager=True,
        expose_value=False,
        callback=_set_debug,
        help=f"Show a traceback on errors (or set {DEBUG_ENV}=1).",
    )(command)


def debug_wanted(ctx: click.Context | None) -> bool:
    state = ctx.find_object(RunState) if ctx is not None else None
    return bool(state and state.debug) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


@dataclass(frozen=True)
class ModelOptions:
    """The model flags as given (None: not given, let the library resolve it)."""

    model: str | None
    backend: str | None
    base_url: str | None
    timeout: float | None
    deadline: float | None
    max_answers: int | None
    max_retries: int | None
    api_key_env: str | None
    llama_server: str | None
    llama_grammar: bool | None

    def api_options(self) -> Options:
        """The keyword arguments of `Summarizer` these flags map to."""
        self._check()
        api_key = None
        if self.api_key_env:
            api_key = os.environ.get(self.api_key_env)
            if not api_key:
                raise InputError(f"--api-key-env {self.api_key_env}: that variable is not set")
        return {
            "model": self.model,
            "backend": self.backend,
            "base_url": self.base_url,
            "api_key": api_key,
            "timeout": self.timeout,
            "deadline": self.deadline,
            "max_answers": self.max_answers,
            "max_retries": self.max_retries,
            "llama_server": self.llama_server,
            "llama_grammar": self.llama_grammar,
        }

    def _check(self) -> None:
        """Refuse model options that the chosen backend would silently ignore."""
        # Said in the flags' own words; the library refuses the same (ConfigurationError).
        # With a base URL the default backend is openai, so only an explicit choice is local.
        chosen = self.backend or os.environ.get(ENV["backend"], "").strip()
        if self.base_url and chosen == "local":
            raise ConfigurationError(
                "--base-url is for the openai backend, not the local one; "
                "drop --backend local (or SUMMARIZER_BACKEND=local) to use that endpoint"
            )


_MODEL_FIELDS = tuple(f.name for f in fields(ModelOptions))

# Top to bottom as they appear in --help.
_MODEL_DECORATORS = (
    click.option("-m", "--model", metavar="NAME", help="Model name (env SUMMARIZER_MODEL)."),
    click.option(
        "--backend", type=click.Choice(["local", "openai"]), help="Env SUMMARIZER_BACKEND."
    ),
    click.option(
        "--base-url", metavar="URL", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)."
    ),
    click.option(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="Seconds per request (env SUMMARIZER_TIMEOUT).",
    ),
    click.option(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help="Seconds for a whole brief, retries and re-asks included (default 900; env "
        "SUMMARIZER_DEADLINE). A long article on a slow machine may need more.",
    ),
    click.option(
        "--max-answers",
        "--max-attempts",  # the old name, kept for one release
        "max_answers",
        type=int,
        metavar="N",
        help="Model answers allowed, re-asks included (default 3; env SUMMARIZER_MAX_ANSWERS).",
    ),
    click.option(
        "--max-retries",
        type=int,
        metavar="N",
        help="Transport retries per answer (default 4; env var too).",
    ),
    click.option(
        "--api-key-env",
        metavar="NAME",
        help="Read the API key from this environment variable instead of OPENAI_API_KEY.",
    ),
    click.option(
        "--llama-server",
        type=PATH,
        metavar="PATH",
        help="Path of a llama-server binary for the local backend.",
    ),
    click.option(
        "--llama-grammar/--no-llama-grammar",
        default=None,
        help="Send a compact output grammar (llama-server only; default on for the local "
        "backend; env SUMMARIZER_LLAMA_GRAMMAR).",
    ),
)


def model_options(command: Callable[..., int]) -> Callable[..., int]:
    """Add the model options; the command gets them as one `model_options` argument.

    Put it right above the `def`, under the command's own options."""

    @functools.wraps(command)
    def with_model_options(**kwargs: Any) -> int:
        given = {name: kwargs.pop(name) for name in _MODEL_FIELDS}
        return command(**kwargs, model_options=ModelOptions(**given))

    decorated: Callable[..., int] = with_model_options
    for option in reversed(_MODEL_DECORATORS):
        decorated = option(decorated)
    return decorated


def progress(stream: TextIO | None = None) -> Callable[[str], None] | None:
    """Progress lines on stderr when it is a terminal; nothing in a pipe or a log."""
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        return None

    def show(message: str) -> None:
        print(f"… {message}", file=out, flush=True)

    return show
