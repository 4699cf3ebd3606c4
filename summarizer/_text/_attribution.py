"""Who an uncertain point comes from: the source the cited sentence names.

The model used to write `according_to` itself (~10 output tokens an item) and
sometimes named someone the sentence does not attribute the point to. Code reads
the attribution the sentence states: one of the brief's actors next to a
reporting verb ("Teperman, a doctor, said", "according to police"). No such
pattern, no source: null is safer than a guess.
"""

from __future__ import annotations

from summarizer.schemas._text import find_phrase, fold

REPORTING_VERBS = (
    r"said|says|say|told|tells|reported|reports|claimed|claims|claim|denied|denies|deny"
    r"|stated|states|announced|announces|added|confirmed|confirms|insisted|insists"
    r"|alleged|alleges|warned|warns|believes?|believed|estimated|estimates|suggested"
    r"|suggests|wrote|writes|argued|argues|predicted|predicts|accused|accuses"
)
# An appositive between a name and its verb: "Teperman, a doctor at the clinic, said".
_APPOSITIVE = r"(?:,[^,.;]{1,80},)?"
# `{phrase}` is the name (see find_phrase).
_ATTRIBUTED = (
    rf"\baccording to (?:the )?{{phrase}}|{{phrase}}{_APPOSITIVE}\s+(?:{REPORTING_VERBS})\b"
    rf"|\b(?:{REPORTING_VERBS})\s+(?:the )?{{phrase}}"
)


def _forms(name: str) -> list[str]:
    """The name as written, and its last word (how articles name people the second time)."""
    full = fold(name)
    last = full.split()[-1] if full.split() else ""
    return [full] if last == full or len(last) < 4 else [full, last]


def source(texts: list[str], names: list[str]) -> str | None:
    """The first of `names` that `texts` attribute a statement to, else None."""
    # Folded as grounding folds names, so a name found in the article is found here.
    plain = [fold(t) for t in texts]
    for name in names:
        for form in _forms(name):
            if not form:
                continue
            if any(find_phrase(_ATTRIBUTED, form, t) for t in plain):
                return name
    return None
