"""Which sentences hedge: the places an article marks something as not certain.

The small model, asked for the article's uncertainties, tends to restate facts or
repeat one point; told which sentences carry hedging words, it cites them. The
words are generic English epistemic markers (as in hedge-detection work: modal
verbs, reporting and attribution, denial, pending outcomes), not anything tied to
a particular story. English only: other languages get no hint, which costs
nothing but the hint.
"""

from __future__ import annotations

import re

_HEDGE = re.compile(
    r"\b(?:"
    r"alleged(?:ly)?|reported(?:ly)?|purported(?:ly)?|unconfirmed|unverified|unclear|unknown"
    r"|not (?:yet )?(?:known|clear|confirmed|disclosed)|yet to|not yet|pending"
    r"|may|might|could|should|expect(?:s|ed)?|likely|possibl[ey]|perhaps|appears?|seem(?:s|ed)?"
    r"|believed?|thought to|suspect(?:s|ed)?|suggest(?:s|ed)?|estimat\w*|at least|uncertain\w*"
    r"|according to|sources?|anonymous|unnamed|claim(?:s|ed)?|den(?:y|ies|ied)|disputed?"
    r"|accus\w*|insist\w*|rumou?r\w*|investigat\w*|hope[sd]?|warn(?:s|ed)?"
    r")\b",
    re.IGNORECASE,
)


def hedged(sentences: list[str]) -> list[int]:
    """1-based numbers of the sentences that contain a hedging word."""
    return [i for i, s in enumerate(sentences, 1) if _HEDGE.search(s)]


def hint(sentences: list[str]) -> str:
    """The hint line for the prompt: the hedged sentences' numbers, or "none"."""
    numbers = hedged(sentences)
    return ", ".join(str(n) for n in numbers) if numbers else "none"
