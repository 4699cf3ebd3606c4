"""Properties of the input decoder, the sentence splitter and the name matcher.

Hypothesis generates the inputs a hostile or careless user could give: arbitrary
bytes and Unicode, control characters, template syntax, very long lines. Each
property is something the code promises in its docstring; examples are
derandomized so CI sees the same cases every run.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from summarizer._errors import InputError
from summarizer._input._read import clean_article, decode_article, read_article
from summarizer._text._sentences import quote, split_sentences
from summarizer.schemas._text import (
    _TRANSLATE,
    contains_quote,
    fold,
    identifying_words,
    name_in_article,
    normalize,
)

SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text that exercises the edges: template syntax, control characters, combining
# marks, curly quotes and dashes, sentence punctuation, unspaced scripts.
_EDGES = [
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{{ 7*7 }}",
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\t",
    "\u00a0",
    "\u2028",
    "\u0301",
    "\u2019",
    "\u201c",
    "\u2014",
    "\u2026",
    "\ufeff",
    ". ",
    "? ",
    '." ',
    "Mr. ",
    "U.S. ",
    "<p>",
    "</p>",
    "习近平",
    "İ",
    "ß",
    "ı",
]
unicode_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
edgy_text = st.lists(
    st.one_of(st.sampled_from(_EDGES), unicode_text, st.text("Ab .!?\"'", max_size=20)),
    max_size=30,
).map("".join)


# --- input decoder ----------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=2000))
@example(b"\xff\xfe\x00")  # UTF-16 BOM, odd byte count
@example(b"\xed\xa0\x80")  # an encoded lone surrogate: not UTF-8
def test_any_bytes_decode_or_raise_input_error(data: bytes) -> None:
    try:
        text = decode_article(data, origin="a.txt")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    text.encode("utf-8")  # decoded text is always valid Unicode (no lone surrogate)


@SETTINGS
@given(edgy_text)
def test_utf8_and_utf16_text_decode_to_itself(text: str) -> None:
    assume("\x00" not in text)
    # One UTF-8 BOM is dropped, so a text starting with U+FEFF loses it unless marked.
    plain = (text.encode("utf-8"), text.removeprefix("\ufeff"))
    for data, expected in (plain, (b"\xef\xbb\xbf" + text.encode("utf-8"), text)):
        try:
            assert decode_article(data, origin="a.txt") == expected
        except InputError as exc:
            assert "binary data" in str(exc)  # the only refusal of valid UTF-8
    try:
        assert decode_article(text.encode("utf-16"), origin="a.txt") == text
    except InputError as exc:
        assert "binary data" in str(exc)


@SETTINGS
@given(st.text(st.characters(), max_size=300))
@example("\ud800")  # found by hypothesis: a lone surrogate came back, unsendable
def test_clean_article_gives_sendable_text_or_input_error(text: str) -> None:
    # Lone surrogates included: the Python API takes any str.
    try:
        cleaned = clean_article(text)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    cleaned.encode("utf-8")
    assert cleaned.strip() and "\r" not in cleaned
    assert not cleaned.endswith("\n") and not cleaned.startswith("\n")


@SETTINGS
@given(edgy_text)
def test_plain_text_keeps_every_visible_character(text: str) -> None:
    # Not HTML: the text comes back verbatim apart from line ends and edge whitespace,
    # template syntax included.
    assume("<" not in text)
    try:
        cleaned = clean_article(text)
    except InputError:
        return
    visible = "".join(text.removeprefix("\ufeff").split())
    assert "".join(cleaned.split()) == visible


@SETTINGS
@given(data=st.binary(max_size=500))
def test_read_article_from_file_and_stdin_agree(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    try:
        from_file: str | InputError = read_article(path)
    except InputError as exc:
        from_file = exc
    try:
        from_stdin: str | InputError = read_article("-", stdin=io.BytesIO(data))
    except InputError as exc:
        from_stdin = exc
    if isinstance(from_file, InputError) or isinstance(from_stdin, InputError):
        assert type(from_file) is type(from_stdin)
    else:
        assert from_file == from_stdin


def test_a_lone_surrogate_is_refused_with_where_it_is() -> None:
    with pytest.raises(InputError, match=r"lone surrogate U\+DC80 at character 6\); decode"):
        clean_article("Hello \udc80 world.")  # b"\x80" under errors="surrogateescape"


def test_a_one_megabyte_line_is_read_quickly() -> None:
    line = ("Dockworkers walked out {{ x }} at dawn " * 30000)[:1_000_000].encode()
    start = time.monotonic()
    text = read_article("-", stdin=io.BytesIO(line))
    assert len(text) == len(line.rstrip())
    assert time.monotonic() - start < 2.0


# --- sentence splitter ------------------------------------------------------

sentence_text = st.lists(
    st.one_of(
        st.sampled_from(_EDGES),
        st.text("AbcÉ .!?\"')(”’“‘\n", max_size=30),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
        st.text("Abe\u0301\u0308\u1100\u1161x", min_size=190, max_size=230),  # > MAX_QUOTE
    ),
    max_size=40,
).map("".join)


@SETTINGS
@given(sentence_text)
def test_sentences_are_stripped_in_order_and_cover_the_text(article: str) -> None:
    sentences = split_sentences(article)
    position = 0
    for sentence in sentences:
        assert sentence and sentence == sentence.strip()
        found = article.find(sentence, position)
        assert found != -1, sentence  # verbatim, after the previous one
        position = found + len(sentence)
    assert "".join("".join(sentences).split()) == "".join(article.split())


@SETTINGS
@given(sentence_text)
@example("A" * 200 + "\u0301")  # found by hypothesis: the cut fell before the accent
@example("A" * 199 + "\u1100\u1161.")  # two jamo that NFKC joins into one syllable
def test_every_sentence_quoted_is_found_in_the_article(article: str) -> None:
    # What to_brief relies on: a quote made from a sentence passes grounding.
    article_norm = normalize(article)
    for sentence in split_sentences(article):
        if normalize(quote(sentence)).strip(" \"'").rstrip(".,;:!?").strip(" \"'"):
            assert contains_quote(article_norm, quote(sentence)), sentence


def test_a_one_megabyte_line_splits_quickly() -> None:
    article = "Mr. Brandt said it. " * 50_000 + "X" * 10_000
    start = time.monotonic()
    sentences = split_sentences(article)
    assert len(sentences) == 50_001
    assert time.monotonic() - start < 3.0


# --- name matcher -----------------------------------------------------------

latin_word = st.text("abcdefghijklmnopqrstuvwxyzéüøßçñ", min_size=2, max_size=10)
any_word = st.one_of(
    latin_word,
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8),
    st.text("习近平北京東京岸田트럼프", min_size=1, max_size=4),
    st.text("नरेंद्मोदीकहा", min_size=1, max_size=6),
)
separator = st.sampled_from([" ", ", ", " - ", "\n", " \u2014 ", "'s ", ". ", " (", ") "])


@SETTINGS
@given(st.lists(st.tuples(any_word, separator), min_size=1, max_size=12), st.data())
def test_a_whole_word_span_of_the_article_is_found(
    parts: list[tuple[str, str]], data: st.DataObject
) -> None:
    article = "".join(w + s for w, s in parts)
    start = data.draw(st.integers(0, len(parts) - 1))
    end = data.draw(st.integers(start, len(parts) - 1))
    name = "".join(w + s for w, s in parts[start:end]) + parts[end][0]
    assume(identifying_words(name))
    assert name_in_article(name, normalize(article)), (name, article)


@SETTINGS
@given(st.one_of(latin_word, st.text("नरेंद्मोदीकहा", min_size=2, max_size=8)), st.integers(0, 100))
@example("hamasaki", 4)
@example("brandt", 3)
def test_a_strict_prefix_of_a_longer_word_is_not_found(word: str, k: int) -> None:
    name = word[: 1 + k % (len(word) - 1)]
    assume(fold(name) != fold(word))  # "ß" and "ss" fold alike
    article = f"Fans of {word.title()} queued all night."
    assume(fold(name) not in {"fans", "queued", "all", "night"})
    assert not name_in_article(name, normalize(article))
    assert not name_in_article(name.upper(), normalize(article))


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@SETTINGS
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=200), any_word)
@example("Kılıçdaroğlu said", "Kilicdaroglu")
def test_case_and_accents_of_the_article_do_not_change_the_answer(article: str, name: str) -> None:
    answer = name_in_article(name, normalize(article))
    for variant in (article.upper(), article.lower(), _strip_accents(article)):
        assert name_in_article(name, normalize(variant)) is answer, variant


def test_matching_a_name_in_a_one_megabyte_article_is_fast() -> None:
    # A million overlapping near-misses: a check per occurrence in Python took seconds.
    article = normalize("a" * 1_000_000)
    start = time.monotonic()
    assert not name_in_article("aa Brandt", article)
    assert not name_in_article("aaa", article)
    assert time.monotonic() - start < 3.0


def _normalize_in_full(text: str) -> str:
    # `normalize` before its ASCII fast path: every pass on every text.
    folded = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return re.sub(r"\s+", " ", folded).strip().casefold()


@SETTINGS
@given(st.one_of(edgy_text, st.text(st.characters(max_codepoint=127), max_size=60)))
@example("Quoted `like this`\x1c\x1f and \t tabs ")
@example("ASCII\x0b\x0cwhitespace\r\n")
def test_normalize_takes_the_fast_path_to_the_same_text(text: str) -> None:
    assert normalize(text) == _normalize_in_full(text)
