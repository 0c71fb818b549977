# Investment-policy assistant. `make run` sets everything up, trains the Rasa model when its data
# changed and starts the bot in the foreground; `make test` runs the test suite.
# Every target is idempotent: it does only what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_RASA := .venv-rasa
PY := $(VENV)/bin/python
PY_RASA := $(VENV_RASA)/bin/python
INDEX_DIR ?= $(or $(KB_INDEX_DIR),var/index)
CRAWLED_DIR ?= $(or $(KB_CRAWLED_DIR),var/crawl/documents)
LAWS_DIR ?= $(or $(KB_LAWS_DIR),var/laws/documents)
# The law import's marker sits beside the laws' folder (scrapers/law_source.py writes it).
LAWS_MARKER := $(dir $(LAWS_DIR))import.json
MODEL_MARKER := $(or $(KB_CACHE_DIR),.cache)/models/multilingual-e5-small/provenance.json
INDEX_INPUTS := $(shell find knowledge_base/corpus -type f) \
	knowledge_base/glossary.yaml knowledge_base/jieba_dict/policy_dict.txt knowledge_base/out_of_scope.yaml \
	knowledge_base/segmenter.py knowledge_base/text.py knowledge_base/tokenize.py \
	knowledge_base/build.py knowledge_base/corpus_loader.py \
	$(shell find $(CRAWLED_DIR) -type f 2>/dev/null) \
	$(LAWS_MARKER) $(shell find $(LAWS_DIR) -type f 2>/dev/null)

RASA_MODEL := models/policy-assistant.tar.gz
RASA_INPUTS := config.yml domain.yml $(wildcard data/*.yml) knowledge_base/jieba_dict/policy_dict.txt

.PHONY: setup model laws laws-all index train test test-fast lint bench bench-laws crawl run up down shell kb-shell clean clean-data

setup: $(VENV)/.installed $(VENV_RASA)/.installed

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed for .venv (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# Test tools (pytest, wechatpy, selenium …) over the runtime packages; only the tests need them.
$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

$(VENV_RASA)/.installed: requirements-rasa.txt
	@py310=$$(scripts/find-python310.sh) || exit 1; \
	  [ -x $(PY_RASA) ] || "$$py310" -m venv $(VENV_RASA)
	$(PY_RASA) -m pip install --quiet -r requirements-rasa.txt
	@touch $@

model: $(MODEL_MARKER)

$(MODEL_MARKER): $(VENV)/.installed
	$(PY) -m knowledge_base model

# National laws from the pinned law package (scrapers/laws.yaml): imported again only when the
# list or the importer changed; unchanged laws are not rewritten, so the index is not rebuilt.
laws: $(LAWS_MARKER)

$(LAWS_MARKER): $(VENV)/.installed scrapers/laws.yaml scrapers/law_source.py
	$(PY) -m scrapers laws

# Every current law of the package (about 23,000 articles) instead of the default list.
laws-all: $(VENV)/.installed
	$(PY) -m scrapers laws --all
	@$(MAKE) --no-print-directory index

index: $(INDEX_DIR)/manifest.json

$(INDEX_DIR)/manifest.json: $(MODEL_MARKER) $(INDEX_INPUTS)
	$(PY) -m knowledge_base build

train: $(RASA_MODEL)

$(RASA_MODEL): $(VENV_RASA)/.installed $(RASA_INPUTS)
	$(VENV_RASA)/bin/rasa train --fixed-model-name policy-assistant --out models
	@touch $@

test: setup $(VENV)/.dev-installed lint $(INDEX_DIR)/manifest.json $(RASA_MODEL)
	scripts/ensure-browser.sh
	scripts/ensure-services.sh
	$(PY) -m pytest -q tests

# pyflakes-level lint (ruff.toml) and a permissive type check (mypy.ini); `make test` runs it first.
lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m mypy

# The fast tier (under a minute): no model, no index build, no Rasa, no Chromium (pytest.ini);
# the shared-state tests start a Redis and a PostgreSQL of their own.
test-fast: $(VENV)/.dev-installed
	scripts/ensure-services.sh
	$(PY) -m pytest -q -m "not slow" tests

bench: setup $(INDEX_DIR)/manifest.json $(RASA_MODEL)
	PYTHONPATH=. $(PY) bench/bench_knowledge_base.py
	PYTHONPATH=. $(PY) bench/bench_rest.py
	PYTHONPATH=. $(PY) bench/bench_gateway.py
	PYTHONPATH=. $(PY) bench/bench_index_build.py

# The knowledge base at scale: default laws and every current law (cold builds; about 20 minutes).
bench-laws: setup $(MODEL_MARKER)
	PYTHONPATH=. $(PY) bench/bench_laws.py

# Crawl every enabled source of scrapers/sources.yaml, then rebuild the index incrementally; a
# running bot swaps to the new index by itself. Schedule it with cron or a systemd timer (README).
crawl: setup $(MODEL_MARKER)
	$(PY) -m scrapers crawl
	@# A fresh make sees the documents the crawl wrote; it rebuilds only if something changed.
	@$(MAKE) --no-print-directory index

# The whole bot in the foreground (Ctrl-C stops it); `up` / `down` run it in the background.
run: setup $(INDEX_DIR)/manifest.json $(RASA_MODEL)
	scripts/bot.sh run

up: setup $(INDEX_DIR)/manifest.json $(RASA_MODEL)
	scripts/bot.sh up

down:
	scripts/bot.sh down

# Rasa's console against the running bot (start it with `make up` or `make run`).
shell: $(VENV_RASA)/.installed
	$(VENV_RASA)/bin/python scripts/rasa_console.py

# The staff retrieval shell: ranked clauses and why they won.
kb-shell: $(VENV)/.installed $(INDEX_DIR)/manifest.json
	$(PY) -m knowledge_base shell

# Only what `make` rebuilds by itself: the index (its link, versions and leftovers), the imported
# laws (re-imported from the cached package) and caches.
# Conversations, feedback, handoff requests, WeChat state, crawl state and crawled documents
# cannot be rebuilt and stay; `make clean-data` removes them, after asking.
clean:
	rm -rf $(INDEX_DIR) $(INDEX_DIR)-* $(dir $(INDEX_DIR)).$(notdir $(INDEX_DIR)).link-* .pytest_cache \
	  $(LAWS_DIR) $(LAWS_MARKER)

DATA_PATHS := var/feedback.sqlite var/handoff.sqlite var/wechat-dedup.sqlite var/rasa-tracker.db \
	var/crawl $(CRAWLED_DIR) var/log var/run
clean-data:
	@echo "This deletes data that cannot be rebuilt: conversations (Rasa tracker), feedback,"
	@echo "handoff requests, WeChat state, crawl state, crawled documents and logs:"
	@echo "  $(DATA_PATHS)"
	@read -r -p "Type yes to delete them: " answer && [ "$$answer" = yes ] \
	  || { echo "Nothing deleted." >&2; exit 1; }
	rm -rf $(DATA_PATHS)
