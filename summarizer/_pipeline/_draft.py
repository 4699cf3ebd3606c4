"""What the model writes: the brief with evidence as sentence numbers.

The public contract (`schemas.Brief`) carries verbatim quotes; the model only
names the sentences they come from, and `to_brief` fills them in. Validation
here (with the sentences as context) catches what the model can get wrong:
a sentence number that does not exist, an actor the article does not name, an
actor listed twice. Each check raises its problem's kind (see _problems) as the
pydantic error type, so that eval counts kinds, not messages; the messages go back to the
model on a re-ask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from summarizer._pipeline._context import ArticleContext, from_info
from summarizer._problems import Kind
from summarizer._result import Evidence, Span
from summarizer._text._attribution import source
from summarizer._text._hedges import basis, hedge_at
from summarizer._text._injection import copies
from summarizer._text._ongoing import not_over
from summarizer._text._prose import problems
from summarizer._text._sentences import clip, closest_sentence, quote
from summarizer.schemas import ActorKind, Brief, Category, Phase, name_in_article
from summarizer.schemas._text import check_identifying_word, check_unique_actors, normalize

E = TypeVar("E", bound=Enum)

# Lengths in characters, which llama-server turns into its output grammar: enough
# for the content asked for, short enough that a rambling or looping answer is cut
# by the grammar instead of running on for hundreds of tokens.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
# Under the compact grammar the model sometimes writes the word null as a string:
# "when":"null". No article's place or date is the word "null".
_NULL_WORDS = {"null", "none", "n/a", "unknown", ""}


def _null_word(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in _NULL_WORDS:
        return None
    return value


MaybeShort = Annotated[Short | None, BeforeValidator(_null_word)]
Refs = Annotated[list[Annotated[int, Field(ge=1, le=999)]], Field(max_length=2)]


# The model picks a label by its first tokens, under a grammar that allows only
# the listed strings. Asked freely, it writes plain words ("economy", "law");
# when its word is not allowed, the grammar pushes it into whatever label shares
# a first letter ("economy" became "election"). So the labels it may write are
# plain words and common synonyms, mapped here to the contract's values.
_CATEGORY: dict[Category, tuple[str, ...]] = {
    Category.armed_conflict: ("war", "conflict", "military", "fighting"),
    Category.attack_or_terrorism: ("attack", "terrorism", "bombing", "cyberattack", "hacking"),
    Category.coup_or_plot: ("coup", "plot"),
    Category.arrest_or_detention: ("arrest", "detention"),
    Category.protest_or_unrest: ("protest", "strike", "unrest", "demonstration"),
    Category.election: ("election", "vote", "voting"),
    Category.policy_or_legislation: ("policy", "politics", "legislation", "government"),
    Category.legal_or_court: ("law", "legal", "court", "lawsuit", "trial", "justice"),
    Category.diplomacy_or_agreement: ("diplomacy", "agreement", "talks", "international"),
    Category.disaster_or_accident: (
        "disaster",
        "accident",
        "flood",
        "fire",
        "weather",
        "crash",
        "collapse",
        "earthquake",
        "storm",
    ),
    Category.economy_or_business: ("economy", "business", "finance", "market", "company"),
    Category.health: ("health", "medicine", "medical", "disease"),
    Category.science_or_technology: ("science", "technology", "research", "tech", "environment"),
    Category.crime: ("crime", "police", "fraud"),
    Category.other: ("other", "sport", "sports", "culture", "art", "entertainment"),
}
_PHASE: dict[Phase, tuple[str, ...]] = {
    Phase.developing: ("developing", "breaking", "emerging", "new"),
    Phase.ongoing: ("ongoing", "continuing", "active"),
    Phase.concluded: ("concluded", "completed", "resolved", "ended", "over", "finished"),
    Phase.scheduled: ("scheduled", "planned", "upcoming", "expected"),
    Phase.unclear: ("unclear", "unknown"),
}
_KIND: dict[ActorKind, tuple[str, ...]] = {
    ActorKind.person: ("person", "individual"),
    ActorKind.organization: ("organization", "organisation", "company", "agency", "institution"),
    ActorKind.government: ("government", "ministry", "official"),
    ActorKind.military: ("military", "army"),
    ActorKind.armed_group: ("armed_group", "militants", "rebels", "insurgents"),
    ActorKind.country: ("country", "state", "nation"),
    ActorKind.media: ("media", "newspaper", "news"),
    ActorKind.group: ("group", "people", "public"),
    ActorKind.other: ("other",),
}


def _words(synonyms: dict[E, tuple[str, ...]]) -> dict[str, E]:
    return {word: value for value, words in synonyms.items() for word in words}


CATEGORY_WORDS = _words(_CATEGORY)
PHASE_WORDS = _words(_PHASE)
KIND_WORDS = _words(_KIND)


def problem(kind: Kind, message: str) -> PydanticCustomError:
    """A validation error whose pydantic `type` is the problem's kind.

    No context is given, so the message (which quotes the model's words) is never
    formatted as a template.
    """
    return PydanticCustomError(kind, message)


def _one_of(words: dict[str, Any]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in words:
            raise problem("unknown_label", f"must be one of: {', '.join(words)}")
        return value

    return AfterValidator(check)


def _enum_schema(words: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(words)})


CategoryWord = Annotated[str, _one_of(CATEGORY_WORDS), _enum_schema(CATEGORY_WORDS)]
PhaseWord = Annotated[str, _one_of(PHASE_WORDS), _enum_schema(PHASE_WORDS)]
KindWord = Annotated[str, _one_of(KIND_WORDS), _enum_schema(KIND_WORDS)]


class DraftEvent(BaseModel):
    # No evidence, and no headline in the draft: `to_brief` cites the sentence the
    # summary rewords and makes the headline from the summary (the model spent
    # ~30 output tokens a brief on them).
    model_config = ConfigDict(extra="forbid")

    summary: Text
    category: CategoryWord
    when: MaybeShort
    where: MaybeShort

    @field_validator("summary", "when")
    @classmethod
    def _prose_in_article(cls, v: str | None, info: ValidationInfo) -> str | None:
        return _grounded_prose(v, info)

    @field_validator("where")
    @classmethod
    def _place_in_article(cls, v: str | None, info: ValidationInfo) -> str | None:
        ctx = from_info(info)
        if v is None or ctx is None:
            return v
        missing = [p for p in place_parts(v) if not name_in_article(p, ctx.normalized)]
        if missing:
            raise problem(
                "unknown_place",
                f"place {missing[0]!r} is not in the article: use the article's words",
            )
        return v


def place_parts(where: str) -> list[str]:
    """'Port X, Denmark' -> ['Port X', 'Denmark']: each part is checked on its own."""
    return [p.strip() for p in where.split(",") if p.strip()]


def _grounded_prose(value: str | None, info: ValidationInfo) -> str | None:
    """Refuse own words that state a name, figure or script the article does not have."""
    ctx = from_info(info)
    if value is None or ctx is None:
        return value
    _not_a_copy_of_flagged(value, ctx.flagged)
    found = problems(value, ctx.vocabulary)
    if found:
        # One error for the field, of the first problem's kind; its message names two.
        raise problem(found[0].problem_kind, "; ".join(p.message() for p in found[:2]))
    return value


def _not_a_copy_of_flagged(value: str, flagged: Mapping[int, str]) -> None:
    for n, sentence in flagged.items():
        if copies(value, sentence):
            raise problem(
                "copies_flagged",
                f"it copies sentence {n}, text addressed to automated systems, not the "
                "reporter's account: state what the reporter says happened and where things "
                "stand, and choose the phase from that",
            )


class DraftActor(BaseModel):
    # No evidence field: `to_brief` cites the first sentence naming the actor. Asked
    # for it, the model spent ~8 output tokens an actor on what code finds exactly.
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: KindWord
    role: Short

    @field_validator("role")
    @classmethod
    def _role_in_article(cls, v: str, info: ValidationInfo) -> str | None:
        return _grounded_prose(v, info)

    @field_validator("name")
    @classmethod
    def _named_in_article(cls, v: str, info: ValidationInfo) -> str:
        try:
            check_identifying_word(v)
        except ValueError as exc:
            raise problem("vague_actor", str(exc)) from None
        ctx = from_info(info)
        if ctx is not None and not name_in_article(v, ctx.normalized):
            raise problem(
                "unnamed_actor", f"actor {v!r} is not named in the article: use the article's words"
            )
        return v


class DraftStatus(BaseModel):
    # The sentence first: asked for the label first, the model answered "developing"
    # by default and then wrote a summary to fit it ("facts still emerging").
    # `latest` becomes the brief's status.summary. Asked for a "summary" next to the
    # phase words, the model wrote a phase word as the summary in 10 to 17 of the
    # 25 dev-set briefs; asked for the latest fact, in none (bench/NOTES.md).
    model_config = ConfigDict(extra="forbid")

    latest: Text
    phase: PhaseWord

    @field_validator("latest")
    @classmethod
    def _latest_in_article(cls, v: str, info: ValidationInfo) -> str | None:
        return _grounded_prose(v, info)

    @model_validator(mode="after")
    def _phase_fits_latest(self, info: ValidationInfo) -> DraftStatus:
        words = contradicted(self.phase, self.latest, from_info(info))
        if words:
            raise problem(
                "contradicted_phase",
                f"the phase says the matter is over, but the status says {words!r}: choose "
                "the phase from where things stand",
            )
        return self


def contradicted(phase: str, latest: str, ctx: ArticleContext | None) -> str | None:
    """The words saying the matter is not over, when `phase` says it is: in `latest`, or
    in the sentence the brief will cite for it (as `cite` picks it)."""
    if PHASE_WORDS.get(phase) is not Phase.concluded:
        return None
    words = not_over(latest)
    if words is None and ctx is not None:
        refs = closest_sentence(latest, ctx.sentences, exclude=ctx.withheld, stemmed=ctx.stems)
        words = not_over(ctx.sentences[refs[0] - 1]) if refs else None
    return words


class DraftUncertainty(BaseModel):
    # Only the citation: the claim is the first cited sentence, verbatim. Asked to
    # state the point, the model copied that sentence anyway (~30 output tokens an
    # item), and a verbatim claim cannot lose its hedge.
    model_config = ConfigDict(extra="forbid")

    evidence: Annotated[Refs, Field(min_length=1)]

    @field_validator("evidence")
    @classmethod
    def _refs_exist(cls, v: list[int], info: ValidationInfo) -> list[int]:
        ctx = from_info(info)
        count = len(ctx.sentences) if ctx is not None else None
        bad = [n for n in v if count is not None and n > count]
        if bad:
            raise problem(
                "missing_sentence",
                f"sentence {bad[0]} does not exist: the article has sentences 1 to {count}",
            )
        return v


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: DraftEvent
    actors: Annotated[list[DraftActor], Field(min_length=1, max_length=6)]
    status: DraftStatus
    uncertainties: Annotated[list[DraftUncertainty], Field(max_length=5)]

    @model_validator(mode="after")
    def _no_duplicate_actors(self) -> Draft:
        try:
            check_unique_actors([a.name for a in self.actors])
        except ValueError as exc:
            raise problem("repeated_actor", str(exc)) from None
        return self


def naming_sentences(
    name: str, sentences: Sequence[str], *, normalized: Sequence[str] | None = None
) -> list[int]:
    """The number of the first sentence that names `name` (as `name_in_article` finds
    names), as a one-item list; [] if no single sentence does (a name split by the
    sentence splitter). `normalized`: the sentences as `normalize` folds them, when
    the caller has them already."""
    folded = normalized if normalized is not None else map(normalize, sentences)
    for i, sentence in enumerate(folded, 1):
        if name_in_article(name, sentence):
            return [i]
    return []


def to_brief(draft: Draft, ctx: ArticleContext) -> Brief:
    """The public brief alone (see `cite`)."""
    return cite(draft, ctx)[0]


def cite(draft: Draft, ctx: ArticleContext) -> tuple[Brief, Evidence]:
    """The public brief, sentence numbers replaced by the sentences' verbatim text, and
    where each quote is in the article.

    Validated against the article as a last guard: a quote that is not in the
    article here would be a bug in the splitter, not a model error. The flagged
    sentences (addressed to machines) are never the event's or the status's evidence.
    """
    sentences, texts, flagged = ctx.located, list(ctx.sentences), ctx.withheld
    spans: dict[str, list[Span]] = {}

    def fill(path: str, refs: list[int]) -> list[str]:
        quotes: dict[str, Span] = {}
        for n in refs:
            if 1 <= n <= len(sentences):
                s = sentences[n - 1]
                q = quote(s.text)
                quotes.setdefault(q, Span(start=s.start, end=s.start + len(q), clipped=q != s.text))
        if quotes:
            spans[path] = list(quotes.values())
        return list(quotes)

    data: dict[str, Any] = draft.model_dump(mode="json")
    data["headline"] = draft.event.summary
    data["event"]["category"] = CATEGORY_WORDS[draft.event.category].value
    data["event"]["evidence"] = fill(
        "event", closest_sentence(draft.event.summary, texts, exclude=flagged, stemmed=ctx.stems)
    )
    data["status"]["phase"] = PHASE_WORDS[draft.status.phase].value
    data["status"]["summary"] = data["status"].pop("latest")
    data["status"]["evidence"] = fill(
        "status", closest_sentence(draft.status.latest, texts, exclude=flagged, stemmed=ctx.stems)
    )
    for i, (out, actor) in enumerate(zip(data["actors"], draft.actors, strict=True)):
        out["kind"] = KIND_WORDS[actor.kind].value
        out["evidence"] = fill(
            f"actors[{i}]", naming_sentences(actor.name, texts, normalized=ctx.normalized_sentences)
        )
    names = [actor.name for actor in draft.actors]
    for i, (out, item) in enumerate(zip(data["uncertainties"], draft.uncertainties, strict=True)):
        out["evidence"] = fill(f"uncertainties[{i}]", item.evidence)
        first = texts[item.evidence[0] - 1]
        out["claim"] = clip(first, keep=hedge_at(first) or 0)
        out["basis"] = basis(out["evidence"]).value
        out["according_to"] = source(out["evidence"], names)
    brief = Brief.model_validate(data, context={"article": ctx.article})
    return brief, Evidence(spans)
