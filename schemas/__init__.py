"""The brief contract: pydantic models of a checkable news brief."""

from ._brief import (
    SCHEMA_VERSION,
    Actor,
    ActorKind,
    Basis,
    Brief,
    Category,
    Event,
    Phase,
    Status,
    Uncertainty,
    brief_json_schema,
)
from ._text import name_in_article

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "ActorKind",
    "Basis",
    "Brief",
    "Category",
    "Event",
    "Phase",
    "Status",
    "Uncertainty",
    "brief_json_schema",
    "name_in_article",
]
