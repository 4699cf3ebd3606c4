"""Tests for summarizer._input._read: reading, decoding and cleaning one article."""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summarizer._errors import InputError
from summarizer._input import _read as _input
from summarizer._input._read import clean_article, decode_article, read_article

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

ARTICLE = (
    "Port workers walk out over pay\n"
    "\n"
    "The union said on Monday that “no ship will be unloaded” until talks resume — "
    "a stance the port authority called ‘reckless’.\n"
)


def raises_input_error(func: Callable[..., object], *args: Any, **kwargs: Any) -> str:
    """Call and return the InputError message, checking the rules every message obeys."""
    with pytest.raises(InputError) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert message and "\n" not in message and "\r" not in message
    assert "Traceback" not in message
    assert info.value.exit_code == 2
    return message


def write(tmp_path: Path, data: bytes | str, name: str = "article.txt") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


# --- reading files and stdin ---------------------------------------------------------------


def test_reads_utf8_file_from_str_and_pathlike(tmp_path: Path) -> None:
    path = write(tmp_path, ARTICLE)
    assert read_article(path) == ARTICLE.rstrip("\n")
    assert read_article(str(path)) == ARTICLE.rstrip("\n")


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    message = raises_input_error(read_article, missing)
    assert "not found" in message and str(missing) in message


def test_directory(tmp_path: Path) -> None:
    assert "is a directory" in raises_input_error(read_article, tmp_path)


def test_permission_denied_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, ARTICLE)

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    # Root can read anything, so simulate the refusal the OS would give.
    monkeypatch.setattr(_input, "open", deny, raising=False)
    assert "permission denied" in raises_input_error(read_article, path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file modes")
def test_permission_denied_real(tmp_path: Path) -> None:
    path = write(tmp_path, ARTICLE)
    path.chmod(0)
    try:
        assert "permission denied" in raises_input_error(read_article, path)
    finally:
        path.chmod(0o600)


def test_empty_source_string() -> None:
    assert "no article path" in raises_input_error(read_article, "")


def test_path_with_newline_gives_one_line_message(tmp_path: Path) -> None:
    message = raises_input_error(read_article, tmp_path / "bad\nname.txt")
    assert "bad\\x0aname.txt" in message


def test_stdin_bytes() -> None:
    data = codecs.BOM_UTF8 + "Titular\r\n\r\nCuerpo del artículo.\r\n".encode()
    assert read_article("-", stdin=io.BytesIO(data)) == "Titular\n\nCuerpo del artículo."


def test_stdin_errors_name_stdin() -> None:
    assert "standard input is empty" in raises_input_error(read_article, "-", stdin=io.BytesIO(b""))
    message = raises_input_error(read_article, "-", stdin=io.BytesIO(b"caf\xe9"))
    assert message.startswith("standard input is not valid UTF-8")


def test_unreadable_stdin() -> None:
    closed = io.BytesIO(b"text")
    closed.close()
    assert "cannot read standard input" in raises_input_error(read_article, "-", stdin=closed)


def test_path_object_named_dash_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "from the file", name="-")
    assert read_article(Path("-"), stdin=io.BytesIO(b"from stdin")) == "from the file"


# --- empty and binary input ----------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n", "\u3000\n".encode()])
def test_empty_or_whitespace_file(tmp_path: Path, content: bytes) -> None:
    assert "is empty" in raises_input_error(read_article, write(tmp_path, content))


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    message = raises_input_error(read_article, write(tmp_path, png))
    assert "binary" in message and "NUL" in message
    assert "IHDR" not in message


def test_binary_with_many_control_characters(tmp_path: Path) -> None:
    data = b"\x01\x02\x03\x1b\x7fabc" * 50
    message = raises_input_error(read_article, write(tmp_path, data))
    assert "binary" in message and "control characters" in message


def test_few_control_characters_are_kept() -> None:
    text = "Page one.\x0c\nPage two has a stray \x1b escape."
    assert clean_article(text) == text


def test_clean_article_refuses_nul_in_str() -> None:
    assert "binary" in raises_input_error(clean_article, "text\x00more", origin="x")


# --- encodings -----------------------------------------------------------------------------


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + ARTICLE.encode())
    text = read_article(path)
    assert text == ARTICLE.rstrip("\n")
    assert not text.startswith("\ufeff")
    assert decode_article(codecs.BOM_UTF8 + b"caf\xc3\xa9", origin="x") == "café"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = write(tmp_path, bom + ARTICLE.replace("\n", "\r\n").encode(codec))
    assert read_article(path) == ARTICLE.rstrip("\n")


def test_utf16_without_bom_refused(tmp_path: Path) -> None:
    message = raises_input_error(read_article, write(tmp_path, ARTICLE.encode("utf-16-le")))
    assert "UTF-16LE without a byte-order mark" in message and "iconv" in message


def test_broken_utf16_refused() -> None:
    data = codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    message = raises_input_error(decode_article, data, origin="x.txt")
    assert "not valid UTF-16" in message and "byte offset 6" in message


def test_utf32_refused() -> None:
    data = codecs.BOM_UTF32_LE + "hello".encode("utf-32-le")
    assert "UTF-32" in raises_input_error(decode_article, data, origin="x.txt")


def test_latin1_refused_with_offset_and_iconv_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "Le café est fermé.".encode("latin-1"))
    message = raises_input_error(read_article, path)
    assert "not valid UTF-8" in message
    assert "byte offset 6" in message and "0xE9" in message
    assert "iconv -f LATIN1 -t UTF-8" in message
    assert str(path) in message


