"""The SQLite store: migrations, round trips into the input text, idempotent batches, duplicates,
statements across articles, the cross-article merge of people, and a property test of any order."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.query import find_quotes, load_analysis
from onrecord.store import SCHEMA_VERSION, Failure, StoredInput, StoreError, open_store
from onrecord.store import people as people_module
from onrecord.store import schema as schema_module
from onrecord.store.people import assign_persons, name_key, name_words, person_id_for, statement_id
from onrecord.store.schema import MIGRATIONS, migrate

#: name -> (input text, published, outlet). The three Putin texts share one quotation word for word.
TEXTS = {
    "putin_full": (
        '"We will not give up," Vladimir Putin, the Russian prime minister, said on Friday. '
        '"The air base stays open," he added.',
        "2010-04-23",
        "Example News",
    ),
    "putin_surname": (
        'Putin said on Monday that "the air base will stay open for now." '
        '"We will not give up," Putin told reporters.',
        "2010-04-26",
        "Daily Planet",
    ),
    "putin_again": (
        'Vladimir Putin spoke on Monday. "We will not give up," Mr Putin told reporters.',
        "2010-04-27",
        "Daily Planet",
    ),
    "clintons": (
        '"Diplomacy works," Hillary Clinton, the secretary of state, said on Tuesday. '
        '"We must be patient," Bill Clinton, the former president, said.',
        "2010-05-01",
        "Example News",
    ),
    "hillary": ('"Talks go on," Hillary Clinton said on Wednesday.', "2010-05-05", "Daily Planet"),
    "bill": ('"I am retired," Bill Clinton said on Thursday.', "2010-05-06", "Example News"),
    "clinton": ('Clinton said: "Nothing is settled yet."', "2010-05-02", "Daily Planet"),
    "group": (
        'Jane Doe and Bill Roe met on Monday.\n\n"We agreed on nothing at all today," they said. '
        'Officials said "the talks failed badly and will resume."',
        "2010-05-03",
        None,
    ),
    "messy": (
        'PARIS — "The summit is\u00a0over," Marie Dupont said.\r\n\r\nShare on Facebook\r\n\r\n'
        '"Nobody won," she added. Jane Smith, the mayor, said the plan\r\nwas  dead\u200b and buried.\n',
        None,
        "Le Monde",
    ),
}

#: Tables compared by the idempotency and property tests; columns that are times or rowids are left out.
VOLATILE = {"pk", "stored_at", "recorded_at", "applied_at"}
TABLES = ("articles", "article_sources", "entities", "dates", "quotes", "names", "persons", "statements")


@pytest.fixture(scope="module")
def pool(analyzer) -> dict[str, StoredInput]:
    return {
        name: StoredInput(
            analyzer.analyze(text, source=f"{name}.txt", published=published, outlet=outlet), text
        )
        for name, (text, published, outlet) in TEXTS.items()
    }


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, without volatile columns, sorted: the content of a store."""
    content: dict[str, list[tuple[object, ...]]] = {}
    for table in TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
        content[table] = sorted(rows, key=repr)
    return content


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*TABLES, "failures")}


