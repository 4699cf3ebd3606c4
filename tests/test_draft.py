"""From the model's draft to the public brief: what the code fills in itself."""

from __future__ import annotations

import pytest
from drafts import ACTORS, ARTICLE, SENTENCES, VALID, draft
from fakeopenai import FakeOpenAI, reply_json
from pydantic import ValidationError
from test_faults import KEY, answer, assert_good_brief, messages, run, serve

import summarizer
from summarizer._pipeline._context import article_context, as_pydantic
from summarizer._pipeline._draft import Draft, naming_sentences, to_brief
from summarizer._text._attribution import source
from summarizer._text._sentences import closest_sentence
from summarizer.schemas import Brief, name_in_article
from summarizer.schemas._text import normalize

CTX = article_context(ARTICLE)
CONTEXT = as_pydantic(CTX)


def _brief(actors: list[str]) -> dict[str, object]:
    parsed = Draft.model_validate(draft(actors), context=CONTEXT)
    return to_brief(parsed, CTX).model_dump()


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
    assert [r.line() for r in result.meta.repairs] == [
        "uncertainties.1: dropped repeated claim (sentence 4)"
    ]


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
    brief = to_brief(Draft.model_validate(answer, context=CONTEXT), CTX)
    first, second = brief.uncertainties
    assert (first.claim, second.claim) == (SENTENCES[3], SENTENCES[1])
    assert (first.basis, first.according_to) == ("unknown", None)
    # Sentence 2 has no hedging word: a plain statement reads as unconfirmed.
    assert (second.basis, second.according_to) == ("unconfirmed", "Ilse Brandt")


@pytest.mark.parametrize(
    ("sentence", "names", "according_to"),
    [
        ("The U.S. said it would act.", ["U.S."], "U.S."),  # "\\b" needs a letter after "."
        ("Goïta said the vote would wait.", ["Assimi Goita"], "Assimi Goita"),  # accents
        ("According to Hamasaki, it went well.", ["Hamas"], None),
        ("Brandt, a lawyer, said so.", ["Bran", "Brandt"], "Brandt"),
    ],
)
def test_the_source_of_a_point_is_named_as_grounding_names_it(
    sentence: str, names: list[str], according_to: str | None
) -> None:
    assert source([sentence], names) == according_to


@pytest.mark.parametrize(
    ("article", "name", "found"),
    [
        ("Fans of Ayumi Hamasaki queued overnight.", "Hamas", False),
        ("Fans of Ayumi Hamasaki queued overnight.", "Hamasaki", True),
        ("Mayor Ilse Brandt spoke.", "Bran", False),
        ("Mayor Ilse Brandt spoke.", "Brandt", True),
        ("Mayor Ilse Bran\u00addt spoke.", "Bran", False),  # a soft hyphen inside the word
        ("Mayor Ilse Bran\u00addt spoke.", "Ilse Brandt", True),
        ("Oleksandr O\u02bcNeill spoke.", "O'Neill", True),  # modifier-letter apostrophe
        ("Mayor Ilse Brandt's office spoke.", "ILSE BRANDT", True),  # possessive after it
        ("Shares of AT&T fell.", "AT&T", True),
        ("Shares of AT&T fell.", "AT", False),  # "at" only: no identifying word
        ("a U.S.-led coalition", "U.S.", True),
        ("Councillor Siobhán O’Neill said", "O'Neill", True),  # curly apostrophe
        ("Captain Jean–Luc Picard", "Jean-Luc Picard", True),  # en dash for a hyphen
        ("Captain Jean-Luc Picard", "Luc Picard", True),  # a hyphen is a word boundary
        ("Abdoulaye Goïta was named", "Abdoulaye Goita", True),
        ("Kılıçdaroğlu said", "Kilicdaroglu", True),  # dotless i has no accent to drop
        ("Lech Wałęsa said", "Walesa", True),
        ("The G77 group met.", "G7", False),
        ("国家主席习近平周三在北京表示", "习近平", True),  # no spaces in Chinese
        ("東京で岸田首相が会見した", "岸田", True),
        ("트럼프는 말했다", "트럼프", True),  # a Korean particle attaches to the name
        ("प्रधानमंत्री नरेंद्र मोदी ने कहा", "नरेंद्र मोदी", True),
        ("प्रधानमंत्री नरेंद्र मोदी ने कहा", "नरेंद्र मोद", False),  # a vowel sign continues it
        ("The Harbor Council met.", "The", False),
        ("The Harbor Council met.", "of the", False),
        ("The Harbor Council met --- then left.", "---", False),
    ],
)
def test_names_match_whole_words_after_folding(article: str, name: str, found: bool) -> None:
    assert name_in_article(name, normalize(article)) is found


@pytest.mark.parametrize("name", ["Bran", "Velm", "Harbor Counc"])
def test_an_actor_that_is_part_of_a_word_is_not_named(name: str) -> None:
    with pytest.raises(ValidationError, match=f"actor '{name}' is not named in the article"):
        Draft.model_validate(draft([name]), context=CONTEXT)


@pytest.mark.parametrize("name", ["The", "---", "of the", "Mr."])
def test_an_actor_without_an_identifying_word_is_refused_with_what_to_do(name: str) -> None:
    message = f"actor '{name}' has no identifying word.*give the actor's name as the article"
    with pytest.raises(ValidationError, match=message):
        Draft.model_validate(draft([name]), context=CONTEXT)
    brief = to_brief(Draft.model_validate(VALID, context=CONTEXT), CTX)
    data = brief.model_dump(mode="json")
    data["actors"][0]["name"] = name
    with pytest.raises(ValidationError, match=message):
        Brief.model_validate(data)  # a shape rule: no article needed


def test_a_place_that_is_part_of_a_word_is_not_in_the_article() -> None:
    answer = draft()
    answer["event"]["where"] = "Velm"
    with pytest.raises(ValidationError, match="place 'Velm' is not in the article"):
        Draft.model_validate(answer, context=CONTEXT)


def test_a_partial_word_actor_among_named_ones_is_dropped_without_reask() -> None:
    with serve(answer(draft([*ACTORS, "Bran"])), answer(VALID)) as srv:
        result = run(srv)
    assert len(srv.chat_requests) == 1
    assert_good_brief(result)
    assert [r.line() for r in result.meta.repairs] == [
        "actors.2: dropped actor not named in the article: 'Bran'"
    ]


def test_a_stopword_only_actor_alone_is_reasked_with_the_reason() -> None:
    with serve(answer(draft(["The"])), answer(VALID)) as srv:
        result = run(srv)
    assert len(srv.chat_requests) == 2
    assert_good_brief(result)
    assert "'The' has no identifying word" in messages(srv, 1)[-1]["content"]
