"""`summarizer diff`: a story and its update a day later, briefed through the fake server.

The two articles are written for this test (original text). Known changes: the phase
moves on (scheduled → ongoing); Tomas Keller is new, Ilse Brandt is gone, the council
is in both; the cost stays open (reworded), where the ferries dock is settled (no
longer reported), and damage under the deck is newly raised.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, reply_json
from test_report import HOSTILE, parsed

from summarizer._cli import main
from summarizer._output._diff import (
    BriefDiff,
    Version,
    compare,
    same_actor,
    same_point,
    version_from_json,
)
from summarizer._output._diff_html import as_diff_html
from summarizer._output._diff_render import as_diff_markdown, as_diff_text
from summarizer._result import Evidence
from summarizer.schemas import Brief

OLD_SENTENCES = [
    "The Harbor Council of Velmora voted on Tuesday to close the old ferry pier for repairs.",
    "Mayor Ilse Brandt said the pier had become unsafe after the winter storms.",
    "It is not yet known where the ferries will dock during the work.",
    "The cost of the repairs has not yet been disclosed.",
]
NEW_SENTENCES = [
    "The old ferry pier in Velmora closed on Wednesday after the Harbor Council of Velmora "
    "voted for repairs.",
    "Ferries now dock at the north quay, harbour master Tomas Keller said.",
    "The cost of the repairs has still not been disclosed by the council.",
    "Engineers may find more damage under the deck, Keller warned.",
]
OLD_ARTICLE = " ".join(OLD_SENTENCES)
NEW_ARTICLE = " ".join(NEW_SENTENCES)


def _answer(new: bool) -> dict[str, Any]:
    """The model's draft answer (sentences cited by number) for one of the two articles."""
    council = {"name": "Harbor Council of Velmora", "kind": "government", "role": "voted"}
    if not new:
        return {
            "event": {
                "summary": "The Harbor Council of Velmora voted to close the old ferry pier.",
                "category": "policy",
                "when": "Tuesday",
                "where": "Velmora",
            },
            "actors": [council, {"name": "Ilse Brandt", "kind": "person", "role": "mayor"}],
            "status": {"latest": "The pier will close for repairs.", "phase": "scheduled"},
            "uncertainties": [{"evidence": [3]}, {"evidence": [4]}],
        }
    return {
        "event": {
            "summary": "The old ferry pier in Velmora closed for repairs.",
            "category": "policy",
            "when": "Wednesday",
            "where": "Velmora",
        },
        "actors": [council, {"name": "Tomas Keller", "kind": "person", "role": "harbour master"}],
        "status": {"latest": "Ferries now dock at the north quay.", "phase": "ongoing"},
        "uncertainties": [{"evidence": [3]}, {"evidence": [4]}],
    }


def _model_args(base_url: str) -> list[str]:
    return ["--backend", "openai", "--base-url", base_url, "-m", "fake-model"]


@pytest.fixture(scope="module")
def briefs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_briefs(tmp_path_factory.mktemp("story"))


def story_diff(folder: Path) -> BriefDiff:
    """The diff of the two briefs, made in `folder` (for the browser test)."""
    made = make_briefs(folder)
    return compare(_version(made["old_meta"]), _version(made["new_meta"]))


def make_briefs(folder: Path) -> dict[str, Path]:
    """Both articles and their `brief --meta` files, made by the CLI against the fake server."""
    out: dict[str, Path] = {}
    for name, article, new in (("old", OLD_ARTICLE, False), ("new", NEW_ARTICLE, True)):
        path = folder / f"{name}.txt"
        path.write_text(article, encoding="utf-8")
        meta = folder / f"{name}.json"
        with FakeOpenAI([reply_json(_answer(new))], max_requests=3, lifetime_s=30.0) as srv:
            code = main(["brief", str(path), "--meta", "-o", str(meta), *_model_args(srv.base_url)])
        assert code == 0
        out[name], out[f"{name}_meta"] = path, meta
    return out


def _version(path: Path) -> Version:
    found = version_from_json(path.read_text(encoding="utf-8"), path.name)
    assert found is not None
    return found


def test_meta_json_carries_the_evidence_offsets(briefs: dict[str, Path]) -> None:
    payload = json.loads(briefs["old_meta"].read_text(encoding="utf-8"))
    assert set(payload) == {"brief", "meta", "evidence", "source"}
    start = OLD_ARTICLE.index(OLD_SENTENCES[3])
    assert payload["evidence"]["uncertainties[1]"] == [
        {"start": start, "end": start + len(OLD_SENTENCES[3]), "clipped": False}
    ]


