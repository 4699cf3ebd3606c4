"""The exception tree. Every error the library raises on purpose is a SummarizerError.

    SummarizerError                 base; `exit_code` is what the CLI exits with
    ├── InputError                  the article cannot be used (empty, binary, not found …)   exit 2
    │   ├── ArticleTooLongError     longer than the model's context allows                  exit 2
    │   └── PageRefusedError        a URL's page cannot be used: 404/410 or another 4xx,
    │                               not HTML or text (a PDF …), over 10 MB                  exit 2
    ├── ConfigurationError          an option or environment variable is invalid            exit 2
    ├── BackendUnavailableError     no model to talk to (extra missing, server won't start) exit 3
    │   ├── TransportError          requests failed: refused (4xx) or retries exhausted     exit 3
    │   └── PageUnreachableError    a URL's server cannot be reached, timed out, answered
    │                               5xx/408/429, or redirected more than 5 times            exit 3
    ├── NoValidBriefError           no answer passed validation within the attempts         exit 4
    │   └── OutputTruncatedError    the answer was cut off by the token limit               exit 4
    └── BatchNotReadyError          an OpenAI Batch API batch has not finished: collect
                                    again later                                             exit 75

PageRefusedError and PageUnreachableError are both FetchError, so a caller can catch
every problem reading a URL at once; each also keeps the exit code of its other parent.

Messages are one line and say what to do next. They never contain an API key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is not imported for an error (the CLI's --help loads this)
    from summarizer._problems import Problem

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(message: str) -> str:
    """`message` with control characters escaped: a path or a server's text may hold
    line breaks or terminal escape codes, and an error message must stay one clean line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", message)


class SummarizerError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code: int = 1


class InputError(SummarizerError):
    """The article given cannot be used as it is."""

    exit_code = 2


class ArticleTooLongError(InputError):
    """The article does not fit in the model's context window."""

    def __init__(self, message: str, *, tokens: int | None = None, limit: int | None = None):
        super().__init__(message)
        self.tokens = tokens
        self.limit = limit


class FetchError(SummarizerError):
    """A URL could not be read as an article page. `url` is the address asked for (without
    user name, password or query), `status` the last HTTP status, if any."""

    def __init__(self, message: str, *, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class PageRefusedError(FetchError, InputError):
    """The page at a URL is not an article this tool can read: gone, refused, not HTML or
    text, or too big. Asking again will not help; the user must give something else."""


class ConfigurationError(SummarizerError):
    """An option or environment variable has a value that cannot work."""

    exit_code = 2


class BackendUnavailableError(SummarizerError):
    """No model to talk to: the extra is missing, the server failed, the endpoint is down."""

    exit_code = 3


class TransportError(BackendUnavailableError):
    """The endpoint refused the request, or kept failing until the retry budget ran out.

    `requests` counts the HTTP requests made (`attempts` is its old name, kept for one
    release); `status` is the last HTTP status, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        requests: int = 0,
        status: int | None = None,
        usage: Any = None,
    ):
        super().__init__(message)
        self.requests = requests
        self.status = status
        self.usage = usage

    @property
    def attempts(self) -> int:
        """The old name of `requests`, kept for one release."""
        return self.requests


class PageUnreachableError(FetchError, BackendUnavailableError):
    """The server at a URL could not be reached or did not answer in time, or failed
    (5xx); asking again later may work."""


class NoValidBriefError(SummarizerError):
    """The model never produced a brief that passed validation.

    Carries what was spent (`requests`, `usage`), the validation `errors` of the
    last answer (as lines, and as typed `problems`) and that answer itself
    (`last_raw`), so a caller can inspect it. `attempts` is the old name of `requests`,
    kept for one release.
    """

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        requests: int = 0,
        usage: Any = None,
        errors: list[str] | None = None,
        problems: Sequence[Problem] = (),
        last_raw: str | None = None,
    ):
        super().__init__(message)
        self.requests = requests
        self.usage = usage
        self.errors = errors or []
        self.problems = list(problems)
        self.last_raw = last_raw

    @property
    def attempts(self) -> int:
        """The old name of `requests`, kept for one release."""
        return self.requests


class OutputTruncatedError(NoValidBriefError):
    """The model hit the completion token limit before finishing the brief."""


class BatchNotReadyError(SummarizerError):
    """An OpenAI Batch API batch has not finished yet: collect again later."""

    exit_code = 75  # EX_TEMPFAIL: try again later
