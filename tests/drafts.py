"""One small original article, and model answers about it in the draft shape.

Shared by the fault, bad-input and grammar tests, which all play the model's part
through FakeOpenAI: the answers cite the article's sentences by number (1-based).
"""

from __future__ import annotations

from typing import Any

SENTENCES = [
    "The Harbor Council of Velmora voted on Tuesday to close the old ferry pier for repairs.",
    'Mayor Ilse Brandt said the pier had become "unsafe" after the winter storms.',
    "The closure will last about three months, according to the council.",
    "It is not yet known where the ferries will dock during the work.",
]
ARTICLE = " ".join(SENTENCES)
ACTORS = ["Harbor Council of Velmora", "Ilse Brandt"]
_KINDS = {"Harbor Council of Velmora": "government", "Ilse Brandt": "person"}


def draft(actors: list[str] | None = None) -> dict[str, Any]:
    """A model answer naming `actors` (default: the article's two)."""
    return {
        "event": {
            "summary": "The Harbor Council of Velmora voted to close the old ferry pier.",
            "category": "policy",
            "when": "Tuesday",
            "where": "Velmora",
        },
        "actors": [
            {
                "name": name,
                "kind": _KINDS.get(name, "person"),
                "role": "decision maker",
            }
            for name in (actors if actors is not None else ACTORS)
        ],
        "status": {
            "latest": "The closure will last about three months.",
            "phase": "scheduled",
        },
        "uncertainties": [
            {
                "evidence": [4],
            }
        ],
    }


VALID = draft()
