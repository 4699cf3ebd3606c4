"""Evidence positions and the HTML report, without a browser (see test_report_browser.py).

Positions: each quote of a brief is `article[start:end]` of its span, taken where the
quote is made. The page: every piece of untrusted text lands escaped, as text.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import vcr
from conftest import CASSETTES, example
from drafts import VALID
from hypothesis import given
from hypothesis import strategies as st

import summarizer
from summarizer._config import LOCAL_MODEL
from summarizer._errors import InputError
from summarizer._output import _html
from summarizer._output._html import as_html
from summarizer._pipeline._context import article_context
from summarizer._pipeline._draft import Draft, cite
from summarizer._problems import Repair
from summarizer._result import Evidence, Meta, Result, Span
from summarizer._text._sentences import MAX_QUOTE, locate_sentences, split_sentences
from summarizer.schemas import Brief

RANSOMWARE = (
    CASSETTES / "test_briefs" / "test_injection_inside_a_quote_does_not_steer_the_brief.yaml"
)


def recorded_ransomware() -> tuple[Result, str]:
    """The example ransomware article's brief, replayed from test_briefs' cassette."""
    article = example("ransomware_hospital")
    replay = vcr.VCR(match_on=["method", "path", "body"], record_mode="none")
    with replay.use_cassette(str(RANSOMWARE)):
        result = summarizer.summarize_detailed(
            article,
            backend="openai",
            base_url="http://127.0.0.1:9/v1",
            model=LOCAL_MODEL,
            llama_grammar=True,
        )
    return result, article


def field_quotes(brief: Brief) -> dict[str, list[str]]:
    """Each field path's quotes, as Evidence names them."""
    out = {"event": brief.event.evidence, "status": brief.status.evidence}
    out |= {f"actors[{i}]": a.evidence for i, a in enumerate(brief.actors)}
    out |= {f"uncertainties[{i}]": u.evidence for i, u in enumerate(brief.uncertainties)}
    return {k: v for k, v in out.items() if v}


@given(st.text(alphabet=st.sampled_from(list("ab .!?\"')\n\r\x85\u2028 \tAZ9")), max_size=80))
def test_every_sentence_is_the_article_text_at_its_offsets(article: str) -> None:
    located = locate_sentences(article)
    assert [s.text for s in located] == split_sentences(article)
    assert all(article[s.start : s.end] == s.text for s in located)
    assert all(a.end <= b.start for a, b in itertools.pairwise(located))


def test_the_recorded_brief_carries_the_position_of_every_quote() -> None:
    result, article = recorded_ransomware()
    quotes = field_quotes(result.brief)
    assert set(result.evidence.root) == set(quotes)
    for path, spans in result.evidence.root.items():
        assert [article[s.start : s.end] for s in spans] == quotes[path]
    # The first actor's sentence is longer than a quote may be: its span shows the cut.
    (cut,) = result.evidence.of("actors[0]")
    assert cut.clipped and cut.end - cut.start <= MAX_QUOTE
    sentence = next(s for s in locate_sentences(article) if s.start == cut.start)
    assert sentence.end > cut.end
    others = [s for p, spans in result.evidence.root.items() if p != "actors[0]" for s in spans]
    assert not any(s.clipped for s in others)
    # JSON for --meta and other tools: plain offsets.
    dumped = result.evidence.model_dump(mode="json")
    assert dumped["event"] == [{"start": 0, "end": 69, "clipped": False}]


def test_a_quote_that_occurs_twice_is_placed_at_the_sentence_it_was_cut_from() -> None:
    # Sentence 1 and 3 are the same words: the uncertainty cites 3, not the first match.
    article = "It is not yet known who won. The count went on. It is not yet known who won."
    answer: dict[str, Any] = {**VALID, "uncertainties": [{"evidence": [3]}]}
    answer["actors"] = [{"name": "Ilse Brandt", "kind": "person", "role": "mayor"}]
    draft = Draft.model_validate(answer)
    _, evidence = cite(draft, article_context(article + " Ilse Brandt spoke."))
    assert evidence.of("uncertainties[0]") == [Span(start=48, end=76)]


# --- the page ---------------------------------------------------------------------------

HOSTILE = [
    "<script>window.__pwned = 'script'; document.title = 'pwned'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<a href=\"javascript:window.__pwned = 'link'\">read more</a>",
    "</textarea><script>window.__pwned = 'textarea'</script>",
    "</script><script>window.__pwned = 'breakout'</script>",
    "\"'><svg onload=\"window.__pwned = 'attr'\">",
]
HOSTILE_ARTICLE = (
    "Mayor Ilse Brandt closed the pier on Monday. "
    + " ".join(f"Text {h} was found on the site." for h in HOSTILE)
    + " It is not yet known who wrote it.\nMore: {{ 7*7 }} {% if x %}."
)


