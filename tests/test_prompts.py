"""Prompt templates are data: checked on load, rendered in one verbatim pass."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from summarizer import prompts
from summarizer.prompts import PromptError, parse


def test_packaged_templates_load() -> None:
    assert prompts.load("brief/user.txt").variables == {"article", "hedged"}


def test_prompt_version_is_the_hash_of_every_template_file_on_disk() -> None:
    # Recomputed from the files' bytes: a template file the version leaves out, or a
    # change to how it is hashed, changes this value and not prompt_version()'s.
    folder = Path(prompts.__file__).parent
    names = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.txt"))
    assert names, "no template files found"
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    assert prompts.prompt_version() == digest.hexdigest()[:12]


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
