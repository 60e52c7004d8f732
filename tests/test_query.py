"""The query layer and the query commands (quotes, people, person, show, failures, export) on a store
built here with the real analyzer."""

from __future__ import annotations

import builtins
import csv
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.query import (
    AmbiguousSpeakerError,
    MissingExtraError,
    NotFoundError,
    QueryError,
    find_quotes,
    get_article,
    get_person,
    list_people,
    mark_text,
    quote_marks,
    search_articles,
)
from onrecord.query.db import fts_phrase
from onrecord.query.export import export
from onrecord.query.marks import Mark
from onrecord.query.quotes import QuoteFilter, quotes_query
from onrecord.store import Failure, StoredInput, open_store

TEXTS = [
    (
        '"We will not give up," Vladimir Putin, the Russian prime minister, said on Friday. '
        '"The air base stays open," he added.',
        "2010-04-23",
        "Example News",
    ),
    (
        'Vladimir Putin said on Monday that "the air base will stay open for now." '
        '"We will not give up," Putin told reporters. "Moscow is patient," Dmitry Medvedev said.',
        "2010-04-26",
        "Daily Planet",
    ),
    (
        '"Diplomacy works," Hillary Clinton, the secretary of state, said on Tuesday. '
        '"We must be patient," Bill Clinton, the former president, said.',
        "2011-05-01",
        "Example News",
    ),
    ('Clinton said: "Nothing is settled yet."', "2011-05-02", "Daily Planet"),
    ('"Prices will fall," said Ana Lopez, the minister of finance.', None, None),
]


@pytest.fixture(scope="module")
def items(analyzer) -> list[StoredInput]:
    return [
        StoredInput(analyzer.analyze(text, source=f"a{i}.txt", published=published, outlet=outlet), text)
        for i, (text, published, outlet) in enumerate(TEXTS)
    ]


@pytest.fixture(scope="module")
def db(tmp_path_factory, items) -> Path:
    path = tmp_path_factory.mktemp("store") / "news.db"
    with open_store(path) as store:
        store.write_batch(items, [Failure("broken.txt", "read", "E003", "the input is not UTF-8")])
    return path


@pytest.fixture(scope="module")
def store(db):
    with open_store(db, readonly=True) as store:
        yield store


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner(mix_stderr=False)


def contents(rows) -> list[str]:
    return [r.content for r in rows]


# -- find_quotes -------------------------------------------------------------------------------------------
def test_quotes_by_speaker_phrase_and_date(store):
    found = find_quotes(store, speaker="Putin", contains="air base", since="2010-04-01")
    assert contents(found) == ["the air base will stay open for now.", "The air base stays open,"]
    assert contents(find_quotes(store, speaker="putin", until="2010-04-23")) == [
        "We will not give up,",
        "The air base stays open,",
    ]
    assert len(list(find_quotes(store, speaker="person:vladimir-putin"))) == 4
    assert contents(find_quotes(store, speaker="Vladimir Putin", since="2010-04-24")) == [
        "the air base will stay open for now.",
        "We will not give up,",
    ]


def test_newest_first_with_undated_last_or_oldest_first(store):
    rows = list(find_quotes(store))
    assert [r.published for r in rows][:2] == ["2011-05-02", "2011-05-01"]
    assert rows[-1].published is None
    oldest = list(find_quotes(store, order="oldest"))
    assert oldest[0].published == "2010-04-23" and oldest[-1].published is None
    assert len(list(find_quotes(store, limit=3, offset=1))) == 3


def test_a_speaker_surname_lists_the_people_it_may_be(store):
    with pytest.raises(AmbiguousSpeakerError) as info:
        list(find_quotes(store, speaker="Clinton"))
    assert [c[0] for c in info.value.candidates] == [
        "person:bill-clinton",
        "person:clinton",
        "person:hillary-clinton",
    ]
    assert "give a full name or a person id" in str(info.value)
    assert contents(find_quotes(store, speaker="Hillary Clinton")) == ["Diplomacy works,"]
    assert contents(find_quotes(store, speaker="person:clinton")) == ["Nothing is settled yet."]
    assert list(find_quotes(store, speaker="Nobody Atall")) == []


