"""The brief's own words say nothing the article does not (issue 14): names, figures, dates
and scripts in `when`, the summaries and the roles are checked against the article, and
what fails is repaired (or, with nothing to rebuild from, re-asked), each change recorded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, reply_json

import summarizer
from summarizer._result import Result
from summarizer._text._prose import Vocabulary, problems
from summarizer._text._sentences import clip

ARTICLE = (
    "PORT ELSWICK, Tuesday - Dockworkers in Seravia walked out on Tuesday over pay, "
    "halting three ferries. "
    "Union leader Mara Quell said 1,200 members had joined the strike. "
    "The port authority said talks may resume next week."
)


def answer(
    summary: str = "Dockworkers in Seravia walked out over pay.",
    when: str | None = "Tuesday",
    latest: str = "Union leader Mara Quell said members joined the strike.",
    role: str = "union leader",
) -> dict[str, Any]:
    return {
        "event": {"summary": summary, "category": "strike", "when": when, "where": "Seravia"},
        "actors": [{"name": "Mara Quell", "kind": "person", "role": role}],
        "status": {"latest": latest, "phase": "ongoing"},
        "uncertainties": [{"evidence": [3]}],
    }


def brief(*script: dict[str, Any]) -> tuple[Result, FakeOpenAI]:
    with FakeOpenAI([reply_json(a) for a in script]) as srv:
        result = summarizer.summarize_detailed(
            ARTICLE, backend="openai", base_url=srv.base_url, model="m", api_key="k"
        )
    return result, srv


# --- the check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seravia dockworkers strike", []),
        (
            "Serbia dockworkers strike",
            ["'Serbia' is not in the article; the article says 'Seravia'"],
        ),
        ("2023-04-10", ["the figure '2023'", "the figure '04'", "the figure '10'"]),
        ("on Tuesday", []),
        ("Three ferries halted; 1,200 members out", []),
        ("Four ferries halted", ["the figure 'Four'"]),
        ("1200 members", []),
        ("Seravian dockworkers", []),  # an inflection of an article name
        ("Dockworkers strike in Lisbon", ["'Lisbon' is not in the article"]),
        ("the union raised it with管理.", ["'管理.' is in a script the article does not use"]),
        ("Unions strike", []),  # first word of a sentence: stem of an article word
        ("Police arrive", ["'Police' is not in the article"]),
    ],
)
def test_names_figures_and_scripts_must_be_the_articles(text: str, expected: list[str]) -> None:
    found = [p.message() for p in problems(text, Vocabulary(ARTICLE))]
    assert len(found) == len(expected), found
    for message, start in zip(found, expected, strict=True):
        assert message.startswith(start)


def test_a_printed_date_may_be_written_in_digits() -> None:
    vocab = Vocabulary("Wednesday, March 4, 2025 - The port reopened.")
    assert problems("2025-03-04", vocab) == []
    assert [p.word for p in problems("2025-05-04", vocab)] == ["05"]


# --- repairs in the pipeline ------------------------------------------------------------


def test_an_invented_date_is_dropped_without_a_reask() -> None:
    result, srv = brief(answer(when="2023-04-10"))
    assert len(srv.chat_requests) == result.meta.attempts == 1
    assert result.brief.event.when is None
    assert [r.line() for r in result.meta.repairs] == [
        "event.when: dropped '2023-04-10' (the figure '2023' is not in the article: "
        "use only its figures)"
    ]
    repair = result.meta.repairs[0]
    assert (repair.kind, repair.before, repair.after) == ("ungrounded_figure", "2023-04-10", None)


def test_a_misspelled_country_is_rebuilt_from_the_sentence_it_rewords() -> None:
    result, _ = brief(answer(summary="Dockworkers in Serbia walked out over pay."))
    b = result.brief
    assert (
        b.event.summary
        == b.headline
        == (
            "PORT ELSWICK, Tuesday - Dockworkers in Seravia walked out on Tuesday over pay, "
            "halting three ferries."
        )
    )
    assert "Serbia" not in json.dumps(b.model_dump(mode="json"))
    assert [r.line() for r in result.meta.repairs] == [
        "event.summary: rebuilt from sentence 1 ('Serbia' is not in the article; the "
        "article says 'Seravia': use the article's names)"
    ]
    assert result.meta.repairs[0].kind == "ungrounded_name"


def test_a_word_in_another_script_is_removed_from_the_status() -> None:
    result, _ = brief(answer(latest="Union leader Mara Quell said members joined管理."))
    assert result.brief.status.summary == "Union leader Mara Quell said members joined."
    assert result.meta.repairs[0].line().startswith("status: removed '管理.'")
    assert result.meta.repairs[0].kind == "foreign_script"


def test_a_role_with_an_invented_name_becomes_the_actors_kind() -> None:
    result, _ = brief(answer(role="leader of the Lisbon union"))
    assert result.brief.actors[0].role == "person"
    assert [r.line() for r in result.meta.repairs] == [
        "actors.0.role: 'leader of the Lisbon union' replaced by the actor's kind"
    ]
    repair = result.meta.repairs[0]
    assert (repair.kind, repair.before, repair.after) == (
        "ungrounded_name",
        "leader of the Lisbon union",
        "person",
    )


def test_with_nothing_to_rebuild_from_the_model_is_asked_again_with_the_articles_form() -> None:
    # No article sentence shares a word with this summary, so only a re-ask can fix it.
    result, srv = brief(answer(summary="Serbia acts."), answer())
    assert result.meta.attempts == 2 and result.meta.repairs == []
    reask = srv.chat_requests[1].json
    assert isinstance(reask, dict)
    problem = reask["messages"][-1]["content"]
    assert "'Serbia' is not in the article; the article says 'Seravia'" in problem


# --- readable claims ----------------------------------------------------------------------


def test_a_long_claim_is_the_clause_with_its_hedge_marked_as_cut() -> None:
    sentence = (
        "The ministry said on Monday, in a statement issued after a long cabinet meeting "
        "that ran late into the evening and covered many other matters of state, that the "
        "number of people affected may be far higher than first reported, possibly several "
        "thousand, although officials said no reliable count was yet available from the "
        "districts."
    )
    assert len(sentence) > 300
    cut = clip(sentence, keep=sentence.index("may"))
    assert cut.startswith("…that the number of people affected may be")
    assert len(cut) <= 300
    assert cut.strip("…") in sentence


def test_a_claim_that_fits_is_whole() -> None:
    assert clip("Talks may resume next week.") == "Talks may resume next week."


def test_an_answer_whose_actors_are_not_a_list_is_reasked_not_a_crash() -> None:
    broken = answer(when="2023-04-10")
    broken["actors"] = 2
    result, srv = brief(broken, answer())
    assert result.meta.attempts == 2
    assert len(srv.chat_requests) == 2
