"""Text normalisation and matching shared by grounding validation and scoring.

A quote "occurs in the article" when it is a substring of the article after both
are normalised the same way: case folded, curly quotes and dashes made plain,
runs of whitespace made one space. A name occurs when it is a whole-word span of
the article after the same folding with accents dropped too, or when all its
identifying words are words of the article.
"""

from __future__ import annotations

import functools
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
# Invisible characters that web text puts inside words (soft hyphen, zero-width
# space, word joiner, BOM): dropped, or "Bran" would be a whole word of "Bran<SHY>dt".
_INVISIBLE = dict.fromkeys("\u00ad\u200b\u2060\ufeff")
_TRANSLATE = str.maketrans(
    {**_QUOTES, **_DASHES, **_INVISIBLE, "\u02bc": "'", "\u00a0": " ", "\u2026": "..."}
)
_ASCII_TRANSLATED = "".join(chr(c) for c in _TRANSLATE if c < 128)  # the backtick

# Marks that stay after accents are dropped and belong inside words, which re's
# \w does not know: Indic vowel signs ("मोदी" is one word, not "म", "द"), Tibetan
# ones, variation selectors. A small table built from the blocks that have them.
_MARK_BLOCKS = ((0x0900, 0x0DFF), (0x0F00, 0x0FFF), (0x20D0, 0x20FF), (0xFE00, 0xFE0F))
_MARKS = frozenset(
    chr(c)
    for lo, hi in _MARK_BLOCKS
    for c in range(lo, hi + 1)
    if unicodedata.category(chr(c)).startswith("M")
)
_LETTER = "(?:[^\\W_]|[" + "".join(sorted(_MARKS)) + "])"
_WORD = re.compile(f"{_LETTER}+(?:['\\-]{_LETTER}+)*")

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
    # Run for every sentence, name and field many times over an article: ASCII is its
    # own NFKC form and translates only where it has a translated character, so most
    # text (English articles, the model's fields) skips both passes. split() and the
    # regex `\s` know the same whitespace (str.isspace).
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    elif any(c in text for c in _ASCII_TRANSLATED):
        text = text.translate(_TRANSLATE)
    return " ".join(text.split()).casefold()


# Letters that are a plain letter with a stroke or without its dot, which Unicode
# does not decompose: "Kilicdaroglu" names "Kılıçdaroğlu", and "KILIÇDAROĞLU"
# (whose capital I has lost the dotless form) must match the same names.
_UNDECOMPOSED = str.maketrans("ıłŁøØđĐħĦ", "illooddhh")


def strip_accents(text: str) -> str:
    if text.isascii():  # nothing to strip, and checked in C: most articles are English
        return text
    decomposed = unicodedata.normalize("NFKD", text).translate(_UNDECOMPOSED)
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


def fold(text: str) -> str:
    """`normalize` with accents dropped: the form names are compared in."""
    return strip_accents(normalize(text))


def identifying_words(name: str) -> list[str]:
    """The words of a name that are not stopwords. A name without one ("The", "---",
    "of the") names no one, so it is never grounded."""
    return [w for w in words(fold(name)) if w not in STOPWORDS]


# Scripts written without spaces between words (Han, kana, Hangul with its
# attached particles, Thai, Lao, Myanmar, Khmer): a word boundary cannot be seen
# there, so every such character counts as a boundary on its own. A Chinese name
# inside a run of Chinese text is found; "Hamas" inside "Hamasaki" is not.
_UNSPACED_RANGES = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3100-\u312f"
    "\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003ffff"
)
_UNSPACED = re.compile(f"[{_UNSPACED_RANGES}]")
# What continues a word in a spaced script: a letter or digit (str.isalnum, which
# is re's \w without "_") outside the unspaced scripts, or one of _MARKS.
_IN_WORD = f"(?:[^\\W_{_UNSPACED_RANGES}]|[{''.join(sorted(_MARKS))}])"


def _in_word(ch: str) -> bool:
    return (ch.isalnum() and not _UNSPACED.match(ch)) or ch in _MARKS


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` (both passed through `fold`) as whole
    words: not preceded or followed by a letter, digit or mark that would make it
    part of a longer word. Punctuation at a phrase's edge is its own boundary
    ("U.S." in "U.S.-led")."""
    # One regex search tries every start in C: a name repeated a million times in
    # a line stays fast.
    return bool(phrase) and find_phrase("{phrase}", phrase, text)


# Where a template's `{phrase}` goes: a backreference to the phrase written in front of
# the text, between the boundaries its edges need.
_PHRASE_SLOT = "{phrase}"


@functools.cache
def _phrase_finder(template: str, before: bool, after: bool) -> re.Pattern[str]:
    slot = (f"(?<!{_IN_WORD})" if before else "") + "(?P=phrase)"
    slot += f"(?!{_IN_WORD})" if after else ""
    return re.compile(
        "(?P<phrase>[^\0]+)\0.*?(?:" + template.replace(_PHRASE_SLOT, slot) + ")", re.S
    )


def find_phrase(template: str, phrase: str, text: str) -> bool:
    """Whether regex `template` matches in `text`, each `{phrase}` in it standing for
    `phrase` as whole words (as `contains_phrase` finds it).

    The word-boundary classes cost milliseconds to compile (the unspaced scripts' ranges),
    and every article names new actors: so the pattern is compiled once per template and
    the phrase is given as data, written before the text and matched by backreference.
    """
    if not phrase or "\0" in phrase:  # a NUL cannot be the separator: the slow, sure way
        return (
            bool(phrase)
            and re.search(template.replace(_PHRASE_SLOT, phrase_pattern(phrase)), text) is not None
        )
    finder = _phrase_finder(template, _in_word(phrase[0]), _in_word(phrase[-1]))
    return finder.match(f"{phrase}\0{text}") is not None


def phrase_pattern(phrase: str) -> str:
    """A regex matching `phrase` (folded, not empty) as whole words, as `contains_phrase`
    finds it: unlike `\\b`, an edge that is punctuation needs no boundary ("U.S.")."""
    return (
        (f"(?<!{_IN_WORD})" if _in_word(phrase[0]) else "")
        + re.escape(phrase)
        + (f"(?!{_IN_WORD})" if _in_word(phrase[-1]) else "")
    )


def name_in_article(name: str, article_norm: str) -> bool:
    """Whether `name` is named in an article already passed through `normalize`.

    A name is grounded when it has an identifying word and occurs as a whole-word
    span, or all its significant words are words of the article. Accents are
    ignored on both sides, so "Goita" is found for "Goïta".
    """
    if not identifying_words(name):
        return False
    plain_article = strip_accents(article_norm)
    if contains_phrase(plain_article, fold(name)):
        return True
    tokens = significant_words(fold(name))
    return bool(tokens) and set(tokens) <= set(significant_words(plain_article))


def check_identifying_word(name: str) -> None:
    """Raise ValueError when an actor name has no identifying word (see `identifying_words`)."""
    if not identifying_words(name):
        raise ValueError(
            f"actor {name!r} has no identifying word, only words like 'the' or 'of' or "
            "punctuation: give the actor's name as the article writes it"
        )


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
