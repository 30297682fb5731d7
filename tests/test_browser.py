"""The HTML report in a real browser: Debian's chromium driven by Playwright (its own browser download is not used).

The page must load without console errors, render the matrix, filter the pair list on a click
and on each filter, and run nothing that the documents hold. Screenshots are written to the
test's tmp folder and copied to tests/artifacts/ (git-ignored); the paths are printed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contradict import htmlreport
from contradict import report as report_io
from contradict import triage as triage_io
from tests.conftest import REPO
from tests.report_factory import (
    PAYLOAD_ATTR,
    PAYLOAD_CLOSE,
    PAYLOAD_IMG,
    PAYLOAD_SCRIPT,
    news_report,
)

# CI sets CONTRADICT_REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
REQUIRED = os.environ.get("CONTRADICT_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("CONTRADICT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if REQUIRED:
    import playwright.sync_api as sync_api

    assert CHROMIUM is not None, "CONTRADICT_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)"
else:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium, or set CONTRADICT_CHROMIUM)"
)
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


class Opened:
    """A page of the browser with everything it logged: console messages and uncaught errors."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1300, "height": 900})
        self.console: list[Any] = []
        self.errors: list[Any] = []
        self.page.on("console", lambda message: self.console.append(message))
        self.page.on("pageerror", lambda error: self.errors.append(error))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("#matrix tbody")

    def problems(self) -> list[str]:
        return [f"console.{m.type}: {m.text}" for m in self.console if m.type in ("error", "warning")] + [str(e) for e in self.errors]

    def shown(self) -> list[str]:
        return self.page.eval_on_selector_all("#pairs article.pair", "nodes => nodes.map(n => n.dataset.id)")

    def cell(self, a: str, b: str) -> Any:
        return self.page.locator(f'#matrix td.cell[data-a="{a}"][data-b="{b}"]')

    def screenshot(self, tmp_path: Path, name: str) -> Path:
        path = tmp_path / name
        self.page.screenshot(path=str(path), full_page=True)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(path, ARTIFACTS / name)
        print(f"screenshot: {ARTIFACTS / name}")
        return path


def news_page(tmp_path: Path, triage: triage_io.Triage | None = None) -> Path:
    report, texts = news_report()
    if triage is not None:
        report = triage_io.apply(report, triage)
    data = report_io.to_dict(report)
    report_io.validate(data)
    path = tmp_path / "report.html"
    htmlreport.write(data, path, texts)
    return path


def test_the_page_loads_without_errors_and_the_matrix_renders(browser, tmp_path: Path):
    opened = Opened(browser, news_page(tmp_path))
    page = opened.page
    assert page.locator("#matrix tbody tr").count() == 4
    assert page.locator("#matrix thead th").count() == 5  # a corner and one column per document
    wire_herald = opened.cell("wire.txt", "herald.html")
    assert wire_herald.get_attribute("data-contradictions") == "2" and wire_herald.get_attribute("data-corroborations") == "1"
    assert wire_herald.inner_text().replace("\n", "") == "2/1"
    assert opened.cell("herald.html", "wire.txt").inner_text().replace("\n", "") == "2/1"  # symmetric
    assert page.locator("#matrix td.self").count() == 4
    assert page.inner_text("#matrix-left") == "1 document(s) without any pair are not shown."
    assert opened.shown() == ["p0000", "p0001", "p0002", "p0003", "p0004"]  # neutral is off by default
    first = page.locator('#pairs article[data-id="p0000"]')
    assert first.locator("mark").all_inner_texts() == [
        "About 15,000 residents were evacuated overnight", "More than 40,000 residents were evacuated"]
    assert "The dam failed on Tuesday night." in first.locator(".claim").first.inner_text()  # the paragraph around it
    assert "40,000 vs 15,000 (resident)" in first.inner_text()  # the evidence
    assert "the agency" in first.inner_text() and "2026-03-01" in first.inner_text()
    opened.screenshot(tmp_path, "html-report.png")
    assert opened.problems() == []


def test_a_click_on_a_cell_lists_only_its_pairs_and_a_second_click_shows_all(browser, tmp_path: Path):
    opened = Opened(browser, news_page(tmp_path))
    opened.cell("wire.txt", "herald.html").click()
    assert opened.shown() == ["p0000", "p0001", "p0003"]
    assert "between 1. Wire: dam fails and 2. Herald: floods spread" in opened.page.inner_text("#cell-filter")
    assert "selected" in (opened.cell("wire.txt", "herald.html").get_attribute("class") or "")
    opened.screenshot(tmp_path, "html-report-cell.png")
    opened.cell("evil.md", "wire.txt").click()
    assert opened.shown() == ["p0004"]
    opened.page.click("#clear-cell")
    assert len(opened.shown()) == 5 and opened.page.locator("#cell-filter").is_hidden()
    opened.cell("evil.md", "wire.txt").click()
    opened.cell("evil.md", "wire.txt").click()  # the same cell again: back to all
    assert len(opened.shown()) == 5
    opened.cell("quote" + PAYLOAD_ATTR.replace('"', '\\"') + ".txt", "evil.md").focus()  # and from the keyboard
    opened.page.keyboard.press("Enter")
    assert opened.shown() == ["p0002"]
    assert opened.page.evaluate("document.activeElement.dataset.b") == "evil.md"
    assert opened.problems() == []


