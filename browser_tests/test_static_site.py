"""The static site (`make html`) shows every page with its explorers' saved state, and every deck as reveal.js
slides, with the network cut off."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from browser_tests.conftest import ARTIFACTS, ROOT

SITE = ROOT / "build" / "site-test"


@pytest.fixture(scope="module")
def site():
    subprocess.run([sys.executable, "-m", "tools.build_site", "--out", str(SITE)], cwd=ROOT, check=True)
    return SITE


def offline_page(browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"missing file {r.url}") if r.url.startswith("file://") else None)
    return page, requests, errors


def test_index_lists_every_notebook_in_order(site, browser):
    page, requests, errors = offline_page(browser)
    page.goto((site / "index.html").as_uri())
    links = page.locator("ol > li > a:not(.deck)")
    expected = sorted(p.stem + ".html" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == expected
    decks = page.locator("ol > li > a.deck")
    assert [decks.nth(i).get_attribute("href") for i in range(decks.count())] == [
        f"slides/{p.stem}.html" for p in sorted((ROOT / "slides").glob("[0-9][0-9]_*.ipynb"))]
    assert not requests and not errors
    page.close()


@pytest.mark.parametrize("stem", sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
def test_page_renders_widgets_and_math_offline(site, browser, stem):
    page, requests, errors = offline_page(browser)
    page.goto((site / f"{stem}.html").as_uri())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and page.locator(".jupyter-widgets .widget-output img").count() == 0:
        time.sleep(0.3)
    assert page.locator(".jupyter-widgets .widget-output img").count() > 0, "no explorer picture rendered"
    assert page.locator(".jupyter-widgets .widget-slider, .jupyter-widgets .widget-dropdown").count() > 0
    if "$" in page.content():
        page.wait_for_selector(".MathJax_CHTML, .MathJax", timeout=30_000)
    page.locator(".jupyter-widgets").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"site_{stem}.png"))
    assert not requests, f"the page asked the network for {requests[:3]}"
    assert not errors, errors[:3]
    page.close()


DECKS = sorted(p.stem for p in (ROOT / "slides").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("stem", DECKS)
def test_deck_is_a_reveal_slide_show_offline_with_its_explorers_and_no_skipped_cell(site, browser, stem):
    page, requests, errors = offline_page(browser)
    page.goto((site / "slides" / f"{stem}.html").as_uri())
    page.wait_for_selector(".reveal.ready", timeout=30_000)  # reveal.js initialised from the vendored copy
    slides = page.locator(".reveal .slides section").count()
    assert slides >= 8, f"only {slides} slides"
    shows_widgets = '"application/vnd.jupyter.widget-view+json"' in (ROOT / "slides" / f"{stem}.ipynb").read_text()
    deadline = time.monotonic() + 30
    while shows_widgets and time.monotonic() < deadline and page.locator(".jupyter-widgets img").count() == 0:
        time.sleep(0.3)
    if shows_widgets:
        assert page.locator(".jupyter-widgets img").count() > 0, "no explorer picture rendered"
    text = page.locator(".reveal .slides").text_content()
    for never in ("# Checks for this section", "Set-up. In the course's own environment", "# Solution"):
        assert never not in text, f"a skipped cell is on the slides: {never!r}"
    assert page.locator("aside.notes").count() > 0, "no speaker notes"
    assert page.locator(f'a[href="../{stem}.html"]').count() == 1, "no link to the chapter's page"
    page.screenshot(path=str(ARTIFACTS / f"site_slides_{stem}.png"))
    assert not requests, f"the slides asked the network for {requests[:3]}"
    assert not errors, errors[:3]
    page.close()
