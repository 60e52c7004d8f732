"""Corrections made by hand (onrecord.store.corrections, `onrecord correct`): merges, splits, speakers,
undo, the audit log, and corrections that last through later ingests, a replay in a store built anew,
and a re-analysis that moves a quotation's ends."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.query import AmbiguousSpeakerError, NotFoundError, find_quotes, get_person
from onrecord.store import StoredInput, open_store
from onrecord.store import corrections as log
from onrecord.store.corrections import CorrectionError

#: name -> input text. Each is one article; "Putin" alone and "Vladimir Putin" are two persons (D50).
TEXTS = {
    "full": '"We will not give up," Vladimir Putin, the Russian prime minister, said on Friday.',
    "surname": 'Putin said on Monday that "the air base will stay open for now."',
    "surname_later": '"Moscow is patient," Putin told reporters on Tuesday.',
    "hillary": '"Talks go on," Hillary Clinton said on Monday.',
    "rodham": '"We are ready," Hillary Rodham Clinton said on Wednesday.',
    "rodham_later": '"I was never away," Hillary Rodham Clinton said on Thursday.',
    "junior": '"My father will win," Donald Trump Jr. said on Friday.',
    "senior": '"I will win," Donald Trump said on Saturday.',
}


@pytest.fixture(scope="module")
def pool(analyzer) -> dict[str, StoredInput]:
    return {
        name: StoredInput(analyzer.analyze(text, source=f"{name}.txt", published="2010-04-23"), text)
        for name, text in TEXTS.items()
    }


def people(conn: sqlite3.Connection) -> dict[str, int]:
    """person id -> quotations."""
    return dict(conn.execute("SELECT id, quotes FROM persons"))


def corrected(conn: sqlite3.Connection) -> dict[str, int | None]:
    """quotation content -> the correction that decided it."""
    return dict(conn.execute("SELECT content, corrected_by FROM quotes"))


def in_transaction(store, make):
    conn = store.connection
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = make(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return done


def test_a_merge_moves_the_names_and_holds_for_articles_stored_later(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["full"], pool["surname"]])
        conn = store.connection
        assert people(conn) == {"person:vladimir-putin": 1, "person:putin": 1}
        done = in_transaction(
            store, lambda c: log.merge(c, "person:putin", "person:vladimir-putin", reason="one man", by="ana")
        )
        assert people(conn) == {"person:vladimir-putin": 2}
        assert corrected(conn)["the air base will stay open for now."] == done.id
        assert corrected(conn)["We will not give up,"] is None  # the analysis and the rule decided it
        store.write_batch([pool["surname_later"]])  # "Putin" again, after the merge
        assert people(conn) == {"person:vladimir-putin": 3}
        detail = get_person(store, "Vladimir Putin")
        assert [c.id for c in detail.corrections] == [done.id]
        assert {(w.key, w.correction) for w in detail.why} == {("vladimir putin", None), ("putin", done.id)}
        assert "one man" in done.describe() and "ana" in done.describe()


def test_a_split_name_is_a_person_of_its_own_also_later(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["hillary"], pool["rodham"]])
        conn = store.connection
        assert people(conn) == {"person:hillary-clinton": 2}  # merge rule 2: first and last words
        in_transaction(
            store,
            lambda c: log.split(c, "person:hillary-clinton", "Hillary Rodham Clinton", reason=None, by="ana"),
        )
        assert people(conn) == {"person:hillary-clinton": 1, "person:hillary-rodham-clinton": 1}
        store.write_batch([pool["rodham_later"]])
        assert people(conn) == {"person:hillary-clinton": 1, "person:hillary-rodham-clinton": 2}
        with pytest.raises(CorrectionError, match="split its other names"):
            log.split(conn, "person:hillary-clinton", "Hillary Clinton", reason=None, by="ana")
        with pytest.raises(CorrectionError, match="has no name 'Bill Clinton'"):
            log.split(conn, "person:hillary-clinton", "Bill Clinton", reason=None, by="ana")


def test_a_speaker_correction_and_its_undo(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["full"], pool["surname"]])
        conn = store.connection
        (quote_id,) = conn.execute("SELECT id FROM quotes WHERE content LIKE 'the air base%'").fetchone()
        before = conn.execute("SELECT statement_id FROM quotes WHERE id = ?", (quote_id,)).fetchone()
        done = in_transaction(
            store, lambda c: log.set_speaker(c, quote_id, "Dmitry Medvedev", reason="misread", by="ana")
        )
        row = conn.execute(
            "SELECT speaker_name, person_id, corrected_by, statement_id FROM quotes WHERE id = ?", (quote_id,)
        ).fetchone()
        assert row[:3] == ("Dmitry Medvedev", "person:dmitry-medvedev", done.id) and row[3] != before[0]
        assert people(conn) == {"person:vladimir-putin": 1, "person:dmitry-medvedev": 1}
        assert [q.corrected_by for q in find_quotes(store, person_id="person:dmitry-medvedev")] == [done.id]
        undone = in_transaction(store, lambda c: log.undo(c, done.id, reason="it was Putin", by="bo"))
        row = conn.execute(
            "SELECT speaker_name, person_id, corrected_by FROM quotes WHERE id = ?", (quote_id,)
        )
        assert row.fetchone() == ("Putin", "person:putin", None)
        assert people(conn) == {"person:vladimir-putin": 1, "person:putin": 1}
        entries = log.list_corrections(conn)
        assert [(c.action, c.undone_by) for c in entries] == [("speaker", undone.id), ("undo", None)]
        with pytest.raises(CorrectionError, match="undone already"):
            log.undo(conn, done.id, reason=None, by="bo")
        nobody = in_transaction(store, lambda c: log.set_speaker(c, quote_id, None, reason=None, by="bo"))
        row = conn.execute(
            "SELECT speaker_kind, person_id, corrected_by FROM quotes WHERE id = ?", (quote_id,)
        )
        assert row.fetchone() == ("unresolved", None, nobody.id)


def test_corrections_that_cannot_be_made_say_why_and_change_nothing(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["full"]])
        conn = store.connection
        with pytest.raises(CorrectionError, match="one person already"):
            log.merge(conn, "person:vladimir-putin", "person:vladimir-putin", reason=None, by="ana")
        with pytest.raises(CorrectionError, match="no person 'person:nobody'"):
            log.merge(conn, "person:nobody", "person:vladimir-putin", reason=None, by="ana")
        with pytest.raises(CorrectionError, match="no quotation 'x:0'"):
            log.set_speaker(conn, "x:0", "Vladimir Putin", reason=None, by="ana")
        with pytest.raises(CorrectionError, match="one word"):
            log.set_speaker(
                conn, conn.execute("SELECT id FROM quotes").fetchone()[0], "Ivanov", reason=None, by="a"
            )
        assert log.list_corrections(conn) == []


def test_a_speaker_correction_finds_its_quotation_again_after_a_reanalysis(pool):
    """Replayed in a store built anew, where a newer analysis moved the quotation's ends a little and
    its position in the list: found by its span; a correction whose quotation is gone changes nothing."""
    with open_store(":memory:") as old:
        old.write_batch([pool["full"], pool["surname"]])
        conn = old.connection
        (quote_id,) = conn.execute("SELECT id FROM quotes WHERE content LIKE 'the air base%'").fetchone()
        done = in_transaction(
            old, lambda c: log.set_speaker(c, quote_id, "Dmitry Medvedev", reason=None, by="a")
        )
        entry = done.to_dict()
    moved = json.loads(json.dumps(entry))
    moved["detail"]["quote_start"] += 4  # the newer analysis dropped "the " ...
    moved["detail"]["quote_id"] = moved["subject"] + ":7"  # ... and lists it elsewhere
    gone = json.loads(json.dumps(entry))
    gone["detail"]["quote_start"], gone["detail"]["quote_end"] = 0, 3  # no quotation there
    with open_store(":memory:") as new:
        new.write_batch([pool["full"], pool["surname"]])
        in_transaction(new, lambda c: log.replay(c, [gone, moved], by="b"))
        conn = new.connection
        row = conn.execute("SELECT person_id, corrected_by FROM quotes WHERE content LIKE 'the air base%'")
        assert row.fetchone() == ("person:dmitry-medvedev", 2)
        replayed = log.list_corrections(conn)
        assert [c.detail["replayed"]["made_by"] for c in replayed] == ["a", "a"]


def test_a_speaker_correction_replayed_before_its_article_is_stored_applies_when_it_is(pool):
    with open_store(":memory:") as old:
        old.write_batch([pool["surname"]])
        (quote_id,) = old.connection.execute("SELECT id FROM quotes").fetchone()
        entry = in_transaction(
            old, lambda c: log.set_speaker(c, quote_id, "Dmitry Medvedev", reason=None, by="a")
        )
    with open_store(":memory:") as new:
        in_transaction(new, lambda c: log.replay(c, [entry.to_dict()], by="b"))
        new.write_batch([pool["surname"]])
        assert people(new.connection) == {"person:dmitry-medvedev": 1}
        new.write_batch([pool["surname"]])  # stored again: nothing changes, nothing doubles
        assert people(new.connection) == {"person:dmitry-medvedev": 1}


def test_a_failed_correction_leaves_the_store_as_it_was(pool, monkeypatch):
    with open_store(":memory:") as store:
        store.write_batch([pool["full"], pool["surname"]])
        conn = store.connection
        before = (people(conn), corrected(conn))

        def die(*args: object) -> None:
            raise KeyboardInterrupt  # as if the process were stopped while the correction is applied

        monkeypatch.setattr(log, "refresh", die)
        with pytest.raises(KeyboardInterrupt):
            in_transaction(
                store, lambda c: log.merge(c, "person:putin", "person:vladimir-putin", reason=None, by="a")
            )
        assert (people(conn), corrected(conn)) == before and log.list_corrections(conn) == []


def test_a_bare_surname_lists_the_people_it_may_be(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["full"], pool["surname"]])
        with pytest.raises(AmbiguousSpeakerError) as info:
            list(find_quotes(store, speaker="Putin"))
        assert {c[0] for c in info.value.candidates} == {"person:putin", "person:vladimir-putin"}
        assert [q.person_id for q in find_quotes(store, speaker="Vladimir Putin")] == [
            "person:vladimir-putin"
        ]
        assert [q.person_id for q in find_quotes(store, speaker="person:putin")] == ["person:putin"]
        with pytest.raises(NotFoundError, match="a surname alone is no one person") as found:
            get_person(store, "Putin")
        assert found.value.suggestions == ["Vladimir Putin", "person:putin"]


def test_the_command_line_corrects_lists_and_replays(tmp_path, pool):
    path, fresh = tmp_path / "news.db", tmp_path / "fresh.db"
    for target in (path, fresh):
        with open_store(target) as store:
            store.write_batch([pool["full"], pool["surname"]])
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "correct",
            "merge",
            "--db",
            str(path),
            "person:putin",
            "Vladimir Putin",
            "--reason",
            "same",
            "--by",
            "ana",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("#1 merge person:putin into person:vladimir-putin")
    result = runner.invoke(main, ["correct", "merge", "--db", str(path), "person:putin", "person:nobody"])
    assert result.exit_code == 1 and "no person" in result.output
    exported = runner.invoke(main, ["corrections", "--db", str(path), "--format", "jsonl"])
    assert [json.loads(line)["action"] for line in exported.output.splitlines()] == ["merge"]
    log_file = tmp_path / "log.jsonl"
    log_file.write_text(exported.output, encoding="utf-8")
    replayed = runner.invoke(main, ["correct", "replay", "--db", str(fresh), str(log_file)])
    assert replayed.exit_code == 0, replayed.output
    with open_store(fresh, readonly=True) as store:
        assert people(store.connection) == {"person:vladimir-putin": 2}
    shown = runner.invoke(main, ["person", "--db", str(fresh), "Vladimir Putin"])
    assert "'putin' by hand (#1)" in shown.output and "Corrected by hand" in shown.output
    listed = runner.invoke(main, ["corrections", "--db", str(path)])
    assert "#1 merge" in listed.output and "same" in listed.output


def test_an_old_store_gets_the_surname_rule_and_the_log_on_upgrade(tmp_path, pool):
    """A store at version 8 linked "Putin" to the one full-name Putin and "Donald Trump Jr." to his
    father (the rule before D50): step 9 makes them persons of their own and adds the log."""
    from onrecord.store import schema
    from onrecord.store.sqlite import _write

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, str(path), target=8)
    for statement in schema._CORRECTIONS:  # as the writer expects; dropped below
        conn.execute(statement)
    conn.execute("BEGIN")
    _write(conn, [pool["full"], pool["surname"], pool["junior"], pool["senior"]], [])
    # as the older rule had it: the surname joined Vladimir Putin, and "Jr." was dropped from the key
    conn.execute("UPDATE names SET person_id = 'person:vladimir-putin' WHERE key = 'putin'")
    conn.execute("UPDATE quotes SET person_id = 'person:vladimir-putin' WHERE speaker_key = 'putin'")
    conn.execute("DELETE FROM names WHERE key = 'donald trump jr'")
    conn.execute(
        "UPDATE quotes SET speaker_key = 'donald trump', person_id = 'person:donald-trump' "
        "WHERE speaker_key = 'donald trump jr'"
    )
    conn.execute("DELETE FROM persons WHERE id IN ('person:putin', 'person:donald-trump-jr')")
    conn.execute("COMMIT")
    conn.execute("DROP TABLE corrections")
    conn.execute("ALTER TABLE names DROP COLUMN corrected_by")
    conn.execute("ALTER TABLE quotes DROP COLUMN corrected_by")
    conn.close()
    with open_store(path) as store:
        assert people(store.connection) == {
            "person:vladimir-putin": 1,
            "person:putin": 1,
            "person:donald-trump": 1,
            "person:donald-trump-jr": 1,
        }
        assert log.list_corrections(store.connection) == []
        keys = dict(store.connection.execute("SELECT key, person_id FROM names"))
        assert keys["donald trump jr"] == "person:donald-trump-jr" and keys["putin"] == "person:putin"


def test_corrections_are_dataclasses_that_round_trip_through_json(pool):
    with open_store(":memory:") as store:
        store.write_batch([pool["full"], pool["surname"]])
        done = in_transaction(
            store, lambda c: log.merge(c, "person:putin", "person:vladimir-putin", reason=None, by="a")
        )
        again = log.Correction(**json.loads(json.dumps(done.to_dict())))
        assert again == done and dataclasses.asdict(again)["action"] == "merge"


def test_a_merge_replayed_into_an_empty_store_holds_for_the_articles_stored_after(pool):
    with open_store(":memory:") as old:
        old.write_batch([pool["full"], pool["surname"]])
        entry = in_transaction(
            old, lambda c: log.merge(c, "person:putin", "person:vladimir-putin", reason=None, by="a")
        ).to_dict()
    with open_store(":memory:") as new:
        in_transaction(new, lambda c: log.replay(c, [entry], by="b"))
        new.write_batch([pool["surname"], pool["full"]])
        assert people(new.connection) == {"person:vladimir-putin": 2}
        with pytest.raises(CorrectionError, match="without a target"):
            log.replay(new.connection, [{**entry, "target": None}], by="b")
