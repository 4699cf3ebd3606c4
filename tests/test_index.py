"""The batch index page: one row per report, failures listed, every value escaped, every
link a plain file name in the index's own folder."""

from __future__ import annotations

import html
import re

import pytest
from test_report import HOSTILE, hostile_result, parsed, recorded_ransomware

from summarizer._output._index import IndexEntry, as_index, safe_link


def test_the_index_lists_reports_and_failures() -> None:
    result, _ = recorded_ransomware()
    page = as_index(
        [
            IndexEntry.of("examples/ransomware_hospital.txt", "ransomware_hospital.html", result),
            IndexEntry.failed("broken.txt", "no valid brief after 3 answers"),
        ]
    )
    links = [a["href"] for tag, a in parsed(page).tags if tag == "a"]
    assert links == ["./ransomware_hospital.html"]
    row = re.search(r'<tr><td><a href="[^"]+">(.*?)</a>.*?</tr>', page, re.DOTALL)
    assert row is not None
    assert html.unescape(row.group(1)) == result.brief.headline
    assert f"<td>{result.brief.event.category.value.replace('_', ' ')}</td>" in row.group(0)
    assert f'<td class="n">{len(result.brief.uncertainties)}</td>' in row.group(0)
    assert "1 brief, 1 failed." in page
    assert "<td>broken.txt</td><td>no valid brief after 3 answers</td>" in page


def test_markup_in_ids_headlines_and_messages_is_text() -> None:
    result, _ = hostile_result()
    entries = [IndexEntry.of(h, f"r{i}.html", result) for i, h in enumerate(HOSTILE)]
    entries += [IndexEntry.failed(h, h) for h in HOSTILE]
    page = as_index(entries, title=HOSTILE[0])
    found = parsed(page)
    assert not {tag for tag, _ in found.tags} & {"script", "img", "svg", "textarea", "iframe"}
    assert [a["href"] for tag, a in found.tags if tag == "a"] == [
        f"./r{i}.html" for i in range(len(HOSTILE))
    ]
    attrs = [name for _, a in found.tags for name in a]
    assert not [name for name in attrs if name.startswith("on") or name in ("src", "style")]
    assert all(h not in page for h in HOSTILE)
    assert "default-src 'none'" in page


@pytest.mark.parametrize(
    "name",
    ["../x.html", "/etc/passwd", "a/b.html", "javascript:alert(1)", ".hidden.html", "..", "",
     "a b.html", "x\\y.html", "%2e%2e.html", "a?b.html", "a#b.html", "x\n.html"],
)  # fmt: skip
def test_a_link_that_could_leave_the_folder_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a plain file name"):
        safe_link(name)
    with pytest.raises(ValueError):
        as_index([IndexEntry(id="x", report=name, headline="h")])


def test_the_names_the_batch_writes_are_links_as_they_are() -> None:
    for name in ("report.html", "a_b~0123456789.html", "2024-01-02.x.html"):
        assert safe_link(name) == f"./{name}"
