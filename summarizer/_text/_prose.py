"""What the brief says in its own words must come from the article: names, figures, scripts.

The headline, summaries, actor roles and `when` are the model's writing, not quotes. A
name or figure in them is grounded when the article has it (after the folding names get:
case, accents, curly quotes); a number may be written in digits or in words as the
article writes it; and no letter may be in a script the article does not use (Latin is
always allowed: briefs are written in English). Ordinary lower-case words are the
model's paraphrase and are not checked.

A capitalised word is taken for a name. Mid-sentence it must be an article word or one
of its inflections ("Serbian" for "Serbia"); first in a sentence, where every word is
capitalised, it may also share its stem with an article word ("Officials" for "official"),
or be a function word.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from summarizer._problems import Kind as ProblemKind
from summarizer.schemas._text import fold

Kind = Literal["name", "figure", "script"]
# The kind each problem is counted as (see _problems).
_PROBLEM_KINDS: dict[Kind, ProblemKind] = {
    "name": "ungrounded_name",
    "figure": "ungrounded_figure",
    "script": "foreign_script",
}

# Endings that make another form of the same name: Serbia/Serbian/Serbians, Iraq/Iraqi.
_INFLECTIONS = ("s", "es", "'s", "n", "ns", "an", "ans", "ian", "ians", "ese", "i", "is", "ish")


# Capitalised only because they open a sentence: closed-class English words.
def _split(words: str) -> list[str]:
    return words.split()


_FUNCTION_WORDS = frozenset(
    _split(
        "a an the this that these those it its he she they we you i his her their our your "
        "in on at by for from of to with without into onto over under after before during "
        "since until while as about against among between through across amid despite "
        "and or but nor so yet if when where why how what who whom whose which "
        "is are was were be been being has have had do does did will would can could "
        "may might must shall should not no there here all some any many most more each "
        "both few several such one another other"
    )
)
# Counted from two: "one" is as often a pronoun ("one of the…") as a figure.
_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        _split(
            "_ _ two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
    if w != "_"
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_NUMBER_WORDS |= {"ninety": 90, "hundred": 100, "thousand": 1000}
# A printed month lets a brief write the same date in digits ("March 4, 2025" as 2025-03-04).
_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            "january janvier enero januar",
            "february fevrier febrero februar",
            "march mars marzo marz",
            "april avril abril",
            "_ mayo",  # not "may": the modal verb would ground the figure 5
            "june juin junio juni",
            "july juillet julio juli",
            "august aout agosto",
            "september septembre septiembre",
            "october octobre octubre oktober",
            "november novembre noviembre",
            "december decembre diciembre dezember",
        ),
        start=1,
    )
    for name in _split(names)
    if name != "_"
}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True)
class ProseProblem:
    """A word of the brief's own writing that the article does not support."""

    kind: Kind
    word: str
    suggestion: str | None = None  # the article's nearest form, for a name

    @property
    def problem_kind(self) -> ProblemKind:
        return _PROBLEM_KINDS[self.kind]

    def message(self) -> str:
        if self.kind == "script":
            return f"{self.word!r} is in a script the article does not use: write in English"
        if self.kind == "figure":
            return f"the figure {self.word!r} is not in the article: use only its figures"
        hint = f"; the article says {self.suggestion!r}" if self.suggestion else ""
        return f"{self.word!r} is not in the article{hint}: use the article's names"


class Vocabulary:
    """What the article lets the brief say: its words, stems, numbers and scripts."""

    def __init__(self, article: str) -> None:
        self._article = article
        folded = fold(article)
        tokens = _TOKEN.findall(folded)
        self.words = set(_words(tokens))
        # Dotted initials are one word too: "U.S." grounds "US".
        self.words |= {a.replace(".", "") for a in re.findall(r"\b(?:\w\.){2,}", folded)}
        # An article word's inflections are grounded too ("Serbia" by "Serbian").
        self.words |= {base for w in list(self.words) for base in _bases(w)}
        self.stems = {w[:5] for w in self.words if len(w) > 3}
        self.numbers = _numbers(folded, tokens)
        self.scripts = _scripts(article) | {"LATIN"}

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        # The article's capitalised words by folded form: read only to suggest a spelling
        # for a name the article lacks, so built on the first such problem.
        capitalised = {t for t in _TOKEN.findall(self._article) if t[:1].isupper()}
        return {fold(t): t for t in capitalised}

    def suggest(self, word: str) -> str | None:
        # Only a near spelling: a loose match would steer a re-ask to an unrelated name.
        close = difflib.get_close_matches(fold(word), list(self._names), n=1, cutoff=0.75)
        return self._names[close[0]] if close else None


