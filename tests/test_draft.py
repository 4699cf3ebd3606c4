"""From the model's draft to the public brief: what the code fills in itself."""

from __future__ import annotations

from drafts import ACTORS, ARTICLE, SENTENCES, draft
from fakeopenai import FakeOpenAI, reply_json
from test_faults import KEY

import summarizer
from summarizer._draft import Draft, naming_sentences, to_brief
from summarizer._sentences import closest_sentence


def _brief(actors: list[str]) -> dict[str, object]:
    context = {"article": ARTICLE, "sentences": SENTENCES}
    parsed = Draft.model_validate(draft(actors), context=context)
    return to_brief(parsed, SENTENCES, ARTICLE).model_dump()


def test_an_actor_is_evidenced_by_the_first_sentence_that_names_it() -> None:
    brief = _brief(["Ilse Brandt", "Harbor Council of Velmora", "Brandt"])
    evidence = {a["name"]: a["evidence"] for a in brief["actors"]}  # type: ignore[attr-defined]
    assert evidence == {
        "Ilse Brandt": [SENTENCES[1]],
        "Harbor Council of Velmora": [SENTENCES[0]],
        "Brandt": [SENTENCES[1]],
    }


def test_a_name_found_by_its_words_is_evidenced_where_they_all_occur() -> None:
    # Sentence 2 has "Mayor Ilse Brandt", not "Mayor Brandt"; "ferries" is only in 4.
    assert naming_sentences("Mayor Brandt", SENTENCES) == [2]
    assert naming_sentences("the ferries", SENTENCES) == [4]


def test_a_name_no_single_sentence_holds_gets_no_evidence() -> None:
    # Both words are in the article, in different sentences: grounded, but not quotable.
    assert naming_sentences("Velmora ferries", SENTENCES) == []
    brief = _brief(["Velmora ferries"])
    assert brief["actors"][0]["evidence"] == []  # type: ignore[index]


def test_an_uncertainty_repeating_an_earlier_claim_is_dropped_and_recorded() -> None:
    answer = draft()
    answer["uncertainties"] = [{"evidence": [4]}, {"evidence": [4, 3]}, {"evidence": [3, 4]}]
    with FakeOpenAI([reply_json(answer)], max_requests=2, lifetime_s=10.0) as srv:
        result = summarizer.summarize_detailed(
            ARTICLE, backend="openai", base_url=srv.base_url, api_key=KEY
        )
    # The claim is the first cited sentence: the second item would say the first's again.
    claims = [u.claim for u in result.brief.uncertainties]
    assert claims == [SENTENCES[3], SENTENCES[2]]
    assert result.brief.uncertainties[1].evidence == [SENTENCES[2], SENTENCES[3]]
    assert result.meta.repairs == ["uncertainties.1: dropped repeated claim (sentence 4)"]


def test_event_and_status_cite_the_sentence_their_summary_rewords() -> None:
    assert closest_sentence("Mayor Brandt calls the pier unsafe", SENTENCES) == [2]
    assert closest_sentence("Nobody knows yet where ferries dock", SENTENCES) == [4]
    assert closest_sentence("Unrelated words entirely", SENTENCES) == []
    brief = _brief(ACTORS)
    assert brief["headline"] == brief["event"]["summary"]  # type: ignore[index]
    assert brief["event"]["evidence"] == [SENTENCES[0]]  # type: ignore[index]
    assert brief["status"]["evidence"] == [SENTENCES[2]]  # type: ignore[index]


def test_basis_and_source_of_an_uncertainty_come_from_its_cited_sentences() -> None:
    answer = draft()
    answer["uncertainties"].append({"evidence": [2]})
    context = {"article": ARTICLE, "sentences": SENTENCES}
    brief = to_brief(Draft.model_validate(answer, context=context), SENTENCES, ARTICLE)
    first, second = brief.uncertainties
    assert (first.claim, second.claim) == (SENTENCES[3], SENTENCES[1])
    assert (first.basis, first.according_to) == ("unknown", None)
    # Sentence 2 has no hedging word: a plain statement reads as unconfirmed.
    assert (second.basis, second.according_to) == ("unconfirmed", "Ilse Brandt")
