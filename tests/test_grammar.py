"""The compact output grammar: what it admits, what it refuses, and when it is sent.

llama-server cannot run in CI, so the grammar is checked by translating it into
a Python regular expression (it has no recursion, so every rule inlines) and
matching real documents against it: a draft the contract accepts, written
compactly, must match; anything the schema forbids, or whitespace the grammar
exists to remove, must not.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from drafts import ARTICLE, VALID
from fakeopenai import FakeOpenAI, reply_json
from test_faults import KEY

import summarizer
from summarizer._engine._grammar import UnsupportedSchemaError, compact_grammar
from summarizer._pipeline._draft import Draft
from summarizer._pipeline._request import MIN_STATUS_CHARS, draft_schema
from summarizer._text._hedges import hedged
from summarizer._text._sentences import split_sentences

_TOKEN = re.compile(
    r'\s*(?:(?P<lit>"(?:[^"\\]|\\.)*")|(?P<cls>\[(?:[^\]\\]|\\.)*\])|(?P<name>[A-Za-z][\w-]*)'
    r"|(?P<rep>\{\d+(?:,\d*)?\})|(?P<op>[()|?*+]))"
)


def to_regex(grammar: str) -> re.Pattern[str]:
    """A regex equal to the GBNF grammar (non-recursive GBNF only)."""
    rules = {}
    for line in grammar.strip().splitlines():
        name, body = line.split(" ::= ", 1)
        rules[name] = body

    def expand(name: str, depth: int = 0) -> str:
        assert depth < 20, "recursive grammar"
        out, body, pos = [], rules[name], 0
        while pos < len(body.rstrip()):
            m = _TOKEN.match(body, pos)
            assert m, f"cannot read {body[pos:]!r}"
            pos = m.end()
            if m["lit"]:
                out.append(re.escape(json.loads(m["lit"])))
            elif m["cls"]:
                out.append(m["cls"])
            elif m["name"]:
                out.append(f"(?:{expand(m['name'], depth + 1)})")
            else:
                out.append(m["rep"] or m["op"])
        return "".join(out)

    return re.compile(expand("root"), re.DOTALL)


GRAMMAR = compact_grammar(Draft.model_json_schema())
PATTERN = to_regex(GRAMMAR)


def compact(doc: dict[str, Any], colon: str = ":") -> str:
    """As the grammar writes it: no whitespace but a newline before each listed object."""
    text = json.dumps(doc, separators=(",", colon), ensure_ascii=False)
    return text.replace("[{", "[\n{").replace("},{", "},\n{")


def changed(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target: Any = doc
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return doc


def test_the_translation_is_faithful_on_a_small_grammar() -> None:
    pattern = to_regex('root ::= "[" item ("," item){0,1} "]"\nitem ::= [1-9] [0-9]{0,2}\n')
    assert pattern.fullmatch("[7,120]")
    assert not pattern.fullmatch("[7,120,3]")
    assert not pattern.fullmatch("[0]")


def test_a_valid_draft_written_compactly_matches() -> None:
    Draft.model_validate(VALID)  # the document itself is a valid draft
    assert PATTERN.fullmatch(compact(VALID))


def test_one_space_after_a_colon_is_allowed() -> None:
    # The model's own tokens for `: "` and `: null` carry the space.
    assert PATTERN.fullmatch(compact(VALID, colon=": "))


def test_indentation_and_newlines_are_refused() -> None:
    assert not PATTERN.fullmatch(json.dumps(VALID, indent=2))
    assert not PATTERN.fullmatch(json.dumps(VALID))  # ", " between members
    # Listed objects on one line are refused too: the model then ends lists early.
    one_line = json.dumps(VALID, separators=(",", ":"))
    assert "},{" in one_line and not PATTERN.fullmatch(one_line)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("event.category", "banana"),
        ("status.phase", "Developing"),
        ("actors.0.kind", "alien"),
        ("uncertainties.0.evidence", [0]),
        ("uncertainties.0.evidence", [1000]),
        ("uncertainties.0.evidence", [1, 2, 3]),
        ("uncertainties.0.evidence", []),
        ("actors.0.role", ""),
        ("actors.0.role", "x" * 81),
        ("event.summary", "x" * 241),
        ("actors", []),
        ("actors", [VALID["actors"][0]] * 7),
        ("uncertainties", [VALID["uncertainties"][0]] * 6),
        ("event.when", 2024),
    ],
)
def test_what_the_schema_forbids_the_grammar_refuses(path: str, value: Any) -> None:
    assert not PATTERN.fullmatch(compact(changed(path, value)))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("event.when", None),
        ("uncertainties", []),
        ("uncertainties.0.evidence", [4, 1]),
        ("event.summary", 'A "quoted" word and a \\ backslash'),
        ("event.summary", "x" * 240),
        ("actors.0.role", "café owner, Zürich"),
    ],
)
def test_edges_the_schema_allows_the_grammar_allows(path: str, value: Any) -> None:
    doc = changed(path, value)
    Draft.model_validate(doc)
    assert PATTERN.fullmatch(compact(doc))


def test_keys_come_in_schema_order_and_no_other_key_fits() -> None:
    reordered = {"status": VALID["status"], **{k: v for k, v in VALID.items() if k != "status"}}
    assert not PATTERN.fullmatch(compact(reordered))
    assert not PATTERN.fullmatch(compact({**VALID, "extra": 1}))


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "number"},
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": []},
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        {"$ref": "#/definitions/X"},
        {"type": "integer", "minimum": -5, "maximum": 5},
    ],
)
def test_unsupported_schemas_are_refused_not_loosened(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchemaError):
        compact_grammar(schema)


def test_the_word_null_as_a_string_reads_as_no_value() -> None:
    doc = changed("event.when", "null")
    doc["event"]["where"] = "None"
    draft = Draft.model_validate(doc)
    assert draft.event.when is None
    assert draft.event.where is None


def _sent(**options: Any) -> dict[str, Any]:
    with FakeOpenAI([reply_json(VALID)], max_requests=5, lifetime_s=10.0) as srv:
        summarizer.summarize_detailed(
            ARTICLE, backend="openai", base_url=srv.base_url, api_key=KEY, **options
        )
        body = srv.chat_requests[0].json
    assert isinstance(body, dict)
    return body


def test_uncertainties_may_cite_only_hedged_sentences_under_the_article_grammar() -> None:
    pattern = to_regex(compact_grammar(draft_schema((2, 4))))
    assert PATTERN.fullmatch(compact(changed("uncertainties.0.evidence", [1])))
    for refs in ([4], [2, 4], [4, 2]):
        doc = changed("uncertainties.0.evidence", refs)
        Draft.model_validate(doc)
        assert pattern.fullmatch(compact(doc)), refs
    for refs in ([1], [3], [4, 1], [], [14], [2, 4, 2]):
        assert not pattern.fullmatch(compact(changed("uncertainties.0.evidence", refs))), refs


def test_without_hedged_sentences_only_the_latest_status_is_narrowed() -> None:
    schema = draft_schema(())
    latest = schema["$defs"]["DraftStatus"]["properties"]["latest"]
    own = Draft.model_json_schema()["$defs"]["DraftStatus"]["properties"]["latest"]
    assert (own["minLength"], latest["minLength"]) == (1, MIN_STATUS_CHARS)
    latest["minLength"] = own["minLength"]
    assert compact_grammar(schema) == GRAMMAR


@pytest.mark.parametrize("label", ["developing", "ongoing", "x" * (MIN_STATUS_CHARS - 1)])
def test_under_the_article_grammar_the_latest_status_is_more_than_a_label(label: str) -> None:
    pattern = to_regex(compact_grammar(draft_schema(())))
    assert pattern.fullmatch(compact(VALID))
    Draft.model_validate(changed("status.latest", label))  # validation itself lets it pass
    assert PATTERN.fullmatch(compact(changed("status.latest", label)))
    assert not pattern.fullmatch(compact(changed("status.latest", label)))
    assert pattern.fullmatch(compact(changed("status.latest", "x" * MIN_STATUS_CHARS)))


def test_with_llama_grammar_the_request_carries_the_grammar_not_a_schema() -> None:
    body = _sent(llama_grammar=True)
    numbers = tuple(hedged(split_sentences(ARTICLE)))
    assert numbers == (3, 4)  # "according to the council", "not yet known"
    assert body["grammar"] == compact_grammar(draft_schema(numbers))
    assert body["response_format"] is None


def test_other_endpoints_get_the_json_schema_and_no_grammar() -> None:
    body = _sent()
    assert "grammar" not in body
    assert body["response_format"]["json_schema"]["schema"] == Draft.model_json_schema()