def test_kind_outlet_and_confidence_filters(store):
    assert {r.outlet for r in find_quotes(store, outlet="daily planet")} == {"Daily Planet"}
    assert all(r.kind == "direct" for r in find_quotes(store, kind="direct"))
    assert all(r.confidence >= 0.9 for r in find_quotes(store, min_confidence=0.9))


@pytest.mark.parametrize(
    "text",
    ['air" OR base', "NEAR(air base)", "'; DROP TABLE quotes; --", "content:air", "(", '"', "AND"],
)
def test_user_text_is_never_fts_or_sql_syntax(store, text):
    assert list(find_quotes(store, contains=text)) == []
    if any(c.isalpha() for c in text):
        assert list(find_quotes(store, speaker=text)) == []
    else:
        with pytest.raises(QueryError, match="no letters"):
            find_quotes(store, speaker=text)
    assert store.counts()["quotes"] == 9


def test_a_star_is_punctuation_not_a_prefix_search(store):
    assert contents(find_quotes(store, contains="air*")) == contents(find_quotes(store, contains="air"))
    assert list(find_quotes(store, contains="ai*")) == []


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"speaker": "Putin"},
        {"speaker": "Hillary Clinton", "order": "oldest"},
        {"contains": "air base"},
        {"since": "2010-04-01", "until": "2010-05"},
        {"outlet": "Reuters"},
        {"person_id": "person:vladimir-putin", "order": "oldest"},
        {"article_id": "x", "order": "stored"},
    ],
)
def test_quote_queries_read_through_indexes(store, filters):
    """Fast on 100,000+ quotations: no filter makes SQLite read the whole quotes table (the default
    order walks the published-date index and stops at the limit)."""
    sql, params = quotes_query(store.connection, QuoteFilter(**filters, limit=50))
    plan = [row[3] for row in store.connection.execute("EXPLAIN QUERY PLAN " + sql, params)]
    full_scans = [step for step in plan if step.split()[:2] == ["SCAN", "q"] and "USING INDEX" not in step]
    assert not full_scans, plan


def test_fts_phrase_quotes_the_whole_text():
    assert fts_phrase('say "no"') == '"say ""no"""'


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"since": "2010-13-01"}, "not a date"),
        ({"until": "yesterday"}, "not a date"),
        ({"kind": "rumour"}, "not a kind"),
        ({"contains": "  "}, "empty"),
        ({"order": "random"}, "not one of"),
        ({"cue": "shouted"}, "not one of speech, other"),
    ],
)
def test_bad_options_are_refused_before_any_row(store, options, message):
    with pytest.raises(QueryError, match=message):
        find_quotes(store, **options)


# -- people ------------------------------------------------------------------------------------------------
def test_people_by_statements_with_roles_and_dates(store):
    people = list(list_people(store))
    first = people[0]
    assert (first.name, first.statements, first.quotes, first.articles) == ("Vladimir Putin", 3, 4, 2)
    assert (first.first_seen, first.last_seen) == ("2010-04-23", "2010-04-26")
    assert first.roles == ["Russian prime minister"]
    assert {p.id for p in people} == {
        "person:vladimir-putin",
        "person:dmitry-medvedev",
        "person:hillary-clinton",
        "person:bill-clinton",
        "person:clinton",  # "Clinton" alone: a person of its own (D50)
        "person:ana-lopez",
    }
    assert len(list(list_people(store, limit=2))) == 2


def test_people_in_a_period_and_an_outlet(store):
    may = {p.name: p for p in list_people(store, since="2010-04-24", until="2010-04")}
    assert set(may) == {"Vladimir Putin", "Dmitry Medvedev"}
    putin = may["Vladimir Putin"]
    assert (putin.quotes, putin.articles, putin.first_seen, putin.last_seen) == (
        2,
        1,
        "2010-04-26",
        "2010-04-26",
    )
    planet = {p.name for p in list_people(store, outlet="daily planet")}
    assert {"Vladimir Putin", "Dmitry Medvedev"} <= planet and "Ana Lopez" not in planet
    assert list(list_people(store, since="2012")) == []