def problems(text: str, vocab: Vocabulary) -> list[ProseProblem]:
    """The names, figures and foreign-script words in `text` that the article lacks."""
    return audit(text, vocab)[1]


def audit(text: str, vocab: Vocabulary) -> tuple[int, list[ProseProblem]]:
    """How many names and figures `text` states, and its problems (see `problems`)."""
    found: list[ProseProblem] = []
    checked = 0
    # ASCII letters are Latin, which is always allowed: only other text is looked up.
    letters = () if text.isascii() else dict.fromkeys(c for c in text if c.isalpha())
    for ch in letters:
        if _script(ch) not in vocab.scripts:
            run = re.search(f"{re.escape(ch)}\\S*", text)
            found.append(ProseProblem("script", run.group() if run else ch))
            break  # one is enough to say what is wrong
    for match in _TOKEN.finditer(text):
        before = text[: match.start()].rstrip(" \t\n\"'“‘(«")
        starts = not before or before[-1] in ".!?:;"
        token = match.group()
        word = "" if token[0].isdigit() else fold(token).replace("’", "'")  # folded once
        checked += token[0].isdigit() or token[0].isupper() or word in _NUMBER_WORDS
        problem = _check(token, word, vocab, sentence_start=starts)
        if problem is not None and problem not in found:
            found.append(problem)
    return checked, found


def strip_foreign(text: str, vocab: Vocabulary) -> str:
    """`text` without the letters (and their runs) of scripts the article does not use."""
    kept = "".join(c for c in text if not (c.isalpha() and _script(c) not in vocab.scripts))
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", kept)).strip()


def _check(
    token: str, word: str, vocab: Vocabulary, *, sentence_start: bool
) -> ProseProblem | None:
    # `word`: the token folded (see `audit`), for any token but a figure.
    if token[0].isdigit():
        return None if _number_value(token) in vocab.numbers else ProseProblem("figure", token)
    if word in _NUMBER_WORDS:
        return None if _NUMBER_WORDS[word] in vocab.numbers else ProseProblem("figure", token)
    if not token[0].isupper():
        return None  # the model's own paraphrase
    if word in vocab.words or any(base in vocab.words for base in _bases(word)):
        return None
    if sentence_start and (word in _FUNCTION_WORDS or (len(word) > 3 and word[:5] in vocab.stems)):
        return None
    return ProseProblem("name", token, vocab.suggest(token))


def _bases(word: str) -> list[str]:
    # The forms `word` may be an inflection of: "serbian" -> "serbia", "iraqi" -> "iraq".
    return [
        word[: -len(end)]
        for end in _ENDING_IN.get(word[-1:], ())
        if word.endswith(end) and len(word) > len(end) + 2
    ]


# The inflections by their last letter: most words end in none of them, and cost one look-up.
_ENDING_IN: dict[str, tuple[str, ...]] = {
    last: tuple(end for end in _INFLECTIONS if end.endswith(last))
    for last in {end[-1] for end in _INFLECTIONS}
}


def _words(tokens: list[str]) -> list[str]:
    # `tokens`: a folded text's _TOKEN matches.
    return [t.replace("’", "'") for t in tokens if not t[0].isdigit()]


def _number_value(token: str) -> float | str:
    plain = token.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", token) else token
    try:
        return float(plain)
    except ValueError:
        return token


def _numbers(folded: str, tokens: list[str]) -> set[float | str]:
    found: set[float | str] = set()
    for token in tokens:
        if token[0].isdigit():
            found.add(_number_value(token))
        elif token in _NUMBER_WORDS:
            found.add(float(_NUMBER_WORDS[token]))
        elif token in _MONTHS:
            found.add(float(_MONTHS[token]))
    for token in re.findall(r"\d+", folded):  # "2025-02-19" grounds 2025, 2 and 19
        found.add(float(token))
    return found


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def _scripts(text: str) -> set[str]:
    return {_script(ch) for ch in set(text) if ch.isalpha()}
