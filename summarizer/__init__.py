"""summarizer: turn one news article into a typed, checkable brief."""

from summarizer._api import asummarize, asummarize_detailed, summarize, summarize_detailed
from summarizer._client import MapResult, Summarizer
from summarizer._errors import (
    ArticleTooLongError,
    BackendUnavailableError,
    ConfigurationError,
    InputError,
    NoValidBriefError,
    OutputTruncatedError,
    SummarizerError,
    TransportError,
)
from summarizer._result import Meta, Result, Usage
from summarizer.schemas import SCHEMA_VERSION, Brief

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "ArticleTooLongError",
    "BackendUnavailableError",
    "Brief",
    "ConfigurationError",
    "InputError",
    "MapResult",
    "Meta",
    "NoValidBriefError",
    "OutputTruncatedError",
    "Result",
    "Summarizer",
    "SummarizerError",
    "TransportError",
    "Usage",
    "__version__",
    "asummarize",
    "asummarize_detailed",
    "summarize",
    "summarize_detailed",
]