def persons(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """person id -> (statements, quotes)."""
    return {pid: (s, q) for pid, s, q in conn.execute("SELECT id, statements, quotes FROM persons")}


# -- migrations ----------------------------------------------------------------------------------------
def test_a_new_file_gets_every_migration_and_reopens(tmp_path):
    path = tmp_path / "news.db"
    with open_store(path) as store:
        conn = store.connection
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert [r[0] for r in conn.execute("SELECT version FROM migrations ORDER BY version")] == [
            m.version for m in MIGRATIONS
        ]
        assert store.counts() == {"articles": 0, "quotes": 0, "statements": 0, "people": 0, "failures": 0}
    with open_store(path) as store:  # opening again applies nothing and keeps the file
        assert store.connection.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(MIGRATIONS)
    with open_store(path, readonly=True) as store:
        assert store.counts()["articles"] == 0


def test_an_old_store_is_upgraded_on_open(tmp_path, pool):
    """A store at version 4 (before the speaker-resolution columns) holding data: opening it adds the
    columns, the old rows read with no resolution. (The writer writes the newest columns, so a store
    older than that cannot be filled by it; steps 2-4 are checked by the full-text tests on new stores.)"""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), target=4) == 4
    for column in ("speaker_named", "speaker_resolution", "antecedent_start", "antecedent_end"):
        conn.execute(f"ALTER TABLE quotes ADD COLUMN {column}")  # as the writer expects; dropped below
    conn.execute("ALTER TABLE entities ADD COLUMN role_facts TEXT NOT NULL DEFAULT '[]'")  # step 6, ditto
    conn.execute("ALTER TABLE quotes ADD COLUMN cue_class TEXT")  # step 7, ditto
    for column in _ENCODING_COLUMNS:  # step 8, ditto
        conn.execute(f"ALTER TABLE articles ADD COLUMN {column}")
    _add_corrections(conn)  # step 9, ditto
    from onrecord.store.sqlite import _write  # the writer's body, run here against the old schema

    conn.execute("BEGIN")
    _write(conn, [pool["putin_full"]], [])
    conn.execute("COMMIT")
    for column in ("speaker_named", "speaker_resolution", "antecedent_start", "antecedent_end"):
        conn.execute(f"ALTER TABLE quotes DROP COLUMN {column}")
    conn.execute("ALTER TABLE entities DROP COLUMN role_facts")
    conn.execute("ALTER TABLE quotes DROP COLUMN cue_class")
    for column in _ENCODING_COLUMNS:
        conn.execute(f"ALTER TABLE articles DROP COLUMN {column.split()[0]}")
    _drop_corrections(conn)
    conn.close()
    with pytest.raises(StoreError, match="older than this onrecord"):
        open_store(path, readonly=True)
    with open_store(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [q.content for q in store.quotes(contains="air base")] == ["The air base stays open,"]
        columns = "speaker_named, speaker_resolution, antecedent_start, antecedent_end"
        assert set(store.connection.execute(f"SELECT {columns} FROM quotes")) == {(None, None, None, None)}


def test_a_newer_store_and_a_foreign_database_are_refused(tmp_path):
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="upgrade onrecord"):
        open_store(newer)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="not an onrecord store"):
        open_store(foreign)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="SQLite"):
        open_store(garbage)


def test_a_missing_store_read_only_says_how_to_build_one(tmp_path):
    with pytest.raises(StoreError, match=r"onrecord ingest .* --db"):
        open_store(tmp_path / "missing.db", readonly=True)
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "no" / "such" / "folder.db")


def test_a_read_only_store_cannot_write(tmp_path, pool):
    path = tmp_path / "news.db"
    open_store(path).close()
    with open_store(path, readonly=True) as store, pytest.raises(StoreError, match="read-only"):
        store.write_batch([pool["putin_full"]])


# -- round trip --------------------------------------------------------------------------------------------
def test_round_trip_of_records_and_spans_into_the_input(pool):
    with open_store(":memory:") as store:
        store.write_batch(list(pool.values()))
        for item in pool.values():
            analysis = item.analysis
            assert load_analysis(store, analysis.id) == analysis
            (input_text,) = store.connection.execute(
                "SELECT input_text FROM articles WHERE id = ?", (analysis.id,)
            ).fetchone()
            assert input_text == item.input_text
            rows = list(find_quotes(store, article_id=analysis.id, order="stored"))
            assert len(rows) == len(analysis.quotes)
            for row, quote in zip(rows, analysis.quotes, strict=True):
                pieces = " ".join(input_text[s:e] for s, e in row.pieces)
                assert " ".join(pieces.replace("\u200b", "").split()) == " ".join(quote.content.split())
                assert row.quote_start == min(s for s, _ in row.pieces)
                assert row.quote_end == max(e for _, e in row.pieces)
                if row.speaker_mention is not None:
                    assert input_text[row.mention_start : row.mention_end] == row.speaker_mention
                if row.cue is not None:
                    assert input_text[row.cue_start : row.cue_end] == row.cue
                assert row.context_start <= row.quote_start and row.quote_end <= row.context_end
                assert row.component == quote.component and row.confidence == quote.confidence
        (provenance,) = store.connection.execute(
            "SELECT onrecord_version FROM articles WHERE id = ?", (pool["messy"].analysis.id,)
        ).fetchone()
        assert provenance == "0.1.0"