def test_the_filters_narrow_the_list_and_the_matrix(browser, tmp_path: Path):
    opened = Opened(browser, news_page(tmp_path))
    page = opened.page
    page.check("#filter-label-neutral")
    assert opened.shown() == ["p0000", "p0001", "p0002", "p0003", "p0004", "p0005"]
    page.uncheck("#filter-label-contradiction")
    assert opened.shown() == ["p0003", "p0004", "p0005"]
    page.check("#filter-label-contradiction")
    page.uncheck("#filter-kind-factual")  # kinds apply to contradictions, in the list and the matrix
    assert "p0000" not in opened.shown() and "p0003" in opened.shown()
    assert opened.cell("wire.txt", "herald.html").get_attribute("data-contradictions") == "1"
    page.check("#filter-kind-factual")
    page.select_option("#filter-doc", "evil.md")
    assert opened.shown() == ["p0002", "p0004", "p0005"]
    page.select_option("#filter-doc", "")
    page.focus("#filter-min-score")
    for _ in range(12):  # 12 steps of 0.05: at least 0.60
        page.keyboard.press("ArrowRight")
    assert page.inner_text("#min-score-value") == "0.60"
    assert opened.shown() == ["p0000", "p0001", "p0003"]  # 0.55, 0.41 and 0.30 are below
    assert opened.cell("evil.md", "wire.txt").inner_text() == "\u00b7"  # its one corroboration (0.41) is filtered out
    assert "Showing 3 of 3" in page.inner_text("#shown-count")
    assert opened.problems() == []


def test_planted_script_onerror_and_closing_tags_run_nothing(browser, tmp_path: Path):
    opened = Opened(browser, news_page(tmp_path))
    page = opened.page
    page.check("#filter-label-neutral")
    for target in page.locator("#matrix th, #matrix td, .doc, .who, .ctx").all()[:60]:
        target.hover()  # an attribute payload would fire on mouseover
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not [m.text for m in opened.console if "PWNED" in m.text]
    assert page.locator("img").count() == 0 and page.locator("script").count() == 2
    text = page.inner_text("body")
    for payload in (PAYLOAD_SCRIPT, PAYLOAD_IMG.replace(' src=x', ' src=x'), PAYLOAD_CLOSE):
        assert payload in text  # shown as the text it is
    assert page.title().startswith("contradict:")
    assert opened.problems() == []


def test_hostile_files_scanned_for_real_run_nothing(browser, tmp_path: Path, tiny_nli, tiny_encoder_dir: Path):
    from contradict.claims.extract import ExtractOptions
    from contradict.pairing.candidates import PairingOptions, load_encoder
    from contradict.pipeline import ScanOptions, scan

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Flood report {PAYLOAD_SCRIPT}\n\nThe mayor said the dam {PAYLOAD_IMG} was inspected last year.\n\n"
                                  f"Officials said {PAYLOAD_CLOSE} three thousand people left the valley on Monday.\n")
    (folder / "b.md").write_text("# Second report\n\nThe dam had not been inspected for ten years, engineers said.\n\n"
                                 "About five hundred people left the valley on Monday morning.\n")
    (folder / "c.html").write_text(f"<html><head><title>Third {PAYLOAD_IMG}</title></head><body><article><p>The army said troops "
                                   f"&lt;script&gt;window.__pwned='entity'&lt;/script&gt; would reach the valley on Tuesday.</p>"
                                   "<p>The dam was inspected by engineers last spring.</p></article></body></html>")
    options = ScanOptions(extract=ExtractOptions(spacy_model="none"), pairing=PairingOptions(min_similarity=-1.0, top_k=3))
    report = scan(folder, options, model=tiny_nli, encoder=load_encoder(str(tiny_encoder_dir)))
    assert any("<script>" in c.text or "onerror" in c.text for c in report.claims), [c.text for c in report.claims]
    path = tmp_path / "scan.html"
    htmlreport.write(report_io.to_dict(report), path, {d.id: d.text for d in report.documents})
    opened = Opened(browser, path)
    for box in ("#filter-label-neutral",):
        opened.page.check(box)
    assert len(opened.shown()) == len(report.pairs) > 0
    assert opened.page.evaluate("typeof window.__pwned") == "undefined"
    assert opened.page.locator("img").count() == 0 and opened.page.locator("script").count() == 2
    assert "<script>window.__pwned" in opened.page.inner_text("#pairs")
    assert opened.problems() == []


def test_dismissed_pairs_are_listed_apart_and_left_out_of_the_matrix(browser, tmp_path: Path):
    report, _ = news_report()
    data = report_io.to_dict(report)
    triage, _ = triage_io.record(data, "p0000", "dismissed", triage_io.Triage(None, {}), note="different <b>floods</b>")
    triage, _ = triage_io.record(data, "p0001", "confirmed", triage)
    opened = Opened(browser, news_page(tmp_path, triage))
    page = opened.page
    assert opened.shown() == ["p0001", "p0002", "p0003", "p0004"]
    assert opened.cell("wire.txt", "herald.html").get_attribute("data-contradictions") == "1"
    assert page.locator('#pairs article[data-id="p0001"] .badge.confirmed').count() == 1
    assert page.locator("#dismissed-section").is_visible()
    page.click("#dismissed-section summary")
    dismissed = page.locator('#dismissed article[data-id="p0000"]')
    assert dismissed.is_visible() and "different <b>floods</b>" in dismissed.inner_text()
    opened.screenshot(tmp_path, "html-report-triage.png")
    assert opened.problems() == []
