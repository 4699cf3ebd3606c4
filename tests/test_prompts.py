"""Prompt templates are data: checked on load, rendered in one verbatim pass."""

from __future__ import annotations

import re

import pytest

import prompts
from prompts import PromptError, parse


def test_packaged_templates_load_and_version_is_stable() -> None:
    assert prompts.load("brief/user.txt").variables == {"article", "hedged"}
    assert re.fullmatch(r"[0-9a-f]{12}", prompts.prompt_version())
    assert prompts.prompt_version() == prompts.prompt_version()


def test_missing_variable_is_reported() -> None:
    with pytest.raises(PromptError, match=r"missing variable.*article"):
        prompts.load("brief/user.txt").render()


def test_unknown_variable_is_reported() -> None:
    with pytest.raises(PromptError, match=r"unknown variable.*extra"):
        prompts.load("brief/user.txt").render(article="x", hedged="none", extra="y")


def test_malformed_template_is_refused_on_load() -> None:
    with pytest.raises(PromptError, match="unbalanced"):
        parse("bad.txt", "Hello {{ name }")


def test_unknown_template_is_reported() -> None:
    with pytest.raises(PromptError, match="no prompt template"):
        prompts.load("nope.txt")


@pytest.mark.parametrize(
    "article",
    [
        "The note said {{ article }} and {{ secret }} twice.",
        "Costs rose to $x and ${HOME} per $$ unit; {% if x %}raw{% endif %}.",
        "Braces {0} and %(name)s and \\1 backrefs and {{",
    ],
)
def test_article_with_template_syntax_reaches_the_model_verbatim(article: str) -> None:
    messages = prompts.brief_messages(article, hedged="2, 5")
    assert article in messages[1]["content"]
    assert messages[1]["content"].endswith("Hedged sentences: 2, 5")
    assert messages[0]["role"] == "system" and "{{" not in messages[0]["content"]