def test_nested_quotations_point_to_their_enclosing_quote(analyzer):
    text = "\"I asked him, 'why does this annoy you so much?' and he had no answer,\" Jane Smith said."
    analysis = analyzer.analyze(text, source="nested.txt", published="2010-05-05")
    assert any(q.nested_in is not None for q in analysis.quotes)
    with open_store(":memory:") as store:
        store.write_batch([StoredInput(analysis, text)])
        inner = [q for q in store.quotes() if q.nested_in]
        assert inner and inner[0].nested_in == f"{analysis.id}:0"
        assert store.analysis(analysis.id) == analysis


# -- idempotency, duplicates, atomicity ------------------------------------------------------------------
def test_writing_the_same_batch_twice_changes_nothing(tmp_path, pool):
    batch = list(pool.values())
    failures = [Failure("broken.txt", "read", "E001", "the input is empty")]
    with open_store(tmp_path / "news.db") as store:
        store.write_batch(batch, failures)
        once, content = table_counts(store.connection), dump(store.connection)
        store.write_batch(batch, failures)
        assert table_counts(store.connection) == once
        assert dump(store.connection) == content
        assert store.known_ids([b.analysis.id for b in batch] + ["nope"]) == {b.analysis.id for b in batch}


def test_an_exact_duplicate_is_stored_once_with_each_source(analyzer, pool):
    text, published, _ = TEXTS["putin_full"]
    again = StoredInput(
        analyzer.analyze(text, source="mirror.txt", published=published, outlet="Mirror Daily"), text
    )
    assert again.analysis.id == pool["putin_full"].analysis.id
    with open_store(":memory:") as store:
        store.write_batch([pool["putin_full"]])
        store.write_batch([again, again])
        conn = store.connection
        assert store.counts()["articles"] == 1 and store.counts()["quotes"] == 2
        sources = conn.execute("SELECT source, outlet FROM article_sources ORDER BY source").fetchall()
        assert sources == [("mirror.txt", "Mirror Daily"), ("putin_full.txt", "Example News")]
        # The article keeps the source it was first stored from; its statements now have two outlets.
        assert conn.execute("SELECT source FROM articles").fetchone()[0] == "putin_full.txt"
        assert {r[0] for r in conn.execute("SELECT outlets FROM statements")} == {2}


def test_one_quotation_in_two_articles_is_one_statement(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["putin_full"], pool["putin_again"]])
        conn = store.connection
        rows = conn.execute(
            "SELECT quotes, articles, outlets, person_id FROM statements WHERE content LIKE 'We will not%'"
        ).fetchall()
        assert rows == [(2, 2, 2, "person:vladimir-putin")]
        # people count statements (2) and quotes (3): the repeated quotation counts once.
        assert persons(conn) == {"person:vladimir-putin": (2, 3)}
        assert store.counts()["statements"] == 2


def test_a_killed_batch_leaves_nothing_and_can_be_written_again(tmp_path, pool, monkeypatch):
    path = tmp_path / "news.db"
    with open_store(path) as store:
        store.write_batch([pool["putin_full"]])
        before = dump(store.connection)

        def die(*args: object) -> None:
            raise KeyboardInterrupt  # as if the process were stopped in the middle of the batch

        monkeypatch.setattr(people_module, "refresh_persons", die)
        with pytest.raises(KeyboardInterrupt):
            store.write_batch([pool["putin_surname"], pool["clintons"]])
        assert dump(store.connection) == before
        monkeypatch.undo()
        store.write_batch([pool["putin_surname"], pool["clintons"]])
        assert store.counts()["articles"] == 3
    with open_store(path) as store:  # and the file is sound
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_failures_are_replaced_and_cleared_when_the_input_succeeds(pool):
    with open_store(":memory:") as store:
        store.write_batch(
            [], [Failure("putin_full.txt", "read", "E001", "empty"), Failure("x", "read", "E2", "m")]
        )
        store.write_batch([], [Failure("x", "analyze", "E005", "not English")])
        rows = store.connection.execute("SELECT input, stage, code FROM failures ORDER BY input").fetchall()
        assert rows == [("putin_full.txt", "read", "E001"), ("x", "analyze", "E005")]
        store.write_batch([pool["putin_full"]])
        assert [f.input for f in store.failures()] == ["x"]