def test_a_quotation_is_shortened_at_a_word_boundary():
    from onrecord.cli.query import _short

    text = "The climate projections are quite consistent across the models we ran"
    short = _short(text, 30)
    assert short == "The climate projections are…" and len(short) <= 30
    assert _short("short enough", 30) == "short enough"
    assert _short("Unbreakablewordwithoutanyspaceatall", 10) == "Unbreakab…"


def test_one_person_with_roles_quotes_and_company(store):
    detail = get_person(store, "Vladimir Putin")
    assert detail.person.id == "person:vladimir-putin"
    assert [(r.role, r.first_seen) for r in detail.roles] == [("Russian prime minister", "2010-04-23")]
    assert [q.published for q in detail.quotes] == ["2010-04-23", "2010-04-23", "2010-04-26", "2010-04-26"]
    assert [(n.name, n.articles) for n in detail.beside] == [("Dmitry Medvedev", 1)]
    assert get_person(store, "putin").person.id == "person:vladimir-putin"
    assert get_person(store, "person:vladimir-putin").person.name == "Vladimir Putin"
    assert get_person(store, "Medvedev").person.name == "Dmitry Medvedev"
    assert json.loads(json.dumps(detail.to_dict()))["quoted_beside"][0]["name"] == "Dmitry Medvedev"


def test_an_unknown_or_ambiguous_person_says_so_with_close_names(store):
    with pytest.raises(NotFoundError, match="Vladimir Putin") as info:
        get_person(store, "Vladimir Puttin")
    assert info.value.suggestions == ["Vladimir Putin"]
    with pytest.raises(NotFoundError, match="a surname alone is no one person") as info:
        get_person(store, "Clinton")
    assert info.value.suggestions == ["Bill Clinton", "Hillary Clinton", "person:clinton"]
    assert get_person(store, "person:clinton").person.name == "Clinton"


# -- articles ----------------------------------------------------------------------------------------------
def test_an_article_by_id_or_prefix(store, items):
    article_id = items[0].analysis.id
    detail = get_article(store, article_id[:8])
    assert detail.article.id == article_id and detail.article.input_text == items[0].input_text
    assert contents(detail.quotes) == ["We will not give up,", "The air base stays open,"]
    assert detail.provenance["onrecord"] == "0.1.0"
    assert [s["source"] for s in detail.sources] == ["a0.txt"]
    with pytest.raises(NotFoundError, match="no article") as info:
        get_article(store, article_id[:7] + ("0" if article_id[7] != "0" else "1"))
    assert info.value.suggestions == [article_id]


def test_article_text_search(store, items):
    assert [a.id for a in search_articles(store, "secretary of state")] == [items[2].analysis.id]
    assert list(search_articles(store, "state of secretary")) == []


def test_marks_nest_and_close_in_order():
    text = 'He said "a <b> c" today'
    marks = [Mark(9, 16, "quote"), Mark(0, 2, "speaker"), Mark(3, 7, "cue"), Mark(11, 14, "speaker")]
    assert mark_text(text, marks) == '{He} <said> "[a {<b>} c]" today'
    ansi = mark_text(text, marks, style="ansi")
    assert ansi.count("\x1b[0m") == 4 and ansi.startswith("\x1b[1;36mHe\x1b[0m")
    assert mark_text(text[9:16], marks, offset=9) == "[a {<b>} c]"


def test_show_marks_what_the_record_says(store, items):
    detail = get_article(store, items[0].analysis.id)
    marked = mark_text(detail.article.input_text, quote_marks(detail.quotes))
    assert marked.startswith('"[We will not give up,]" {Vladimir Putin}, the Russian prime minister, <said>')


