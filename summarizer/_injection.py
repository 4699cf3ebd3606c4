"""Text in an article that is addressed to machines: the places an article may try to
write its own brief.

A news article may quote a ransom note, a press release or a post that tells "any AI" what
to report. Such a sentence is part of the story, but never the reporter's account of it:
it is shown to the model as quoted material, it cannot be the event's or the status's
evidence, a summary that copies it is refused, and the reader is warned.

What is flagged: a sentence that speaks to an automated reader (an AI, a model, an
assistant, a chatbot, a summariser, "automated systems") and tells it what to do or write;
a role marker opening a line ("SYSTEM:", "ASSISTANT:"); the classic overrides ("ignore
previous instructions", "you are now", "act as"); and JSON shaped like a brief. In English,
French, Spanish and German, which are the languages the hedge and name rules know best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas._text import fold

from ._sentences import stems

# Readers that are machines, named unambiguously ("model" or "assistant" alone are too
# often cars, fashion or coaches).
_MACHINE = (
    r"(?:ai|a\.i\.|artificial intelligence|(?:large )?language models?|llms?|chatbots?|"
    r"chat ?gpt|gpts?|ai (?:models?|systems?|tools?|assistants?|agents?)|virtual assistants?|"
    r"bots?|summari[sz]ers?|summari[sz]ation (?:tools?|systems?|software)|"
    r"automated (?:systems?|tools?|readers?|summar\w*|services?|software|agents?)|crawlers?|"
    r"ia|intelligence artificielle|inteligencia artificial|ki|kunstliche intelligenz|"
    r"sistemas? automaticos?|systemes? automatiques?|automatisierte systeme)"
)
_COMMAND = (
    r"\b(?:ignore|disregard|forget|override|report|output|write|say|state|summari[sz]e|"
    r"classify|mark|set|respond|reply|answer|treat|describe|list|omit|include|conclude|"
    r"must|should|shall|are to|is to|are instructed|do not|don't|never|always|"
    r"ignorez|oubliez|ecrivez|indiquez|resumez|signalez|"
    r"ignora|ignoren|olvida|escribe|escriban|indica|resuma|resuman|informa|"
    r"ignoriere|ignorieren|vergiss|schreibe|schreiben|melde|meldet|fasse)\b"
)
# The machine is spoken to: "to any AI", "note to automated systems", "if you are a
# language model", "AI systems reading this", "Hinweis an KI-Systeme".
_ADDRESSEE = re.compile(
    rf"\b(?:to|for|attention|note to|message to|dear|hey|any|all|every|each|if you are an?|"
    rf"a l'attention des?|aux?|a (?:la|los|las|todos los)|para|an)\s+"
    rf"(?:[\w'-]+\s+){{0,3}}(?:d'|l')?{_MACHINE}\b"
    rf"|\b{_MACHINE}\s+(?:that (?:read|process|summari[sz]e)|reading|processing|"
    rf"summari[sz]ing|scanning|parsing)\b"
)
# The machine is told what to do in so many words: "automated summaries must report".
_TOLD = re.compile(
    rf"\b{_MACHINE}\s+(?:must|should|shall|are to|is to|are instructed to)\s+"
    rf"(?:not\s+|now\s+|only\s+|always\s+)?(?:report|output|write|say|state|classify|mark|"
    rf"describe|ignore|treat|summari[sz]e|list|omit|respond|reply|conclude|call|label|present)\b"
)
# An addressee followed by a colon opens a message to machines ("ATTENTION AI assistants:").
_SALUTATION = re.compile(rf"(?:{_ADDRESSEE.pattern})[^.!?:]{{0,60}}:")
_COMMANDED = re.compile(_COMMAND)
_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.!?]{0,40}\b(?:previous|prior|above|earlier|all)\b"
    r"[^.!?]{0,20}\b(?:instructions?|prompts?|rules?|directions?)\b"
    r"|\byou are now\b|\bact as (?:a|an|the)\b|\bpretend (?:to be|you are)\b"
    r"|\bnew instructions?\s*:|\bsystem prompt\b"
    r"|\bignorez (?:les|toutes les) (?:instructions|consignes)\b"
    r"|\bignora (?:las|todas las) instrucciones\b"
    r"|\bignoriere (?:alle )?(?:vorherigen )?anweisungen\b"
)
_ROLE_MARKER = re.compile(r"(?:^|[\"'“‘(\[]\s*)(?:system|assistant|user|instructions?)\s*:", re.I)
_BRIEF_JSON = re.compile(
    r"[{,]\s*[\"'](?:status|phase|category|headline|summary|event|actors|uncertainties)[\"']\s*:"
)


@dataclass(frozen=True)
class Flag:
    """A sentence (1-based number) that addresses machines, and why it was flagged."""

    sentence: int
    reason: str

    def warning(self) -> str:
        return (
            f"the article contains text addressed to automated systems (sentence "
            f"{self.sentence}: {self.reason}); it was read as quoted material, not as instructions"
        )


def flag(sentences: list[str]) -> list[Flag]:
    """The sentences that address machines, in order."""
    flags: list[Flag] = []
    remaining = 0  # sentences still inside a flagged message's open quotation
    for n, sentence in enumerate(sentences, 1):
        reason = _reason(sentence)
        if reason is None and remaining:
            reason = f"continues the message of sentence {flags[-1].sentence}"
        if reason is None:
            remaining = 0
            continue
        flags.append(Flag(n, reason))
        # A message to machines quoted over several sentences: its rest is the message too.
        if remaining:
            remaining = 0 if _unbalanced(sentence) else remaining - 1
        elif _unbalanced(sentence):
            remaining = 3
    return flags


def _unbalanced(sentence: str) -> bool:
    """Whether a quotation opens (or closes) in `sentence` without closing (opening) there."""
    return sentence.count('"') % 2 == 1 or sentence.count("“") != sentence.count("”")


def _reason(sentence: str) -> str | None:
    plain = fold(sentence)
    if _OVERRIDE.search(plain):
        return "an instruction override"
    if _ROLE_MARKER.search(sentence):
        return "a role marker"
    if _BRIEF_JSON.search(sentence):
        return "JSON shaped like a brief"
    if _TOLD.search(plain):
        return "an instruction to an automated reader"
    if _SALUTATION.search(plain):
        return "a message addressed to automated readers"
    addressed = _ADDRESSEE.search(plain)
    # The command must be outside the words that name the reader: "tools that summarise
    # news" describes machines; "any AI summarising this must report" commands one.
    rest = plain[: addressed.start()] + " " + plain[addressed.end() :] if addressed else ""
    if addressed and _COMMANDED.search(rest):
        return "an instruction to an automated reader"
    return None


def copies(text: str, sentence: str) -> bool:
    """Whether `text` (a summary) copies or closely rewords `sentence`: most of its
    content words are the sentence's (five-letter stems, as `closest_sentence` compares)."""
    mine, theirs = stems(text), stems(sentence)
    shared = len(mine & theirs)
    return shared >= 3 and shared >= 0.6 * len(mine)
