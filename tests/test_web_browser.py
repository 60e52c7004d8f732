"""End to end: the real server (`onrecord serve` in a subprocess) driven by Debian's headless Chromium
through Playwright. Nothing downloads a browser: Playwright is pointed at /usr/bin/chromium.

One server per store (the sample, and the hostile articles kept apart so that the screenshots show the
sample only) and one browser for the whole module; each test gets a fresh browser context that refuses
every request to another host, records dialogs, page errors, console errors and CSP violations, and
fails the test if any occurred.

Without Chromium (or the playwright package) these tests skip, except when ONRECORD_REQUIRE_BROWSER=1
(as `make test` sets it), where they fail. ONRECORD_UPDATE_SCREENSHOTS=1 (`make screenshots`) also
writes the four screenshots into docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onrecord.bench_serve import ServerProcess
from test_web_api import HOSTILE_ARTICLES, HOSTILE_LONG_WORD, build_store

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ONRECORD_CHROMIUM", "/usr/bin/chromium")
#: Flags from Debian's headless Chromium guidance; without the background-networking ones Chromium
#: tries to reach Google's services (there is no network here, and there should be no attempt).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 1000}


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; `make test` installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "the playwright package is not installed (pip install -c requirements/constraints.txt -e .[dev])"
        )
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("ONRECORD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing}; ONRECORD_REQUIRE_BROWSER=1 makes the browser tests required")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Server(ServerProcess):
    """`onrecord serve` on a free port, as a user starts it (the benchmark's server process)."""

    def __init__(self, db: Path) -> None:
        super().__init__(db)
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/api/v1", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server does not answer:\n" + "".join(self.log))

    def json(self, path: str) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory, analyzer_all) -> Iterator[Server]:
    db = build_store(tmp_path_factory.getbasetemp() / "web" / "sample.db", analyzer_all, sample=True)
    server = Server(db)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, analyzer) -> Iterator[Server]:
    db = build_store(
        tmp_path_factory.getbasetemp() / "web" / "hostile.db", analyzer, articles=HOSTILE_ARTICLES
    )
    server = Server(db)
    yield server
    server.stop()


#: Recorded in every page before its own scripts run: what the CSP refused.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