def test_bad_utf8_offset_counts_the_bom() -> None:
    message = raises_input_error(decode_article, codecs.BOM_UTF8 + b"abc\xff", origin="in")
    assert "byte offset 6" in message


# --- HTML ----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><title>Site | Page</title><style>p { color: red; }</style>
<script>var tracking = "SECRET_SCRIPT";</script></head>
<body>
<header><a href="/">Home</a> NAV_HEADER</header>
<nav><ul><li>World</li><li>NAV_MENU</li></ul></nav>
<article>
  <header><h1>Dam ruling &amp; what it means</h1></header>
  <p>The court&#8217;s decision was &ldquo;final&rdquo;,
     the judge said &mdash; caf&eacute; owners cheered.</p>
  <p>Second&nbsp;paragraph<br>with a line break.</p>
  <script>document.write("INLINE_SCRIPT")</script>
</article>
<footer>FOOTER_TEXT &copy; 2025</footer>
</body></html>
"""


def test_html_page_to_text(tmp_path: Path) -> None:
    # A whole page goes through the article extractor: one paragraph a line, and its
    # text verbatim (the &nbsp; stays a no-break space; grounding compares NFKC forms).
    text = read_article(write(tmp_path, PAGE, name="page.html"))
    assert text == (
        "Dam ruling & what it means\n"
        "The court\u2019s decision was \u201cfinal\u201d, the judge said \u2014 "
        "café owners cheered.\n"
        "Second\xa0paragraph\n"
        "with a line break."
    )
    for junk in ("SCRIPT", "color", "NAV_", "FOOTER", "Site |", "<", "&"):
        assert junk not in text.replace("Dam ruling & what", "")


def test_html_fragment_to_text() -> None:
    fragment = "<p>First paragraph,\nwrapped.</p>\n<p>Second &lt;one&gt;.</p>\n<div>Third</div>"
    assert clean_article(fragment) == "First paragraph, wrapped.\n\nSecond <one>.\n\nThird"


def test_html_lists_and_tables_keep_items_apart() -> None:
    fragment = "<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
    assert clean_article(fragment) == "one\ntwo\n\na b"


def test_unclosed_head_does_not_hide_body() -> None:
    page = "<html><head><title>t</title><body><p>Body text survives.</p></body></html>"
    assert clean_article(page) == "Body text survives."


def test_html_without_readable_text() -> None:
    page = "<!doctype html><html><head><script>alert(1)</script></head><body> </body></html>"
    message = raises_input_error(clean_article, page, origin="page.html")
    assert "the page has no article text" in message and "alert" not in message


def test_fragment_without_readable_text() -> None:
    message = raises_input_error(clean_article, "<div><script>x()</script><p> </p></div>")
    assert "no readable text" in message


def test_unparseable_html_is_an_input_error() -> None:
    # A fragment: whole pages go to lxml, which parses anything.
    message = raises_input_error(clean_article, "<p>a</p><![foo[ x ]]><p>b</p>")
    assert "could not be parsed" in message


def test_prose_mentioning_tags_is_untouched() -> None:
    prose = (
        "Browser makers debate the <b> tag\n\n"
        "Some editors still type <b> by hand, said one developer, "
        "while others prefer <strong>.\n\n"
        "A <div> is “just a box”, she added."
    )
    assert clean_article(prose) == prose


def test_markdown_with_inline_html_is_untouched() -> None:
    markdown = (
        "# Storm hits coast\n\n"
        "Winds reached 140 km/h on *Tuesday*.<br>\n"
        "Officials urged residents to stay indoors.\n\n"
        '<blockquote class="tweet"><p>Stay safe!</p></blockquote>\n\n'
        "- Schools closed\n"
        "- Ferries cancelled\n\n"
        "More updates will follow as the storm moves north."
    )
    assert clean_article(markdown) == markdown


# --- verbatim text and whitespace clean-up -------------------------------------------------


def test_template_syntax_passes_byte_for_byte(tmp_path: Path) -> None:
    text = (
        "Council {{ budget }} vote\n\n"
        "{% if approved %}Approved{% endif %} — costs $x, or ${x} per head; "
        "see %(name)s, {0} and {{{{x}}}}; `$(rm -rf /)` was quoted in the filing."
    )
    assert read_article(write(tmp_path, text)).encode() == text.encode()
    assert clean_article(text) == text


def test_non_english_text_is_untouched(tmp_path: Path) -> None:
    text = (
        "Inundaciones en el sur: «No hay agua potable», dijo la alcaldesa.\n\n"
        "東京で大雨警報が発表された。\n\n"
        "Ο δήμαρχος δήλωσε: «Κανείς δεν κινδυνεύει».\n\n"
        "قال المتحدث إن الطريق مغلق."
    )
    assert read_article(write(tmp_path, text)) == text


def test_crlf_and_cr_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, b"Title\r\n\r\nLine one\r\nLine two\rLine three\r\n")
    assert read_article(path) == "Title\n\nLine one\nLine two\nLine three"


def test_whitespace_cleanup_keeps_everything_else() -> None:
    text = "\n\n  \t\n    Indented first line   \n\tSecond\t\nThird \u00a0\n\n\n\nLast  \n \n"
    assert clean_article(text) == "    Indented first line\n\tSecond\nThird \u00a0\n\n\n\nLast"


def test_other_line_separators_are_not_split() -> None:
    text = "One\u2028two\x0bthree\x85four"  # str.splitlines would break these
    assert clean_article(text) == text


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_repository_examples_pass_unchanged(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    text = read_article(path)
    assert text == raw.strip("\n")
    assert clean_article(text) == text
