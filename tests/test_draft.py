"""From the model's draft to the public brief: what the code fills in itself."""

from __future__ import annotations

from drafts import ARTICLE, SENTENCES, draft
from fakeopenai import FakeOpenAI, reply_json
from test_faults import KEY

import summarizer
from summarizer._draft import Draft, naming_sentences, to_brief


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
    first = answer["uncertainties"][0]
    answer["uncertainties"] = [
        first,
        {
            **first,
            "according_to": "the council",
            "claim": " where the FERRIES will dock is not known",
        },
        {**first, "evidence": [3], "claim": "How long the closure lasts is an estimate"},
    ]
    with FakeOpenAI([reply_json(answer)], max_requests=2, lifetime_s=10.0) as srv:
        result = summarizer.summarize_detailed(
            ARTICLE, backend="openai", base_url=srv.base_url, api_key=KEY
        )
    claims = [u.claim for u in result.brief.uncertainties]
    assert claims == [first["claim"], "How long the closure lasts is an estimate"]
    assert result.meta.repairs == [
        "uncertainties.1: dropped repeated claim 'where the FERRIES will dock is not known'"
    ]
