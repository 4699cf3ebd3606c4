"""Deterministic repairs: fixes not worth a re-ask, each one recorded.

Only removals that leave the brief supported are made: a citation of a
sentence that does not exist, a repeated actor, and an actor the article does
not name while at least one actor it does name remains. (A small model asked
again at temperature 0 mostly repeats an invented name, so a re-ask costs a
full generation and rarely fixes it.) Anything else is left for a re-ask.
One removal applies to every answer, valid or not: an uncertainty whose claim
repeats an earlier one. The caller puts every change into `meta.repairs`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from summarizer._pipeline._draft import Draft, place_parts
from summarizer._text._injection import copies
from summarizer._text._prose import Vocabulary, problems, strip_foreign
from summarizer._text._sentences import clip, closest_sentence
from summarizer.schemas import name_in_article
from summarizer.schemas._text import actor_key, normalize

# A summary rebuilt from an article sentence fits the draft's 240 characters, "…" included.
REBUILT_LIMIT = 238


def drop_repeated_claims(draft: Draft) -> list[str]:
    """Drops, in place, an uncertainty whose claim (its first cited sentence) repeats an
    earlier one's. The small model sometimes gives one point several times; the first
    is kept."""
    seen: set[int] = set()
    kept, changes = [], []
    for i, item in enumerate(draft.uncertainties):
        first = item.evidence[0]
        if first in seen:
            changes.append(f"uncertainties.{i}: dropped repeated claim (sentence {first})")
            continue
        seen.add(first)
        kept.append(item)
    draft.uncertainties = kept
    return changes


def _drop_missing_refs(data: dict[str, Any], count: int) -> list[str]:
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
                    f"uncertainties.{i}.evidence: dropped citation of missing sentence(s) {bad}"
                )
    return changes


def _drop_repeated_actors(data: dict[str, Any]) -> list[str]:
    actors = data.get("actors")
    if not isinstance(actors, list):
        return []
    changes, seen, unique = [], set(), []
    for i, actor in enumerate(actors):
        name = actor.get("name") if isinstance(actor, dict) else None
        key = actor_key(name) if isinstance(name, str) else ""
        if key and key in seen:
            changes.append(f"actors.{i}: dropped repeated actor {name!r}")
            continue
        seen.add(key)
        unique.append(actor)
    data["actors"] = unique
    return changes


def _drop_unnamed_actors(data: dict[str, Any], article: str) -> list[str]:
    actors = data.get("actors")
    if not isinstance(actors, list):
        return []
    norm = normalize(article)

    def named(actor: Any) -> bool:
        name = actor.get("name") if isinstance(actor, dict) else None
        return isinstance(name, str) and name_in_article(name, norm)

    kept = [a for a in actors if named(a)]
    if not kept or len(kept) == len(actors):
        return []
    data["actors"] = kept
    return [
        f"actors.{i}: dropped actor not named in the article: {a.get('name')!r}"
        for i, a in enumerate(actors)
        if not named(a) and isinstance(a, dict)
    ]


def _trim_place(data: dict[str, Any], article: str) -> list[str]:
    event = data.get("event")
    where = event.get("where") if isinstance(event, dict) else None
    if not isinstance(event, dict) or not isinstance(where, str):
        return []
    norm = normalize(article)
    parts = place_parts(where)
    kept = [p for p in parts if name_in_article(p, norm)]
    if len(kept) == len(parts):
        return []
    event["where"] = ", ".join(kept) or None
    return [f"event.where: dropped place not in the article: {where!r} -> {event['where']!r}"]


def _ground_prose(data: dict[str, Any], context: dict[str, Any]) -> list[str]:
    """Make the draft's own words say only what the article does (see _prose).

    `when` the article does not support is dropped. A summary is rid of letters in a
    script the article does not use; if it still names a name or figure the article
    lacks, it is replaced by the article sentence it rewords (the one its evidence cites).
    A role that does either becomes the actor's kind.
    """
    vocab = context.get("_vocabulary")
    if not isinstance(vocab, Vocabulary):
        vocab = Vocabulary(context["article"])
    changes: list[str] = []
    event, status = data.get("event"), data.get("status")
    if isinstance(event, dict) and isinstance(event.get("when"), str):
        found = problems(event["when"], vocab)
        if found:
            changes.append(f"event.when: dropped {event['when']!r} ({found[0].message()})")
            event["when"] = None
    for where, section, key in (("event.summary", event, "summary"), ("status", status, "latest")):
        if isinstance(section, dict) and isinstance(section.get(key), str):
            change = _ground_text(section, key, vocab, context["sentences"])
            changes += [f"{where}: {change}"] if change else []
    actors = data.get("actors")
    for i, actor in enumerate(actors if isinstance(actors, list) else []):
        role = actor.get("role") if isinstance(actor, dict) else None
        if isinstance(role, str) and problems(role, vocab):
            kind = actor.get("kind")
            actor["role"] = kind if isinstance(kind, str) else "other"
            changes.append(f"actors.{i}.role: {role!r} replaced by the actor's kind")
    return changes


def _ground_text(
    section: dict[str, Any], key: str, vocab: Vocabulary, sentences: list[str]
) -> str | None:
    text: str = section[key]
    found = problems(text, vocab)
    if not found:
        return None
    if all(p.kind == "script" for p in found):
        plain = strip_foreign(text, vocab)
        if plain and not problems(plain, vocab):
            section[key] = plain
            return f"removed {found[0].word!r}, in a script the article does not use"
    refs = closest_sentence(text, sentences)
    if not refs:
        return None  # nothing to rebuild it from: left for a re-ask
    section[key] = clip(sentences[refs[0] - 1], REBUILT_LIMIT)
    return f"rebuilt from sentence {refs[0]} ({found[0].message()})"


def _unflag_summaries(data: dict[str, Any], context: dict[str, Any]) -> list[str]:
    """A summary that copies a sentence addressed to machines is replaced by the article
    sentence closest to it among the others: the reporter's account, not the attacker's."""
    flagged: dict[int, str] = context.get("flagged") or {}
    changes = []
    event, status = data.get("event"), data.get("status")
    for where, section, key in (("event.summary", event, "summary"), ("status", status, "latest")):
        text = section.get(key) if isinstance(section, dict) else None
        if not isinstance(section, dict) or not isinstance(text, str):
            continue
        copied = [n for n, sentence in flagged.items() if copies(text, sentence)]
        if not copied:
            continue
        refs = closest_sentence(text, context["sentences"], exclude=frozenset(flagged))
        if refs:
            section[key] = clip(context["sentences"][refs[0] - 1], REBUILT_LIMIT)
            changes.append(
                f"{where}: copied sentence {copied[0]}, addressed to automated systems; "
                f"rebuilt from sentence {refs[0]}"
            )
    return changes


def repair(
    raw: str, context: dict[str, Any], *, rebuild_flagged: bool = True
) -> tuple[Draft | None, list[str]]:
    """A valid draft made from `raw` by safe removals, with the changes made; else (None, []).

    `rebuild_flagged`: whether a summary copying text addressed to machines may be rebuilt
    here; the pipeline first asks the model again, as the phase may follow the same text.
    """
    try:
        data = json.loads(raw)
    except ValueError:
        return None, []
    if not isinstance(data, dict):
        return None, []
    changes = _drop_missing_refs(data, len(context["sentences"]))
    changes += _drop_repeated_actors(data)
    changes += _drop_unnamed_actors(data, context["article"])
    changes += _trim_place(data, context["article"])
    changes += _ground_prose(data, context)
    if rebuild_flagged:
        changes += _unflag_summaries(data, context)
    if not changes:
        return None, []
    try:
        return Draft.model_validate(data, context=dict(context)), changes
    except ValidationError:
        return None, []
