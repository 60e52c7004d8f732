"""Temporal expressions: finding them, resolving them against the publication date, and datelines."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.dates import DateHint, find_dateline, find_dates, resolve
from onrecord.records import DateRef

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_EXAMPLE = SHARED / "examples" / "kyrgyzstan-2010.txt"

FRIDAY = datetime.date(2010, 4, 23)  # the Kyrgyzstan article's publication date, a Friday
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _only(text: str, published: datetime.date | None, hints: tuple[DateHint, ...] = ()) -> DateRef:
    dates = find_dates(text, published=published, hints=hints)
    assert len(dates) == 1, dates
    return dates[0]


def _hint(text: str, phrase: str, tense: str | None) -> DateHint:
    start = text.index(phrase)
    return DateHint(start, start + len(phrase), tense)  # type: ignore[arg-type]


FOUND = [
    # weekdays
    (
        "The ousted president said on Friday that he would not return.",
        FRIDAY,
        "on Friday",
        "2010-04-23",
        "day",
    ),
    ("Clinton said Thursday that the deal stood.", FRIDAY, "Thursday", "2010-04-22", "day"),
    ("Thursday's talks ended early.", FRIDAY, "Thursday", "2010-04-22", "day"),
    ("The vote was on Saturday.", FRIDAY, "on Saturday", "2010-04-17", "day"),
    ("It happened last Tuesday.", FRIDAY, "last Tuesday", "2010-04-20", "day"),
    ("It happened last Friday.", FRIDAY, "last Friday", "2010-04-16", "day"),
    ("They meet again next Monday.", FRIDAY, "next Monday", "2010-04-26", "day"),
    ("Troops arrived on Friday night.", FRIDAY, "on Friday night", "2010-04-23", "day"),
    ("On Wednesday, the court ruled.", FRIDAY, "On Wednesday", "2010-04-21", "day"),
    # month and day, no year
    ("Parliamentary elections are set for October 10.", FRIDAY, "October 10", "2010-10-10", "day"),
    ("Elections are set for Oct. 10, with polls after.", FRIDAY, "Oct. 10", "2010-10-10", "day"),
    ("Elections are set for 10 October.", FRIDAY, "10 October", "2010-10-10", "day"),
    ("The deadline is the 10th of October.", FRIDAY, "10th of October", "2010-10-10", "day"),
    ("The deadline passed on March 3rd.", FRIDAY, "on March 3rd", "2010-03-03", "day"),
    ("Voting opens May 5 in most areas.", FRIDAY, "May 5", "2010-05-05", "day"),
    # full dates
    ("The accord of October 10, 2009 still holds.", FRIDAY, "October 10, 2009", "2009-10-10", "day"),
    ("It was signed April 23, 2010 in Bishkek.", FRIDAY, "April 23, 2010", "2010-04-23", "day"),
    ("It was signed 23 April 2010 in Bishkek.", FRIDAY, "23 April 2010", "2010-04-23", "day"),
    ("Filed 2010-04-23 by the clerk.", FRIDAY, "2010-04-23", "2010-04-23", "day"),
    ("Filed 4/23/2010 by the clerk.", FRIDAY, "4/23/2010", "2010-04-23", "day"),
    ("Filed 23/4/2010 by the clerk.", FRIDAY, "23/4/2010", "2010-04-23", "day"),
    ("The letter is dated Friday, April 23, 2010.", FRIDAY, "Friday, April 23, 2010", "2010-04-23", "day"),
    ("Sworn in on 7 April 2010, she said.", FRIDAY, "on 7 April 2010", "2010-04-07", "day"),
    # months and years
    ("The uprising of April 2010 changed that.", FRIDAY, "April 2010", "2010-04", "month"),
    ("The uprising began in April.", FRIDAY, "in April", "2010-04", "month"),
    ("In May the talks resumed.", FRIDAY, "In May", "2010-05", "month"),
    ("The base opened in late January.", FRIDAY, "in late January", "2010-01", "month"),
    ("It has been in talks since last March.", FRIDAY, "since last March", "2010-03", "month"),
    ("The base lease was signed in 2009.", FRIDAY, "in 2009", "2009", "year"),
    ("He has ruled since 2005.", FRIDAY, "since 2005", "2005", "year"),
    ("A deal is expected by mid-2011.", FRIDAY, "by mid-2011", "2011", "year"),
    # relative to the publication date
    ("He left yesterday.", FRIDAY, "yesterday", "2010-04-22", "day"),
    ("Talks continue today.", FRIDAY, "today", "2010-04-23", "day"),
    ("Talks resume tomorrow.", FRIDAY, "tomorrow", "2010-04-24", "day"),
    ("Shots were heard last night.", FRIDAY, "last night", "2010-04-22", "day"),
    ("He fled the day before yesterday.", FRIDAY, "the day before yesterday", "2010-04-21", "day"),
    ("Protests spread last week.", FRIDAY, "last week", "2010-W15", "week"),
    ("The panel meets next month.", FRIDAY, "next month", "2010-05", "month"),
    ("Growth slowed this year.", FRIDAY, "this year", "2010", "year"),
    ("Growth slowed last year.", FRIDAY, "last year", "2009", "year"),
    ("He arrived two days ago.", FRIDAY, "two days ago", "2010-04-21", "day"),
    ("He arrived three weeks ago.", FRIDAY, "three weeks ago", "2010-W13", "week"),
    ("He arrived a year ago.", FRIDAY, "a year ago", "2009", "year"),
    ("Prices rose earlier this month.", FRIDAY, "earlier this month", "2010-04", "month"),
    ("Across the border last week, they said.", datetime.date(2010, 1, 5), "last week", "2009-W53", "week"),
    ("The plan failed last month.", datetime.date(2010, 1, 15), "last month", "2009-12", "month"),
    # without a publication date: relative expressions stay open, absolute ones resolve
    ("He said on Friday that he would stay.", None, "on Friday", None, "day"),
    ("Elections are set for October 10.", None, "October 10", None, "day"),
    ("He left yesterday.", None, "yesterday", None, "day"),
    ("Protests spread last week.", None, "last week", None, "week"),
    ("It was signed April 23, 2010 in Bishkek.", None, "April 23, 2010", "2010-04-23", "day"),
    ("The lease was signed in 2009.", None, "in 2009", "2009", "year"),
    ("The uprising of April 2010 changed that.", None, "April 2010", "2010-04", "month"),
]


@pytest.mark.parametrize(
    ("text", "published", "expected_text", "expected_value", "expected_granularity"), FOUND
)
def test_finds_and_resolves(
    text: str,
    published: datetime.date | None,
    expected_text: str,
    expected_value: str | None,
    expected_granularity: str,
) -> None:
    date = _only(text, published)
    assert (date.text, date.value, date.granularity) == (expected_text, expected_value, expected_granularity)
    assert text[date.span[0] : date.span[1]] == expected_text


NOT_DATES = [
    "He may resign if the vote fails.",
    "May I ask a question?",
    "Theresa May said the talks were over.",
    "The blast came at 10 pm.",
    "The blast came at 10:30.",
    "Police counted 1,000 people.",
    "Turnout was 2009 votes short.",
    "The fund pays for 2000 homes in the region.",
    "He scored 10 points in 23 minutes.",
    "The Sunday Times reported the claim.",
    "He hosted Saturday Night Live twice.",
    "Services were held on Good Friday.",
    "Prices rose over the last week.",
    "Rebuilding will take the next year.",
    "It ended twenty-two days ago.",
    "Protesters will march on Washington.",
    "Figures for the 1990s are missing.",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_does_not_take_non_dates(text: str) -> None:
    assert find_dates(text, published=FRIDAY) == []


TENSE_CASES = [
    # a future statement about a weekday: the first such day after publication
    ("She will speak on Friday.", "Friday", "future", "on Friday", "2010-04-30"),
    ("She will speak on Monday.", "Monday", "future", "on Monday", "2010-04-26"),
    ("She spoke on Saturday.", "Saturday", "past", "on Saturday", "2010-04-17"),
    # month and day: past statements never land after publication, future ones never before
    ("The vote was held on April 30.", "April 30", "past", "on April 30", "2009-04-30"),
    ("The summit will open on January 5.", "January 5", "future", "on January 5", "2011-01-05"),
    ("Elections are set for October 10.", "October 10", "present", "October 10", "2010-10-10"),
    ("The talks collapsed in December.", "December", "past", "in December", "2009-12"),
    ("The talks will resume in March.", "March", "future", "in March", "2011-03"),
    # an explicit "next" wins over the tense of the clause
    ("He said he would go next Friday.", "Friday", "past", "next Friday", "2010-04-30"),
]


@pytest.mark.parametrize(("text", "hinted", "tense", "expected_text", "expected_value"), TENSE_CASES)
def test_tense_from_hint(text: str, hinted: str, tense: str, expected_text: str, expected_value: str) -> None:
    date = _only(text, FRIDAY, (_hint(text, hinted, tense),))
    assert (date.text, date.value) == (expected_text, expected_value)


RESOLVED = [
    ("Friday", FRIDAY, None, "2010-04-23", "day"),
    ("on Friday", FRIDAY, "past", "2010-04-23", "day"),
    ("Thursday", FRIDAY, "present", "2010-04-22", "day"),
    ("Saturday", FRIDAY, "past", "2010-04-17", "day"),
    ("Saturday", FRIDAY, "future", "2010-04-24", "day"),
    ("Friday", FRIDAY, "future", "2010-04-30", "day"),
    ("last Friday", FRIDAY, None, "2010-04-16", "day"),
    ("last Friday", FRIDAY, "future", "2010-04-16", "day"),
    ("next Friday", FRIDAY, None, "2010-04-30", "day"),
    ("this Friday", FRIDAY, "future", "2010-04-23", "day"),
    ("coming Monday", FRIDAY, None, "2010-04-26", "day"),
    ("Friday's", FRIDAY, None, "2010-04-23", "day"),
    ("Fri", FRIDAY, None, "2010-04-23", "day"),
    ("October 10", FRIDAY, None, "2010-10-10", "day"),
    ("October 10", FRIDAY, "past", "2009-10-10", "day"),
    ("October 10", FRIDAY, "future", "2010-10-10", "day"),
    ("March 1", FRIDAY, None, "2010-03-01", "day"),
    ("March 1", FRIDAY, "future", "2011-03-01", "day"),
    ("April 23", FRIDAY, "past", "2010-04-23", "day"),
    ("Oct. 10,", FRIDAY, None, "2010-10-10", "day"),
    ("February 29", datetime.date(2011, 5, 1), None, None, "day"),
    ("February 29", datetime.date(2012, 5, 1), "past", "2012-02-29", "day"),
    ("last April", FRIDAY, None, "2009-04", "month"),
    ("next April", FRIDAY, None, "2011-04", "month"),
    ("last June", FRIDAY, None, "2009-06", "month"),
    ("last March", FRIDAY, None, "2010-03", "month"),
    ("the day after tomorrow", FRIDAY, None, "2010-04-25", "day"),
    ("this week", FRIDAY, None, "2010-W16", "week"),
    ("next week", FRIDAY, None, "2010-W17", "week"),
    ("last weekend", FRIDAY, None, "2010-W15", "week"),
    ("two months ago", FRIDAY, None, "2010-02", "month"),
    ("10 years ago", FRIDAY, None, "2000", "year"),
    ("late last year", FRIDAY, None, "2009", "year"),
    ("early next month", FRIDAY, None, "2010-05", "month"),
    ("the end of 2009", None, None, "2009", "year"),
    ("April 23, 2010", None, None, "2010-04-23", "day"),
    ("Friday, 23 April 2010", None, None, "2010-04-23", "day"),
    ("2010-W16", None, None, "2010-W16", "week"),
    ("2010-04", None, None, "2010-04", "month"),
    ("2010", None, None, "2010", "year"),
    # unreadable: no value, granularity unknown
    ("the 1990s", FRIDAY, None, None, "unknown"),
    ("recent weeks", FRIDAY, None, None, "unknown"),
    ("10 pm", FRIDAY, None, None, "unknown"),
    ("1,000", FRIDAY, None, None, "unknown"),
    ("", FRIDAY, None, None, "unknown"),
    ("February 30, 2010", FRIDAY, None, None, "unknown"),
    ("2010-W60", FRIDAY, None, None, "unknown"),
]


@pytest.mark.parametrize(
    ("expression", "published", "tense", "expected_value", "expected_granularity"), RESOLVED
)
def test_resolve(
    expression: str,
    published: datetime.date | None,
    tense: str | None,
    expected_value: str | None,
    expected_granularity: str,
) -> None:
    assert resolve(expression, published, tense=tense) == (expected_value, expected_granularity)


def test_resolve_takes_the_day_of_a_timestamp() -> None:
    assert resolve("yesterday", datetime.datetime(2010, 4, 23, 18, 30)) == ("2010-04-22", "day")


def test_resolve_rejects_an_unknown_tense() -> None:
    with pytest.raises(ValueError, match="tense"):
        resolve("Friday", FRIDAY, tense="pluperfect")


@pytest.mark.parametrize(("start", "end", "tense"), [(5, 2, None), (-1, 3, None), (0, 3, "perfect")])
def test_date_hint_is_checked(start: int, end: int, tense: str | None) -> None:
    with pytest.raises(ValueError, match="DateHint"):
        DateHint(start, end, tense)  # type: ignore[arg-type]


def test_hint_outside_the_text_is_an_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        find_dates("on Friday", published=FRIDAY, hints=(DateHint(3, 40),))


# --- merging the NER model's hints ---------------------------------------------------------------


def test_hint_inside_a_find_only_lends_its_tense() -> None:
    text = "She will speak on Friday."
    hints = (_hint(text, "Friday", "future"), _hint(text, "Friday", None))
    assert find_dates(text, published=FRIDAY, hints=hints) == [
        DateRef("on Friday", (15, 24), "2010-04-30", "day")
    ]


def test_longer_hint_joins_the_find() -> None:
    text = "The troops moved in on Friday evening, he said."
    date = _only(text, FRIDAY, (_hint(text, "Friday evening", "past"),))
    assert (date.text, date.value) == ("on Friday evening", "2010-04-23")


def test_hint_without_preposition_takes_it() -> None:
    # "the Sunday Times" keeps the finder away; a hint on "Sunday" alone still becomes "on Sunday".
    text = "The raid came on Sunday Times Square time."
    date = _only(text, FRIDAY, (_hint(text, "Sunday", "past"),))
    assert (date.text, date.value) == ("on Sunday", "2010-04-18")


def test_unreadable_hint_is_kept_unresolved() -> None:
    text = "Figures for the 1990s are missing."
    assert find_dates(text, published=FRIDAY, hints=(_hint(text, "the 1990s", "present"),)) == [
        DateRef("the 1990s", (12, 21), None, "unknown")
    ]


@pytest.mark.parametrize(
    ("text", "hinted"),
    [
        ("The blast came at 10 pm.", "10 pm"),
        ("Police counted 1,000 people.", "1,000"),
        ("A 14-year-old was hurt.", "14-year-old"),
        ("They met at 22:30.", "22:30"),
        # lengths of time and frequencies are not points in time
        ("Children aged 8–10 years were tested.", "8–10 years"),
        ("Iodine has been used for at least four decades.", "at least four decades"),
        ("The talks lasted two hours.", "two hours"),
        ("Salt is eaten daily.", "daily"),
        ("It was a 12-month program.", "12-month"),
    ],
)
def test_hints_that_are_not_dates_are_dropped(text: str, hinted: str) -> None:
    assert find_dates(text, published=FRIDAY, hints=(_hint(text, hinted, "past"),)) == []


@pytest.mark.parametrize(
    ("text", "hinted"),
    [
        ("Sales fell over the past two weeks.", "the past two weeks"),
        ("Prices rose in recent years.", "recent years"),
        ("They met two years ago.", "two years ago"),
    ],
)
def test_hints_anchored_in_time_are_kept(text: str, hinted: str) -> None:
    dates = find_dates(text, published=FRIDAY, hints=(_hint(text, hinted, "past"),))
    assert [d.text for d in dates] == [hinted]


def test_hint_over_two_finds_keeps_both() -> None:
    text = "The vote moved from April 30 to October 10."
    hints = (_hint(text, "April 30 to October 10", "past"),)
    dates = find_dates(text, published=FRIDAY, hints=hints)
    assert [(d.text, d.value) for d in dates] == [
        ("from April 30", "2009-04-30"),
        ("October 10", "2009-10-10"),
    ]


# --- datelines --------------------------------------------------------------------------------------

_BODY = "Officials said the talks would go on. " * 20

DATELINES = [
    ("WASHINGTON, April 23, 2010 (Reuters) - The US said ...", "April 23, 2010"),
    ("BISHKEK, Kyrgyzstan, 23 April 2010 - Protesters ...", "23 April 2010"),
    ("April 23, 2010 — The interim government said ...", "April 23, 2010"),
    ("Kyrgyz leader quits\nPublished: 23 April 2010\n\nThe ousted ...", "23 April 2010"),
    ("Posted on 2010-04-23 by the desk\n\nThe ousted ...", "2010-04-23"),
    ("Friday 23 April 2010 12.00 BST\n\nThe ousted ...", "Friday 23 April 2010"),
    ("By Jane Doe | Published Fri, 23 Apr 2010\n\nThe ousted ...", "Fri, 23 Apr 2010"),
    ("Kyrgyz leader quits\n\n" + _BODY + "\nPublished: April 23, 2010", "April 23, 2010"),
    ("Updated: April 24, 2010\nPublished: April 23, 2010\n\nThe ousted ...", "April 23, 2010"),
]


@pytest.mark.parametrize(("text", "expected_text"), DATELINES)
def test_find_dateline(text: str, expected_text: str) -> None:
    found = find_dateline(text)
    assert found is not None
    date, (start, end) = found
    assert text[start:end] == expected_text
    assert date == FRIDAY


def test_updated_stamp_is_a_fallback() -> None:
    found = find_dateline("Kyrgyz leader quits\n" + _BODY + "\nUpdated: April 24, 2010")
    assert found is not None and found[0] == datetime.date(2010, 4, 24)


NO_DATELINE = [
    "",
    "In April 23, 2010 the parliament met again.",
    "The vote took place on April 23, 2010, officials said.",
    "WASHINGTON, April 23 (Reuters) - The US said ...",
    "The figures, published April 23, 2010, showed a rise.",
    _BODY + "\nApril 23, 2010 — a second story starts here.",
    "Filed on February 30, 2010 by the desk.",
]


@pytest.mark.parametrize("text", NO_DATELINE)
def test_no_dateline(text: str) -> None:
    assert find_dateline(text) is None


# --- the seed example -------------------------------------------------------------------------------


def test_seed_example() -> None:
    if not SEED_EXAMPLE.is_file():
        pytest.skip(f"shared data not found at {SEED_EXAMPLE} (../shared next to the project)")
    text = SEED_EXAMPLE.read_text(encoding="utf-8")
    found = {(d.text, d.value) for d in find_dates(text, published=FRIDAY)}
    assert {("on Friday", "2010-04-23"), ("on Thursday", "2010-04-22"), ("October 10", "2010-10-10")} <= found
    assert find_dateline(text) is None


# --- properties -------------------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "on Friday",
        "last Tuesday",
        "October 10",
        "Oct. 10, 2009",
        "23 April 2010",
        "2010-04-23",
        "in May",
        "may",
        "in 2009",
        "two days ago",
        "last week",
        "the last week",
        "10 pm",
        "1,000",
        "\n",
        " ",
        ", ",
        ". ",
        "said",
        "Friday night",
        "mid-",
        "Thursday's",
    ]
)
_TEXTS = st.one_of(
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=6)), max_size=14).map(" ".join),
    st.text(max_size=80),
)
_DATES = st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2099, 10, 1))
_TENSES = st.sampled_from([None, "past", "present", "future"])


@st.composite
def _texts_with_hints(draw: st.DrawFn) -> tuple[str, list[DateHint]]:
    text = draw(_TEXTS)
    hints = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        hints.append(DateHint(start, end, draw(_TENSES)))
    return text, hints


@settings(deadline=None)
@given(_texts_with_hints(), st.one_of(st.none(), _DATES))
def test_spans_lie_inside_the_text(case: tuple[str, list[DateHint]], published: datetime.date | None) -> None:
    text, hints = case
    dates = find_dates(text, published=published, hints=hints)
    previous_end = 0
    for date in dates:
        start, end = date.span
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == date.text
        previous_end = end


@settings(deadline=None)
@given(_TEXTS, _DATES)
def test_whatever_the_finder_finds_resolves(text: str, published: datetime.date) -> None:
    for date in find_dates(text, published=published):
        assert date.granularity != "unknown", date


@given(_DATES, st.sampled_from(WEEKDAY_NAMES), st.sampled_from(["{}", "on {}", "{} night", "this {}"]))
def test_past_weekday_is_within_the_week_before(published: datetime.date, name: str, form: str) -> None:
    value, granularity = resolve(form.format(name), published, tense="past")
    assert value is not None and granularity == "day"
    day = datetime.date.fromisoformat(value)
    assert published - datetime.timedelta(days=7) < day <= published
    assert day.strftime("%A") == name


@given(_DATES, st.sampled_from(WEEKDAY_NAMES))
def test_past_weekday_hint_through_the_finder(published: datetime.date, name: str) -> None:
    text = f"The minister said on {name} that talks would go on."
    date = _only(text, published, (_hint(text, name, "past"),))
    assert date.value is not None
    assert published - datetime.timedelta(days=7) < datetime.date.fromisoformat(date.value) <= published


@given(
    _DATES,
    st.one_of(
        st.sampled_from(WEEKDAY_NAMES).map(lambda name: f"last {name}"),
        st.sampled_from(WEEKDAY_NAMES),
        st.tuples(st.sampled_from(MONTH_NAMES), st.integers(1, 28)).map(lambda md: f"{md[0]} {md[1]}"),
        st.sampled_from(["yesterday", "today", "two days ago", "the day before yesterday", "last night"]),
    ),
)
def test_past_statement_never_after_publication(published: datetime.date, expression: str) -> None:
    value, _ = resolve(expression, published, tense="past")
    assert value is not None
    assert datetime.date.fromisoformat(value) <= published


@given(_DATES, st.sampled_from(MONTH_NAMES), st.sampled_from(["{}", "in {}"]))
def test_past_month_never_after_publication(published: datetime.date, month: str, form: str) -> None:
    value, granularity = resolve(form.format(month), published, tense="past")
    assert granularity == "month" and value is not None
    assert value <= published.isoformat()[:7]


_EXPRESSIONS = st.one_of(
    _FRAGMENTS,
    st.sampled_from(
        ["next Monday", "this year", "three weeks ago", "last month", "in late January", "the 1990s", "Fri"]
    ),
    st.text(max_size=20),
)


@given(_EXPRESSIONS, st.one_of(st.none(), _DATES), _TENSES)
def test_resolve_is_idempotent(expression: str, published: datetime.date | None, tense: str | None) -> None:
    value, granularity = resolve(expression, published, tense=tense)
    assert resolve(expression, published, tense=tense) == (value, granularity)
    if value is not None:
        # A value read back as an expression is absolute: it resolves to itself, whatever the context.
        assert resolve(value, None) == (value, granularity)
        assert resolve(value, published, tense="future") == (value, granularity)


@given(_DATES, st.one_of(st.none(), _DATES), _TENSES)
def test_absolute_dates_ignore_publication(
    day: datetime.date, published: datetime.date | None, tense: str | None
) -> None:
    forms = [
        day.isoformat(),
        f"{day:%B} {day.day}, {day.year}",
        f"{day.day} {day:%B} {day.year}",
        f"{day:%A}, {day:%B} {day.day}, {day.year}",
        f"on {day:%b}. {day.day}, {day.year}",
        f"{day.month}/{day.day}/{day.year}",
    ]
    for form in forms:
        assert resolve(form, published, tense=tense) == (day.isoformat(), "day"), form
    assert resolve(f"in {day:%B} {day.year}", published, tense=tense) == (day.isoformat()[:7], "month")
    assert resolve(f"in {day.year}", published, tense=tense) == (str(day.year), "year")


# --- through the analyser: the NER model's DATE entities as hints ----------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lone number counting a noun is not a year, even when the NER model calls it a DATE
        (
            "A survey of 1709 schoolchildren aged 8–10 years was carried out in July 2003.",
            [("in July 2003", "2003-07")],
        ),
        (
            "The year 1709 was cold, officials said on Friday.",
            [("The year 1709", "1709"), ("on Friday", "2010-04-23")],
        ),
    ],
)
def test_analysed_dates(analyze, text: str, expected: list[tuple[str, str]]) -> None:
    analysis = analyze(text, published="2010-04-23")
    assert [(d.text, d.value) for d in analysis.dates] == expected
