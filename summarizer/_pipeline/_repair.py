"""Deterministic repairs: fixes not worth a re-ask, each one recorded.

Only removals that leave the brief supported are made: a citation of a
sentence that does not exist, a repeated actor, and an actor the article does
not name while at least one actor it does name remains. (A small model asked
again at temperature 0 mostly repeats an invented name, so a re-ask costs a
full generation and rarely fixes it.) Anything else is left for a re-ask.
One removal applies to every answer, valid or not: an uncertainty whose claim
repeats an earlier one. Each change is a `Repair` record (its kind, field, the value
before and after); the caller puts them into `meta.repairs`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from summarizer._pipeline._context import ArticleContext, as_pydantic
from summarizer._pipeline._draft import Draft, contradicted, place_parts
from summarizer._problems import Kind, Repair
from summarizer._text._injection import copies
from summarizer._text._prose import Vocabulary, problems, strip_foreign
from summarizer._text._sentences import clip, closest_sentence
from summarizer.schemas import name_in_article
from summarizer.schemas._text import actor_key

# A summary rebuilt from an article sentence fits the draft's 240 characters, "…" included.
REBUILT_LIMIT = 238


def drop_repeated_claims(draft: Draft) -> list[Repair]:
    """Drops, in place, an uncertainty whose claim (its first cited sentence) repeats an
    earlier one's. The small model sometimes gives one point several times; the first
    is kept."""
    seen: set[int] = set()
    kept, changes = [], []
    for i, item in enumerate(draft.uncertainties):
        first = item.evidence[0]
        if first in seen:
            changes.append(
                Repair(
                    kind="repeated_claim",
                    field=f"uncertainties.{i}",
                    before=first,
                    message=f"dropped repeated claim (sentence {first})",
                )
            )
            continue
        seen.add(first)
        kept.append(item)
    draft.uncertainties = kept
    return changes


def _drop_missing_refs(data: dict[str, Any], count: int) -> list[Repair]:
    # Only uncertainties cite sentences in the draft: code finds every other quote.
    items = data.get("uncertainties")
    if not isinstance(items, list):
        return []
    changes = []
    for i, obj in enumerate(items):
        refs = obj.get("evidence") if isinstance(obj, dict) else None
        if isinstance(refs, list):
            bad = [n for n in refs if isinstance(n, int) and n > count]
            if bad:
                obj["evidence"] = [n for n in refs if n not in bad]
                changes.append(
                    Repair(
                        kind="missing_sentence",
                        field=f"uncertainties.{i}.evidence",
                        before=_ints(refs),
                        after=_ints(obj["evidence"]),
                        message=f"dropped citation of missing sentence(s) {bad}",
                    )
                )
    return changes


def _ints(values: Sequence[Any]) -> list[int]:
    # The citations as the record shows them: the model's non-numbers are left out.
    return [n for n in values if isinstance(n, int)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _drop_repeated_actors(data: dict[str, Any]) -> list[Repair]:
    actors = data.get("actors")
    if not isinstance(actors, list):
        return []
    changes, seen, unique = [], set(), []
    for i, actor in enumerate(actors):
        name = actor.get("name") if isinstance(actor, dict) else None
        key = actor_key(name) if isinstance(name, str) else ""
        if key and key in seen:
            changes.append(
                Repair(
                    kind="repeated_actor",
                    field=f"actors.{i}",
                    before=name,
                    message=f"dropped repeated actor {name!r}",
                )
            )
            continue
        seen.add(key)
        unique.append(actor)
    data["actors"] = unique
    return changes


def _drop_unnamed_actors(data: dict[str, Any], norm: str) -> list[Repair]:
    actors = data.get("actors")
    if not isinstance(actors, list):
        return []

    def named(actor: Any) -> bool:
        name = actor.get("name") if isinstance(actor, dict) else None
        return isinstance(name, str) and name_in_article(name, norm)

    kept = [a for a in actors if named(a)]
    if not kept or len(kept) == len(actors):
        return []
    data["actors"] = kept
    return [
        Repair(
            kind="unnamed_actor",
            field=f"actors.{i}",
            before=_text(a.get("name")),
            message=f"dropped actor not named in the article: {a.get('name')!r}",
        )
        for i, a in enumerate(actors)
        if not named(a) and isinstance(a, dict)
    ]


def _trim_place(data: dict[str, Any], norm: str) -> list[Repair]:
    event = data.get("event")
    where = event.get("where") if isinstance(event, dict) else None
    if not isinstance(event, dict) or not isinstance(where, str):
        return []
    parts = place_parts(where)
    kept = [p for p in parts if name_in_article(p, norm)]
    if len(kept) == len(parts):
        return []
    event["where"] = ", ".join(kept) or None
    return [
        Repair(
            kind="unknown_place",
            field="event.where",
            before=where,
            after=event["where"],
            message=f"dropped place not in the article: {where!r} -> {event['where']!r}",
        )
    ]


def _ground_prose(data: dict[str, Any], ctx: ArticleContext) -> list[Repair]:
    """Make the draft's own words say only what the article does (see _prose).

    `when` the article does not support is dropped. A summary is rid of letters in a
    script the article does not use; if it still names a name or figure the article
    lacks, it is replaced by the article sentence it rewords (the one its evidence cites).
    A role that does either becomes the actor's kind.
    """
    vocab = ctx.vocabulary
    changes: list[Repair] = []
    event, status = data.get("event"), data.get("status")
    if isinstance(event, dict) and isinstance(event.get("when"), str):
        when: str = event["when"]
        found = problems(when, vocab)
        if found:
            changes.append(
                Repair(
                    kind=found[0].problem_kind,
                    field="event.when",
                    before=when,
                    message=f"dropped {when!r} ({found[0].message()})",
                )
            )
            event["when"] = None
    for where, section, key in (("event.summary", event, "summary"), ("status", status, "latest")):
        if isinstance(section, dict) and isinstance(section.get(key), str):
            change = _ground_text(where, section, key, vocab, list(ctx.sentences))
            changes += [change] if change else []
    actors = data.get("actors")
    for i, actor in enumerate(actors if isinstance(actors, list) else []):
        role = actor.get("role") if isinstance(actor, dict) else None
        found = problems(role, vocab) if isinstance(role, str) else []
        if found:
            kind = actor.get("kind")
            actor["role"] = kind if isinstance(kind, str) else "other"
            changes.append(
                Repair(
                    kind=found[0].problem_kind,
                    field=f"actors.{i}.role",
                    before=role,
                    after=actor["role"],
                    message=f"{role!r} replaced by the actor's kind",
                )
            )
    return changes


def _ground_text(
    where: str, section: dict[str, Any], key: str, vocab: Vocabulary, sentences: list[str]
) -> Repair | None:
    text: str = section[key]
    found = problems(text, vocab)
    if not found:
        return None
    if all(p.kind == "script" for p in found):
        plain = strip_foreign(text, vocab)
        if plain and not problems(plain, vocab):
            section[key] = plain
            message = f"removed {found[0].word!r}, in a script the article does not use"
            return _rewritten(found[0].problem_kind, where, text, plain, message)
    refs = closest_sentence(text, sentences)
    if not refs:
        return None  # nothing to rebuild it from: left for a re-ask
    section[key] = clip(sentences[refs[0] - 1], REBUILT_LIMIT)
    message = f"rebuilt from sentence {refs[0]} ({found[0].message()})"
    return _rewritten(found[0].problem_kind, where, text, section[key], message)


def _rewritten(kind: Kind, where: str, before: str, after: str, message: str) -> Repair:
    return Repair(kind=kind, field=where, before=before, after=after, message=message)


def _unflag_summaries(data: dict[str, Any], ctx: ArticleContext) -> list[Repair]:
    """A summary that copies a sentence addressed to machines is replaced by the article
    sentence closest to it among the others: the reporter's account, not the attacker's."""
    flagged, sentences = ctx.flagged, list(ctx.sentences)
    changes = []
    event, status = data.get("event"), data.get("status")
    for where, section, key in (("event.summary", event, "summary"), ("status", status, "latest")):
        text = section.get(key) if isinstance(section, dict) else None
        if not isinstance(section, dict) or not isinstance(text, str):
            continue
        copied = [n for n, sentence in flagged.items() if copies(text, sentence)]
        if not copied:
            continue
        refs = closest_sentence(text, sentences, exclude=ctx.withheld)
        if refs:
            section[key] = clip(sentences[refs[0] - 1], REBUILT_LIMIT)
            message = (
                f"copied sentence {copied[0]}, addressed to automated systems; "
                f"rebuilt from sentence {refs[0]}"
            )
            changes.append(_rewritten("copies_flagged", where, text, section[key], message))
    return changes


def _settle_phase(data: dict[str, Any], ctx: ArticleContext) -> list[Repair]:
    """A status that says the matter is not over keeps its sentence and loses the phase
    "concluded": the sentence is grounded in the article, the label is the model's guess."""
    status = data.get("status")
    if not isinstance(status, dict):
        return []
    phase, latest = status.get("phase"), status.get("latest")
    if not isinstance(phase, str) or not isinstance(latest, str):
        return []
    words = contradicted(phase, latest, ctx)
    if not words:
        return []
    status["phase"] = "ongoing"
    message = f"the status says {words!r}, so the matter is not over: phase set to ongoing"
    return [_rewritten("contradicted_phase", "status.phase", phase, "ongoing", message)]


def repair(
    raw: str, ctx: ArticleContext, *, second_thoughts: bool = True
) -> tuple[Draft | None, list[Repair]]:
    """A valid draft made from `raw` by safe removals, with the changes made; else (None, []).

    `second_thoughts`: whether what the model is first asked about may be fixed here: a
    summary copying text addressed to machines (rebuilt; the phase may follow the same
    text) and the phase "concluded" beside a status saying the matter is not over.
    """
    try:
        data = json.loads(raw)
    except ValueError:
        return None, []
    if not isinstance(data, dict):
        return None, []
    changes = _drop_missing_refs(data, len(ctx.sentences))
    changes += _drop_repeated_actors(data)
    changes += _drop_unnamed_actors(data, ctx.normalized)
    changes += _trim_place(data, ctx.normalized)
    changes += _ground_prose(data, ctx)
    if second_thoughts:
        changes += _unflag_summaries(data, ctx)
        changes += _settle_phase(data, ctx)
    if not changes:
        return None, []
    try:
        return Draft.model_validate(data, context=as_pydantic(ctx)), changes
    except ValidationError:
        return None, []
