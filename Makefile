# AIMEE — one command to run the demo, one to run the tests. Everything installs from this repo's files.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR):$(CURDIR)/gen
# Entry points run with .env applied (the real environment wins), like the launcher's children.
RUN := $(PY) -m services.common.dotenv
# Empty DB = the database named in DATABASE_URL (environment, else .env, else aimee_db).
DB ?=
DB_ARG = $(if $(DB),--database $(DB))

.PHONY: help setup gen lint data data-reset data-scale migrate migrate-knowledge up down status demo test bench llm-local clean \
	web web-test chromium import export backup restore sample-files

help:
	@echo "make demo    - set up everything, start the mesh, answer the seed's two example requests"
	@echo "make test    - set up everything and run the whole test suite"
	@echo "make up | down | status | data | data-scale | migrate-knowledge | bench | lint | llm-local"
	@echo "make web (build the console) | web-test (Vitest) | chromium (install /usr/bin/chromium for browser tests)"
	@echo "make import KIND=attendance FILE=x.csv [DRY_RUN=1] [SKIP_BAD_ROWS=1] [REPLACE=1] | export DATASET=alerts [FORMAT=csv]"
	@echo "make backup | restore FILE=var/backups/x.tar.gz [DATABASE=name] [FORCE=1] | sample-files | migrate"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

gen/.stamp: $(VENV)/.installed $(shell find protos -name '*.proto') tools/gen_protos.sh
	PY=$(PY) tools/gen_protos.sh
	touch $@

setup: $(VENV)/.installed gen/.stamp

gen: setup

lint: setup
	PY=$(PY) tools/buf_lint.sh

# Schema + deterministic sample data (history ends today) into DATABASE_URL's database (or DB=name); kept if
# already loaded today.
data: setup
	$(RUN) db.load $(DB_ARG) --if-stale
	$(RUN) services.analytics.backfill $(DB_ARG)

data-reset: setup
	$(RUN) db.load $(DB_ARG)
	$(RUN) services.analytics.backfill $(DB_ARG)

data-scale: setup
	$(RUN) db.load --database aimee_scale --scale --sites 50 --staff 200 --days 365

# Pending schema migrations (db/migrations) into $(DB); make data and the loader run them too.
migrate: setup
	$(PY) -m db.migrate --database $(DB)

# Bring your own data (docs/imports.md). The database is $(DB) unless DATABASE=... is given.
DATABASE ?= $(DB)
import: setup
	@test -n "$(KIND)" -a -n "$(FILE)" || { echo "usage: make import KIND=attendance FILE=path [DRY_RUN=1] [SKIP_BAD_ROWS=1] [REPLACE=1]"; exit 2; }
	$(PY) -m services.dataio import --database $(DATABASE) --kind $(KIND) --file "$(FILE)" \
		$(if $(DRY_RUN),--dry-run) $(if $(SKIP_BAD_ROWS),--skip-bad-rows) $(if $(REPLACE),--replace)

export: setup
	@test -n "$(DATASET)" || { echo "usage: make export DATASET=assignments|alerts|productivity|rosters [FORMAT=xlsx|csv] [LOCATION=横浜] [OUT=file]"; exit 2; }
	$(PY) -m services.dataio export --database $(DATABASE) --dataset $(DATASET) --format $(or $(FORMAT),xlsx) \
		$(if $(LOCATION),--location "$(LOCATION)") $(if $(OUT),--out "$(OUT)")

backup: setup
	$(PY) -m services.dataio backup --database $(DATABASE)

restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/aimee-....tar.gz [DATABASE=name] [FORCE=1]"; exit 2; }
	$(PY) -m services.dataio restore "$(FILE)" --database $(DATABASE) $(if $(FORCE),--force)

sample-files: setup
	$(PY) -m services.dataio samples --out var/samples

# With embedded Chroma only one process may open the store: refuse while the mesh runs (the knowledge
# engine also seeds an empty collection by itself at start).
migrate-knowledge: setup
	@if [ -z "$$($(PY) -c 'from services.common.dotenv import merged_environment as m; print(m().get("CHROMADB_HOST", ""))')" ] \
		&& $(PY) -m services.launcher status >/dev/null 2>&1; then \
		echo "the mesh is running with embedded Chroma: run 'make down' first (or set CHROMADB_HOST)"; exit 1; fi
	$(RUN) services.knowledge.migrate

# The manager console (web/): npm ci when the lockfile changed, vite build when a source or proto changed.
# `make up` serves whatever web/dist holds (a Japanese page says to run make demo when there is none).
WEB_SRC := $(shell find web/src web/scripts -type f -not -path 'web/src/api/gen/*' 2>/dev/null) \
	web/index.html web/vite.config.ts web/tsconfig.json
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.installed gen/.stamp $(WEB_SRC)
	cd web && npm run build

web: web/dist/index.html

web-test: web/node_modules/.installed gen/.stamp
	cd web && npm test

chromium:
	tools/ensure_chromium.sh

up: setup
	$(PY) -m services.launcher up

down:
	@if [ -x $(PY) ]; then $(PY) -m services.launcher down; fi

status:
	$(PY) -m services.launcher status

demo: setup data web
	@$(PY) -m services.launcher status >/dev/null 2>&1 || $(MAKE) --no-print-directory migrate-knowledge
	$(PY) -m services.launcher up
	$(PY) tools/demo.py
	@echo "管理コンソール: http://localhost:$${ENVOY_PORT:-8000}/"

test: setup lint web web-test chromium
	$(PY) -m pytest -q -rs -p no:cacheprovider

bench: setup
	$(PY) -m pip install --quiet --no-deps -r requirements-bench.txt
	$(PY) -m bench.run_all

llm-local: setup
	tools/llm_local.sh

clean: down
	rm -rf gen deploy/gen build var node_modules web/node_modules web/dist $(VENV)
