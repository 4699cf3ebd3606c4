"""Prompt templates, kept as data files and checked when loaded.

A template's only syntax is ``{{ name }}``. Rendering is a single pass that
inserts each value verbatim: a value is never read as template source, so an
article that itself contains ``{{ x }}``, ``$x`` or ``{% … %}`` reaches the model
exactly as written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["PromptError", "Template", "brief_messages", "load", "prompt_version"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_STRAY = re.compile(r"\{\{|\}\}")

# What each template must use: a template that lacks one, or uses another, is
# a broken file and is refused when loaded, not when a user hits it.
EXPECTED = {
    "brief/system.txt": frozenset[str](),
    "brief/user.txt": frozenset({"article", "hedged"}),
}


class PromptError(ValueError):
    """A template file is malformed, or a variable was not supplied."""


@dataclass(frozen=True)
class Template:
    name: str
    source: str
    variables: frozenset[str]

    def render(self, **values: str) -> str:
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(
                f"template {self.name}: missing variable(s) {', '.join(sorted(missing))}"
            )
        extra = values.keys() - self.variables
        if extra:
            raise PromptError(
                f"template {self.name}: unknown variable(s) {', '.join(sorted(extra))}"
            )
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.source)


def parse(name: str, source: str) -> Template:
    variables = frozenset(_PLACEHOLDER.findall(source))
    leftover = _STRAY.search(_PLACEHOLDER.sub("", source))
    if leftover:
        raise PromptError(
            f"template {name}: unbalanced or malformed '{{{{ }}}}' at offset {leftover.start()}"
        )
    return Template(name=name, source=source, variables=variables)


@cache
def load(name: str) -> Template:
    """Load and check a packaged template, e.g. ``load("brief/user.txt")``."""
    try:
        source = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt template named {name!r}") from None
    template = parse(name, source)
    expected = EXPECTED.get(name)
    if expected is not None and template.variables != expected:
        raise PromptError(
            f"template {name}: uses {sorted(template.variables)}, expected {sorted(expected)}"
        )
    return template


def prompt_version() -> str:
    """A short hash of every template: it changes whenever any prompt text changes."""
    digest = hashlib.sha256()
    for name in sorted(EXPECTED):
        digest.update(name.encode() + b"\0" + load(name).source.encode() + b"\0")
    return digest.hexdigest()[:12]


def brief_messages(article: str, hedged: str = "none") -> list[dict[str, str]]:
    """The chat messages asking for a brief of `article`, as the model is to read it.

    `hedged` names the sentences that carry hedging words (see summarizer._text._hedges).

    The system prompt comes first and never changes, so a server's prompt cache
    can reuse it from one article to the next.
    """
    user = load("brief/user.txt").render(article=article, hedged=hedged)
    return [
        {"role": "system", "content": load("brief/system.txt").render().strip()},
        {"role": "user", "content": user.strip()},
    ]
