"""Problems and repairs are typed records, and `eval` counts their kinds, never their words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from drafts import ACTORS, ARTICLE, SENTENCES, VALID, draft
from fakeopenai import FakeOpenAI, reply_json
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from summarizer._cli import main
from summarizer._evaluation._figures import grounding_failures, problem_kinds
from summarizer._pipeline import _draft, _repair
from summarizer._pipeline._context import article_context, as_pydantic
from summarizer._pipeline._draft import Draft
from summarizer._pipeline._request import format_errors
from summarizer._problems import KINDS, Kind, Repair
from summarizer._text._prose import ProseProblem

GOLD = {
    "categories": ["policy_or_legislation"],
    "phases": ["developing"],
    "actors": [{"name": "Ilse Brandt", "aliases": [], "required": True}],
    "uncertainties": [],
    "absent": [],
}


def _problems(answer: dict[str, Any]) -> list[tuple[str, str, object]]:
    with pytest.raises(ValidationError) as caught:
        Draft.model_validate(answer, context=as_pydantic(article_context(ARTICLE)))
    return [(p.kind, p.field, p.value) for p in format_errors(caught.value)]


def test_each_grounding_check_names_its_kind() -> None:
    answer = draft(["Konrad Vesh"])
    answer["event"]["where"] = "Velm"
    answer["event"]["when"] = "in 2031"
    answer["uncertainties"] = [{"evidence": [99]}]
    answer["status"]["phase"] = "paused"
    assert sorted(_problems(answer)) == [
        ("missing_sentence", "uncertainties.0.evidence", [99]),
        ("ungrounded_figure", "event.when", "in 2031"),
        ("unknown_label", "status.phase", "paused"),
        ("unknown_place", "event.where", "Velm"),
        ("unnamed_actor", "actors.0.name", "Konrad Vesh"),
    ]
    assert _problems(draft([*ACTORS, ACTORS[0]])) == [("repeated_actor", "answer", None)]
    assert _problems(draft(["The"])) == [("vague_actor", "actors.0.name", "The")]
    no_status = {k: v for k, v in VALID.items() if k != "status"}
    assert _problems(no_status) == [("schema", "status", None)]


def test_a_message_quoting_braces_is_not_formatted_as_a_template() -> None:
    # The model's words are data: "{message}" in a name must come back as written.
    name = "Vesh {message} {value}"
    problem = _draft.problem("unnamed_actor", f"actor {name!r} is not named")
    assert str(problem) == f"actor {name!r} is not named"
    (kind, _, value), *_ = _problems(draft([name]))
    assert (kind, value) == ("unnamed_actor", name)


def test_a_caller_passing_only_the_article_gets_the_grounding_checks() -> None:
    context: dict[str, Any] = {"article": ARTICLE}
    with pytest.raises(ValidationError, match="actor 'Konrad Vesh' is not named"):
        Draft.model_validate(draft(["Konrad Vesh"]), context=context)
    ctx = article_context(ARTICLE)
    assert ctx.sentences == tuple(SENTENCES) and ctx.normalized
    Draft.model_validate(VALID)  # no context: the shape alone is checked


# --- eval counts kinds ---------------------------------------------------------------------


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for name in ("repaired", "reasked"):
        (folder / f"{name}.txt").write_text(ARTICLE)
        (folder / f"{name}.gold.json").write_text(json.dumps({**GOLD, "id": name}))
    return folder


def _repairable() -> dict[str, Any]:
    # One of each repair eval counts: an invented actor beside named ones, a citation
    # of a missing sentence, an invented place part, an invented date.
    answer = draft([*ACTORS, "Port Authority of Dunmore"])
    answer["event"]["where"] = "Velmora, Denmark"
    answer["event"]["when"] = "2031"
    answer["uncertainties"] = [{"evidence": [4, 99]}]
    return answer


def _eval(tmp_path: Path, out: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    script = [reply_json(_repairable()), reply_json(draft(["Konrad Vesh"])), reply_json(VALID)]
    with FakeOpenAI(script) as srv:
        code = main(
            ["eval", str(_corpus(tmp_path)), "--out-dir", str(tmp_path / out), "--json",
             "--backend", "openai", "--base-url", srv.base_url, "-m", "fake", "--max-answers", "2"]
        )  # fmt: skip
    assert code == 0
    summary: dict[str, Any] = json.loads(capsys.readouterr().out)["summary"]
    return summary


def _messages(folder: Path) -> list[str]:
    metas = [json.loads(p.read_text())["meta"] for p in sorted(folder.glob("*.json"))]
    found = [r["message"] for m in metas for r in m["repairs"]]
    return found + [p["message"] for m in metas for r in m["validation_errors"] for p in r]


def test_rewording_every_message_changes_no_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _eval(tmp_path, "plain", capsys)
    # A repaired problem counts as met (the answer's problem) and as repaired, as before
    # kinds; the re-asked invented actor adds one more.
    assert before["grounding_failures_before_final"] == {
        "actors": 3,
        "citations": 2,
        "places": 2,
        "prose": 2,
    }

    def reworded_problem(kind: Kind, message: str) -> PydanticCustomError:
        return PydanticCustomError(kind, f"reworded {len(message)}")

    def reworded_repair(**fields: Any) -> Repair:
        return Repair(**{**fields, "message": "reworded"})

    monkeypatch.setattr(_draft, "problem", reworded_problem)
    monkeypatch.setattr(_repair, "Repair", reworded_repair)
    monkeypatch.setattr(ProseProblem, "message", lambda self: "reworded")
    after = _eval(tmp_path, "reworded", capsys)
    timing = "median_latency_s"  # the one figure that is not a count
    assert {**after, timing: None} == {**before, timing: None}
    # The rewording took: no message of the second run says what the first run's did.
    plain, reworded = _messages(tmp_path / "plain"), _messages(tmp_path / "reworded")
    assert len(plain) == len(reworded) == 9  # 4 repairs, the 4 problems they fix, 1 more
    assert all(m.startswith("reworded") for m in reworded)
    assert not any(m.startswith("reworded") for m in plain)


def test_counts_come_from_kinds_not_messages() -> None:
    # Messages that the old substring matching counted, under kinds it must not count.
    not_counted = [
        ("schema", "actor X is not named in the article"),
        ("unknown_label", "sentence 9 does not exist"),
        ("repeated_claim", "place not in the article"),
    ]
    misleading = {
        "validation_errors": [[{"kind": k, "field": "f", "message": m} for k, m in not_counted]],
        "repairs": [
            {"kind": "unnamed_actor", "field": "actors.1", "message": ""},
            {"kind": "unknown_place", "field": "event.where", "message": "-"},
        ],
    }
    assert grounding_failures([misleading]) == {
        "actors": 1,
        "citations": 0,
        "places": 1,
        "prose": 0,
    }
    assert set(problem_kinds(misleading)) <= KINDS


def test_entries_without_a_kind_are_counted_apart_not_guessed_from_their_words() -> None:
    older = {"validation_errors": [["actors.0.name: actor 'X' is not named in the article"]]}
    older["repairs"] = ["actors.2: dropped actor not named in the article: 'Bran'"]
    counts = grounding_failures([older, {"repairs": None}])
    assert counts == {"actors": 0, "citations": 0, "places": 0, "prose": 0, "unclassified": 2}