# -- people across articles --------------------------------------------------------------------------------
def test_a_surname_alone_is_a_person_of_its_own_never_joined_to_the_full_name(pool):
    """D50: "Putin" in an article that names no Vladimir is no evidence of which Putin it is."""
    with open_store(":memory:") as store:
        store.write_batch([pool["putin_surname"]])
        assert persons(store.connection) == {"person:putin": (2, 2)}
        store.write_batch([pool["putin_full"]])
        conn = store.connection
        assert persons(conn) == {"person:putin": (2, 2), "person:vladimir-putin": (2, 2)}
        names = dict(conn.execute("SELECT key, person_id FROM names"))
        assert names == {"vladimir putin": "person:vladimir-putin", "putin": "person:putin"}
        # the same words of two persons are two statements
        same = conn.execute("SELECT count(*) FROM statements WHERE content LIKE 'We will not%'").fetchone()
        assert same == (2,)


def test_bill_and_hillary_clinton_stay_apart_and_a_bare_clinton_is_neither(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["clintons"], pool["clinton"], pool["hillary"]])
        conn = store.connection
        assert persons(conn) == {
            "person:hillary-clinton": (2, 2),
            "person:bill-clinton": (1, 1),
            "person:clinton": (1, 1),
        }


def test_groups_and_unresolved_speakers_are_stored_but_are_not_people(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["group"]])
        rows = store.connection.execute(
            "SELECT speaker_kind, speaker_name, person_id, speaker_entities FROM quotes ORDER BY position"
        ).fetchall()
        assert rows == [
            ("group", "Jane Doe and Bill Roe", None, '["person:jane-doe", "person:bill-roe"]'),
            ("unnamed", "Officials", None, None),  # an unnamed speaker: stored, never a person
        ]
        assert store.counts()["people"] == 0 and store.counts()["statements"] == 2


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["putin"], {"putin": "person:putin"}),
        (
            ["putin", "vladimir putin", "vladimir vladimirovich putin"],
            {
                "putin": "person:putin",
                "vladimir putin": "person:vladimir-putin",
                "vladimir vladimirovich putin": "person:vladimir-putin",
            },
        ),
        (
            ["hillary clinton", "hillary rodham clinton", "bill clinton", "clinton", "hillary"],
            {
                "hillary clinton": "person:hillary-clinton",
                "hillary rodham clinton": "person:hillary-clinton",
                "bill clinton": "person:bill-clinton",
                "clinton": "person:clinton",
                "hillary": "person:hillary",
            },
        ),
    ],
)
def test_the_merge_rule(keys, expected):
    assert assign_persons(keys) == expected


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Vladimir Putin", ("vladimir", "putin")),
        ("VLADIMIR  PUTIN", ("vladimir", "putin")),
        ("Martin Luther King Jr.", ("martin", "luther", "king", "jr")),
        ("Donald Trump, Jr", ("donald", "trump", "jr")),
        ("Johann II", ("johann",)),
        ("José Manuel Barroso", ("jose", "manuel", "barroso")),
        ("Conan O’Brien", ("conan", "o'brien")),
        ("Andrew Lloyd-Webber", ("andrew", "lloyd-webber")),
    ],
)
def test_names_are_compared_as_words(name, words):
    assert name_words(name) == words
    assert name_key(name) == " ".join(words)


def test_a_son_is_not_his_father():
    assert person_id_for(name_words("Donald Trump Jr.")) == "person:donald-trump-jr"
    assert person_id_for(name_words("Donald J. Trump")) == "person:donald-trump"
    assert assign_persons(["donald trump", "donald trump jr", "donald j trump"]) == {
        "donald trump": "person:donald-trump",
        "donald j trump": "person:donald-trump",
        "donald trump jr": "person:donald-trump-jr",
    }


