"""The brief contract: what a summary of one article must contain.

JSON field names are part of the contract (evaluation tools read them); changing
them means a new SCHEMA_VERSION and an updated snapshot test.

Grounding checks (quotes and names must come from the article) run only when the
article is passed as validation context: ``Brief.model_validate(data,
context={"article": text})``. Without it, a brief is checked for shape alone, so
a stored brief can be loaded back without its article.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ._text import (
    check_identifying_word,
    check_unique_actors,
    contains_quote,
    name_in_article,
    normalize,
)

SCHEMA_VERSION: Literal["1.0"] = "1.0"

# Bounds keep a looping model from running to the token limit: llama-server
# turns them into its output grammar.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Quote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Evidence = Annotated[list[Quote], Field(max_length=3)]


class Category(StrEnum):
    armed_conflict = "armed_conflict"
    attack_or_terrorism = "attack_or_terrorism"
    coup_or_plot = "coup_or_plot"
    arrest_or_detention = "arrest_or_detention"
    protest_or_unrest = "protest_or_unrest"
    election = "election"
    policy_or_legislation = "policy_or_legislation"
    legal_or_court = "legal_or_court"
    diplomacy_or_agreement = "diplomacy_or_agreement"
    disaster_or_accident = "disaster_or_accident"
    economy_or_business = "economy_or_business"
    health = "health"
    science_or_technology = "science_or_technology"
    crime = "crime"
    other = "other"


class ActorKind(StrEnum):
    person = "person"
    organization = "organization"
    government = "government"
    military = "military"
    armed_group = "armed_group"
    country = "country"
    media = "media"
    group = "group"
    other = "other"


class Phase(StrEnum):
    developing = "developing"
    ongoing = "ongoing"
    concluded = "concluded"
    scheduled = "scheduled"
    unclear = "unclear"


class Basis(StrEnum):
    unconfirmed = "unconfirmed"
    disputed = "disputed"
    alleged = "alleged"
    anonymous_source = "anonymous_source"
    pending = "pending"
    unknown = "unknown"
    speculative = "speculative"


def _article(info: ValidationInfo) -> str | None:
    """The normalised article from the validation context, if one was given."""
    ctx = info.context
    if not isinstance(ctx, dict) or not isinstance(ctx.get("article"), str):
        return None
    cached = ctx.get("_article_norm")
    if not isinstance(cached, str):
        cached = normalize(ctx["article"])
        ctx["_article_norm"] = cached
    return cached


def _check_quotes(quotes: list[str], info: ValidationInfo) -> list[str]:
    article = _article(info)
    if article is None:
        return quotes
    missing = [q for q in quotes if not contains_quote(article, q)]
    if missing:
        shown = "; ".join(repr(q[:80]) for q in missing)
        raise ValueError(f"quote not found verbatim in the article: {shown}")
    return quotes


class _Grounded(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    @field_validator("evidence", check_fields=False)
    @classmethod
    def _evidence_in_article(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _check_quotes(v, info)


class Event(_Grounded):
    summary: Text = Field(description="What happened, in one or two sentences.")
    category: Category
    when: Text | None = Field(description="When it happened, as the article states it.")
    where: Text | None = Field(description="Where it happened, as the article states it.")
    evidence: Evidence = Field(description="Short verbatim quotes from the article.")


class Actor(_Grounded):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    kind: ActorKind
    role: Text = Field(description="Their part in this event, per the article.")
    evidence: Evidence

    @field_validator("name")
    @classmethod
    def _name_in_article(cls, v: str, info: ValidationInfo) -> str:
        check_identifying_word(v)
        article = _article(info)
        if article is None or name_in_article(v, article):
            return v
        raise ValueError(f"actor {v!r} is not named in the article")


class Status(_Grounded):
    phase: Phase
    summary: Text = Field(description="Where things stand now.")
    evidence: Evidence


class Uncertainty(_Grounded):
    claim: Text = Field(description="The uncertain point, stated neutrally.")
    basis: Basis
    according_to: Text | None = Field(description="Who says so, or null.")
    evidence: Evidence


class Brief(BaseModel):
    """A checkable summary of one news article."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    headline: Text = Field(description="One neutral line.")
    event: Event
    actors: Annotated[list[Actor], Field(min_length=1, max_length=8)]
    status: Status
    uncertainties: Annotated[list[Uncertainty], Field(max_length=5)]

    @model_validator(mode="after")
    def _no_duplicate_actors(self) -> Brief:
        check_unique_actors([a.name for a in self.actors])
        return self


def brief_json_schema() -> dict[str, Any]:
    """The JSON Schema of the brief, as `summarizer schema` prints it."""
    schema = Brief.model_json_schema()
    schema["$id"] = f"https://summarizer.invalid/brief/{SCHEMA_VERSION}"
    return schema
