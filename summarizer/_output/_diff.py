"""What changed in a developing story: two briefs compared into one typed `BriefDiff`.

Actors are matched with the grounding rules (`schemas._text`): the same `actor_key`,
or one name's significant words all among the other's ("Brandt" is "Ilse Brandt").
Uncertainties are matched by the word stems their claims share (hedge words left out:
"it is not yet known" joins any two claims), or by a quote both cite; each pair is
taken best first, each item at most once. Every item keeps the quotes of the brief it
comes from, with their offsets in that brief's article when the brief carries them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from summarizer._errors import InputError, one_line
from summarizer._result import Evidence, Span
from summarizer._text._hedges import basis_words
from summarizer._text._sentences import stems
from summarizer.schemas import Basis, Brief
from summarizer.schemas._text import actor_key, name_in_article, normalize

__all__ = ["BriefDiff", "Version", "compare", "version_from_json"]

# The share of claim stems (Dice) two uncertainties must have in common to be one point.
CLAIM_MATCH = 0.4

T = TypeVar("T")


@dataclass(frozen=True)
class Version:
    """One brief of the story: the brief, its quotes' offsets (may be empty), a label."""

    brief: Brief
    evidence: Evidence
    label: str


def version_from_json(text: str, label: str) -> Version | None:
    """The brief in `text` when it is `brief --meta` JSON (or a bare brief's JSON);
    None when `text` is not JSON at all (an article, then). InputError when it is JSON
    but not a brief."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        brief = Brief.model_validate(data.get("brief", data))
        evidence = Evidence.model_validate(data.get("evidence", {}))
    except ValidationError as exc:
        raise InputError(
            one_line(
                f"{label} is JSON but not a brief ({exc.error_count()} problem(s), first: "
                f"{exc.errors()[0]['msg']}); pass a `summarizer brief --meta` file or an article"
            )
        ) from None
    return Version(brief, evidence, label)


class Quote(BaseModel):
    """One quote of an item, and where it is in its own article when that is known."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    start: int | None = None
    end: int | None = None
    clipped: bool = False


class ActorItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: str
    role: str
    evidence: list[Quote]


class StatusItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: str
    summary: str
    evidence: list[Quote]


class UncertaintyItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str
    basis: str
    according_to: str | None
    evidence: list[Quote]


class ActorPair(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    old: ActorItem
    new: ActorItem


class UncertaintyPair(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    old: UncertaintyItem
    new: UncertaintyItem
    score: float  # 1.0: a quote both cite; else the share of claim stems (Dice)


class BriefDiff(BaseModel):
    """OLD → NEW. `still_open`: uncertain in both; `raised`: new; `no_longer_reported`:
    uncertain before, not now (settled, or dropped by the newer article)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    old_label: str
    new_label: str
    old_headline: str
    new_headline: str
    phase_changed: bool
    status_then: StatusItem
    status_now: StatusItem
    actors_new: list[ActorItem]
    actors_gone: list[ActorItem]
    actors_kept: list[ActorPair]
    still_open: list[UncertaintyPair]
    raised: list[UncertaintyItem]
    no_longer_reported: list[UncertaintyItem]


def _quotes(quotes: Sequence[str], spans: list[Span]) -> list[Quote]:
    # Offsets only when they are the quotes' own (one span a quote, as Evidence keeps them).
    if len(spans) != len(quotes):
        return [Quote(text=q) for q in quotes]
    return [
        Quote(text=q, start=s.start, end=s.end, clipped=s.clipped)
        for q, s in zip(quotes, spans, strict=True)
    ]


def _actors(v: Version) -> list[ActorItem]:
    return [
        ActorItem(
            name=a.name,
            kind=a.kind.value,
            role=a.role,
            evidence=_quotes(a.evidence, v.evidence.of(f"actors[{i}]")),
        )
        for i, a in enumerate(v.brief.actors)
    ]


def _uncertainties(v: Version) -> list[UncertaintyItem]:
    return [
        UncertaintyItem(
            claim=u.claim,
            basis=u.basis.value,
            according_to=u.according_to,
            evidence=_quotes(u.evidence, v.evidence.of(f"uncertainties[{i}]")),
        )
        for i, u in enumerate(v.brief.uncertainties)
    ]


def _status(v: Version) -> StatusItem:
    s = v.brief.status
    return StatusItem(
        phase=s.phase.value,
        summary=s.summary,
        evidence=_quotes(s.evidence, v.evidence.of("status")),
    )


def same_actor(a: str, b: str) -> float:
    """1.0 for the same actor key, 0.5 when one name is grounded in the other, else 0."""
    if actor_key(a) == actor_key(b):
        return 1.0
    if name_in_article(a, normalize(b)) or name_in_article(b, normalize(a)):
        return 0.5
    return 0.0


def claim_stems(text: str) -> set[str]:
    """The stems of a claim that say what it is about: hedge words left out."""
    hedges = set().union(*(stems(text[a:z]) for k in Basis for a, z in basis_words(text, k)))
    return stems(text) - hedges


def same_point(a: UncertaintyItem, b: UncertaintyItem) -> float:
    """How surely two uncertainties are one point: 1.0 when they cite a common quote,
    else the Dice share of their claim stems."""
    if {normalize(q.text) for q in a.evidence} & {normalize(q.text) for q in b.evidence}:
        return 1.0
    x, y = claim_stems(a.claim), claim_stems(b.claim)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _pairs(
    old: list[T], new: list[T], score: Callable[[T, T], float], least: float
) -> tuple[list[tuple[T, T, float]], list[T], list[T]]:
    """Best-first one-to-one matching: (pairs, old unmatched, new unmatched), in list order."""
    scored = sorted(
        ((score(a, b), i, j) for i, a in enumerate(old) for j, b in enumerate(new)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_old: dict[int, tuple[int, float]] = {}
    used_new: set[int] = set()
    for s, i, j in scored:
        if s >= least and i not in used_old and j not in used_new:
            used_old[i] = (j, s)
            used_new.add(j)
    pairs = [(old[i], new[j], s) for i, (j, s) in sorted(used_old.items())]
    gone = [a for i, a in enumerate(old) if i not in used_old]
    added = [b for j, b in enumerate(new) if j not in used_new]
    return pairs, gone, added


def compare(old: Version, new: Version) -> BriefDiff:
    """What changed from the `old` brief of a story to the `new` one."""
    kept, gone, added = _pairs(
        _actors(old), _actors(new), lambda a, b: same_actor(a.name, b.name), 0.5
    )
    still, settled, raised = _pairs(
        _uncertainties(old), _uncertainties(new), same_point, CLAIM_MATCH
    )
    then, now = _status(old), _status(new)
    return BriefDiff(
        old_label=old.label,
        new_label=new.label,
        old_headline=old.brief.headline,
        new_headline=new.brief.headline,
        phase_changed=then.phase != now.phase,
        status_then=then,
        status_now=now,
        actors_new=added,
        actors_gone=gone,
        actors_kept=[ActorPair(old=a, new=b) for a, b, _ in kept],
        still_open=[UncertaintyPair(old=a, new=b, score=round(s, 3)) for a, b, s in still],
        raised=raised,
        no_longer_reported=settled,
    )