def test_statement_ids_ignore_case_and_punctuation_but_not_the_speaker():
    a = statement_id("We will not give up,", "person:vladimir-putin", "putin")
    assert a == statement_id("we will NOT give up.", "person:vladimir-putin", "vladimir putin")
    assert a != statement_id("We will not give up,", "person:bill-clinton", "bill clinton")
    assert statement_id("Yes.", None, "officials") != statement_id("Yes.", None, None)


# -- full-text search, readers -----------------------------------------------------------------------------
def test_full_text_indexes_stay_in_step(tmp_path, pool):
    with open_store(tmp_path / "news.db") as store:
        store.write_batch(list(pool.values()))
        conn = store.connection
        conn.execute("INSERT INTO quotes_fts (quotes_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        found = conn.execute(
            "SELECT q.content FROM quotes_fts JOIN quotes q ON q.pk = quotes_fts.rowid "
            "WHERE quotes_fts MATCH ? ORDER BY q.content",
            ('"air base"',),
        ).fetchall()
        assert found == [("The air base stays open,",), ("the air base will stay open for now.",)]


def test_a_reader_sees_each_committed_batch_while_the_writer_is_open(tmp_path, pool):
    path = tmp_path / "news.db"
    with open_store(path) as writer:
        writer.write_batch([pool["putin_full"]])
        with open_store(path, readonly=True) as reader:
            assert reader.counts()["articles"] == 1
            writer.write_batch([pool["clintons"]])
            assert reader.counts()["articles"] == 2


# -- any order, any batches: the same store ------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_any_order_and_batching_of_the_same_articles_gives_the_same_store(pool, data):
    names = sorted(pool)
    order = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=12), label="articles")
    cuts = data.draw(st.lists(st.integers(0, len(order)), max_size=4), label="cuts")
    bounds = sorted({0, len(order), *cuts})
    with open_store(":memory:") as expected, open_store(":memory:") as actual:
        expected.write_batch([pool[n] for n in sorted(set(order))])
        for start, end in itertools.pairwise(bounds):
            actual.write_batch([pool[n] for n in order[start:end]])
        assert dump(actual.connection) == dump(expected.connection)
        phrase = [q.id for q in actual.quotes(contains="give up")]
        assert phrase == [q.id for q in expected.quotes(contains="give up")]


def test_docs_describe_every_table_and_column_and_the_merge_rule():
    doc = people_module.__doc__ or ""
    assert "Hillary" in doc and "surname alone" in doc
    text = (Path(__file__).resolve().parents[1] / "docs" / "store.md").read_text(encoding="utf-8")
    assert "merge rule" in text and "surname alone" in text
    with open_store(":memory:") as store:
        conn = store.connection
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not r[0].startswith(("quotes_fts_", "articles_fts_", "sqlite_"))
        ]
        for table in tables:
            assert f"`{table}`" in text, f"docs/store.md does not describe the table {table}"
            for column in (r[1] for r in conn.execute(f"PRAGMA table_info({table})")):
                if not table.endswith("_fts"):
                    assert f"`{column}`" in text, f"docs/store.md does not describe {table}.{column}"


# -- stories: near-duplicate articles (wire copies) ------------------------------------------------------
WIRE = (
    "{headline}\n\n"
    'GENEVA — "We will keep talking until there is a deal," Anna Lindqvist, the Swedish foreign minister, '
    "said on Tuesday after a long day of negotiations over the disputed border crossings. "
    "The talks, which began last month, have stalled twice over the question of who controls the "
    "northern checkpoints and how many observers may be posted there. "
    '"Nobody at this table wants another winter of closed roads," Lindqvist told reporters outside '
    "the conference hall. {changed} "
    "Officials from both delegations said a draft text could be ready by the end of the week, although "
    "several points remained open, including the timetable for reopening the railway line. "
    '"We are closer than we have ever been," said Marco Bellini, the mediator, adding that the '
    "next round would start on Monday."
)
WIRE_ORIGINAL = WIRE.format(
    headline="Border talks resume in Geneva",
    changed="The next meeting is planned for Thursday morning in the old palace.",
)
WIRE_COPY = WIRE.format(
    headline="Sweden's Lindqvist vows to keep talking",
    changed="Diplomats expect the two sides to meet again later this week at a smaller venue.",
)
UNRELATED = (
    'LYON — "The harvest was the worst in twenty years," Claire Martin, a grape grower, said on Monday, '
    "standing among rows of vines stripped bare by hail. Farmers across the region have asked the "
    "government for emergency aid after storms in early August destroyed much of the crop. "
    '"Without help many of us will not survive another season," she said. The agriculture ministry '
    "said it would send inspectors to assess the damage before deciding on any payments, a process "
    "that could take several months according to local farming unions."
)


