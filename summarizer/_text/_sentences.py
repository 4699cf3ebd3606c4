"""Splitting an article into numbered sentences the model can cite.

The model cites evidence by sentence number instead of copying quotes: a
1.5B model miscopies long quotes, and copying costs most of the output tokens.
The code then fills in the verbatim text, so every quote is exact by
construction. Each sentence is an exact substring of the article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from summarizer.schemas._text import words

# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket)
# before whitespace and an opening capital, digit or quote.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")
# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "maj",
        "cpl",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "vs",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gov",
        "sen",
        "rep",
        "rev",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
    ]
)
MAX_QUOTE = 200


@dataclass(frozen=True)
class Sentence:
    """One sentence and where it is: `article[start:end] == text`."""

    text: str
    start: int
    end: int


def locate_sentences(article: str) -> list[Sentence]:
    """The article's sentences, in order, each stripped and verbatim, with their offsets.

    The offsets are what a report links to: kept here, where each sentence is cut out,
    so nothing has to search the article for a quote later (a quote can occur twice).
    """
    sentences: list[Sentence] = []
    offset = 0
    for raw in article.splitlines(keepends=True):
        line = raw.splitlines()[0] if raw.splitlines() else ""
        at = offset
        offset += len(raw)
        start = 0
        for match in _BOUNDARY.finditer(line):
            end = match.end(1)
            last_word = line[start:end].rstrip("\"'”’)]").rsplit(None, 1)[-1].lower().rstrip(".")
            if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
                continue  # "Gen. Dembele", "J. Smith"
            _add(sentences, line, at, start, end)
            start = match.end()
        _add(sentences, line, at, start, len(line))
    return sentences


def _add(sentences: list[Sentence], line: str, at: int, start: int, end: int) -> None:
    # Stripped as str.strip strips, and located by the whitespace it dropped.
    piece = line[start:end]
    text = piece.strip()
    if text:
        lead = len(piece) - len(piece.lstrip())
        sentences.append(Sentence(text, at + start + lead, at + start + lead + len(text)))


def paragraphs(article: str, located: Sequence[Sentence]) -> list[int]:
    """Each located sentence's paragraph number (from 0). Paragraphs end at a blank line;
    in a text with no blank line at all, at each line end (one paragraph a line)."""
    breaker = _BLANK_LINE if _BLANK_LINE.search(article) else _LINE_END
    numbers, paragraph, previous_end = [], 0, 0
    for sentence in located:
        if breaker.search(article, previous_end, sentence.start):
            paragraph += 1
        numbers.append(paragraph)
        previous_end = sentence.end
    return numbers


_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE_END = re.compile(r"\n")


def split_sentences(article: str) -> list[str]:
    """The article's sentences, in order, each stripped and verbatim."""
    return [s.text for s in locate_sentences(article)]


WITHHELD = "[withheld: text in the article addressed to automated systems]"


def numbered(sentences: list[str], *, withheld: frozenset[int] = frozenset()) -> str:
    """The article as the model sees it: one numbered sentence a line. The `withheld`
    sentences (addressed to machines) keep their number but not their words: a small
    model told that text is data still obeys it, and cannot obey what it never reads."""
    return "\n".join(f"{i} {WITHHELD if i in withheld else s}" for i, s in enumerate(sentences, 1))


def quote(sentence: str) -> str:
    """A sentence as an evidence quote: whole, or cut at a word boundary to MAX_QUOTE."""
    if len(sentence) <= MAX_QUOTE:
        return sentence
    cut = sentence[:MAX_QUOTE]
    if " " in cut:
        return cut[: cut.rfind(" ")]
    end = MAX_QUOTE
    while end > 1 and _joined(sentence[end - 1], sentence[end]):
        end -= 1
    return sentence[:end]


def _joined(left: str, right: str) -> bool:
    # Grounding compares NFKC forms: a cut between a letter and its combining accent
    # (or two Hangul jamo) leaves a quote whose last letter is not in the article.
    pair = unicodedata.normalize("NFKC", left + right)
    apart = unicodedata.normalize("NFKC", left) + unicodedata.normalize("NFKC", right)
    return pair != apart or unicodedata.category(right).startswith("M")


# A claim longer than this is cut to the clause that carries its hedge (the contract
# allows 300 characters; the rest is left for "…" marks).
MAX_CLAIM = 290
_CLAUSE = re.compile(r"[,;:]\s+|\s+[—–-]\s+")


def clip(text: str, limit: int = MAX_CLAIM, *, keep: int = 0) -> str:
    """`text` whole if it fits in `limit`; else the clauses around position `keep` that
    fit, cut at clause or word boundaries, with "…" where text was left out.

    A reader can tell a cut claim from a whole one, and the kept part is the one that
    says what is uncertain (`keep` is where its hedge is).
    """
    if len(text) <= limit:
        return text
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(text)), len(text)]
    start = max((b for b in bounds if b <= keep), default=0)
    end = start
    for b in bounds:
        if b > start and b - start <= limit:
            end = b
    if end <= start:  # one clause longer than the limit: cut it at a word boundary
        cut = text[start : start + limit]
        end = start + (cut.rfind(" ") if " " in cut else len(cut))
    piece = text[start:end].strip().rstrip(",;:—–-").strip()
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


# Words too common to say which sentence a summary comes from.
_COMMON = frozenset(
    ("that", "this", "with", "from", "have", "has", "been", "will", "were", "said", "says",
     "they", "their", "there", "than", "what", "when", "which", "while", "into", "also",
     "after", "over", "about", "more", "most", "other", "some", "such")
)  # fmt: skip


def stems(text: str) -> set[str]:
    # A five-letter prefix joins the forms a summary rewords: announced, announces.
    return {w[:5] for w in words(text) if len(w) > 3 and w not in _COMMON}


def closest_sentence(
    text: str,
    sentences: Sequence[str],
    *,
    exclude: frozenset[int] = frozenset(),
    stemmed: Sequence[AbstractSet[str]] | None = None,
) -> list[int]:
    """The number of the sentence sharing most word stems with `text` (the first of
    equals), as a one-item list; [] if none shares any. `stemmed`: the sentences'
    `stems`, when the caller has them already.

    Picks the evidence for a summary the model wrote: citing it cost the model
    about eight output tokens a field, and the summary mostly rewords one sentence.
    """
    wanted = stems(text)
    per_sentence = stemmed if stemmed is not None else [stems(s) for s in sentences]
    best, best_n = 0, 0
    for i, their in enumerate(per_sentence, 1):
        if i in exclude:
            continue
        shared = len(wanted & their)
        if shared > best:
            best, best_n = shared, i
    return [best_n] if best_n else []