# -- export ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("what", ["quotes", "people", "articles"])
def test_export_every_format_reads_back(store, tmp_path, what):
    expected = {"quotes": 9, "people": 6, "articles": 5}[what]
    jsonl, table, parquet = tmp_path / "x.jsonl", tmp_path / "x.csv", tmp_path / "x.parquet"
    assert export(store, what, "jsonl", jsonl) == expected
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert export(store, what, "csv", table) == expected
    with table.open(encoding="utf-8", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    assert [r["id"] for r in csv_rows] == [r["id"] for r in rows]
    pq = pytest.importorskip("pyarrow.parquet")
    assert export(store, what, "parquet", parquet) == expected
    table_back = pq.read_table(parquet).to_pylist()
    assert [r["id"] for r in table_back] == [r["id"] for r in rows]
    if what == "quotes":
        assert json.loads(table_back[0]["pieces"]) == rows[0]["pieces"]
        assert isinstance(table_back[0]["confidence"], float)


def test_parquet_without_pyarrow_names_the_extra(store, tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(MissingExtraError, match=r'pip install "onrecord\[parquet\]"'):
        export(store, "quotes", "parquet", tmp_path / "q.parquet")
    assert not (tmp_path / "q.parquet").exists()


# -- the commands ------------------------------------------------------------------------------------------
def test_cli_quotes_table_jsonl_csv(runner, db):
    args = [
        "quotes",
        "--db",
        str(db),
        "--speaker",
        "Putin",
        "--contains",
        "air base",
        "--since",
        "2010-04-01",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["date", "outlet", "article", "speaker", "kind", "quotation"]
    assert "Vladimir Putin" in lines[2] and "the air base will stay open" in lines[2]
    assert "Daily Planet" in lines[2] and "Example News" in lines[3]  # the outlet beside each
    assert len(lines) == 4
    undated = runner.invoke(main, ["quotes", "--db", str(db), "--contains", "Prices will fall", "--urls"])
    assert undated.stdout.splitlines()[0].split()[:3] == ["date", "outlet", "url"]
    assert undated.stdout.splitlines()[2].startswith("undated")
    result = runner.invoke(main, [*args, "--format", "jsonl"])
    assert [json.loads(x)["person_id"] for x in result.stdout.splitlines()] == ["person:vladimir-putin"] * 2
    result = runner.invoke(main, ["quotes", "--db", str(db), "--format", "csv", "--kind", "direct"])
    assert result.exit_code == 0, result.stderr
    assert len(list(csv.DictReader(result.stdout.splitlines()))) == 9


def test_cli_table_truncates_long_quotations(runner, db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    result = runner.invoke(main, ["quotes", "--db", str(db), "--limit", "2"])
    assert result.exit_code == 0, result.stderr
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "first 2 quotations" in result.stderr


def test_cli_people_and_person(runner, db):
    result = runner.invoke(main, ["people", "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    header, _, first, *_ = result.stdout.splitlines()
    assert header.split()[:4] == ["statements", "quotes", "articles", "name"]
    assert first.split()[:5] == ["3", "4", "2", "Vladimir", "Putin"]
    result = runner.invoke(main, ["people", "--db", str(db), "--format", "jsonl"])
    assert json.loads(result.stdout.splitlines()[0])["roles"] == ["Russian prime minister"]
    result = runner.invoke(main, ["people", "--db", str(db), "--since", "2011", "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    assert "Vladimir Putin" not in result.stdout and "Hillary Clinton" in result.stdout
    bad = runner.invoke(main, ["people", "--db", str(db), "--since", "yesterday"])
    assert bad.exit_code != 0 and "since" in bad.stderr
    result = runner.invoke(main, ["person", "--db", str(db), "Vladimir Putin"])
    assert result.exit_code == 0, result.stderr
    assert "Russian prime minister" in result.stdout and "Dmitry Medvedev" in result.stdout
    assert "3 statements, 4 quotations in 2 articles" in result.stdout
    result = runner.invoke(main, ["person", "--db", str(db), "putin", "--format", "json"])
    assert json.loads(result.stdout)["id"] == "person:vladimir-putin"


def test_cli_unknown_person_and_article_exit_1_with_suggestions(runner, db):
    result = runner.invoke(main, ["person", "--db", str(db), "Vladimir Puttin"])
    assert result.exit_code == 1
    assert "no person 'Vladimir Puttin'" in result.stderr and "'Vladimir Putin'" in result.stderr
    result = runner.invoke(main, ["show", "--db", str(db), "0123456789abcdef"])
    assert result.exit_code == 1 and "no article" in result.stderr


def test_cli_show_marks_quotes_cues_and_speakers(runner, db, items):
    article_id = items[0].analysis.id
    result = runner.invoke(main, ["show", "--db", str(db), article_id[:8]])
    assert result.exit_code == 0, result.stderr
    assert '"[We will not give up,]" {Vladimir Putin}, the Russian prime minister, <said>' in result.stdout
    assert "Vladimir Putin (as 'he')" in result.stdout
    result = runner.invoke(main, ["show", "--db", str(db), article_id, "--context"])
    assert '"[The air base stays open,]" {he} <added>.' in result.stdout
    result = runner.invoke(main, ["show", "--db", str(db), article_id, "--color"])
    assert "\x1b[32mWe will not give up,\x1b[0m" in result.stdout
    result = runner.invoke(main, ["show", "--db", str(db), article_id, "--format", "json"])
    assert json.loads(result.stdout)["quotes"][0]["cue"] == "said"


def test_cli_failures(runner, db):
    result = runner.invoke(main, ["failures", "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    assert "broken.txt" in result.stdout and "E003" in result.stdout
    result = runner.invoke(main, ["failures", "--db", str(db), "--format", "jsonl"])
    assert json.loads(result.stdout)["message"] == "the input is not UTF-8"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_cli_export(runner, db, tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    out = tmp_path / f"quotes.{fmt}"
    result = runner.invoke(
        main, ["export", "--db", str(db), "--what", "quotes", "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert "wrote 9 quotes" in result.stderr
    if fmt == "jsonl":
        assert len(out.read_text(encoding="utf-8").splitlines()) == 9
    elif fmt == "csv":
        with out.open(encoding="utf-8", newline="") as f:
            assert len(list(csv.DictReader(f))) == 9
    else:
        import pyarrow.parquet as pq

        assert pq.read_table(out).num_rows == 9


def test_cli_a_missing_store_says_how_to_build_one(runner, tmp_path):
    missing = tmp_path / "news.db"
    for command in ("quotes", "people", "failures"):
        result = runner.invoke(main, [command, "--db", str(missing)])
        assert result.exit_code == 1
        assert f"no store at {missing}" in result.stderr and "onrecord ingest" in result.stderr
    assert not missing.exists()


def test_cli_bad_date_is_a_usage_error(runner, db):
    result = runner.invoke(main, ["quotes", "--db", str(db), "--since", "April"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_cli_reads_without_writing(runner, db):
    before = db.stat().st_mtime_ns
    conn = sqlite3.connect(db)
    count = conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
    conn.close()
    runner.invoke(main, ["quotes", "--db", str(db)])
    assert db.stat().st_mtime_ns == before and count == 9


def test_every_query_command_is_documented():
    text = (Path(__file__).resolve().parents[1] / "docs" / "store.md").read_text(encoding="utf-8")
    for command in ("quotes", "people", "person", "show", "failures", "export"):
        assert f"onrecord {command} " in text, f"docs/store.md has no example of `onrecord {command}`"


def test_every_rule_of_the_extractor_has_a_class():
    # A store made before the cue_class column gets its classes from the rules (schema step 7): a rule
    # the table does not know would silently count as speech.
    from onrecord.quotes.candidates import RULES
    from onrecord.quotes.classes import _FAMILY_CLASS, CUE_CLASSES, family

    assert {family(r) for r in RULES} <= set(_FAMILY_CLASS)
    assert set(_FAMILY_CLASS.values()) <= set(CUE_CLASSES)
    assert {_FAMILY_CLASS[family(r)] for r in RULES if r.startswith("direct.")} == {"speech"}