@pytest.fixture(scope="module")
def wire(analyzer) -> dict[str, StoredInput]:
    given = {
        "original": (WIRE_ORIGINAL, "wire.txt", "Wire Agency"),
        "copy": (WIRE_COPY, "copy.txt", "Daily Planet"),
        "unrelated": (UNRELATED, "farm.txt", "Le Progrès"),
    }
    return {
        name: StoredInput(analyzer.analyze(text, source=source, published="2010-06-01", outlet=outlet), text)
        for name, (text, source, outlet) in given.items()
    }


def stories_of(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT id, story_id FROM articles"))


def test_a_wire_copy_joins_the_story_of_the_first_article(tmp_path, wire):
    original, copy, unrelated = (wire[n].analysis.id for n in ("original", "copy", "unrelated"))
    assert len({original, copy, unrelated}) == 3  # three distinct articles, not exact duplicates
    path = tmp_path / "news.db"
    with open_store(path) as store:
        store.write_batch([wire["original"]])
        store.write_batch([wire["unrelated"], wire["copy"]])
        expected = {original: original, copy: original, unrelated: unrelated}
        assert stories_of(store.connection) == expected
        content = dump(store.connection)
        store.write_batch([wire["copy"], wire["original"], wire["unrelated"]])  # again: nothing changes
        assert dump(store.connection) == content
        assert store.connection.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 3
        # The repeated quotation is one statement carried by two articles of one story.
        row = store.connection.execute(
            "SELECT quotes, articles, outlets, stories FROM statements WHERE content LIKE 'We will keep%'"
        ).fetchone()
        assert row == (2, 2, 2, 1)
        article = store.article(copy).article
        assert (article.story_id, article.story_articles) == (original, 2)
    with open_store(path) as store:  # a new process loads the stored signatures and matches against them
        again = StoredInput(
            dataclasses.replace(wire["copy"].analysis, id="f" * 64, source="again.txt"),
            wire["copy"].input_text,
        )
        store.write_batch([again])
        assert stories_of(store.connection)["f" * 64] == original


def test_one_batch_and_a_killed_batch_give_the_same_stories(tmp_path, wire, monkeypatch):
    order = [wire["original"], wire["unrelated"], wire["copy"]]
    with open_store(":memory:") as clean:
        clean.write_batch(order)
        expected = dump(clean.connection)
    with open_store(tmp_path / "news.db") as store:
        store.write_batch(order[:1])

        def die(*args: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(people_module, "refresh_persons", die)
        with pytest.raises(KeyboardInterrupt):
            store.write_batch(order[1:])
        monkeypatch.undo()
        # The in-memory index must not keep the rolled-back articles.
        store.write_batch(order[1:])
        assert dump(store.connection) == expected
        assert len(set(stories_of(store.connection).values())) == 2


_RESOLUTION_COLUMNS = ("speaker_named", "speaker_resolution", "antecedent_start", "antecedent_end")
#: Step 8's columns (the input's encoding), with their types.
_ENCODING_COLUMNS = ("encoding TEXT", "encoding_sure INTEGER")


def _add_corrections(conn: sqlite3.Connection) -> None:
    """Step 9's table and columns, as the writer expects them; :func:`_drop_corrections` undoes it."""
    for statement in schema_module._CORRECTIONS:
        conn.execute(statement)


def _drop_corrections(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE corrections")
    conn.execute("ALTER TABLE names DROP COLUMN corrected_by")
    conn.execute("ALTER TABLE quotes DROP COLUMN corrected_by")


def test_a_store_before_cue_classes_gets_them_from_the_rules(tmp_path, pool):
    """Step 7: rows stored before the cue_class column get the class their rule gives."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), target=6) == 6
    conn.execute("ALTER TABLE quotes ADD COLUMN cue_class TEXT")  # as the writer expects; dropped below
    for column in _ENCODING_COLUMNS:  # step 8, ditto
        conn.execute(f"ALTER TABLE articles ADD COLUMN {column}")
    _add_corrections(conn)  # step 9, ditto
    from onrecord.store.sqlite import _write

    conn.execute("BEGIN")
    _write(conn, [pool["putin_full"]], [])
    conn.execute("COMMIT")
    conn.execute("ALTER TABLE quotes DROP COLUMN cue_class")
    for column in _ENCODING_COLUMNS:
        conn.execute(f"ALTER TABLE articles DROP COLUMN {column.split()[0]}")
    _drop_corrections(conn)
    (first,) = conn.execute("SELECT id FROM quotes ORDER BY position LIMIT 1").fetchone()
    conn.execute(
        "UPDATE quotes SET component = 'onrecord.quotes.v2:indirect.attitude' WHERE id = ?", (first,)
    )
    conn.close()
    with open_store(path) as store:
        classes = dict(store.connection.execute("SELECT id, cue_class FROM quotes"))
    assert classes.pop(first) == "belief"
    assert classes and set(classes.values()) == {"speech"}


def test_a_store_at_version_2_gets_story_ids_on_upgrade(tmp_path, wire):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), target=2) == 2
    from onrecord.store.sqlite import _write  # the writer's body, without stories (as version 2 wrote)

    for column in _RESOLUTION_COLUMNS:  # the writer writes them; version 2 had none
        conn.execute(f"ALTER TABLE quotes ADD COLUMN {column}")
    conn.execute("ALTER TABLE entities ADD COLUMN role_facts TEXT NOT NULL DEFAULT '[]'")  # step 6, ditto
    conn.execute("ALTER TABLE quotes ADD COLUMN cue_class TEXT")  # step 7, ditto
    for column in _ENCODING_COLUMNS:  # step 8, ditto
        conn.execute(f"ALTER TABLE articles ADD COLUMN {column}")
    _add_corrections(conn)  # step 9, ditto
    conn.execute("BEGIN")
    _write(conn, [wire["original"], wire["unrelated"], wire["copy"]], [])
    conn.execute("COMMIT")
    for column in _RESOLUTION_COLUMNS:
        conn.execute(f"ALTER TABLE quotes DROP COLUMN {column}")
    conn.execute("ALTER TABLE entities DROP COLUMN role_facts")
    conn.execute("ALTER TABLE quotes DROP COLUMN cue_class")
    for column in _ENCODING_COLUMNS:
        conn.execute(f"ALTER TABLE articles DROP COLUMN {column.split()[0]}")
    _drop_corrections(conn)
    conn.close()
    with open_store(path) as store:
        conn = store.connection
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
        original = wire["original"].analysis.id
        assert stories_of(conn) == {
            original: original,
            wire["copy"].analysis.id: original,
            wire["unrelated"].analysis.id: wire["unrelated"].analysis.id,
        }
        assert conn.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 3
        assert conn.execute("SELECT max(stories) FROM statements").fetchone()[0] == 1
        with open_store(":memory:") as fresh:  # the same as writing them into a new store
            fresh.write_batch([wire["original"], wire["unrelated"], wire["copy"]])
            # ... but for how each speaker was decided, which rows stored before version 5 lack
            fresh.connection.execute(f"UPDATE quotes SET {' = NULL, '.join(_RESOLUTION_COLUMNS)} = NULL")
            fresh.connection.execute("UPDATE entities SET role_facts = '[]'")  # and role facts (step 6)
            assert dump(fresh.connection) == dump(conn)


def test_the_pool_has_no_near_duplicates(pool):
    """The property test above compares story ids too: its articles must each be a story of their own."""
    with open_store(":memory:") as store:
        store.write_batch(list(pool.values()))
        assert all(a == s for a, s in stories_of(store.connection).items())
