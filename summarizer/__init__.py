"""summarizer: turn one news article into a typed, checkable brief."""

from summarizer._api import (
    asummarize,
    asummarize_detailed,
    read_source,
    summarize,
    summarize_detailed,
)
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
from summarizer._input._page import Page
from summarizer._result import Meta, Result, Source, Usage
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
    "Page",
    "Result",
    "Source",
    "Summarizer",
    "SummarizerError",
    "TransportError",
    "Usage",
    "__version__",
    "asummarize",
    "asummarize_detailed",
    "read_source",
    "summarize",
    "summarize_detailed",
]
