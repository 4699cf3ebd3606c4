"""A status that states one party's quoted words as fact gets their name.

The status is the brief's own account of where things stand. When the model writes a
party's quoted claim as that account ("The strike will go on for as long as it takes",
from a union leader's quote), the reader takes one side's words for the reporter's: the
status keeps its words and gains "according to" the speaker the sentence names.
"""

from __future__ import annotations

import re

from summarizer._pipeline._context import ArticleContext
from summarizer._pipeline._draft import Draft
from summarizer._problems import Repair
from summarizer._text._attribution import REPORTING_VERBS, source
from summarizer._text._sentences import closest_sentence, stems

# Quoted words long enough to be a claim (not a "so-called" label).
_QUOTED = re.compile(r"[\"“«]([^\"“”«»]{12,})[\"”»]")
# The status already says whose words they are.
_ATTRIBUTED = re.compile(rf"\b(?:according to|{REPORTING_VERBS})\b", re.I)
# "… ," she said: the speaker is named in the sentence before.
_PRONOUN_SAID = re.compile(
    r"\b(?:he|she|they|it)\s+(?:said|says|added|told|insisted|warned)\b", re.I
)
# The share of the status's word stems that must come from the quoted words.
QUOTED_SHARE = 0.6
_LIMIT = 240  # the draft's own-words limit


def attribute_quoted_status(draft: Draft, ctx: ArticleContext) -> list[Repair]:
    """Adds, in place, "according to X" to a status that states X's quoted words as fact."""
    latest = draft.status.latest
    mine = stems(latest)
    if not mine or _ATTRIBUTED.search(latest):
        return []
    refs = closest_sentence(latest, ctx.sentences, exclude=ctx.withheld, stemmed=ctx.stems)
    if not refs:
        return []
    n = refs[0]
    sentence = ctx.sentences[n - 1]
    quoted = set().union(*(stems(q) for q in _QUOTED.findall(sentence)))
    if len(mine & quoted) < QUOTED_SHARE * len(mine):
        return []
    names = [a.name for a in draft.actors]
    speaker = source([sentence], names)
    if speaker is None and n > 1 and _PRONOUN_SAID.search(sentence):
        speaker = source([ctx.sentences[n - 2]], names)
    if speaker is None:
        return []
    after = f"{latest.rstrip(' .')}, according to {speaker}."
    if len(after) > _LIMIT:
        return []
    draft.status.latest = after
    message = f"the status states words quoted in sentence {n} as fact: attributed to {speaker}"
    return [
        Repair(
            kind="unattributed_quote", field="status", before=latest, after=after, message=message
        )
    ]
