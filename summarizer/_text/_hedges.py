"""Which sentences hedge, and how: the places an article marks something as not certain.

The small model, asked for the article's uncertainties, tends to restate facts or
repeat one point; told which sentences carry hedging words, it cites them. The
words are generic English epistemic markers (as in hedge-detection work: modal
verbs, reporting and attribution, denial, pending outcomes), not anything tied to
a particular story. English only: other languages get no hint, which costs
nothing but the hint.

The same words give an uncertainty its basis: the kind of hedge in the sentences
it cites. Code reads it from the words instead of asking the model, which saves
output tokens and ties the label to text a reader can check.
"""

from __future__ import annotations

import re

from summarizer.schemas import Basis

# By basis, strongest first: a sentence with a denial and a "may" is disputed.
_WORDS: dict[Basis, str] = {
    Basis.disputed: r"den(?:y|ies|ied)|disputed?|insist\w*",
    Basis.anonymous_source: r"anonymous|unnamed|sources?",
    Basis.alleged: r"alleged(?:ly)?|purported(?:ly)?|claim(?:s|ed)?|accus\w*",
    Basis.unknown: r"unclear|unknown|not (?:yet )?(?:known|clear|disclosed)|uncertain\w*",
    Basis.pending: r"pending|yet to|not yet|expect(?:s|ed)?|investigat\w*",
    Basis.unconfirmed: r"reported(?:ly)?|unconfirmed|unverified|not (?:yet )?confirmed"
    r"|according to|rumou?r\w*|at least|estimat\w*",
    Basis.speculative: r"may|might|could|should|likely|possibl[ey]|perhaps|appears?"
    r"|seem(?:s|ed)?|believed?|thought to|suspect(?:s|ed)?|suggest(?:s|ed)?|hope[sd]?"
    r"|warn(?:s|ed)?",
}
_BY_BASIS = {
    basis: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for basis, words in _WORDS.items()
}
_HEDGE = re.compile(r"\b(?:" + "|".join(_WORDS.values()) + r")\b", re.IGNORECASE)


def hedged(sentences: list[str]) -> list[int]:
    """1-based numbers of the sentences that contain a hedging word."""
    return [i for i, s in enumerate(sentences, 1) if _HEDGE.search(s)]


def hint(
    sentences: list[str], *, skip: frozenset[int] = frozenset(), found: list[int] | None = None
) -> str:
    """The hint line for the prompt: the hedged sentences' numbers (but `skip`), or "none".
    `found`: `hedged(sentences)`, when the caller has it already."""
    numbers = [n for n in (hedged(sentences) if found is None else found) if n not in skip]
    return ", ".join(str(n) for n in numbers) if numbers else "none"


def basis(texts: list[str]) -> Basis:
    """The strongest kind of hedge in `texts` (see `_WORDS`); `unconfirmed` when they
    carry no hedging word (a point another backend cited from a plain sentence)."""
    for kind, pattern in _BY_BASIS.items():
        if any(pattern.search(t) for t in texts):
            return kind
    return Basis.unconfirmed


def hedge_at(text: str) -> int | None:
    """Where the first hedging word of `text` starts, if it has one."""
    match = _HEDGE.search(text)
    return match.start() if match else None


def basis_words(text: str, kind: Basis) -> list[tuple[int, int]]:
    """Where in `text` the hedging words of `kind` are (start, end): the words an
    uncertainty's basis was read from, for a reader to see."""
    return [m.span() for m in _BY_BASIS[kind].finditer(text)]
