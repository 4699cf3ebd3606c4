"""What a call returns besides the brief: how it was made and what it cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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

    `attempts` is the number of HTTP requests sent to the model, every transport
    retry and validation re-ask included; `reasks` and `transport_retries` split it.
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
    attempts: int
    reasks: int = 0
    transport_retries: int = 0
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    validation_errors: list[list[str]] = Field(
        default_factory=list,
        description="For each answer that failed validation, the problems found in it.",
    )
    repairs: list[str] = Field(
        default_factory=list,
        description="Every deterministic change made to the model's answer, if any.",
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


@dataclass(frozen=True)
class Result:
    brief: Brief
    meta: Meta
