"""What was wrong with a model's answer, and what code changed in it, as typed records.

A `Problem` is one reason an answer was rejected; a `Repair` is one deterministic change
made to an answer. Both carry a `kind` that `eval` counts and a `message` for people and
for the re-ask prompt: rewording a message changes no figure.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

Kind = Literal[
    "schema",  # the answer's shape: a field missing, too long, of the wrong type
    "unknown_label",  # a category, phase or actor kind that is not one of the listed words
    "vague_actor",  # an actor name with no identifying word ("the")
    "repeated_actor",  # an actor listed twice
    "unnamed_actor",  # an actor the article does not name
    "unknown_place",  # a place (or part of one) the article does not have
    "missing_sentence",  # a citation of a sentence number the article does not have
    "ungrounded_name",  # own words naming a name the article does not have
    "ungrounded_figure",  # own words stating a figure the article does not have
    "foreign_script",  # own words in a script the article does not use
    "copies_flagged",  # a summary copying text addressed to automated systems
    "repeated_claim",  # an uncertainty repeating an earlier one
    "contradicted_phase",  # the phase "concluded" beside a status saying it is not over
    "unattributed_quote",  # a status stating one party's quoted words as fact
]
_BY_NAME: dict[str, Kind] = {kind: kind for kind in get_args(Kind)}
KINDS = frozenset(_BY_NAME)

# What a record names as the value concerned: a text, a sentence number or numbers.
Value = str | int | list[int] | None


def kind_of(name: str) -> Kind:
    """`name` as a problem kind; any name this package does not give (pydantic's own
    error types) is a problem of the answer's shape."""
    return _BY_NAME.get(name, "schema")


class Problem(BaseModel):
    """One reason an answer was rejected: where (`field`, e.g. "actors.2.name"), what the
    answer had there (`value`, None for a problem of shape), and what is wrong."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    field: str
    value: Value = None
    message: str

    def line(self) -> str:
        """The problem as one line, as the re-ask prompt lists it."""
        return f"{self.field}: {self.message}"


class Repair(BaseModel):
    """One deterministic change made to an answer: the `kind` of problem it removes,
    where, the value before and after (None: dropped), and what was done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    field: str
    before: Value = None
    after: Value = None
    message: str

    def line(self) -> str:
        return f"{self.field}: {self.message}"
