"""Text normalisation shared by grounding validation and scoring.

A quote "occurs in the article" when it is a substring of the article after both
are normalised the same way: case folded, curly quotes and dashes made plain,
runs of whitespace made one space.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u0060": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
}
_DASHES = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
_TRANSLATE = str.maketrans({**_QUOTES, **_DASHES, "\u00a0": " ", "\u2026": "..."})
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")

# Words too common to identify an actor: an actor name is grounded when its
# other words are all in the article.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "as",
        "de",
        "del",
        "la",
        "le",
        "les",
        "der",
        "die",
        "van",
        "von",
        "al",
        "el",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
    ]
)


def normalize(text: str) -> str:
    """Case-fold, plain quotes and dashes, one space for any whitespace run."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _SPACE.sub(" ", text).strip().casefold()


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of a text, normalised (accents kept)."""
    return _WORD.findall(normalize(text))


def significant_words(text: str) -> list[str]:
    """Words that identify a name: not stopwords, not single letters."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def actor_key(name: str) -> str:
    """What makes two actor names the same actor: their significant words, accents ignored."""
    return " ".join(significant_words(strip_accents(name))) or name.casefold()


def check_unique_actors(names: list[str]) -> None:
    """Raise ValueError naming the first actor listed twice (by `actor_key`)."""
    seen: set[str] = set()
    for name in names:
        key = actor_key(name)
        if key in seen:
            raise ValueError(f"actor {name!r} is listed twice")
        seen.add(key)


def contains_quote(article_norm: str, quote: str) -> bool:
    """Whether `quote` occurs in an article already passed through `normalize`.

    Trailing sentence punctuation and wrapping quote marks are ignored, since
    models often add or drop them around an otherwise verbatim span.
    """
    q = normalize(quote).strip(" \"'")
    q = q.rstrip(".,;:!?").strip(" \"'")
    return bool(q) and q in article_norm
