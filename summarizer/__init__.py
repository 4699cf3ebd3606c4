"""summarizer: turn one news article into a typed, checkable brief."""

from schemas import SCHEMA_VERSION, Brief

from ._api import asummarize, asummarize_detailed, summarize, summarize_detailed
from ._errors import (
    ArticleTooLongError,
    BackendUnavailableError,
    ConfigurationError,
    InputError,
    NoValidBriefError,
    OutputTruncatedError,
    SummarizerError,
    TransportError,
)
from ._result import Meta, Result, Usage

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "ArticleTooLongError",
    "BackendUnavailableError",
    "Brief",
    "ConfigurationError",
    "InputError",
    "Meta",
    "NoValidBriefError",
    "OutputTruncatedError",
    "Result",
    "SummarizerError",
    "TransportError",
    "Usage",
    "__version__",
    "asummarize",
    "asummarize_detailed",
    "summarize",
    "summarize_detailed",
]
