"""How long an article may be: the tokens a call needs, and the refusal past the model's context."""

from __future__ import annotations

from summarizer._config import MODEL_CONTEXT, Settings
from summarizer._errors import ArticleTooLongError

# Prompt tokens besides the article (instructions and markup), with margin.
PROMPT_OVERHEAD_TOKENS = 600
# Conservative: English runs ~4 characters a token, other scripts fewer.
CHARS_PER_TOKEN = 3.0


def context_needed(article: str, settings: Settings) -> int:
    """Tokens one call on `article` may use: the article's estimate, the prompt around it
    and the answer's budget."""
    return int(len(article) / CHARS_PER_TOKEN) + PROMPT_OVERHEAD_TOKENS + settings.max_tokens


def check_length(article: str, settings: Settings) -> None:
    """Refuse, naming the limit, an article the local model's context cannot hold."""
    if settings.backend != "local":
        return  # a remote model's context is unknown here; its server says (see _retry)
    context = settings.context_size or MODEL_CONTEXT
    budget = context - settings.max_tokens - PROMPT_OVERHEAD_TOKENS
    estimate = int(len(article) / CHARS_PER_TOKEN)
    if estimate > budget:
        which = "the configured" if settings.context_size else "the local model's"
        raise ArticleTooLongError(
            f"article is too long for this model: about {estimate} tokens, and "
            f"{which} {context}-token context holds {budget} besides the prompt and answer "
            f"({int(budget * CHARS_PER_TOKEN)} characters); split it, or use an API model "
            "with a larger context",
            tokens=estimate,
            limit=budget,
        )
