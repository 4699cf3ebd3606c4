"""Words that say a matter is not over: "remain offline", "still at large", "is not resolved".

A status whose own sentence says so cannot have the phase "concluded". The embedded model
picks "concluded" for a story that reports restored parts of a service while its status
sentence says the service is still down; code can see that contradiction in the model's
own words, where it cannot tell the right phase in general.
"""

from __future__ import annotations

import re

from summarizer.schemas._text import fold

_STATE = (
    r"(?:offline|closed|shut|down|missing|at large|unresolved|unknown|suspended|trapped|"
    r"in hospital|under investigation|in (?:force|progress|place)|under way|underway|"
    r"on strike|blocked|cut off|without power|evacuated|unaccounted for)"
)
_NOT_OVER = re.compile(
    r"\b(?:(?:is|was|are|were|has|have|had)\s+not\s+(?:yet\s+)?(?:been\s+)?"
    r"(?:resolved|over|finished|ended|concluded|contained|restored|completed?|under control)"
    rf"|(?:remains?|remained|remaining|stay|stays|stayed|still)\s+(?:\w+\s+)?{_STATE}"
    r"|still\s+(?:searching|sought|being|continuing|burning|rising|spreading|unfolding|going on)"
    r"|(?:is|are)\s+(?:still\s+)?(?:missing|unaccounted for|trapped|cut off|at large)"
    r"|(?:has|have)\s+not\s+(?:yet\s+)?been\s+(?:found|located|rescued|caught|arrested|restored|reopened)"
    # Stopped for now, to go on later; not "delayed", which a finished flight also was.
    r"|(?:is|are|was|were|has been|have been|had been)\s+(?:temporarily\s+|indefinitely\s+)?"
    r"(?:suspended|postponed|adjourned|paused|halted)"
    r"|until further notice|(?:remains?|is|are)\s+ongoing|not (?:yet )?over"
    r"|continues?\s+to\s+(?:search|burn|rise|spread|fight|rage|investigate)"
    r"|(?:search|investigation|inquiry|hunt|manhunt|talks|fighting|strike|rescue)"
    r"(?:\s+\w+){0,4}?\s+(?:continues|goes on|is continuing)"
    r")\b"
)


def not_over(text: str) -> str | None:
    """The words in `text` that say its matter is not over, or None."""
    found = _NOT_OVER.search(fold(text))
    return found.group() if found else None
