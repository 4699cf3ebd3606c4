"""What the model writes: the brief with evidence as sentence numbers.

The public contract (`schemas.Brief`) carries verbatim quotes; the model only
names the sentences they come from, and `to_brief` fills them in. Validation
here (with the sentences as context) catches what the model can get wrong:
a sentence number that does not exist, an actor the article does not name, an
actor listed twice. Its messages go back to the model on a re-ask.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from schemas import ActorKind, Basis, Brief, Category, Phase, name_in_article
from schemas._text import normalize, significant_words, strip_accents

from ._sentences import quote

# Bounds keep a looping model from running to the token limit: llama-server
# turns them into its output grammar.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Refs = Annotated[list[Annotated[int, Field(ge=1, le=999)]], Field(max_length=2)]


def _sentence_count(info: ValidationInfo) -> int | None:
    ctx = info.context
    if isinstance(ctx, dict) and isinstance(ctx.get("sentences"), list):
        return len(ctx["sentences"])
    return None


class _Cited(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("evidence", check_fields=False)
    @classmethod
    def _refs_exist(cls, v: list[int], info: ValidationInfo) -> list[int]:
        count = _sentence_count(info)
        bad = [n for n in v if count is not None and n > count]
        if bad:
            raise ValueError(
                f"sentence {bad[0]} does not exist: the article has sentences 1 to {count}"
            )
        return v


class DraftEvent(_Cited):
    summary: Text
    category: Category
    when: Text | None
    where: Text | None
    evidence: Refs

    @field_validator("where")
    @classmethod
    def _place_in_article(cls, v: str | None, info: ValidationInfo) -> str | None:
        norm = _article_norm(info)
        if v is None or norm is None:
            return v
        missing = [p for p in place_parts(v) if not name_in_article(p, norm)]
        if missing:
            raise ValueError(f"place {missing[0]!r} is not in the article: use the article's words")
        return v


def place_parts(where: str) -> list[str]:
    """'Port X, Denmark' -> ['Port X', 'Denmark']: each part is checked on its own."""
    return [p.strip() for p in where.split(",") if p.strip()]


def _article_norm(info: ValidationInfo) -> str | None:
    ctx = info.context
    if not (isinstance(ctx, dict) and isinstance(ctx.get("article"), str)):
        return None
    norm = ctx.get("_article_norm")
    if not isinstance(norm, str):
        norm = ctx["_article_norm"] = normalize(ctx["article"])
    return norm


class DraftActor(_Cited):
    name: Name
    kind: ActorKind
    role: Text
    evidence: Refs

    @field_validator("name")
    @classmethod
    def _named_in_article(cls, v: str, info: ValidationInfo) -> str:
        norm = _article_norm(info)
        if norm is not None and not name_in_article(v, norm):
            raise ValueError(f"actor {v!r} is not named in the article: use the article's words")
        return v


class DraftStatus(_Cited):
    phase: Phase
    summary: Text
    evidence: Refs


class DraftUncertainty(_Cited):
    claim: Text
    basis: Basis
    according_to: Text | None
    evidence: Refs


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    headline: Text
    event: DraftEvent
    actors: Annotated[list[DraftActor], Field(min_length=1, max_length=6)]
    status: DraftStatus
    uncertainties: Annotated[list[DraftUncertainty], Field(max_length=4)]

    @model_validator(mode="after")
    def _no_duplicate_actors(self) -> Draft:
        seen = set()
        for actor in self.actors:
            key = " ".join(significant_words(strip_accents(actor.name))) or actor.name.casefold()
            if key in seen:
                raise ValueError(f"actor {actor.name!r} is listed twice")
            seen.add(key)
        return self


def to_brief(draft: Draft, sentences: list[str], article: str) -> Brief:
    """The public brief: sentence numbers replaced by the sentences' verbatim text.

    Validated against the article as a last guard: a quote that is not in the
    article here would be a bug in the splitter, not a model error.
    """

    def fill(refs: list[int]) -> list[str]:
        return list(
            dict.fromkeys(quote(sentences[n - 1]) for n in refs if 1 <= n <= len(sentences))
        )

    data: dict[str, Any] = draft.model_dump(mode="json")
    data["event"]["evidence"] = fill(draft.event.evidence)
    data["status"]["evidence"] = fill(draft.status.evidence)
    for out, actor in zip(data["actors"], draft.actors, strict=True):
        out["evidence"] = fill(actor.evidence)
    for out, item in zip(data["uncertainties"], draft.uncertainties, strict=True):
        out["evidence"] = fill(item.evidence)
    return Brief.model_validate(data, context={"article": article})
