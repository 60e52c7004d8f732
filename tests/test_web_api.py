"""The REST API and the pages through an in-process client (Starlette's TestClient), on a real store: the
bundled Wikinews sample, ingested once per session, and a few hostile articles."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import shutil
import socket
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote as url_quote

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from onrecord.cli import main
from onrecord.query.export import COLUMNS
from onrecord.web import SECURITY_HEADERS, create_app
from onrecord.web.app import API_PREFIX

HOSTILE_LONG_WORD = "A" * 10_000
HOSTILE_ARTICLES = [
    {
        "id": "hostile-1",
        "title": "<script>alert('title')</script> Council vote",
        "published": "2015-03-02",
        "outlet": "\"><img src=x onerror=alert('outlet')>",
        "url": "javascript:alert('url')",
        "text": "The city council met on Monday to vote on the budget.\n\n"
        "\"<script>alert('quote')</script> We will not raise taxes this year,\" said Mayor John Carver, "
        "the council's \"><img src=x onerror=alert('role')> chairman.\n\n"
        '"The budget is balanced and the reserves are healthy," Carver said on Tuesday. Critics '
        f'disagreed. "{HOSTILE_LONG_WORD} is what the deficit looks like," said Mary Stone, a spokeswoman '
        "for the opposition.\n\n"
        "\"' onmouseover='alert(1)' data-x=' This is fine,\" Stone added.",
    },
    {
        "id": "hostile-2",
        "title": "Elections: \u200fشكرا\u200e and \u200fתודה\u200e",
        "published": "2015-03-03",
        "outlet": "Al-Rtl News",
        "text": "Voters went to the polls in the capital on Sunday.\n\n"
        '"مرحبا بكم جميعا في هذا اليوم التاريخي للديمقراطية" said Ahmed Hassan, '
        "the election commissioner.\n\n"
        '"שלום לכולם, זה יום חשוב מאוד לדמוקרטיה שלנו" said David Levi, a member of parliament.\n\n'
        '"The count will be finished by Wednesday," Hassan said in a statement.',
    },
]


def build_store(path: Path, analyzer, *, sample: bool = False, articles: list[dict] | None = None) -> Path:
    """A store at ``path`` (reused when a test module before this one built it this session)."""
    if path.exists():
        return path
    from onrecord.ingest import read_inputs
    from onrecord.ingest.readers import read_sample
    from onrecord.runners.local import IngestSettings, ingest
    from onrecord.store import open_store

    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    if sample:
        items = list(read_sample())
    else:
        source = path.with_suffix(".jsonl")
        source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles or []), "utf-8")
        items = list(read_inputs([str(source)]))
    with open_store(building) as store:
        ingest(items, store, settings=IngestSettings(jobs=1), analyzer=analyzer)
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    building.rename(path)
    return path


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, analyzer_all) -> Path:
    # Every attribution class (ingest --statements all), so that the cue filter has both sides to show.
    return build_store(tmp_path_factory.getbasetemp() / "web" / "sample.db", analyzer_all, sample=True)


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory, analyzer) -> Path:
    return build_store(
        tmp_path_factory.getbasetemp() / "web" / "hostile.db", analyzer, articles=HOSTILE_ARTICLES
    )


@pytest.fixture(scope="module")
def client(sample_db):
    with TestClient(create_app(sample_db)) as client:
        yield client


@pytest.fixture(scope="module")
def all_quotes(client) -> list[dict]:
    body = client.get(f"{API_PREFIX}/quotes", params={"limit": 500}).json()
    assert body["total_exact"] and body["total"] == len(body["items"]) > 20
    return body["items"]


def first_person(client) -> dict:
    return client.get(f"{API_PREFIX}/people", params={"limit": 1}).json()["items"][0]


# -- every endpoint --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "media"),
    [
        ("/", "text/html"),
        ("/search", "text/html"),
        ("/search?q=iodine&kind=indirect", "text/html"),
        ("/people", "text/html"),
        ("/people?page=2", "text/html"),
        ("/static/style.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        (f"{API_PREFIX}", "application/json"),
        (f"{API_PREFIX}/docs", "text/html"),
        (f"{API_PREFIX}/openapi.json", "application/json"),
        (f"{API_PREFIX}/quotes?q=iodine", "application/json"),
        (f"{API_PREFIX}/quotes.csv?q=iodine", "text/csv"),
        (f"{API_PREFIX}/quotes.jsonl?q=iodine", "application/x-ndjson"),
        (f"{API_PREFIX}/people", "application/json"),
        (f"{API_PREFIX}/stats", "application/json"),
        (f"{API_PREFIX}/stats/quotes-per-day", "application/json"),
        (f"{API_PREFIX}/stats/top-people?by_outlet=true", "application/json"),
        (f"{API_PREFIX}/stats/roles", "application/json"),
        (f"{API_PREFIX}/stats/sources", "application/json"),
    ],
)
def test_every_endpoint_answers(client, url, media):
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith(media)
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()


def test_openapi_describes_every_api_route_and_each_answers(client, all_quotes):
    spec = client.get(f"{API_PREFIX}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    described = set(spec["paths"])
    routes = {
        r.path
        for r in client.app.routes
        if getattr(r, "path", "").startswith(API_PREFIX)
        and not r.path.endswith(("/openapi.json", "/docs", "{rest:path}"))
        and r.path.rstrip("/") != API_PREFIX
    }
    assert {p.replace("{person:path}", "{person}") for p in routes} == described
    person_id = first_person(client)["id"]
    for path, item in spec["paths"].items():
        url = path.replace("{person}", person_id).replace("{article}", all_quotes[0]["article_id"])
        assert client.get(url).status_code == 200, path
        assert item["get"]["summary"] and item["get"]["description"]
    docs = client.get(f"{API_PREFIX}/docs").text
    assert all(html.escape(path) in docs for path in described)
    assert "cdn" not in docs.lower() and "<script>" not in docs


# -- quotations ------------------------------------------------------------------------------------------
def a_word(quotes: list[dict]) -> str:
    """A long word of a stored quotation (the sample's content may change with the pipeline)."""
    words = re.findall(r"[A-Za-z]{6,}", " ".join(q["content"] for q in quotes[:20]))
    return max(words, key=len).lower()


def test_search_by_phrase_finds_only_quotations_with_it(client, all_quotes):
    word = a_word(all_quotes)
    items = client.get(f"{API_PREFIX}/quotes", params={"q": word}).json()["items"]
    assert items and all(word in q["content"].lower() for q in items)
    assert all(q["links"]["context"] == f"/article/{q['article_id']}#q-{q['position']}" for q in items)


def test_filters_combine(client, all_quotes):
    person = first_person(client)
    by_person = client.get(f"{API_PREFIX}/quotes", params={"person": person["id"], "limit": 500}).json()
    assert by_person["total"] == person["quotes"]
    assert {q["person_id"] for q in by_person["items"]} == {person["id"]}
    surname = person["name"].split()[-1]
    by_speaker = client.get(f"{API_PREFIX}/quotes", params={"speaker": surname, "limit": 500}).json()
    assert {q["id"] for q in by_person["items"]} <= {q["id"] for q in by_speaker["items"]}
    direct = client.get(f"{API_PREFIX}/quotes", params={"kind": "direct", "limit": 500}).json()["items"]
    assert direct and {q["kind"] for q in direct} == {"direct"}
    dated = sorted(q["published"] for q in all_quotes if q["published"])
    middle = dated[len(dated) // 2][:7]
    window = client.get(f"{API_PREFIX}/quotes", params={"since": middle, "until": middle}).json()
    expected = [q for q in all_quotes if (q["published"] or "").startswith(middle)]
    assert window["total"] == len(expected) > 0
    oldest = client.get(f"{API_PREFIX}/quotes", params={"order": "oldest", "limit": 3}).json()["items"]
    assert [q["published"] for q in oldest] == dated[:3]


def test_pages_walk_every_row_once_in_one_order(client, all_quotes):
    seen: list[str] = []
    url: str | None = f"{API_PREFIX}/quotes?limit=7"
    while url:
        body = client.get(url).json()
        seen += [q["id"] for q in body["items"]]
        url = body["next"]
    assert seen == [q["id"] for q in all_quotes]
    assert len(set(seen)) == len(seen)
    again = client.get(f"{API_PREFIX}/quotes", params={"limit": 7, "offset": 14}).json()
    assert [q["id"] for q in again["items"]] == seen[14:21]
    assert again["prev"] is not None and "offset=7" in again["prev"]


def test_downloads_are_the_whole_search(client):
    api = client.get(f"{API_PREFIX}/quotes", params={"q": "said", "limit": 500}).json()
    response = client.get(f"{API_PREFIX}/quotes.csv", params={"q": "said"})
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [name for name, _ in COLUMNS["quotes"]]
    assert {r[0] for r in rows[1:]} == {q["id"] for q in api["items"]}
    lines = client.get(f"{API_PREFIX}/quotes.jsonl", params={"q": "said"}).text.splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(q["id"] for q in api["items"])
    everything = client.get(f"{API_PREFIX}/quotes.jsonl").text.splitlines()
    assert len(everything) == client.get(f"{API_PREFIX}/stats").json()["quotes"]


# -- people, articles, statistics -------------------------------------------------------------------------
def test_people_and_one_person(client):
    people = client.get(f"{API_PREFIX}/people", params={"limit": 5}).json()
    counts = [(p["statements"], p["quotes"]) for p in people["items"]]
    assert counts == sorted(counts, reverse=True)
    assert people["total"] == client.get(f"{API_PREFIX}/stats").json()["people"]
    person = client.get(f"{API_PREFIX}/people/{people['items'][0]['id']}", params={"quotes": 3}).json()
    assert person["name"] == people["items"][0]["name"]
    assert len(person["quoted"]) == min(3, person["quotes"])
    assert sum(m["quotes"] for m in person["quotes_per_month"]) <= person["quotes"]
    assert person["outlets"] and person["role_periods"] is not None
    by_name = client.get(f"{API_PREFIX}/people/{person['name']}").json()
    assert by_name["id"] == person["id"]


def test_article_spans_point_into_its_input_text(client, all_quotes):
    body = client.get(f"{API_PREFIX}/articles/{all_quotes[0]['article_id']}").json()
    text = body["input_text"]
    assert body["quotes"]
    for quote in body["quotes"]:
        for start, end in quote["pieces"]:
            assert 0 <= start < end <= len(text)
        if quote["cue"]:
            assert text[quote["cue_start"] : quote["cue_end"]].lower() == quote["cue"].lower()
    for date in body["dates"]:
        start, end = date["span"]
        assert text[start:end].split() == date["text"].split()
    assert any(e["mentions"] for e in body["entities"])
    prefix = client.get(f"{API_PREFIX}/articles/{body['id'][:10]}").json()
    assert prefix["id"] == body["id"]


def test_statistics_add_up(client, all_quotes):
    per_day = client.get(f"{API_PREFIX}/stats/quotes-per-day").json()["items"]
    assert sum(d["quotes"] for d in per_day) == sum(1 for q in all_quotes if q["published"])
    assert [d["period"] for d in per_day] == sorted(d["period"] for d in per_day)
    person = first_person(client)
    mine = client.get(
        f"{API_PREFIX}/stats/quotes-per-day", params={"person": person["id"], "granularity": "month"}
    ).json()["items"]
    assert {d["person_id"] for d in mine} == {person["id"]}
    top = client.get(f"{API_PREFIX}/stats/top-people", params={"limit": 5}).json()["items"]
    assert [t["rank"] for t in top] == [1, 2, 3, 4, 5]
    assert [t["quotes"] for t in top] == sorted((t["quotes"] for t in top), reverse=True)
    roles = client.get(f"{API_PREFIX}/stats/roles").json()
    assert roles["quoted_people"] > 0 and roles["items"]
    assert all(0 < r["share"] <= 1 and r["people"] <= roles["quoted_people"] for r in roles["items"])
    sources = client.get(f"{API_PREFIX}/stats/sources").json()["items"]
    assert sum(s["articles"] for s in sources) == client.get(f"{API_PREFIX}/stats").json()["articles"]
    assert sources[0]["label"] == "en.wikinews.org"  # the sample has URLs and no outlet names


# -- errors --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"since": "2010-13"}, "since '2010-13' is not a date"),
        ({"until": "yesterday"}, "until 'yesterday' is not a date"),
        ({"since": "2012", "until": "2010"}, "since 2012 is after until 2010"),
        ({"kind": "shouted"}, "kind 'shouted' is not a kind"),
        ({"limit": "0"}, "limit must be between 1 and 500"),
        ({"limit": "ten"}, "limit 'ten' is not a whole number"),
        ({"offset": "-1"}, "offset must be between"),
        ({"spekaer": "Putin"}, "unknown parameter 'spekaer'"),
        ({"person": "Putin"}, "is not a person id"),
        ({"order": "random"}, "order 'random' is not one of"),
        ({"min_confidence": "2"}, "min_confidence must be between 0 and 1"),
        ({"cue": "shouted"}, "cue 'shouted' is not one of speech, other"),
    ],
)
def test_bad_parameters_are_400_with_a_message(client, params, words):
    response = client.get(f"{API_PREFIX}/quotes", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_parameter" and words in error["message"]
    filters = {k: v for k, v in params.items() if k not in {"spekaer", "limit", "offset"}}
    page = client.get("/search", params=filters or {"page": "x"})
    assert page.status_code == 400 and "<h1>That search cannot be run</h1>" in page.text


def test_unknown_things_are_404(client):
    name = first_person(client)["name"]
    person = client.get(f"{API_PREFIX}/people/{name}xq")
    assert person.status_code == 404
    assert name in person.json()["error"]["suggestions"]
    page = client.get(f"/person/{name}xq")
    assert page.status_code == 404 and f'href="/person/{url_quote(name)}"' in page.text
    assert client.get(f"{API_PREFIX}/articles/0123456789abcdef").status_code == 404
    assert client.get("/article/0123456789abcdef").status_code == 404
    missing = client.get(f"{API_PREFIX}/nothing/here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/nothing").status_code == 404
    for name, value in SECURITY_HEADERS:
        assert missing.headers[name.decode()] == value.decode()


def test_the_server_is_read_only(client, sample_db):
    before = hashlib.sha256(sample_db.read_bytes()).hexdigest()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for url in (f"{API_PREFIX}/quotes", "/search", f"{API_PREFIX}/people/x"):
            response = client.request(method, url)
            assert response.status_code == 405, (method, url)
    reader = client.app.state.reader
    with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only"):
        reader.connection.execute("DELETE FROM quotes")
    # corrections are refused unless the server was started to take them
    refused = client.post(f"{API_PREFIX}/corrections", json={"action": "undo", "correction": 1})
    assert refused.status_code == 403 and "--allow-corrections" in refused.json()["error"]["message"]
    assert client.get(f"{API_PREFIX}/corrections").json() == {"items": []}
    client.get("/")
    assert hashlib.sha256(sample_db.read_bytes()).hexdigest() == before


def test_corrections_over_the_api_when_allowed(tmp_path, sample_db):
    db = tmp_path / "copy.db"
    shutil.copyfile(sample_db, db)
    url = f"{API_PREFIX}/corrections"
    with TestClient(create_app(db, corrections=True)) as client:
        first, second = client.get(f"{API_PREFIX}/people", params={"limit": 2}).json()["items"]
        total = client.get(f"{API_PREFIX}/stats").json()["people"]
        assert (
            client.post(url, content=b"action=merge", headers={"content-type": "text/plain"}).status_code
            == 415
        )
        foreign = client.post(
            url, json={"action": "undo", "correction": 1}, headers={"origin": "http://evil.example"}
        )
        assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "cross_origin"
        bad = client.post(url, json={"action": "delete", "person": first["id"]})
        assert bad.status_code == 400 and "'action' must be one of" in bad.json()["error"]["message"]
        unknown = client.post(
            url, json={"action": "merge", "absorbed": "person:nobody-at-all", "kept": first["id"]}
        )
        assert unknown.status_code == 400
        made = client.post(
            url,
            json={
                "action": "merge",
                "absorbed": second["id"],
                "kept": first["id"],
                "reason": "test",
                "by": "ana",
            },
        )
        assert made.status_code == 201, made.text
        done = made.json()
        assert (done["action"], done["subject"], done["target"], done["made_by"]) == (
            "merge",
            second["id"],
            first["id"],
            "ana",
        )
        # what the server shows follows at once (its caches are keyed on the log too)
        assert client.get(f"{API_PREFIX}/stats").json()["people"] == total - 1
        person = client.get(f"{API_PREFIX}/people/{first['id']}").json()
        assert [c["id"] for c in person["corrections"]] == [done["id"]]
        assert {q["corrected_by"] for q in person["quoted"]} >= {done["id"]}
        # the merged-away id still leads somewhere: to the person it is now part of
        assert client.get(f"{API_PREFIX}/people/{second['id']}").json()["id"] == first["id"]
        undone = client.post(url, json={"action": "undo", "correction": done["id"]})
        assert undone.status_code == 201
        assert client.get(f"{API_PREFIX}/stats").json()["people"] == total
        assert [c["action"] for c in client.get(url).json()["items"]] == ["merge", "undo"]


# -- pages -----------------------------------------------------------------------------------------------
class Tags(HTMLParser):
    """Every element and attribute of a page, as a browser's tokenizer reads them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def check(self) -> None:
        """Our one script, no inline style or event handler, no javascript: link, no remote asset."""
        scripts = [a for t, a in self.tags if t == "script"]
        assert scripts == [{"src": "/static/app.js?v=0.1.0", "defer": None}]
        assert not [t for t, _ in self.tags if t in {"style", "img", "iframe", "object", "embed"}]
        for tag, attrs in self.tags:
            assert not [name for name in attrs if name.startswith("on") or name == "style"], (tag, attrs)
            for name in ("src", "href", "action"):
                if name not in attrs:
                    continue
                value = (attrs[name] or "").strip().lower()
                assert not value.startswith("javascript:"), (tag, attrs)
                if tag in {"script", "link"} or name in {"src", "action"}:
                    assert value.startswith("/") and not value.startswith("//"), (tag, attrs)


def test_pages_use_no_inline_script_or_style_and_nothing_remote(client, all_quotes):
    person = first_person(client)
    urls = ["/", f"/search?q={a_word(all_quotes)}", "/people", f"/person/{person['id']}", "/api/v1/docs"]
    urls.append(f"/article/{all_quotes[0]['article_id']}")
    for url in urls:
        Tags(client.get(url).text).check()


def test_person_page_by_name_redirects_to_its_id(client):
    person = first_person(client)
    response = client.get(f"/person/{person['name']}", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == f"/person/{person['id']}"
    page = client.get(f"/person/{person['id']}").text
    assert f'<h1 dir="auto">{html.escape(person["name"])}</h1>' in page
    assert "Roles over time" in page and "Quoted beside them" in page and 'class="bar"' in page


def test_article_page_marks_every_quotation(client, all_quotes):
    article_id = all_quotes[0]["article_id"]
    body = client.get(f"{API_PREFIX}/articles/{article_id}").json()
    page = client.get(f"/article/{article_id}").text
    for quote in body["quotes"]:
        assert f'id="q-{quote["position"]}"' in page
    marked = re.search(r'<div class="article-text"[^>]*>(.*?)</div>', page, re.S)
    assert marked is not None
    assert html.unescape(re.sub(r"<[^>]+>", "", marked.group(1))) == body["input_text"]


def test_hostile_content_is_text(hostile_db):
    with TestClient(create_app(hostile_db)) as client:
        quotes = client.get(f"{API_PREFIX}/quotes", params={"limit": 100}).json()["items"]
        assert any("<script>" in q["content"] for q in quotes)
        article_ids = {q["article_id"] for q in quotes}
        people = [p["id"] for p in client.get(f"{API_PREFIX}/people").json()["items"]]
        pages = ["/", "/search", "/people", *(f"/article/{a}" for a in article_ids)]
        pages += [f"/person/{p}" for p in people]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            Tags(response.text).check()
        article = client.get(f"/article/{next(iter(sorted(article_ids)))}").text
        combined = "".join(client.get(f"/article/{a}").text for a in article_ids)
        assert "&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;" in combined
        assert "&lt;img src=x onerror=alert(&#39;role&#39;)&gt;" in combined
        assert HOSTILE_LONG_WORD in combined and "للديمقراطية" in combined and "לדמוקרטיה" in combined
        assert article


# -- the command ---------------------------------------------------------------------------------------------
def test_serve_help_and_clear_errors(tmp_path, sample_db):
    runner = CliRunner(mix_stderr=False)
    help_text = runner.invoke(main, ["serve", "--help"]).output
    assert "--db" in help_text and "127.0.0.1" in help_text and "/api/v1" in help_text
    missing = runner.invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no store at" in missing.stderr and "onrecord ingest" in missing.stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    not_ours = runner.invoke(main, ["serve", "--db", str(other)])
    assert not_ours.exit_code == 1 and "not an onrecord store" in not_ours.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        busy = runner.invoke(main, ["serve", "--db", str(sample_db), "--port", str(port)])
    assert busy.exit_code == 1 and f"port {port} on 127.0.0.1 is already in use" in busy.stderr


def test_highlight_nests_overlapping_marks_and_escapes_everything():
    from onrecord.web.highlight import Marked, render

    text = 'He said "<b>no</b> & yes" loudly'
    marks = [Marked(3, 7, "cue", (0,)), Marked(8, 25, "quote", (0,)), Marked(0, 2, "speaker", (0, 1))]
    marks.append(Marked(5, 12, "date", ()))  # crosses the cue's end and the quotation's start
    out = str(render(text, marks, [(8, 0)]))
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text
    depth = 0
    for tag in re.findall(r"</?span\b", out):
        depth += -1 if tag.startswith("</") else 1
        assert depth >= 0
    assert depth == 0 and '<a class="anchor" id="q-0"></a>' in out
    assert 'data-q="0 1"' in out


def test_search_quotes_is_find_quotes_with_a_capped_count(sample_db, all_quotes):
    from onrecord.query import find_quotes
    from onrecord.query.quotes import QuoteFilter
    from onrecord.query.stats import count_quotes, search_quotes
    from onrecord.store import open_store

    speaker = next(q["person_name"] for q in all_quotes if q["person_name"]).split()[-1]
    with open_store(sample_db, readonly=True) as store:
        for query in (
            QuoteFilter(limit=5, offset=3),
            QuoteFilter(speaker=speaker, order="oldest", limit=4),
            QuoteFilter(contains=a_word(all_quotes), kind="direct", limit=None),
        ):
            page = search_quotes(store, query, cap=10_000)
            assert [q.id for q in page.rows] == [q.id for q in find_quotes(store, query)]
            everything = len(
                list(find_quotes(store, QuoteFilter(**{**vars(query), "limit": None, "offset": 0})))
            )
            assert (page.total, page.exact) == (everything, True)
            assert count_quotes(store, query, cap=10_000) == (everything, True)
        capped = search_quotes(store, QuoteFilter(limit=5), cap=10)
        assert (len(capped.rows), capped.total, capped.exact) == (5, 10, False)


def test_statistics_per_outlet(hostile_db):
    with TestClient(create_app(hostile_db)) as client:
        ranked = client.get(f"{API_PREFIX}/stats/top-people", params={"by_outlet": "true"}).json()["items"]
        outlets = {r["outlet"] for r in ranked}
        assert outlets == {a["outlet"] for a in HOSTILE_ARTICLES}
        for outlet in outlets:
            mine = [r for r in ranked if r["outlet"] == outlet]
            assert [r["rank"] for r in mine] == list(range(1, len(mine) + 1))
            one = client.get(f"{API_PREFIX}/stats/top-people", params={"outlet": outlet}).json()["items"]
            assert [(r["person_id"], r["quotes"]) for r in one] == [
                (r["person_id"], r["quotes"]) for r in mine
            ]
        labels = [s["label"] for s in client.get(f"{API_PREFIX}/stats/sources").json()["items"]]
        assert sorted(labels) == sorted(outlets)
        in_march = client.get(f"{API_PREFIX}/stats/quotes-per-day", params={"since": "2015-03-03"}).json()
        assert [d["period"] for d in in_march["items"]] == ["2015-03-03"]
        assert (
            client.get(f"{API_PREFIX}/stats/roles", params={"until": "2015-03"}).json()["quoted_people"] >= 2
        )


def test_time_chart_fills_gaps_and_picks_a_granularity():
    from onrecord.query.stats import PeriodCount
    from onrecord.web.charts import choose_granularity, span_chart, time_chart

    assert choose_granularity("2010-01-01", "2010-02-01") == "day"
    assert choose_granularity("2010-01-01", "2015-06-30") == "month"
    assert choose_granularity("2001", "2023-02-01") == "year"
    chart = time_chart([PeriodCount("2010-01", 4), PeriodCount("2010-04", 2)], "month")
    assert [b.period for b in chart.bars] == ["2010-01", "2010-02", "2010-03", "2010-04"]
    assert [b.quotes for b in chart.bars] == [4, 0, 0, 2] and chart.total == 6
    assert chart.bars[0].height == 2 * chart.bars[3].height
    assert all(b.x + b.width <= chart.width for b in chart.bars)
    spans = span_chart([("mayor", "2010-01-01", "2012-01-01", 3), ("senator", "2012-01-01", "2014-01-01", 1)])
    assert spans.spans[0].x < spans.spans[1].x and spans.spans[1].x + spans.spans[1].width <= spans.width
    assert span_chart([("mayor", "2010-01-01", "2010-01-01", 1)]).spans == []


def test_serve_runs_the_real_server_with_two_workers(sample_db):
    """`onrecord serve --workers 2` (uvicorn's worker processes on our socket) answers over HTTP."""
    import http.client
    import time

    from onrecord.bench_serve import ServerProcess

    server = ServerProcess(sample_db, workers=2)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for _ in range(100):
            try:
                conn.request("GET", f"{API_PREFIX}/stats")
                break
            except OSError:
                conn.close()
                time.sleep(0.1)
        first = conn.getresponse()
        assert first.status == 200 and json.loads(first.read())["quotes"] > 0
        assert first.getheader("x-frame-options") == "DENY"
        conn.close()
    finally:
        server.stop()


def test_the_listening_socket_says_tcp():
    """asyncio turns Nagle's algorithm off only on sockets whose protocol is TCP; with protocol 0 every
    keep-alive response waited for the client's delayed ACK (docs/web.md, Speed)."""
    from onrecord.cli.serve import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_search_words_are_marked_in_the_cards_and_nothing_else_is_markup(client, all_quotes):
    from onrecord.web.pages import mark_words

    marked = str(mark_words("<b>Air</b> base & the AIR", "air"))
    assert marked == "&lt;b&gt;<mark>Air</mark>&lt;/b&gt; base &amp; the <mark>AIR</mark>"
    assert str(mark_words("airbase", "air")) == "airbase"  # whole words, as the full-text search
    assert str(mark_words('"><script>', None)) == "&#34;&gt;&lt;script&gt;"
    word = a_word(all_quotes)
    page = client.get("/search", params={"q": word}).text
    assert re.search(rf"<mark>{word}</mark>", page, re.IGNORECASE)


# -- what was said, and the other attributions ----------------------------------------------------------
def test_the_cue_filter_splits_what_was_said_from_other_attributions(client, all_quotes):
    said = client.get(f"{API_PREFIX}/quotes", params={"limit": 500, "cue": "speech"}).json()["items"]
    other = client.get(f"{API_PREFIX}/quotes", params={"limit": 500, "cue": "other"}).json()["items"]
    assert said and other  # the sample holds both ("researchers say ..." and "had read an article ...")
    assert {q["cue_class"] for q in said} == {"speech"}
    assert "speech" not in {q["cue_class"] for q in other}
    assert sorted(q["id"] for q in said + other) == sorted(q["id"] for q in all_quotes)
    page = client.get("/search", params={"cue": "speech"})
    assert page.status_code == 200 and '<option value="speech" selected>' in page.text
    result = CliRunner().invoke(main, ["quotes", "--db", str(client.app.state.db_path), "--cue", "other"])
    assert result.exit_code == 0, result.output