def hostile_result() -> tuple[Result, str]:
    """A result whose every field and the article itself carry markup that would run."""
    article = HOSTILE_ARTICLE
    located = locate_sentences(article)
    spans = {s.text: Span(start=s.start, end=s.end) for s in located}
    quotes = [s.text for s in located]
    evil = " ".join(HOSTILE)
    data: dict[str, Any] = {
        "headline": f"Pier closed {HOSTILE[0]}",
        "event": {
            "summary": f"Pier {HOSTILE[3]}",
            "category": "crime",
            "when": HOSTILE[4],
            "where": HOSTILE[1],
            "evidence": [quotes[0]],
        },
        "actors": [
            {"name": "Ilse Brandt", "kind": "person", "role": evil[:300], "evidence": [quotes[0]]},
            {"name": f"X {HOSTILE[5]}"[:120], "kind": "other", "role": "r", "evidence": []},
        ],
        "status": {"phase": "developing", "summary": HOSTILE[2], "evidence": quotes[1:3]},
        "uncertainties": [
            {
                "claim": quotes[-2],
                "basis": "unknown",
                "according_to": HOSTILE[1],
                "evidence": [quotes[-2]],
            }
        ],
    }
    brief = Brief.model_validate(data)
    evidence = Evidence(
        {
            "event": [spans[quotes[0]]],
            "actors[0]": [spans[quotes[0]]],
            "status": [spans[q] for q in quotes[1:3]],
            "uncertainties[0]": [spans[quotes[-2]]],
        }
    )
    meta = Meta(
        model=HOSTILE[0],
        backend="openai",
        prompt_version=HOSTILE[4],
        schema_version="1.0",
        attempts=1,
        repairs=[
            Repair(
                kind="copies_flagged",
                field="status.latest",
                before=HOSTILE[2],
                after=HOSTILE[0],
                message=HOSTILE[1],
            )
        ],
        warnings=[HOSTILE[3]],
    )
    return Result(brief=brief, meta=meta, evidence=evidence), article


class Elements(HTMLParser):
    """Every element and attribute the page really has, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parsed(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def test_markup_in_the_article_and_the_brief_is_text_not_elements() -> None:
    result, article = hostile_result()
    page = as_html(result, article)
    found = parsed(page)
    tags = {tag for tag, _ in found.tags}
    assert not tags & {"img", "a", "svg", "textarea", "iframe", "object", "link", "base"}
    assert [tag for tag, _ in found.tags].count("script") == 1
    attrs = [name for _, a in found.tags for name in a]
    assert not [name for name in attrs if name.startswith("on")]
    assert not [name for name in attrs if name in ("src", "href", "action", "style")]
    assert found.scripts == [_html._SCRIPT]
    assert shown_article(page) == article


def shown_article(page: str) -> str:
    """The article's text as the page shows it: its text block without the page's own tags."""
    block = re.search(r'<div class="text">(.*?)</div>', page, re.DOTALL)
    assert block is not None
    return html.unescape(re.sub(r"</?(?:mark|em)\b[^>]*>", "", block.group(1)))


def test_the_page_needs_no_network_and_runs_only_its_own_script() -> None:
    result, article = recorded_ransomware()
    page = as_html(result, article)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None and "default-src 'none'" in csp.group(1)
    digest = base64.b64encode(hashlib.sha256(_html._SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp.group(1)
    assert f"<script>{_html._SCRIPT}</script>" in page
    assert not re.search(r"https?://|@import|url\(", page)


def test_the_page_marks_each_cited_span_once_and_names_who_cites_it() -> None:
    result, article = recorded_ransomware()
    page = as_html(result, article)
    marks = [a for tag, a in parsed(page).tags if tag == "mark" and "data-items" in a]
    spans = [s for spans in result.evidence.root.values() for s in spans]
    assert len(marks) == len({(s.start, s.end) for s in spans})
    # A sentence two items cite is one mark naming both.
    assert sum(len((m["data-items"] or "").split()) for m in marks) == len(spans)
    assert sum("cut" in (m["data-badge"] or "") for m in marks) == 1
    assert shown_article(page) == article


def test_evidence_from_another_article_is_refused_with_what_to_do() -> None:
    result, article = recorded_ransomware()
    with pytest.raises(InputError, match="render the report with the article text"):
        as_html(result, " " + article)


def test_brief_format_html_writes_the_report_of_the_article_read(tmp_path: Path) -> None:
    from drafts import ARTICLE, draft
    from fakeopenai import FakeOpenAI, reply_json

    from summarizer._cli import main

    source = tmp_path / "a.txt"
    source.write_text(ARTICLE + "\n\n", encoding="utf-8")  # trailing lines: cleaned off
    page_file = tmp_path / "a.html"
    with FakeOpenAI([reply_json(draft())], max_requests=3, lifetime_s=30.0) as srv:
        args = ["--backend", "openai", "--base-url", srv.base_url, "-m", "fake-model"]
        code = main(["brief", str(source), "--format", "html", "-o", str(page_file), *args])
    assert code == 0
    page = page_file.read_text(encoding="utf-8")
    assert shown_article(page) == ARTICLE
    marks = [a for tag, a in parsed(page).tags if tag == "mark" and "data-items" in a]
    cited = {item for m in marks for item in (m["data-items"] or "").split()}
    assert cited == {"event", "a1", "a2", "status", "u1"}
