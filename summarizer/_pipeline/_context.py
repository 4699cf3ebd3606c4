"""The article as validation sees it: built once a call, read by attribute.

Pydantic's validation context must be a dict; the pipeline passes `as_pydantic(ctx)`,
which holds the typed context under one key (and the article under "article", which
the public `Brief` validators read), and validators get it back with `from_info`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pydantic import ValidationInfo

from summarizer._text._injection import Flag, flag
from summarizer._text._prose import Vocabulary
from summarizer._text._sentences import Sentence, locate_sentences, paragraphs, stems
from summarizer.schemas._text import normalize

_KEY = "summarizer.article_context"


@dataclass(frozen=True)
class ArticleContext:
    """One article and what validation derives from it, each computed once."""

    article: str
    normalized: str  # as `normalize` folds it, for name and quote matching
    located: tuple[Sentence, ...]  # each sentence with its offsets in the article
    sentences: tuple[str, ...]  # their text, as numbered for the model
    flags: tuple[Flag, ...]  # sentences addressed to automated systems (see _injection)
    flagged: MappingProxyType[int, str]  # those sentences' text, by number
    vocabulary: Vocabulary  # what the brief's own words may say (see _prose)

    @property
    def withheld(self) -> frozenset[int]:
        return frozenset(self.flagged)

    # Read by citing, for the event, the status and each actor: built once, on first use.
    @functools.cached_property
    def stems(self) -> tuple[frozenset[str], ...]:
        """Each sentence's word stems, as `closest_sentence` compares them."""
        return tuple(frozenset(stems(s)) for s in self.sentences)

    @functools.cached_property
    def normalized_sentences(self) -> tuple[str, ...]:
        """Each sentence as `normalize` folds it, for finding the sentence that names an actor."""
        return tuple(normalize(s) for s in self.sentences)


def article_context(article: str) -> ArticleContext:
    """Split, flag and index `article` once, for every validation and repair of a call."""
    located = tuple(locate_sentences(article))
    sentences = tuple(s.text for s in located)
    flags = tuple(flag(list(sentences), paragraphs(article, located)))
    return ArticleContext(
        article=article,
        normalized=normalize(article),
        located=located,
        sentences=sentences,
        flags=flags,
        flagged=MappingProxyType({f.sentence: sentences[f.sentence - 1] for f in flags}),
        vocabulary=Vocabulary(article),
    )


def as_pydantic(ctx: ArticleContext) -> dict[str, Any]:
    """The dict pydantic takes as context; the article too, for the public `Brief`'s checks."""
    return {"article": ctx.article, _KEY: ctx}


def from_info(info: ValidationInfo) -> ArticleContext | None:
    """The typed context of a validation, or None when none was given (shape checks only).

    A caller that passes only `{"article": text}` gets one built from it, kept in that
    dict so that the rest of the same validation reuses it.
    """
    given = info.context
    if not isinstance(given, dict):
        return None
    ctx = given.get(_KEY)
    if isinstance(ctx, ArticleContext):
        return ctx
    article = given.get("article")
    if not isinstance(article, str):
        return None
    ctx = given[_KEY] = article_context(article)
    return ctx
