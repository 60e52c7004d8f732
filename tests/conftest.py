"""Shared fixtures: the loaded pipeline (session scope: loading it is the slow part) and ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def analyzer():
    from onrecord.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def analyzer_all(analyzer):
    """The same pipeline keeping every attribution (beliefs, intentions, ...; PolNeAR's definition)."""
    from onrecord.pipeline import Analyzer

    return Analyzer(nlp=analyzer.nlp, statements="all")


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared beside the repository (CI has it; a user's fresh clone may not)."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: these tests need the project's shared data")
    return SHARED


@pytest.fixture
def analyze(analyzer):
    """Analyse a text and return the record (the article factory of these tests)."""

    def run(text: str, published: str | None = None):
        return analyzer.analyze(text, source="test", published=published)

    return run


@pytest.fixture
def analyze_all(analyzer_all):
    """As ``analyze``, with every attribution kept, each with its cue_class."""

    def run(text: str, published: str | None = None):
        return analyzer_all.analyze(text, source="test", published=published)

    return run
