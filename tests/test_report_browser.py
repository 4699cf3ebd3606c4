"""The HTML report in a real browser: Debian's headless Chromium, driven by selenium.

One browser for the module. Where Chromium or its driver is missing the tests are
skipped, saying so (`.ci/run` installs them: `apt-get install chromium chromium-driver`).
The driver is Debian's: selenium is given its path, so it never downloads one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_report import HOSTILE, hostile_result, recorded_ransomware

from summarizer._output._diff_html import as_diff_html
from summarizer._output._html import as_html

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="headless Chromium not installed: apt-get install chromium chromium-driver",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()


def open_report(browser: Any, page: str, folder: Path) -> None:
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())


def article_marks(browser: Any, selector: str = "") -> list[Any]:
    return list(browser.find_elements(By.CSS_SELECTOR, f"#article mark.cite{selector}"))


def test_the_report_marks_every_quote_and_highlights_an_actors_sentences(
    browser: Any, tmp_path: Path
) -> None:
    result, article = recorded_ransomware()
    open_report(browser, as_html(result, article), tmp_path)
    spans = {(s.start, s.end) for spans in result.evidence.root.values() for s in spans}
    marks = article_marks(browser)
    assert len(marks) == len(spans)
    quotes = {article[a:b] for a, b in spans}
    assert {m.get_attribute("textContent") for m in marks} == quotes

    # The last actor's sentence is far down the article: picking it scrolls there.
    last = len(result.brief.actors)
    button = browser.find_element(By.CSS_SELECTOR, f'button[data-item="a{last}"]')
    button.click()
    active = article_marks(browser, ".active")
    wanted = {article[s.start : s.end] for s in result.evidence.of(f"actors[{last - 1}]")}
    assert {m.get_attribute("textContent") for m in active} == wanted
    assert button.get_attribute("aria-pressed") == "true"
    top, bottom = browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom];", active[0]
    )
    assert top >= 0 and bottom <= browser.execute_script("return window.innerHeight")
    assert "1 sentence highlighted" in browser.find_element(By.ID, "picked").text

    # A marked sentence names the items that cite it.
    shared = next(m for m in marks if len(m.get_attribute("data-items").split()) > 1)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", shared)
    shared.click()
    citing = browser.find_elements(By.CSS_SELECTOR, "button.cites")
    assert {b.get_attribute("data-item") for b in citing} == set(
        shared.get_attribute("data-items").split()
    )
    assert browser.find_element(By.ID, "picked").text.startswith("Cited by:")

    # The ransom note's order to machines is shown as the article's text, and nothing more.
    text = browser.find_element(By.CSS_SELECTOR, "#article .text").get_attribute("textContent")
    assert text == article
    browser.find_element(By.CSS_SELECTOR, 'button[data-item="a1"]').click()
    browser.save_screenshot(str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_markup_in_the_article_and_the_brief_does_not_run(browser: Any, tmp_path: Path) -> None:
    result, article = hostile_result()
    open_report(browser, as_html(result, article), tmp_path)
    assert browser.execute_script("return window.__pwned === undefined")
    for button in browser.find_elements(By.CSS_SELECTOR, "button[data-item]"):
        button.click()
    for mark in article_marks(browser):
        browser.execute_script("arguments[0].click()", mark)
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.title == f"Pier closed {HOSTILE[0]} — brief"  # as text, not set by it
    for tag in ("img", "a", "svg", "textarea", "iframe"):
        assert browser.find_elements(By.TAG_NAME, tag) == [], tag
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1
    text = browser.find_element(By.CSS_SELECTOR, "#article .text").get_attribute("textContent")
    assert text == article and all(h in text for h in HOSTILE)
    assert HOSTILE[0] in browser.find_element(By.TAG_NAME, "h1").text
    browser.save_screenshot(str(tmp_path / "hostile.png"))


def test_the_diff_page_shows_both_versions_evidence_side_by_side(
    browser: Any, tmp_path: Path
) -> None:
    from test_diff import NEW_SENTENCES, OLD_SENTENCES, story_diff

    open_report(browser, as_diff_html(story_diff(tmp_path)), tmp_path)
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.find_elements(By.TAG_NAME, "script") == []
    # The uncertainty still open: then on the left, its old quote; now on the right, its new.
    row = next(
        r
        for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr")
        if r.find_element(By.TAG_NAME, "th").text == "= still open"
    )
    then, now = (c.find_element(By.TAG_NAME, "blockquote").text for c in row.find_elements(
        By.TAG_NAME, "td"))  # fmt: skip
    assert then.startswith(OLD_SENTENCES[3]) and now.startswith(NEW_SENTENCES[2])
    left, right = (c.rect["x"] for c in row.find_elements(By.TAG_NAME, "td"))
    assert left < right
    browser.save_screenshot(str(tmp_path / "diff.png"))
    assert (tmp_path / "diff.png").stat().st_size > 10_000