class Tab:
    """A page in a fresh context, and everything that must not happen in it."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(CSP_LISTENER)
        self.outside: list[str] = []
        self.context.route("**/*", self._only_ours)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in {"error", "warning"}
                else None
            ),
        )

    def _only_ours(self, route: Any) -> None:
        if route.request.url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"a dialog opened: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    def visit(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        self.check()
        return self.page

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__csp || []")
        assert violations == [], violations
        assert self.problems == [], self.problems
        assert self.outside == [], self.outside

    def close(self) -> None:
        self.check()
        self.context.close()


@pytest.fixture
def tab(browser, sample_server) -> Iterator[Tab]:
    tab = Tab(browser, sample_server.base)
    yield tab
    tab.close()


@pytest.fixture
def hostile_tab(browser, hostile_server) -> Iterator[Tab]:
    tab = Tab(browser, hostile_server.base)
    yield tab
    tab.close()


def a_word(server: Server) -> str:
    quotes = server.json("/api/v1/quotes?limit=20")["items"]
    words = re.findall(r"[A-Za-z]{6,}", " ".join(q["content"] for q in quotes))
    return max(words, key=len).lower()


# -- the sample ------------------------------------------------------------------------------------------
def test_search_for_a_phrase_and_open_its_context(tab, sample_server):
    word = a_word(sample_server)
    page = tab.visit("/search")
    page.fill("form.filters input[name=q]", word)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"/search\?q="))
    tab.check()
    expected = sample_server.json(f"/api/v1/quotes?q={word}")["total"]
    assert page.inner_text("#result-count").startswith(f"{expected:,} quotation")
    quotes = page.locator(".card.quote blockquote").all_inner_texts()
    assert len(quotes) == min(expected, 20) and all(word in q.lower() for q in quotes)
    first = quotes[0].strip("“”")
    page.locator(".card.quote a.context").first.click()
    page.wait_for_url(re.compile(r"/article/[0-9a-f]+#q-\d+$"))
    tab.check()
    position = page.url.rpartition("#q-")[2]
    lit = page.locator(f'.article-text .m-quote.focus[data-q~="{position}"]')
    assert lit.count() >= 1
    assert " ".join(lit.all_text_contents()).split()[:3] == first.split()[:3]
    assert page.locator(f"#ql-{position}.focus").count() == 1


def test_open_a_person(tab, sample_server):
    page = tab.visit("/")
    link = page.locator("table.rank a[href^='/person/']").first
    name = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/person/person:"))
    tab.check()
    assert page.inner_text("h1") == name
    person = sample_server.json("/api/v1/people/" + page.url.rpartition("/person/")[2])
    assert page.locator("svg rect.bar").count() >= 1
    cards = page.locator("#quotes .card.quote")
    assert cards.count() == min(person["quotes"], 20)
    assert set(page.locator("#quotes .byline .speaker").all_inner_texts()) == {name}
    beside = page.locator("ul.chips a")
    assert beside.count() == len(person["quoted_beside"])
    if beside.count():
        other = beside.first.inner_text()
        beside.first.click()
        page.wait_for_url(re.compile(r"/person/person:"))
        tab.check()
        assert page.inner_text("h1") == other


def test_open_an_article_and_check_an_attribution(tab, sample_server):
    quote = next(
        q
        for q in sample_server.json("/api/v1/quotes?limit=100")["items"]
        if q["cue"] and q["mention_start"] is not None
    )
    article = sample_server.json(f"/api/v1/articles/{quote['article_id']}")
    page = tab.visit(f"/article/{quote['article_id']}")
    assert page.inner_text("h1") == (article["title"] or "Untitled article")
    assert page.locator("#article-text").text_content() == article["input_text"]
    assert page.locator("ol.qlist > li").count() == len(article["quotes"])
    position = quote["position"]
    piece = page.locator(f'.article-text .m-quote[data-q~="{position}"]').first
    piece.hover()
    text = article["input_text"]
    cue = page.locator(f'.article-text .m-cue.lit[data-q~="{position}"]')
    speaker = page.locator(f'.article-text .m-speaker.lit[data-q~="{position}"]')
    assert "".join(cue.all_text_contents()) == text[quote["cue_start"] : quote["cue_end"]]
    assert "".join(speaker.all_text_contents()) == text[quote["mention_start"] : quote["mention_end"]]
    assert page.locator(f"#ql-{position}.lit").count() == 1
    page.locator(f"#ql-{position} a.qlink").click()
    assert page.url.endswith(f"#q-{position}")
    assert page.locator(f'.article-text .m-quote.focus[data-q~="{position}"]').count() >= 1
    tab.check()


def test_api_docs_and_people_pages_load_clean(tab):
    page = tab.visit("/api/v1/docs")
    assert page.locator("section.endpoint").count() >= 10
    page = tab.visit("/people")
    assert page.locator("table.rank tbody tr").count() >= 1


def test_screenshots_of_the_four_pages(tab, sample_server, tmp_path):
    """Screenshots for the README; written to docs/screenshots/ with ONRECORD_UPDATE_SCREENSHOTS=1."""
    person = sample_server.json("/api/v1/people?limit=1")["items"][0]
    quote = sample_server.json(f"/api/v1/quotes?person={person['id']}&limit=1")["items"][0]
    quotes = sample_server.json("/api/v1/quotes?limit=500")["items"]
    words = Counter(w.lower() for q in quotes for w in set(re.findall(r"[A-Za-z]{7,}", q["content"])))
    pages = {
        "overview": "/",
        "search": "/search?q=" + words.most_common(1)[0][0],
        "person": f"/person/{person['id']}",
        "article": f"/article/{quote['article_id']}",
    }
    targets = [tmp_path]
    if os.environ.get("ONRECORD_UPDATE_SCREENSHOTS") == "1":
        targets.append(REPO / "docs" / "screenshots")
    for name, path in pages.items():
        page = tab.visit(path)
        for folder in targets:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{name}.png"))
        image = (tmp_path / f"{name}.png").read_bytes()
        assert image.startswith(b"\x89PNG") and len(image) > 20_000, name


# -- hostile content -------------------------------------------------------------------------------------
def _intact(page: Any) -> None:
    """No element created from article content, nothing wider than its box."""
    assert page.locator("img, iframe, object, embed").count() == 0
    assert page.locator("script").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    overflowing = page.evaluate(
        """[...document.querySelectorAll('.card, blockquote, h1, td, li')]
             .filter((el) => el.scrollWidth > el.clientWidth + 1
                             && getComputedStyle(el).overflowX !== 'hidden')
             .map((el) => el.tagName + '.' + el.className + ' ' + el.scrollWidth + '>' + el.clientWidth)"""
    )
    assert overflowing == []


def test_hostile_content_stays_text_and_the_layout_holds(hostile_tab, hostile_server):
    tab = hostile_tab
    quotes = hostile_server.json("/api/v1/quotes?limit=100")["items"]
    by_title = {q["title"]: q["article_id"] for q in quotes}
    council = by_title[HOSTILE_ARTICLES[0]["title"]]
    election = by_title[HOSTILE_ARTICLES[1]["title"]]
    people = [p["id"] for p in hostile_server.json("/api/v1/people")["items"]]
    for path in ["/", "/search", "/people", f"/article/{council}", f"/article/{election}"]:
        _intact(tab.visit(path))
    for person in people:
        _intact(tab.visit(f"/person/{person}"))

    page = tab.visit(f"/article/{council}")
    assert page.inner_text("h1") == HOSTILE_ARTICLES[0]["title"]
    text = page.locator("#article-text").text_content() or ""
    assert "<script>alert('quote')</script>" in text and "\"><img src=x onerror=alert('role')>" in text
    assert page.locator("a[href^='javascript:']").count() == 0
    assert "\"><img src=x onerror=alert('outlet')>" in page.inner_text(".article-head .meta")

    page = tab.visit("/search?q=" + HOSTILE_LONG_WORD[:50])
    assert page.locator(".card.quote").count() == 0  # a prefix is not the word: whole words only
    page = tab.visit("/search?speaker=Stone")
    long_card = page.locator(".card.quote", has_text=HOSTILE_LONG_WORD[:100])
    assert long_card.count() == 1
    box = long_card.bounding_box()
    container = page.locator("#results").bounding_box()
    assert box is not None and container is not None
    assert box["width"] <= container["width"] + 1 and box["x"] >= container["x"] - 1
    _intact(page)

    page = tab.visit("/search?q=" + "للديمقراطية")
    arabic = page.locator(".card.quote blockquote")
    assert arabic.count() == 1
    assert arabic.evaluate("(el) => el.matches(':dir(rtl)')")
    page = tab.visit(f"/article/{election}")
    assert "לדמוקרטיה" in (page.locator("#article-text").text_content() or "")
    _intact(page)
