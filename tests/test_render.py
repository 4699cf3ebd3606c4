"""Briefs as text and Markdown: every field shown once, in reading order."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer._output._render import as_json, as_markdown, as_text, shown
from summarizer.schemas import Brief

SUMMARY = "The council voted to close the ferry pier."


def brief(headline: str) -> Brief:
    data: dict[str, Any] = {
        "headline": headline,
        "event": {
            "summary": SUMMARY,
            "category": "policy_or_legislation",
            "when": "Tuesday",
            "where": None,
            "evidence": [],
        },
        "actors": [{"name": "Ilse Brandt", "kind": "person", "role": "mayor", "evidence": []}],
        "status": {"phase": "scheduled", "summary": "Closure due in May.", "evidence": []},
        "uncertainties": [
            {
                "claim": "dock site not yet known",
                "basis": "unknown",
                "according_to": "Ilse Brandt",
                "evidence": [],
            }
        ],
    }
    return Brief.model_validate(data)


@pytest.mark.parametrize("render", [as_text, as_markdown])
def test_a_headline_that_is_the_event_summary_is_shown_once(render: Any) -> None:
    out = render(brief(SUMMARY))
    assert out.count(SUMMARY) == 1
    assert "policy or legislation" in out and "Closure due in May." in out
    assert "dock site not yet known" in out and "according to Ilse Brandt" in out


@pytest.mark.parametrize("render", [as_text, as_markdown])
def test_a_headline_of_its_own_keeps_the_summary_under_it(render: Any) -> None:
    out = render(brief("Pier to close"))
    assert out.splitlines()[0].endswith("Pier to close")
    assert out.count(SUMMARY) == 1
    assert out.index("Pier to close") < out.index(SUMMARY)


# Terminal control sequences an article can carry: a window title (OSC … BEL), a screen
# clear (CSI 2J), the 8-bit CSI, a backspace, and a right-to-left override.
TITLE, CLEAR, CSI8, RLO = "\x1b]0;pwned\x07", "\x1b[2J", "\x9b2J", "\u202e"
CONTROLS = ("\x1b", "\x07", "\x9b", "\x08", "\r", RLO)


def hostile_brief(hostile: bool = True) -> Brief:
    """A brief with control sequences in every kind of field (or, as a control, none)."""
    title, clear, csi8, rlo, bs, crlf = (
        (TITLE, CLEAR, CSI8, RLO, "\x08", "\r\n") if hostile else ("", "", "", "", "", " ")
    )
    data: dict[str, Any] = {
        "headline": f"Pier{title} to close{clear}",
        "event": {
            "summary": f"The council{crlf}voted{csi8} to close the pier.",
            "category": "policy_or_legislation",
            "when": f"Tuesday{clear}",
            "where": f"Velmora{title}",
            "evidence": [f"The council voted{title} on Tuesday."],
        },
        "actors": [
            {
                "name": f"Ilse{clear} Brandt",
                "kind": "person",
                "role": f"mayor{bs}{bs}{rlo}",
                "evidence": [],
            }
        ],
        "status": {"phase": "scheduled", "summary": f"Closure{title} due\nin May.", "evidence": []},
        "uncertainties": [
            {
                "claim": f"dock site{clear} not\tyet known",
                "basis": "unknown",
                "according_to": f"Ilse{title} Brandt",
                "evidence": [],
            }
        ],
    }
    return Brief.model_validate(data)


@pytest.mark.parametrize("render", [as_text, as_markdown])
def test_no_control_character_reaches_the_terminal(render: Any) -> None:
    out = render(hostile_brief())
    assert [c for c in out if c in CONTROLS] == []
    assert all(c == "\n" or c.isprintable() for c in out)
    # The text around a sequence stays, each field on its own line as before.
    assert "Pier]0;pwned to close[2J" in out.splitlines()[0]
    assert "The council voted2J to close the pier." in out  # CR LF became a space
    assert "Ilse[2J Brandt" in out and "dock site[2J not yet known" in out
    assert "Closure]0;pwned due in May." in out
    assert out.count("\n") == render(hostile_brief(hostile=False)).count("\n")


def test_markdown_quotes_evidence_without_controls() -> None:
    out = as_markdown(hostile_brief())
    assert "> “The council voted]0;pwned on Tuesday.”" in out.splitlines()


def test_json_escapes_every_control_and_parses_back_to_the_same_text() -> None:
    payload = hostile_brief().model_dump(mode="json")
    out = as_json(payload)
    assert [c for c in out if c in CONTROLS] == []
    assert json.loads(out) == payload  # escaped, not lost
    assert "\\u009b2J" in out and "\\u202e" in out and "\\u001b]0;pwned\\u0007" in out


# Any text at all, lone surrogates included (json.loads makes them from a model's
# "\ud800"), control characters and line breaks of every kind.
TRICKY = list("\x00\x07\x08\x1b\x7f\x85\x9b\r\n\t\u2028\u2029\u202e\u2066\ud800\udc00\ud83d\ude00")
# A list joined, not st.text: that one leaves surrogates out whatever its alphabet says.
ANY_TEXT = st.lists(
    st.one_of(st.characters(codec=None, exclude_categories=()), st.sampled_from(TRICKY)),
    max_size=60,
).map("".join)


def as_json_reads_it(value: str) -> str:
    # A surrogate pair held as two code points reads back as the one character it encodes.
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(value=ANY_TEXT)
def test_shown_text_is_one_printable_line_of_utf8(value: str) -> None:
    out = shown(value)
    out.encode("utf-8")  # printable on any UTF-8 terminal: no lone surrogate
    assert "\n" not in out
    assert not [c for c in out if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
    assert not [c for c in out if "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(value=ANY_TEXT)
def test_json_is_utf8_and_parses_back_to_the_same_text(value: str) -> None:
    out = as_json({"headline": value})
    out.encode("utf-8")
    assert json.loads(out) == {"headline": as_json_reads_it(value)}
    assert not [c for c in out if unicodedata.category(c) in ("Cs", "Zl", "Zp")]
    assert not [c for c in out if unicodedata.category(c) == "Cc" and c != "\n"]
