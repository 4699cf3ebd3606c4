"""What a call returns besides the brief: how it was made, what it cost, where its quotes are."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from summarizer._problems import Problem, Repair
from summarizer.schemas import Brief


class Usage(BaseModel):
    """Tokens summed over every request of one call, failed ones included."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, prompt: int | None, completion: int | None) -> None:
        self.prompt_tokens += prompt or 0
        self.completion_tokens += completion or 0


class Meta(BaseModel):
    """How a brief was made.

    `requests` is the number of HTTP requests sent to the model, every transport
    retry and validation re-ask included; `reasks` and `transport_retries` split it.
    `attempts` is its old name, kept in the JSON (equal to `requests`) for one release.
    """

    model_config = ConfigDict(extra="forbid")

    model: str
    backend: Literal["local", "openai"]
    base_url: str | None = Field(
        default=None,
        description="The endpoint that answered (no credentials, no query string).",
    )
    prompt_version: str
    schema_version: str
    requests: int
    reasks: int = 0
    transport_retries: int = 0
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    validation_errors: list[list[Problem]] = Field(
        default_factory=list,
        description="For each answer that failed validation, the problems found in it "
        "(kind, field, value, message).",
    )
    repairs: list[Repair] = Field(
        default_factory=list,
        description="Every deterministic change made to the model's answer, if any "
        "(kind, field, before, after, message).",
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What a reader should know about the article, e.g. text in it "
        "addressed to automated systems.",
    )
    cached: bool = Field(
        default=False,
        description="True when the result came from the brief cache and no request was "
        "made; the rest of meta is the original call's.",
    )

    @property
    def attempts(self) -> int:
        """Deprecated: the old name of `requests`, kept for one release."""
        return self.requests

    @model_serializer(mode="wrap")
    def _with_old_name(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Readers of the JSON (eval records, scripts on --meta output) find `attempts`
        # where it was, equal to `requests`, for one release.
        data = handler(self)
        if isinstance(data, dict):
            data["attempts"] = self.requests
        return data

    @model_validator(mode="before")
    @classmethod
    def _old_name(cls, data: object) -> object:
        # Meta written before the rename (eval records, saved --meta files) says `attempts`
        # only; written since, both, equal. Either reads back.
        if isinstance(data, dict) and "attempts" in data:
            data = dict(data)
            old = data.pop("attempts")
            data.setdefault("requests", old)
        return data


class Span(BaseModel):
    """Where one evidence quote is in the article: `article[start:end]` is the quote.

    `clipped`: the quote is its sentence cut at the quote length limit, so the
    sentence goes on after `end`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    clipped: bool = False


class Evidence(RootModel[dict[str, list[Span]]]):
    """Where each field's quotes are: for each field path ("event", "status", "actors[0]",
    "uncertainties[1]"), one span per quote of its `evidence` list, in that order.

    Offsets count characters (code points) of the article text the pipeline read.
    """

    root: dict[str, list[Span]] = Field(default_factory=dict)

    def of(self, path: str) -> list[Span]:
        """The spans of one field path; [] for a field without evidence."""
        return self.root.get(path, [])


@dataclass(frozen=True)
class Source:
    """Where an article came from, and what its page says about itself.

    `origin` is what was given (a path, "standard input", a URL); `url` is the address a
    fetched page was finally read from, after redirects. The other fields come from the
    page's markup (meta tags, JSON-LD, <html lang>) and are None when it does not give
    them, or for plain text. They are the page's claims, untrusted like its text: shown
    to the reader, never sent to the model.
    """

    origin: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: datetime.date | None = None
    site: str | None = None
    canonical_url: str | None = None
    language: str | None = None

    def as_json(self) -> dict[str, str | None]:
        """The source as JSON values (the date as YYYY-MM-DD), every field present."""
        return {
            f.name: value.isoformat() if isinstance(value, datetime.date) else value
            for f in dataclasses.fields(self)
            for value in [getattr(self, f.name)]
        }


@dataclass(frozen=True)
class Result:
    """A brief, how it was made, where its quotes are and, for a page, where it came from.

    `source` is given when the article came with one (a `Page`, e.g. from `read_source`);
    None for bare text.
    """

    brief: Brief
    meta: Meta
    evidence: Evidence = field(default_factory=Evidence)
    source: Source | None = None