def test_the_diff_of_a_story_and_its_update(briefs: dict[str, Path]) -> None:
    diff = compare(_version(briefs["old_meta"]), _version(briefs["new_meta"]))
    assert (diff.status_then.phase, diff.status_now.phase, diff.phase_changed) == (
        "scheduled", "ongoing", True,
    )  # fmt: skip
    assert [a.name for a in diff.actors_new] == ["Tomas Keller"]
    assert [a.name for a in diff.actors_gone] == ["Ilse Brandt"]
    assert [p.new.name for p in diff.actors_kept] == ["Harbor Council of Velmora"]
    ((old, new),) = [(p.old.claim, p.new.claim) for p in diff.still_open]
    assert (old, new) == (OLD_SENTENCES[3], NEW_SENTENCES[2])
    assert [u.claim for u in diff.raised] == [NEW_SENTENCES[3]]
    assert [u.claim for u in diff.no_longer_reported] == [OLD_SENTENCES[2]]
    # Each item keeps its own article's quote and where it is in that article.
    (quote,) = diff.raised[0].evidence
    assert NEW_ARTICLE[quote.start or 0 : quote.end] == NEW_SENTENCES[3]
    (quote,) = diff.no_longer_reported[0].evidence
    assert OLD_ARTICLE[quote.start or 0 : quote.end] == OLD_SENTENCES[2]

    text = as_diff_text(diff)
    assert "Phase: scheduled → ongoing" in text
    assert "  + Tomas Keller (person): harbour master" in text
    assert f"  + newly raised: {NEW_SENTENCES[3]} [speculative" in text
    assert f"  - no longer reported: {OLD_SENTENCES[2]} [unknown]" in text
    markdown = as_diff_markdown(diff)
    assert f"- **Still open:** {NEW_SENTENCES[2]}" in markdown
    assert "- **Gone:** Ilse Brandt (person): mayor" in markdown


def test_diff_command_briefs_articles_and_reads_meta_files(
    briefs: dict[str, Path], tmp_path: Path
) -> None:
    # An article is briefed first (one request); the other side is a --meta file (none).
    with FakeOpenAI([reply_json(_answer(True))], max_requests=3, lifetime_s=30.0) as srv:
        out = tmp_path / "diff.json"
        args = [str(briefs["old_meta"]), str(briefs["new"]), "-o", str(out)]
        code = main(["diff", *args, *_model_args(srv.base_url)])
        assert code == 0
        assert len(srv.chat_requests) == 1
        assert main(["diff", *args, *_model_args(srv.base_url)]) == 0
        assert len(srv.chat_requests) == 1  # the article's brief came from the cache
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["phase_changed"] is True
    assert [u["claim"] for u in payload["raised"]] == [NEW_SENTENCES[3]]
    assert payload["new_label"] == str(briefs["new"])


def test_diff_command_refuses_json_that_is_not_a_brief(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"brief": {"headline": 3}}', encoding="utf-8")
    assert main(["diff", str(bad), str(bad), "--backend", "openai", "-m", "m"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"summarizer: error: {bad} is JSON but not a brief (")
    assert err.count("\n") == 1


def test_actors_match_by_the_grounding_name_rules() -> None:
    assert same_actor("Ilse Brandt", "Mayor Ilse Brandt") == 0.5
    assert same_actor("Kılıçdaroğlu", "KILICDAROGLU") == 1.0
    assert same_actor("Brandt", "Ilse Brandt") == 0.5
    assert same_actor("Ilse Brandt", "Ilse Berg") == 0.0


def test_uncertainties_match_on_what_they_are_about_not_on_hedge_words() -> None:
    brief = Brief.model_validate(_brief_with(["It is not yet known who set the fire."]))
    (u,) = compare(_plain(brief), _plain(brief)).still_open
    assert u.score == 1.0  # the same quote
    a = _uncertain("It is not yet known who set the fire.")
    b = _uncertain("It is still unclear who started the fire, police said.")
    c = _uncertain("It is not yet known how many ferries will run.")
    assert same_point(a, b) >= 0.4 > same_point(a, c)


def _brief_with(claims: list[str]) -> dict[str, Any]:
    quote = "Ilse Brandt spoke."
    return {
        "headline": "h",
        "event": {"summary": "s", "category": "other", "when": None, "where": None,
                  "evidence": [quote]},
        "actors": [{"name": "Ilse Brandt", "kind": "person", "role": "r", "evidence": [quote]}],
        "status": {"phase": "developing", "summary": "s", "evidence": []},
        "uncertainties": [
            {"claim": c, "basis": "unknown", "according_to": None, "evidence": [c]} for c in claims
        ],
    }  # fmt: skip


def _plain(brief: Brief) -> Version:
    return Version(brief, Evidence(), "x")


def _uncertain(claim: str) -> Any:
    brief = Brief.model_validate(_brief_with([claim]))
    return (
        compare(_plain(brief), _plain(brief)).still_open[0].new.model_copy(update={"evidence": []})
    )


def test_the_diff_page_escapes_everything_and_has_no_script() -> None:
    evil = " ".join(HOSTILE)
    data = _brief_with([HOSTILE[0], HOSTILE[3][:300]])
    data["headline"] = f"Pier {HOSTILE[4]}"
    data["actors"][0]["role"] = evil[:300]
    data["status"]["summary"] = HOSTILE[2]
    old = Version(Brief.model_validate(data), Evidence(), f"old {HOSTILE[1]}")
    data = _brief_with([HOSTILE[5]])
    data["actors"] = [{"name": "X <b>Keller</b>", "kind": "person", "role": "r", "evidence": []}]
    new = Version(Brief.model_validate(data), Evidence(), "new")
    page = as_diff_html(compare(old, new))
    found = parsed(page)
    tags = {tag for tag, _ in found.tags}
    assert not tags & {"script", "img", "a", "svg", "textarea", "iframe", "base", "link"}
    attrs = [name for _, a in found.tags for name in a]
    assert not [name for name in attrs if name.startswith("on") or name in ("src", "href")]
    assert "default-src 'none'" in page and "script-src" not in page
    assert not re.search(r"https?://|@import|url\(", page)
    for h in HOSTILE:
        assert h not in page  # only its escaped form is there
